//! Organizations: parties to agreements that are not regional governments, such as a foreign
//! university, a chamber of commerce, a city network or an international organization.

mod model;
mod routes;

pub use model::{Organization, OrganizationFilter, OrganizationInput, OrganizationValues};

use crate::db::DbConnection;
use crate::db::schema::organizations;
use crate::error::Result;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Reference, Resource};

/// Organizations as a resource: `organizations` in documents.
pub struct Organizations;

impl Resource for Organizations {
    const KIND: &'static Kind = &Kind {
        name: "organization",
        plural: "organizations",
        table: "organizations",
        resource_type: "organization",
        path: "/api/v1/organizations",
        description: "Parties that are not regional governments: universities, networks, international bodies",
    };
    const REFERENCES: &'static [Reference] = &[];
    type Record = Organization;
    type Input = OrganizationInput;
    type Values = OrganizationValues;

    crate::row_resource!(organizations);
}

impl Listed for Organizations {
    type Filter = OrganizationFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "name",
        "local_name",
        "acronym",
        "kind",
        "country_code",
        "website",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(
        conn: &mut DbConnection,
        list: &ListParams,
        filter: &OrganizationFilter,
    ) -> Result<(i64, Vec<Organization>)> {
        model::page(conn, list, filter)
    }
}
