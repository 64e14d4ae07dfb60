//! Import of documents: lists of regions, sectors, agencies, agreements, action plans and
//! obstacles that refer to each other by `key`. A record whose key exists is updated to the
//! document's values; all of a document lands or none of it does.
//!
//! Each record goes through the same validation as the API: references are turned from keys
//! into ids, then the resource's own input type and rules apply. Errors point into the
//! document (`action_plans[3].sectors[0]`), every one of them in a single `422`.

use std::collections::{HashMap, HashSet};

use actix_web::post;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::schema::{action_plans, agencies, agreements, obstacles, regions, sectors};
use crate::domain::Key;
use crate::error::{ApiError, FieldError, Result};
use crate::input::{Checker, Mode, read_body};
use crate::links::MAX_IDS;
use crate::resource::{self, Resource};

/// The kinds of record a document can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Region,
    Sector,
    Agency,
    Agreement,
    ActionPlan,
    Obstacle,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Sector => "sector",
            Self::Agency => "agency",
            Self::Agreement => "agreement",
            Self::ActionPlan => "action plan",
            Self::Obstacle => "obstacle",
        }
    }

    /// The name of the kind in the audit trail.
    pub fn resource_type(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Sector => "sector",
            Self::Agency => "agency",
            Self::Agreement => "agreement",
            Self::ActionPlan => "action_plan",
            Self::Obstacle => "obstacle",
        }
    }

    /// The table of this kind of record (and its list's name in documents).
    pub fn table(self) -> &'static str {
        match self {
            Self::Region => "regions",
            Self::Sector => "sectors",
            Self::Agency => "agencies",
            Self::Agreement => "agreements",
            Self::ActionPlan => "action_plans",
            Self::Obstacle => "obstacles",
        }
    }

    /// The keys of the records with these ids, by id.
    pub fn keys_of(self, conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
        #[derive(diesel::QueryableByName)]
        struct IdKey {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
            #[diesel(sql_type = diesel::sql_types::Text)]
            key: String,
        }
        let mut keys = HashMap::with_capacity(ids.len());
        for ids in ids.chunks(crate::db::MAX_BOUND_VALUES) {
            // Integers written into the statement: nothing to bind, so no limit to mind.
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            let sql = format!("SELECT id, key FROM {} WHERE id IN ({list})", self.table());
            let rows: Vec<IdKey> = diesel::sql_query(sql).load(conn)?;
            keys.extend(rows.into_iter().map(|row| (row.id, row.key)));
        }
        Ok(keys)
    }

    fn id_by_key(self, conn: &mut DbConnection, key: &str) -> QueryResult<Option<i64>> {
        let key = key.to_owned();
        match self {
            Self::Region => {
                regions::table.filter(regions::key.eq(key)).select(regions::id).first(conn).optional()
            }
            Self::Sector => {
                sectors::table.filter(sectors::key.eq(key)).select(sectors::id).first(conn).optional()
            }
            Self::Agency => {
                agencies::table.filter(agencies::key.eq(key)).select(agencies::id).first(conn).optional()
            }
            Self::Agreement => agreements::table
                .filter(agreements::key.eq(key))
                .select(agreements::id)
                .first(conn)
                .optional(),
            Self::ActionPlan => action_plans::table
                .filter(action_plans::key.eq(key))
                .select(action_plans::id)
                .first(conn)
                .optional(),
            Self::Obstacle => {
                obstacles::table.filter(obstacles::key.eq(key)).select(obstacles::id).first(conn).optional()
            }
        }
    }
}

/// A field that refers to other records: by key in documents, by id in the API.
#[derive(Debug)]
pub struct Reference {
    /// Its name in a document (`parties`).
    pub document: &'static str,
    /// Its name in the API (`party_region_ids`), and of its column when it refers to one record.
    pub api: &'static str,
    pub target: Target,
    /// For a list of references, the link table that stores it; `None` for one reference,
    /// stored in the column named `api`.
    pub links: Option<crate::links::LinkTable>,
}

impl Reference {
    /// One reference, in the column named `api`.
    pub const fn one(document: &'static str, api: &'static str, target: Target) -> Self {
        Self { document, api, target, links: None }
    }

    /// A list of references, in a link table.
    pub const fn many(
        document: &'static str,
        api: &'static str,
        target: Target,
        links: crate::links::LinkTable,
    ) -> Self {
        Self { document, api, target, links: Some(links) }
    }

    /// Whether it is a list of keys rather than one.
    pub fn is_list(&self) -> bool {
        self.links.is_some()
    }
}

/// What an import did to one resource's records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

/// What an import did, per resource.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "regions": {"created": 2, "updated": 0, "unchanged": 0},
    "sectors": {"created": 9, "updated": 0, "unchanged": 0},
    "agencies": {"created": 10, "updated": 0, "unchanged": 0},
    "agreements": {"created": 1, "updated": 0, "unchanged": 0},
    "action_plans": {"created": 10, "updated": 0, "unchanged": 0},
    "obstacles": {"created": 9, "updated": 0, "unchanged": 0}
}))]
pub struct ImportSummary {
    pub regions: Counts,
    pub sectors: Counts,
    pub agencies: Counts,
    pub agreements: Counts,
    pub action_plans: Counts,
    pub obstacles: Counts,
}

/// A document: records that refer to each other by `key` (`region`, `parties`, `sectors`,
/// `agencies`, `agreement`, `action_plan`, `renews` name other records' keys); every other
/// field is named as in the API. Every record needs its `key`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// What the document is; ignored on import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// Where its facts come from; ignored on import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub regions: Vec<Value>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub sectors: Vec<Value>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub agencies: Vec<Value>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub agreements: Vec<Value>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub action_plans: Vec<Value>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub obstacles: Vec<Value>,
}

/// Reads a document from JSON, naming what is wrong with its outline.
pub fn parse_document(value: Value) -> Result<Document> {
    let object = crate::input::require_object(value)?;
    let mut errors = Vec::new();
    let lists = ["regions", "sectors", "agencies", "agreements", "action_plans", "obstacles"];
    for (name, value) in &object {
        match name.as_str() {
            "about" | "source" if value.is_string() || value.is_null() => {}
            "about" | "source" => errors.push(FieldError::new(name.clone(), "must be a string")),
            list if lists.contains(&list) && !value.is_array() => {
                errors.push(FieldError::new(name.clone(), "must be an array of records"))
            }
            list if lists.contains(&list) => {}
            _ => errors.push(FieldError::new(name.clone(), "is not a list of a document")),
        }
    }
    ApiError::check(errors)?;
    serde_json::from_value(Value::Object(object))
        .map_err(|e| ApiError::InvalidBody(vec![FieldError::new("", format!("not a document: {e}"))]))
}

/// Imports a document; the caller holds the transaction. A `422` lists every error.
pub fn import(conn: &mut DbConnection, document: &Document, actor: &str) -> Result<ImportSummary> {
    let mut run = Run { conn, actor, errors: Vec::new(), keys: HashMap::new() };
    let summary = ImportSummary {
        regions: run.list::<crate::regions::Regions>(&document.regions)?,
        sectors: run.list::<crate::sectors::Sectors>(&document.sectors)?,
        agencies: run.list::<crate::agencies::Agencies>(&document.agencies)?,
        agreements: run.list::<crate::agreements::Agreements>(&document.agreements)?,
        action_plans: run.list::<crate::action_plans::ActionPlans>(&document.action_plans)?,
        obstacles: run.list::<crate::obstacles::Obstacles>(&document.obstacles)?,
    };
    ApiError::check(run.errors)?;
    Ok(summary)
}

struct Run<'c> {
    conn: &'c mut DbConnection,
    /// Who imports, for the audit trail.
    actor: &'c str,
    errors: Vec<FieldError>,
    /// Ids by key, of records already looked up or written by this import.
    keys: HashMap<(Target, String), Option<i64>>,
}

impl Run<'_> {
    fn list<R: Resource>(&mut self, records: &[Value]) -> Result<Counts> {
        let mut counts = Counts::default();
        // Where each key first appears: a key given twice would be imported twice, one copy
        // overwriting the other, and the document would never import to "unchanged".
        let mut first_at: HashMap<&str, usize> = HashMap::new();
        let mut reported: HashSet<&str> = HashSet::new();
        for (index, record) in records.iter().enumerate() {
            let path = format!("{}[{index}]", R::LIST);
            let Some(key) = self.key_of(&path, record) else { continue };
            if let Some(&first) = first_at.get(key) {
                if reported.insert(key) {
                    self.errors.push(FieldError::new(
                        format!("{}[{first}].key", R::LIST),
                        format!("{key} is the key of another record of this document too, {path}"),
                    ));
                }
                self.errors.push(FieldError::new(
                    format!("{path}.key"),
                    format!("{key} is already the key of {}[{first}] in this document", R::LIST),
                ));
                continue;
            }
            first_at.insert(key, index);
            self.record::<R>(&path, key, record, &mut counts)?;
        }
        Ok(counts)
    }

    /// The record's key, or `None` with the reason reported: the record is skipped.
    fn key_of<'v>(&mut self, path: &str, record: &'v Value) -> Option<&'v str> {
        let Value::Object(record) = record else {
            self.errors.push(FieldError::new(path, "must be an object"));
            return None;
        };
        match record.get("key") {
            Some(Value::String(key)) => match key.parse::<Key>() {
                Ok(_) => Some(key),
                Err(message) => {
                    self.errors.push(FieldError::new(format!("{path}.key"), message));
                    None
                }
            },
            _ => {
                self.errors
                    .push(FieldError::new(format!("{path}.key"), "is required in a document, as a string"));
                None
            }
        }
    }

    fn record<R: Resource>(
        &mut self,
        path: &str,
        key: &str,
        record: &Value,
        counts: &mut Counts,
    ) -> Result<()> {
        let Value::Object(record) = record else { return Ok(()) };
        let key = key.to_owned();
        let Some(fields) = self.api_fields::<R>(path, record)? else { return Ok(()) };
        let existing = self.id(R::TARGET, &key)?;
        let mut checker = Checker::default();
        let input: R::Input = read_body(Value::Object(fields), &mut checker)?;
        let mode = if existing.is_some() { Mode::Update } else { Mode::Create };
        let values = R::validate(input, mode, &mut checker, self.conn, existing)?;
        let errors = checker.into_errors();
        if !errors.is_empty() {
            self.errors.extend(errors.into_iter().map(|e| document_error::<R>(path, e)));
            return Ok(());
        }
        let Some(values) = values else { return Ok(()) };
        match existing {
            None => {
                let record = resource::insert::<R>(self.conn, values, self.actor)?;
                self.keys.insert((R::TARGET, key), Some(R::id(&record)));
                counts.created += 1;
            }
            Some(id) => {
                let current = resource::find::<R>(self.conn, id)?;
                match resource::update::<R>(self.conn, current, values, self.actor)? {
                    (_, true) => counts.updated += 1,
                    (_, false) => counts.unchanged += 1,
                }
            }
        }
        Ok(())
    }

    /// The record with references turned from keys into ids; `None` when a reference is
    /// dangling (reported) or names a record of this document that failed (reported there).
    fn api_fields<R: Resource>(
        &mut self,
        path: &str,
        record: &Map<String, Value>,
    ) -> Result<Option<Map<String, Value>>> {
        let mut fields = Map::new();
        let mut resolved = true;
        for (name, value) in record {
            if let Some(reference) = R::REFERENCES.iter().find(|r| r.document == name) {
                match self.resolve(&format!("{path}.{name}"), reference, value)? {
                    Some(ids) => {
                        fields.insert(reference.api.to_owned(), ids);
                    }
                    None => resolved = false,
                }
            } else if let Some(reference) = R::REFERENCES.iter().find(|r| r.api == name) {
                self.errors.push(FieldError::new(
                    format!("{path}.{name}"),
                    format!("documents refer to other records by key: use `{}`", reference.document),
                ));
                resolved = false;
            } else {
                fields.insert(name.clone(), value.clone());
            }
        }
        Ok(resolved.then_some(fields))
    }

    fn resolve(&mut self, path: &str, reference: &Reference, value: &Value) -> Result<Option<Value>> {
        match (value, reference.is_list()) {
            (Value::Null, _) => Ok(Some(Value::Null)),
            (Value::String(key), false) => {
                Ok(self.resolve_key(path, reference.target, key)?.map(Value::from))
            }
            (Value::Array(keys), true) if keys.len() > MAX_IDS => {
                self.errors.push(FieldError::new(
                    path,
                    format!("must list at most {MAX_IDS} keys; it lists {}", keys.len()),
                ));
                Ok(None)
            }
            (Value::Array(keys), true) => {
                let mut ids = Vec::with_capacity(keys.len());
                for (index, key) in keys.iter().enumerate() {
                    let path = format!("{path}[{index}]");
                    let Some(key) = key.as_str() else {
                        self.errors.push(FieldError::new(path, "must be a key"));
                        return Ok(None);
                    };
                    match self.resolve_key(&path, reference.target, key)? {
                        Some(id) => ids.push(Value::from(id)),
                        None => return Ok(None),
                    }
                }
                Ok(Some(Value::Array(ids)))
            }
            (_, true) => {
                self.errors.push(FieldError::new(path, "must be an array of keys"));
                Ok(None)
            }
            (_, false) => {
                self.errors.push(FieldError::new(path, "must be a key"));
                Ok(None)
            }
        }
    }

    fn resolve_key(&mut self, path: &str, target: Target, key: &str) -> Result<Option<i64>> {
        if let Err(message) = key.parse::<Key>() {
            self.errors.push(FieldError::new(path, format!("names no {}: a key {message}", target.name())));
            return Ok(None);
        }
        let id = self.id(target, key)?;
        if id.is_none() {
            self.errors.push(FieldError::new(
                path,
                format!(
                    "no {} has key {key}, in the database or as a valid record of this document",
                    target.name()
                ),
            ));
        }
        Ok(id)
    }

    fn id(&mut self, target: Target, key: &str) -> Result<Option<i64>> {
        if let Some(id) = self.keys.get(&(target, key.to_owned())) {
            return Ok(*id);
        }
        let id = target.id_by_key(self.conn, key)?;
        self.keys.insert((target, key.to_owned()), id);
        Ok(id)
    }
}

/// An API field error as a path into the document: `party_region_ids[1]` of `agreements[0]`
/// becomes `agreements[0].parties[1]`.
fn document_error<R: Resource>(path: &str, error: FieldError) -> FieldError {
    let field = R::REFERENCES
        .iter()
        .find_map(|r| error.field.strip_prefix(r.api).map(|rest| format!("{}{rest}", r.document)))
        .unwrap_or(error.field);
    FieldError::new(format!("{path}.{field}"), error.message)
}

/// The West Java - Souss-Massa case, loaded by `jalin serve --demo`.
pub const DEMO_DOCUMENT: &str = include_str!("../demo/west-java-souss-massa.json");

/// Loads the demo data set when the database has no agreement yet; says whether it did.
pub fn load_demo(conn: &mut DbConnection) -> Result<Option<ImportSummary>> {
    let value: Value = serde_json::from_str(DEMO_DOCUMENT)
        .map_err(|e| ApiError::Internal(format!("the built-in demo document is not JSON: {e}")))?;
    let document = parse_document(value)?;
    crate::db::write_transaction(conn, |conn| {
        let agreements: i64 = agreements::table.count().get_result(conn)?;
        if agreements > 0 {
            return Ok(None);
        }
        import(conn, &document, "demo").map(Some)
    })
}

/// Imports a document (see the `Document` schema): all of it or nothing. The answer counts
/// what was created, updated and left unchanged, per resource; importing the same document
/// twice changes nothing.
#[utoipa::path(
    tag = "import",
    operation_id = "import_document",
    request_body = Document,
    responses((status = 200, description = "The document was imported", body = ImportSummary)),
    security(("bearer" = []))
)]
#[post("/import")]
pub async fn import_document(
    editor: crate::auth::Editor,
    state: actix_web::web::Data<crate::http::AppState>,
    body: crate::body::JsonBody,
) -> Result<actix_web::web::Json<ImportSummary>> {
    let document = parse_document(body.into_inner())?;
    let actor = editor.0.name;
    let summary = crate::db::run(&state.pool, move |conn| {
        crate::db::write_transaction(conn, |conn| import(conn, &document, &actor))
    })
    .await?;
    Ok(actix_web::web::Json(summary))
}
