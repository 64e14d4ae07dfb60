//! Import of documents: a record whose key exists is updated to the document's values, a new
//! key is created; all of a document lands or none of it does.
//!
//! Each record goes through the same validation as the API: references are turned from keys
//! into ids, then the resource's own input type and rules apply. Errors point into the
//! document (`action_plans[3].sectors[0]`), every one of them in a single `422`.

use std::collections::{HashMap, HashSet};

use actix_web::{post, web};
use serde_json::{Map, Value};

use super::{Counts, DataDocument, ImportSummary};
use crate::audit::Trail;
use crate::auth::Editor;
use crate::db::DbConnection;
use crate::db::MAX_BOUND_VALUES;
use crate::domain::Key;
use crate::error::{ApiError, FieldError, Result};
use crate::http::AppState;
use crate::input::Checker;
use crate::links::MAX_IDS;
use crate::resource::Resource;
use crate::resource::any::{AnyResource, Imported, Importer};
use crate::resource::{Kind, Reference};
use crate::resources::RESOURCES;
use crate::resources::action_plans::{self, ActionPlans};

/// What an import says as it goes through a document, for a progress display (`jalin import`).
pub trait Progress {
    /// The records of `list` come next, `records` of them.
    fn list_started(&mut self, list: &'static str, records: usize);
    /// The next record of the list is gone through: checked, then written or gathered to be
    /// written with others.
    fn next_record(&mut self);
    /// The records of `list` are all written.
    fn list_done(&mut self, list: &'static str, records: usize);
    /// What remains is the audit trail: one event per record created or changed.
    fn writing_audit_trail(&mut self);
}

/// No progress display: the API's imports.
struct Unseen;

impl Progress for Unseen {
    fn list_started(&mut self, _: &'static str, _: usize) {}
    fn next_record(&mut self) {}
    fn list_done(&mut self, _: &'static str, _: usize) {}
    fn writing_audit_trail(&mut self) {}
}

/// Imports a document; the caller holds the transaction. A `422` lists every error.
pub fn import(conn: &mut DbConnection, document: &DataDocument, actor: &str) -> Result<ImportSummary> {
    import_with_progress(conn, document, actor, &mut Unseen)
}

/// [`import`], telling `progress` how far it has gone.
pub fn import_with_progress(
    conn: &mut DbConnection,
    document: &DataDocument,
    actor: &str,
    progress: &mut dyn Progress,
) -> Result<ImportSummary> {
    let mut run = Run {
        conn,
        trail: Trail::gathering(actor),
        checker: Checker::default(),
        errors: Vec::new(),
        ids: HashMap::new(),
        source: document.source().map(|source| Value::String(source.to_owned())),
    };
    for resource in RESOURCES {
        run.look_up_keys(resource.kind(), document.list(resource.kind().table))?;
    }
    let plans = document.list(ActionPlans::KIND.table).len();
    let tallies_deferred = action_plans::defer_tallies(run.conn, plans)?;
    let mut summary = ImportSummary::default();
    for resource in RESOURCES {
        let list = resource.kind().table;
        let records = document.list(list);
        progress.list_started(list, records.len());
        summary.add(list, run.list(*resource, records, progress)?);
        progress.list_done(list, records.len());
    }
    crate::error::ApiError::check(run.errors)?;
    if tallies_deferred {
        action_plans::recount_tallies(run.conn)?;
    }
    progress.writing_audit_trail();
    run.trail.flush(run.conn)?;
    Ok(summary)
}

struct Run<'c> {
    conn: &'c mut DbConnection,
    /// Who imports, and the audit events, appended together at the end.
    trail: Trail<'c>,
    /// Validates each record in turn, remembering the records it found.
    checker: Checker,
    errors: Vec<FieldError>,
    /// Ids by kind and key, of records already looked up or written by this import.
    ids: HashMap<(&'static str, String), Option<i64>>,
    /// The document's `source`, for the records that carry one and give none.
    source: Option<Value>,
}

impl Run<'_> {
    /// Finds which keys of the document's records of `kind` the database holds, a few
    /// thousand per query, rather than one query per record.
    fn look_up_keys(&mut self, kind: &'static Kind, records: &[Value]) -> Result<()> {
        let keys: Vec<&str> = records
            .iter()
            .filter_map(|record| record.get("key")?.as_str())
            .filter(|key| key.parse::<Key>().is_ok())
            .collect();
        for keys in keys.chunks(MAX_BOUND_VALUES) {
            let found = kind.ids_by_keys(self.conn, keys)?;
            for key in keys {
                let id = found.get(*key).copied();
                self.ids.insert((kind.table, (*key).to_owned()), id);
            }
        }
        Ok(())
    }

    fn list(
        &mut self,
        resource: &dyn AnyResource,
        records: &[Value],
        progress: &mut dyn Progress,
    ) -> Result<Counts> {
        let list = resource.kind().table;
        let mut counts = Counts::default();
        // Where each key first appears: a key given twice would be imported twice, one copy
        // overwriting the other, and the document would never import to "unchanged".
        let mut first_at: HashMap<&str, usize> = HashMap::new();
        let mut reported: HashSet<&str> = HashSet::new();
        let mut importer = resource.importer();
        for (index, record) in records.iter().enumerate() {
            progress.next_record();
            let path = format!("{list}[{index}]");
            let Some((key, fields)) = self.keyed(&path, record) else { continue };
            if let Some(&first) = first_at.get(key) {
                if reported.insert(key) {
                    self.errors.push(FieldError::new(
                        format!("{list}[{first}].key"),
                        format!("{key} is the key of another record of this document too, {path}"),
                    ));
                }
                self.errors.push(FieldError::new(
                    format!("{path}.key"),
                    format!("{key} is already the key of {list}[{first}] in this document"),
                ));
                continue;
            }
            first_at.insert(key, index);
            self.record(resource, importer.as_mut(), &path, key, fields, &mut counts)?;
        }
        // Records of later kinds refer to those written together by key.
        for (key, id) in importer.finish(self.conn, &mut self.trail)? {
            self.ids.insert((list, key), Some(id));
        }
        Ok(counts)
    }

    /// The record's key and fields, or `None` with the reason reported: the record is skipped.
    fn keyed<'v>(&mut self, path: &str, record: &'v Value) -> Option<(&'v str, &'v Map<String, Value>)> {
        let Value::Object(fields) = record else {
            self.errors.push(FieldError::new(path, "must be an object"));
            return None;
        };
        match fields.get("key") {
            Some(Value::String(key)) => match key.parse::<Key>() {
                Ok(_) => Some((key, fields)),
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

    fn record(
        &mut self,
        resource: &dyn AnyResource,
        importer: &mut dyn Importer,
        path: &str,
        key: &str,
        record: &Map<String, Value>,
        counts: &mut Counts,
    ) -> Result<()> {
        let Some(mut fields) = self.api_fields(resource.references(), path, record)? else { return Ok(()) };
        if let Some(source) = self.source.as_ref().filter(|_| resource.sourced()) {
            let own = fields.entry("source").or_insert(Value::Null);
            if own.is_null() {
                *own = source.clone();
            }
        }
        let existing = self.id(resource.kind(), key)?;
        let imported = importer.import(
            self.conn,
            key,
            Value::Object(fields),
            existing,
            &mut self.checker,
            &mut self.trail,
        );
        let references = resource.references();
        // A unique value another record holds (`subdivision_code`) is named by its place in
        // the document. The transaction cannot go on after it on PostgreSQL: it ends here.
        let imported = imported.map_err(|error| match error {
            ApiError::Duplicate(errors) => {
                ApiError::Duplicate(errors.into_iter().map(|e| document_error(references, path, e)).collect())
            }
            other => other,
        })?;
        match imported {
            Imported::Created(id) => {
                // Written now: a later record of this kind may refer to it.
                self.ids.insert((resource.kind().table, key.to_owned()), Some(id));
                counts.created += 1;
            }
            Imported::Gathered => counts.created += 1,
            Imported::Updated => counts.updated += 1,
            Imported::Unchanged => counts.unchanged += 1,
            Imported::Invalid(errors) => {
                self.errors.extend(errors.into_iter().map(|e| document_error(references, path, e)));
            }
        }
        Ok(())
    }

    /// The record with references turned from keys into ids; `None` when a reference is
    /// dangling (reported) or names a record of this document that failed (reported there).
    fn api_fields(
        &mut self,
        references: &[Reference],
        path: &str,
        record: &Map<String, Value>,
    ) -> Result<Option<Map<String, Value>>> {
        let mut fields = Map::new();
        let mut resolved = true;
        for (name, value) in record {
            if let Some(reference) = references.iter().find(|r| r.document == name) {
                match self.resolve(&format!("{path}.{name}"), reference, value)? {
                    Some(ids) => {
                        fields.insert(reference.api.to_owned(), ids);
                    }
                    None => resolved = false,
                }
            } else if let Some(reference) = references.iter().find(|r| r.api == name) {
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

    fn resolve_key(&mut self, path: &str, target: &'static Kind, key: &str) -> Result<Option<i64>> {
        if let Err(message) = key.parse::<Key>() {
            self.errors.push(FieldError::new(path, format!("names no {}: a key {message}", target.name)));
            return Ok(None);
        }
        let id = self.id(target, key)?;
        if id.is_none() {
            self.errors.push(FieldError::new(
                path,
                format!(
                    "no {} has key {key}, in the database or as a valid record of this document",
                    target.name
                ),
            ));
        }
        Ok(id)
    }

    fn id(&mut self, kind: &'static Kind, key: &str) -> Result<Option<i64>> {
        if let Some(id) = self.ids.get(&(kind.table, key.to_owned())) {
            return Ok(*id);
        }
        let id = kind.id_by_key(self.conn, key)?;
        self.ids.insert((kind.table, key.to_owned()), id);
        Ok(id)
    }
}

/// An API field error as a path into the document: `party_region_ids[1]` of `agreements[0]`
/// becomes `agreements[0].parties[1]`.
fn document_error(references: &[Reference], path: &str, error: FieldError) -> FieldError {
    let field = references
        .iter()
        .find_map(|r| error.field.strip_prefix(r.api).map(|rest| format!("{}{rest}", r.document)))
        .unwrap_or(error.field);
    FieldError::new(format!("{path}.{field}"), error.message)
}

/// Imports a document (see the `DataDocument` schema): all of it or nothing. The answer
/// counts what was created, updated and left unchanged, per kind of record; importing the
/// same document twice changes nothing. The body may be as large as the server's
/// `JALIN_MAX_IMPORT_BYTES` (64 MiB unless set otherwise), counted once decoded, and may be
/// sent compressed (`Content-Encoding: gzip`); it is read as it arrives, with no pause longer
/// than the body timeout, and imported in one transaction.
#[utoipa::path(
    tag = "import",
    operation_id = "import_document",
    request_body = DataDocument,
    responses(
        (status = 200, description = "The document was imported", body = ImportSummary),
        (status = 413, description = "The document is larger than JALIN_MAX_IMPORT_BYTES (64 MiB unless set otherwise)",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`, or is encoded otherwise than gzip or br",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/import")]
pub async fn import_document(
    editor: Editor,
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<web::Json<ImportSummary>> {
    let settings = &state.settings;
    let limit = usize::try_from(settings.max_import_bytes).unwrap_or(usize::MAX);
    let deadline = crate::http::body::Deadline::BetweenParts(settings.body_timeout);
    let body = crate::http::body::read_json(&request, payload.into_inner(), limit, deadline)?.await?;
    let document = DataDocument::parse(body)?;
    let actor = editor.0.name;
    let summary = state.writer.run(move |conn| import(conn, &document, &actor)).await?;
    Ok(web::Json(summary))
}
