//! The HTTP operations on sectors.

use super::{Sector, SectorFilter, SectorInput, Sectors};

crate::resource_routes! {
    resource: Sectors, record: Sector, input: SectorInput, filter: SectorFilter,
    paths: "/sectors", "/sectors/{id}", "/sectors/{id}/history", csv "/sectors.csv";
    handlers: list_sectors, get_sector, create_sector, update_sector, delete_sector, sector_history;
}
