//! Contacts: the focal points of an agency, an organization or a region, so that a
//! relationship survives the rotation of officials. Personal data: every endpoint needs a
//! token, and exports carry contacts only for a caller with one.

mod model;
mod routes;

pub use model::{Contact, ContactFilter, ContactInput, ContactValues};


use crate::db::DbConnection;
use crate::db::schema::contacts;
use crate::error::Result;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Reference, Resource};
use crate::resources::agencies::Agencies;
use crate::resources::organizations::Organizations;
use crate::resources::regions::Regions;

/// Contacts as a resource: `contacts` in documents, where `agency`, `organization` and
/// `region` name keys.
pub struct Contacts;

impl Resource for Contacts {
    const KIND: &'static Kind = &Kind {
        name: "contact",
        plural: "contacts",
        table: "contacts",
        resource_type: "contact",
        path: "/api/v1/contacts",
        description: "Focal points of agencies, organizations and regions (personal data: a token is needed)",
    };
    const REFERENCES: &'static [Reference] = &[
        Reference::one("agency", "agency_id", Agencies::KIND),
        Reference::one("organization", "organization_id", Organizations::KIND),
        Reference::one("region", "region_id", Regions::KIND),
    ];
    const PERSONAL: bool = true;
    type Record = Contact;
    type Input = ContactInput;
    type Values = ContactValues;

    crate::row_resource!(contacts);
}


impl Listed for Contacts {
    type Filter = ContactFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "name",
        "position",
        "email",
        "phone",
        "agency_id",
        "organization_id",
        "region_id",
        "languages",
        "active",
        "notes",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &ContactFilter) -> Result<(i64, Vec<Contact>)> {
        model::page(conn, list, filter)
    }
}
