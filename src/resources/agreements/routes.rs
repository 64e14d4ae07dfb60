//! The HTTP operations on agreements.

use super::{Agreement, AgreementFilter, AgreementInput, Agreements};

crate::resource_routes! {
    resource: Agreements, record: Agreement, input: AgreementInput, filter: AgreementFilter,
    paths: "/agreements", "/agreements/{id}", "/agreements/{id}/history", csv "/agreements.csv";
    handlers: list_agreements, get_agreement, create_agreement, update_agreement, delete_agreement, agreement_history;
}
