//! The HTTP operations on agreements.

use super::{Agreement, AgreementFilter, AgreementInput, Agreements};

crate::resource_routes! {
    resource: Agreements, record: Agreement, input: AgreementInput, filter: AgreementFilter,
    tag: "agreements", one: "agreement", many: "agreements",
    paths: "/agreements", "/agreements/{id}", "/agreements/{id}/history";

    /// Lists agreements.
    ///
    /// Sortable fields: `id`, `key`, `title`, `kind`, `status`, `signed_on`, `effective_from`,
    /// `expires_on`, `created_at`, `updated_at`. `q` searches `title`, `notes` and `facilitator`.
    list: list_agreements;
    /// Reads one agreement.
    get: get_agreement;
    /// Creates an agreement with its parties and sectors.
    create: create_agreement;
    /// Changes an agreement (JSON merge patch); `party_region_ids` and `sector_ids` replace the
    /// lists when given.
    update: update_agreement;
    /// Deletes an agreement with its party and sector links. An agreement that still has action
    /// plans or obstacles, or that another agreement renews, is kept (`409`).
    delete: delete_agreement;
    /// The agreement's history: every write to it, newest first (deleted ones included).
    history: agreement_history;
}

