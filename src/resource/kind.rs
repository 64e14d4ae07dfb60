//! What the application knows of a kind of record without knowing its Rust type: its names,
//! table and path, and the fields by which it refers to other kinds. Import, export, nested
//! lists and the audit trail work from this, so that none of them names a resource module.

use std::collections::HashMap;

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};

use crate::db::{DbConnection, MAX_BOUND_VALUES};
use crate::domain::Key;
use crate::error::ApiError;
use crate::input::Checker;
use crate::links::LinkTable;

/// A kind of record.
#[derive(Debug)]
pub struct Kind {
    /// The singular name in messages: `action plan`.
    pub name: &'static str,
    /// The plural, which is also the tag of its operations in the OpenAPI document.
    pub plural: &'static str,
    /// The table, which is also the list's name in documents: `action_plans`.
    pub table: &'static str,
    /// The name in the audit trail: `action_plan`.
    pub resource_type: &'static str,
    /// The collection's path: `/api/v1/action-plans`.
    pub path: &'static str,
    /// What these records are, for the tag in the OpenAPI document.
    pub description: &'static str,
}

impl PartialEq for Kind {
    fn eq(&self, other: &Self) -> bool {
        self.table == other.table
    }
}

#[derive(diesel::QueryableByName)]
struct IdKey {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    key: String,
}

impl Kind {
    /// `a` or `an`, as the name wants.
    pub fn article(&self) -> &'static str {
        if self.name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
    }

    /// The `404` for an id of this kind.
    pub fn not_found(&self, id: i64) -> ApiError {
        ApiError::not_found(self.name, id)
    }

    /// Whether a record of this kind has this id.
    pub fn exists(&self, conn: &mut DbConnection, id: i64) -> diesel::QueryResult<bool> {
        let sql = format!("SELECT COUNT(*) AS count FROM {} WHERE id = {id}", self.table);
        Ok(crate::db::count_sql(conn, &sql)? > 0)
    }

    /// Whether `id`, given in `field`, names a record of this kind; when not, the checker
    /// names the field. A record found is remembered for the rest of the request or document.
    pub fn check_reference(
        &self,
        conn: &mut DbConnection,
        checker: &mut Checker,
        field: &str,
        id: i64,
    ) -> diesel::QueryResult<bool> {
        let found = checker.exists(conn, self.table, id, |conn| self.exists(conn, id))?;
        if !found {
            checker.error(field, format!("no {} has id {id}", self.name));
        }
        Ok(found)
    }

    /// The id of the record with this key.
    pub fn id_by_key(&self, conn: &mut DbConnection, key: &str) -> diesel::QueryResult<Option<i64>> {
        let rows: Vec<IdKey> =
            diesel::sql_query(format!("SELECT id, key FROM {} WHERE key = $1", self.table))
                .bind::<Text, _>(key)
                .load(conn)?;
        Ok(rows.first().map(|row| row.id))
    }

    /// The ids of the records with these keys (at most `MAX_BOUND_VALUES`), by key.
    pub fn ids_by_keys(
        &self,
        conn: &mut DbConnection,
        keys: &[&str],
    ) -> diesel::QueryResult<HashMap<String, i64>> {
        // Keys are written into the statement, so that any number of them is one statement:
        // only those that are valid keys (letters, digits, `.`, `_`, `:`, `-`) can be there,
        // which no quote can break out of.
        let list = keys
            .iter()
            .filter(|key| key.parse::<Key>().is_ok())
            .map(|key| format!("'{key}'"))
            .collect::<Vec<_>>()
            .join(", ");
        if list.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!("SELECT id, key FROM {} WHERE key IN ({list})", self.table);
        let rows: Vec<IdKey> = diesel::sql_query(sql).load(conn)?;
        Ok(rows.into_iter().map(|row| (row.key, row.id)).collect())
    }

    /// The keys of the records with these ids, by id, however many ids there are.
    pub fn keys_of(&self, conn: &mut DbConnection, ids: &[i64]) -> diesel::QueryResult<HashMap<i64, String>> {
        let mut keys = HashMap::with_capacity(ids.len());
        for ids in ids.chunks(MAX_BOUND_VALUES) {
            // Integers written into the statement: nothing to bind, so no limit to mind.
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            let sql = format!("SELECT id, key FROM {} WHERE id IN ({list})", self.table);
            let rows: Vec<IdKey> = diesel::sql_query(sql).load(conn)?;
            keys.extend(rows.into_iter().map(|row| (row.id, row.key)));
        }
        Ok(keys)
    }
}

/// A field that refers to other records: by key in documents, by id in the API.
#[derive(Debug)]
pub struct Reference {
    /// Its name in a document (`parties`).
    pub document: &'static str,
    /// Its name in the API (`party_region_ids`), and of its column when it refers to one record.
    pub api: &'static str,
    pub target: &'static Kind,
    /// For a list of references, the link table that stores it; `None` for one reference,
    /// stored in the column named `api`.
    pub links: Option<LinkTable>,
    /// What the records that refer this way are called when they keep the target from being
    /// deleted (`regions within it`); by default the plural of their kind.
    pub referrers: Option<&'static str>,
}

impl Reference {
    /// One reference, in the column named `api`.
    pub const fn one(document: &'static str, api: &'static str, target: &'static Kind) -> Self {
        Self { document, api, target, links: None, referrers: None }
    }

    /// A list of references, in a link table.
    pub const fn many(
        document: &'static str,
        api: &'static str,
        target: &'static Kind,
        links: LinkTable,
    ) -> Self {
        Self { document, api, target, links: Some(links), referrers: None }
    }

    /// The reference, its referrers called `referrers` in the `409` of a delete.
    pub const fn referred_to_by(self, referrers: &'static str) -> Self {
        Self { referrers: Some(referrers), ..self }
    }

    /// Whether it is a list of keys rather than one.
    pub fn is_list(&self) -> bool {
        self.links.is_some()
    }
}

/// Every reference of every kind of record (the registry's), to find what still refers to a
/// record before it is deleted: a record is deleted only once nothing refers to it (the
/// foreign keys say the same, `ON DELETE RESTRICT`, without saying what).
#[derive(Debug, Default)]
pub struct AllReferences(Vec<(&'static Kind, &'static Reference)>);

impl AllReferences {
    /// The references of each kind.
    pub fn new(kinds: impl IntoIterator<Item = (&'static Kind, &'static [Reference])>) -> Self {
        Self(
            kinds
                .into_iter()
                .flat_map(|(kind, references)| references.iter().map(move |r| (kind, r)))
                .collect(),
        )
    }

    /// How many records refer to the record `id` of `target`, by what they are called
    /// (`action plans`, `regions within it`); none counted more than once per reference.
    pub fn to(
        &self,
        conn: &mut DbConnection,
        target: &Kind,
        id: i64,
    ) -> diesel::QueryResult<Vec<(&'static str, i64)>> {
        self.0
            .iter()
            .filter(|(_, reference)| reference.target == target)
            .map(|(kind, reference)| {
                // Names from the registry's own declarations, and an integer: nothing to bind.
                let sql = match &reference.links {
                    None => {
                        format!("SELECT COUNT(*) AS count FROM {} WHERE {} = {id}", kind.table, reference.api)
                    }
                    Some(links) => format!(
                        "SELECT COUNT(DISTINCT {}) AS count FROM {} WHERE {} = {id}",
                        links.owner, links.table, links.target
                    ),
                };
                Ok((reference.referrers.unwrap_or(kind.plural), crate::db::count_sql(conn, &sql)?))
            })
            .collect()
    }
}
