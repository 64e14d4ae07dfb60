//! An organization's fields, their rules, and the queries of the organization list.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::organizations;
use crate::db::{Backend, DbConnection};
use crate::domain::{CountryCode, Key, OrganizationKind, Timestamp, WebUrl};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX};
use crate::listing::{AnyOf, ListParams};
use crate::resource::{Validate, Validated};

/// A party that is not a regional government.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "uiz", "name": "Ibn Zohr University", "local_name": "Université Ibn Zohr",
    "acronym": "UIZ", "kind": "university", "country_code": "MA",
    "website": "https://www.uiz.ac.ma", "version": 1,
    "created_at": "2026-11-28T01:00:00Z", "updated_at": "2026-11-28T01:00:00Z"
}))]
pub struct Organization {
    pub id: i64,
    /// Stable identifier other systems use for this organization.
    pub key: String,
    /// The name in English, or as the organization writes it.
    pub name: String,
    /// The name in the organization's own language.
    pub local_name: Option<String>,
    pub acronym: Option<String>,
    pub kind: OrganizationKind,
    /// `null` only for a network or an international organization.
    #[schema(value_type = Option<CountryCode>)]
    pub country_code: Option<String>,
    /// An `http` or `https` URL.
    pub website: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The writable fields of an organization. On `PATCH` every field is optional (JSON merge
/// patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "uiz", "name": "Ibn Zohr University", "local_name": "Université Ibn Zohr",
    "acronym": "UIZ", "kind": "university", "country_code": "MA", "website": "https://www.uiz.ac.ma"
}))]
pub struct OrganizationInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    name: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    local_name: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    acronym: Field<String>,
    #[schema(value_type = OrganizationKind)]
    kind: Field<OrganizationKind>,
    /// Required, but for a `network` or an `international_organization`.
    #[schema(value_type = Option<CountryCode>)]
    country_code: Field<CountryCode>,
    /// An http or https URL.
    #[schema(value_type = Option<crate::domain::WebUrl>)]
    website: Field<WebUrl>,
}

/// A validated organization, as stored.
#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
pub struct OrganizationValues {
    key: String,
    name: String,
    local_name: Option<String>,
    acronym: Option<String>,
    kind: OrganizationKind,
    country_code: Option<String>,
    website: Option<String>,
}

impl Validate for OrganizationInput {
    type Values = OrganizationValues;

    /// Checks the fields, and that only a network or an international organization has no
    /// country.
    fn validate(self, checker: &mut Checker, _conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let name = checker.required_text("name", self.name, NAME_MAX);
        let local_name = checker.optional_text("local_name", self.local_name, NAME_MAX);
        let acronym = checker.optional_text("acronym", self.acronym, NAME_MAX);
        let kind = checker.required("kind", self.kind);
        let country_code = checker.optional("country_code", self.country_code);
        let website = checker.optional("website", self.website).map(WebUrl::into_inner);
        if let Some(kind) = kind
            && country_code.is_none()
            && !kind.may_be_stateless()
            && !checker.has_error("country_code")
        {
            checker.error(
                "country_code",
                format!("is required for a {}: only a network or an international organization has none", kind.as_str()),
            );
        }
        Ok((|| {
            Some(OrganizationValues {
                key: key?,
                name: name?,
                local_name,
                acronym,
                kind: kind?,
                country_code: country_code.map(CountryCode::into_inner),
                website,
            })
        })())
    }
}

crate::filters! {
    /// Filters of the organization list.
    pub struct OrganizationFilter {
        kind: Option<AnyOf<OrganizationKind>>,
        /// Organizations of this country.
        country_code: Option<CountryCode>,
    }
}

crate::sortable!(SORTABLE, sort_organizations, organizations::BoxedQuery<'static, Backend>, organizations::id, {
    "id" => organizations::id,
    "key" => organizations::key,
    "name" => organizations::name,
    "local_name" => organizations::local_name,
    "acronym" => organizations::acronym,
    "kind" => organizations::kind,
    "country_code" => organizations::country_code,
    "created_at" => organizations::created_at,
    "updated_at" => organizations::updated_at,
});

crate::listed!(organizations, search: name, local_name, acronym);

fn filtered(list: &ListParams, filter: &OrganizationFilter) -> organizations::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(kind) = &filter.kind {
        query = query.filter(kind.condition(organizations::kind));
    }
    if let Some(country) = &filter.country_code {
        query = query.filter(organizations::country_code.eq(country.as_str().to_owned()));
    }
    query
}

pub(super) fn page(
    conn: &mut DbConnection,
    list: &ListParams,
    filter: &OrganizationFilter,
) -> Result<(i64, Vec<Organization>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}
