//! The HTTP operations on regions.

use super::{Region, RegionFilter, RegionInput, Regions};

crate::resource_routes! {
    resource: Regions, record: Region, input: RegionInput, filter: RegionFilter,
    tag: "regions", one: "region", many: "regions",
    paths: "/regions", "/regions/{id}", "/regions/{id}/history";

    /// Lists regions.
    ///
    /// Sortable fields: `id`, `key`, `name`, `kind`, `country_code`, `subdivision_code`,
    /// `area_km2`, `population`, `created_at`, `updated_at`. `q` searches `name`, `local_name` and
    /// `capital`.
    list: list_regions;
    /// Reads one region.
    get: get_region;
    /// Creates a region.
    create: create_region;
    /// Changes a region (JSON merge patch: absent fields stay, `null` clears an optional field).
    update: update_region;
    /// Deletes a region that nothing refers to.
    delete: delete_region;
    /// The region's history: every write to it, newest first (deleted ones included).
    history: region_history;
}
