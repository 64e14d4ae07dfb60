//! Regions: the subnational governments (provinces, states, cities...) that are parties to
//! agreements and to which agencies belong.

mod model;
mod routes;

pub use model::{Region, RegionFilter, RegionInput, RegionValues, within_region};


use crate::db::DbConnection;
use crate::db::schema::regions;
use crate::error::Result;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Reference, Resource};

/// Regions as a resource: `regions` in documents.
pub struct Regions;

impl Resource for Regions {
    const KIND: &'static Kind = &Kind {
        name: "region",
        plural: "regions",
        table: "regions",
        resource_type: "region",
        path: "/api/v1/regions",
        description: "Subnational governments: provinces, states, cities...",
    };
    const REFERENCES: &'static [Reference] =
        &[Reference::one("parent_region", "parent_region_id", Self::KIND).referred_to_by("regions within it")];
    type Record = Region;
    type Input = RegionInput;
    type Values = RegionValues;

    crate::row_resource!(regions);


}

impl Listed for Regions {
    type Filter = RegionFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "name",
        "local_name",
        "kind",
        "country_code",
        "subdivision_code",
        "capital",
        "area_km2",
        "population",
        "population_year",
        "parent_region_id",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &RegionFilter) -> Result<(i64, Vec<Region>)> {
        model::page(conn, list, filter)
    }
}
