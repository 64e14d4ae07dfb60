//! Agencies: the government bodies (a province's offices, a ministry) responsible for
//! carrying out action plans.

mod model;
mod routes;

pub use model::{Agency, AgencyFilter, AgencyInput, AgencyValues};

use crate::db::DbConnection;
use crate::db::schema::agencies;
use crate::error::Result;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Reference, Resource};
use crate::resources::regions::Regions;

/// Agencies as a resource: `agencies` in documents, where `region` names the region's key.
pub struct Agencies;

impl Resource for Agencies {
    const KIND: &'static Kind = &Kind {
        name: "agency",
        plural: "agencies",
        table: "agencies",
        resource_type: "agency",
        path: "/api/v1/agencies",
        description: "Government bodies that carry out action plans",
    };
    const REFERENCES: &'static [Reference] = &[Reference::one("region", "region_id", Regions::KIND)];
    type Record = Agency;
    type Input = AgencyInput;
    type Values = AgencyValues;

    crate::row_resource!(agencies);

}

impl Listed for Agencies {
    type Filter = AgencyFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "name",
        "english_name",
        "acronym",
        "country_code",
        "region_id",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &AgencyFilter) -> Result<(i64, Vec<Agency>)> {
        model::page(conn, list, filter)
    }
}
