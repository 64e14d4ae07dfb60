//! The HTTP operations on sectors.

use super::{Sector, SectorFilter, SectorInput, Sectors};

crate::resource_routes! {
    resource: Sectors, record: Sector, input: SectorInput, filter: SectorFilter,
    tag: "sectors", one: "sector", many: "sectors",
    paths: "/sectors", "/sectors/{id}", "/sectors/{id}/history";

    /// Lists sectors.
    ///
    /// Sortable fields: `id`, `key`, `code`, `name`, `created_at`, `updated_at`. `q` searches
    /// `code`, `name`, `local_name` and `description`.
    list: list_sectors;
    /// Reads one sector.
    get: get_sector;
    /// Creates a sector.
    create: create_sector;
    /// Changes a sector (JSON merge patch: absent fields stay, `null` clears an optional field).
    update: update_sector;
    /// Deletes a sector that nothing refers to.
    delete: delete_sector;
    /// The sector's history: every write to it, newest first (deleted ones included).
    history: sector_history;
}
