//! The HTTP operations on agencies.

use super::{Agencies, Agency, AgencyFilter, AgencyInput};

crate::resource_routes! {
    resource: Agencies, record: Agency, input: AgencyInput, filter: AgencyFilter,
    tag: "agencies", one: "agency", many: "agencies",
    paths: "/agencies", "/agencies/{id}", "/agencies/{id}/history";

    /// Lists agencies.
    ///
    /// Sortable fields: `id`, `key`, `name`, `english_name`, `acronym`, `country_code`,
    /// `region_id`, `created_at`, `updated_at`. `q` searches `name`, `english_name` and `acronym`.
    list: list_agencies;
    /// Reads one agency.
    get: get_agency;
    /// Creates an agency.
    create: create_agency;
    /// Changes an agency (JSON merge patch: absent fields stay, `null` clears an optional field).
    update: update_agency;
    /// Deletes an agency that nothing refers to.
    delete: delete_agency;
    /// The agency's history: every write to it, newest first (deleted ones included).
    history: agency_history;
}

