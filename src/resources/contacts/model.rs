//! A contact's fields, their rules, and the queries of the contact list.

use std::str::FromStr;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::contacts;
use crate::db::{Backend, DbConnection};
use crate::domain::{Key, Timestamp};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX, TEXT_MAX};
use crate::listing::ListParams;
use crate::resource::{Resource, Validate, Validated};
use crate::resources::agencies::Agencies;
use crate::resources::organizations::Organizations;
use crate::resources::regions::Regions;

/// A focal point of an agency, an organization or a region.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "focal-point-biro-kerja-sama", "name": "Siti Rahmawati",
    "position": "Head of Foreign Cooperation", "email": "kerjasama@jabarprov.go.id",
    "phone": "+62 22 4232448", "agency_id": null, "organization_id": null, "region_id": 1,
    "languages": ["id", "en"], "active": true, "notes": null, "version": 1,
    "created_at": "2026-11-28T01:00:00Z", "updated_at": "2026-11-28T01:00:00Z"
}))]
pub struct Contact {
    pub id: i64,
    /// Stable identifier other systems use for this contact.
    pub key: String,
    pub name: String,
    /// The post held.
    pub position: Option<String>,
    pub email: Option<String>,
    /// `+` and digits, spaces allowed.
    pub phone: Option<String>,
    /// Exactly one of `agency_id`, `organization_id` and `region_id` is set: whom the contact
    /// works for.
    pub agency_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub region_id: Option<i64>,
    /// The languages spoken, as BCP 47 tags (`id`, `en`, `fr`, `ar`, `id-ID`).
    #[schema(value_type = Vec<String>)]
    pub languages: Languages,
    /// `false` once the person has moved on.
    pub active: bool,
    pub notes: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The writable fields of a contact. On `PATCH` every field is optional (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Siti Rahmawati", "position": "Head of Foreign Cooperation",
    "email": "kerjasama@jabarprov.go.id", "phone": "+62 22 4232448", "region_id": 1,
    "languages": ["id", "en"]
}))]
pub struct ContactInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    name: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    position: Field<String>,
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    email: Field<Email>,
    /// `+` and digits, spaces allowed.
    #[schema(value_type = Option<String>, pattern = "^\\+?[0-9 ]+$", max_length = 40)]
    phone: Field<Phone>,
    /// An existing agency; exactly one of `agency_id`, `organization_id` and `region_id`.
    #[schema(value_type = Option<i64>, minimum = 1)]
    agency_id: Field<i64>,
    /// An existing organization.
    #[schema(value_type = Option<i64>, minimum = 1)]
    organization_id: Field<i64>,
    /// An existing region.
    #[schema(value_type = Option<i64>, minimum = 1)]
    region_id: Field<i64>,
    /// BCP 47 tags, each once.
    #[schema(value_type = Option<Vec<crate::domain::LanguageTag>>)]
    languages: Field<Vec<String>>,
    /// Defaults to `true`.
    #[schema(value_type = Option<bool>)]
    active: Field<bool>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    notes: Field<String>,
}

/// A validated contact, as stored.
#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = contacts, treat_none_as_null = true)]
pub struct ContactValues {
    key: String,
    name: String,
    position: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    agency_id: Option<i64>,
    organization_id: Option<i64>,
    region_id: Option<i64>,
    languages: Languages,
    active: bool,
    notes: Option<String>,
}

/// An e-mail address: one `@` between a local part and a domain with a dot, no spaces.
#[derive(Debug)]
struct Email(String);

impl FromStr for Email {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let valid = text.len() <= 254
            && !text.chars().any(|c| c.is_whitespace() || c.is_control())
            && text.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.split('.').count() >= 2
                    && domain.split('.').all(|label| !label.is_empty())
            });
        if valid { Ok(Self(text.to_owned())) } else { Err("must be an e-mail address".to_owned()) }
    }
}
crate::domain::deserialize_from_str!(Email);

/// A telephone number: `+` and digits, spaces allowed.
#[derive(Debug)]
struct Phone(String);

impl FromStr for Phone {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let digits = text.strip_prefix('+').unwrap_or(text);
        let valid = text.len() <= 40
            && digits.chars().all(|c| c.is_ascii_digit() || c == ' ')
            && digits.chars().filter(char::is_ascii_digit).count() >= 3;
        if valid { Ok(Self(text.to_owned())) } else { Err("must be `+` and digits (spaces allowed)".to_owned()) }
    }
}
crate::domain::deserialize_from_str!(Phone);

/// Languages as the API shows them (an array of tags) and as they are stored (its JSON text,
/// the one form both backends keep alike).
#[derive(Debug, Clone, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct Languages {
    tags: Vec<String>,
    stored: String,
}

impl Languages {
    fn new(tags: Vec<String>) -> Self {
        let stored = serde_json::Value::from(tags.clone()).to_string();
        Self { tags, stored }
    }
}

impl Serialize for Languages {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.tags.serialize(serializer)
    }
}

impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for Languages
where
    DB: diesel::backend::Backend,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
        self.stored.as_str().to_sql(out)
    }
}

impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for Languages
where
    DB: diesel::backend::Backend,
    String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
        let stored = String::from_sql(bytes)?;
        let tags: Vec<String> = serde_json::from_str(&stored)?;
        Ok(Self { tags, stored })
    }
}

impl Validate for ContactInput {
    type Values = ContactValues;

    /// Checks the fields, that exactly one employer is named and exists, and that no language
    /// is listed twice.
    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let name = checker.required_text("name", self.name, NAME_MAX);
        let position = checker.optional_text("position", self.position, NAME_MAX);
        let email = checker.optional("email", self.email).map(|email| email.0);
        let phone = checker.optional("phone", self.phone).map(|phone| phone.0);
        let agency_id = checker.optional("agency_id", self.agency_id);
        let organization_id = checker.optional("organization_id", self.organization_id);
        let region_id = checker.optional("region_id", self.region_id);
        let languages: Vec<String> = checker.optional("languages", self.languages).unwrap_or_default();
        let active = checker.optional("active", self.active).unwrap_or(true);
        let notes = checker.optional_text("notes", self.notes, TEXT_MAX);

        for (index, tag) in languages.iter().enumerate() {
            // Well-formed as RFC 5646 says (BCP 47); tags compare without case.
            if let Err(error) = tag.parse::<crate::domain::LanguageTag>() {
                checker.error(format!("languages[{index}]"), error);
            } else if languages[..index].iter().any(|earlier| earlier.eq_ignore_ascii_case(tag)) {
                checker.error(format!("languages[{index}]"), format!("{tag} is listed more than once"));
            }
        }
        let employers = [
            ("agency_id", agency_id, Agencies::KIND),
            ("organization_id", organization_id, Organizations::KIND),
            ("region_id", region_id, Regions::KIND),
        ];
        let named: Vec<&str> = employers.iter().filter(|(_, id, _)| id.is_some()).map(|(field, ..)| *field).collect();
        let already_wrong = employers.iter().any(|(field, ..)| checker.has_error(field));
        if named.len() != 1 && !already_wrong {
            let message = "exactly one of agency_id, organization_id and region_id names whom the contact works for";
            let fields = if named.is_empty() { vec!["agency_id", "organization_id", "region_id"] } else { named };
            for field in fields {
                checker.error(field, message);
            }
        }
        for (field, id, kind) in employers {
            if let Some(id) = id {
                kind.check_reference(conn, checker, field, id)?;
            }
        }
        Ok((|| {
            Some(ContactValues {
                key: key?,
                name: name?,
                position,
                email,
                phone,
                agency_id,
                organization_id,
                region_id,
                languages: Languages::new(languages),
                active,
                notes,
            })
        })())
    }
}

crate::filters! {
    /// Filters of the contact list.
    pub struct ContactFilter {
        /// Contacts of this agency.
        agency_id: Option<i64>,
        /// Contacts of this organization.
        organization_id: Option<i64>,
        /// Contacts of this region.
        region_id: Option<i64>,
        /// `true`: those still in post; `false`: those who have moved on.
        active: Option<bool>,
    }
}

crate::sortable!(SORTABLE, sort_contacts, contacts::BoxedQuery<'static, Backend>, contacts::id, {
    "id" => contacts::id,
    "key" => contacts::key,
    "name" => contacts::name,
    "position" => contacts::position,
    "created_at" => contacts::created_at,
    "updated_at" => contacts::updated_at,
});

crate::listed!(contacts, search: name, position, email, notes);

fn filtered(list: &ListParams, filter: &ContactFilter) -> contacts::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(agency_id) = filter.agency_id {
        query = query.filter(contacts::agency_id.eq(agency_id));
    }
    if let Some(organization_id) = filter.organization_id {
        query = query.filter(contacts::organization_id.eq(organization_id));
    }
    if let Some(region_id) = filter.region_id {
        query = query.filter(contacts::region_id.eq(region_id));
    }
    if let Some(active) = filter.active {
        query = query.filter(contacts::active.eq(active));
    }
    query
}

pub(super) fn page(conn: &mut DbConnection, list: &ListParams, filter: &ContactFilter) -> Result<(i64, Vec<Contact>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}
