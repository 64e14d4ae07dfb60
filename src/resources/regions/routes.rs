//! The HTTP operations on regions.

use super::{Region, RegionFilter, RegionInput, Regions};

crate::resource_routes! {
    resource: Regions, record: Region, input: RegionInput, filter: RegionFilter,
    paths: "/regions", "/regions/{id}", "/regions/{id}/history", csv "/regions.csv";
    handlers: list_regions, get_region, create_region, update_region, delete_region, region_history;
}
