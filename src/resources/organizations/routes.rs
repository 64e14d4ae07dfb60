//! The HTTP operations on organizations.

use super::{Organization, OrganizationFilter, OrganizationInput, Organizations};

crate::resource_routes! {
    resource: Organizations, record: Organization, input: OrganizationInput, filter: OrganizationFilter,
    paths: "/organizations", "/organizations/{id}", "/organizations/{id}/history", csv "/organizations.csv";
    handlers: list_organizations, get_organization, create_organization, update_organization,
        delete_organization, organization_history;
}
