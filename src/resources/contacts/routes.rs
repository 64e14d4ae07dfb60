//! The HTTP operations on contacts: personal data, so every one needs a token.

use super::{Contact, ContactFilter, ContactInput, Contacts};

crate::resource_routes! {
    resource: Contacts, record: Contact, input: ContactInput, filter: ContactFilter,
    paths: "/contacts", "/contacts/{id}", "/contacts/{id}/history", csv "/contacts.csv";
    handlers: list_contacts, get_contact, create_contact, update_contact, delete_contact, contact_history;
}
