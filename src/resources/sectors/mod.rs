//! Sectors: the fields of cooperation (trade and investment, tourism, education...) that
//! agreements and action plans are classified by.

mod model;
mod routes;

pub use model::{Sector, SectorFilter, SectorInput, SectorValues};

use crate::db::DbConnection;
use crate::db::schema::sectors;
use crate::error::Result;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Resource};

/// Sectors as a resource: `sectors` in documents.
pub struct Sectors;

impl Resource for Sectors {
    const KIND: &'static Kind = &Kind {
        name: "sector",
        plural: "sectors",
        table: "sectors",
        resource_type: "sector",
        path: "/api/v1/sectors",
        description: "Fields of cooperation",
    };
    type Record = Sector;
    type Input = SectorInput;
    type Values = SectorValues;

    crate::row_resource!(sectors);

}

impl Listed for Sectors {
    type Filter = SectorFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] =
        &["id", "key", "code", "name", "local_name", "description", "version", "created_at", "updated_at"];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &SectorFilter) -> Result<(i64, Vec<Sector>)> {
        model::page(conn, list, filter)
    }
}
