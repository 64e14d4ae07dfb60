//! The HTTP operations on agencies.

use super::{Agencies, Agency, AgencyFilter, AgencyInput};

crate::resource_routes! {
    resource: Agencies, record: Agency, input: AgencyInput, filter: AgencyFilter,
    paths: "/agencies", "/agencies/{id}", "/agencies/{id}/history", csv "/agencies.csv";
    handlers: list_agencies, get_agency, create_agency, update_agency, delete_agency, agency_history;
}
