//! Reading and writing records of any resource inside the caller's transaction: creation,
//! JSON merge patches, deletion, each with its version and its audit event, for the HTTP
//! handlers and for imports alike.

use serde_json::{Map, Value};

use super::{Resource, Validate};
use crate::audit::{self, Trail};
use crate::db::{self, DbConnection};
use crate::domain::AuditAction;
use crate::domain::Precondition;
use crate::error::{ApiError, Result};
use crate::input::{field_names, parse_new, parse_patch};

/// The record, or a `404`.
pub fn find<R: Resource>(conn: &mut DbConnection, id: i64) -> Result<R::Record> {
    R::find(conn, id)?.ok_or_else(|| R::KIND.not_found(id))
}

/// The writable fields of a record, links as id lists: what the audit trail follows, what an
/// export writes, and what new values are compared with.
pub fn writable_fields<R: Resource>(record: &R::Record) -> Result<Map<String, Value>> {
    let known = field_names::<R::Input>();
    let mut fields = match R::input_fields(record)? {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    fields.retain(|name, _| known.contains(&name.as_str()));
    Ok(fields)
}

/// Whether storing `values` would leave `current` as it is: compared field by field as the
/// API names them, without a query.
fn unchanged<R: Resource>(current: &R::Record, values: &R::Values) -> Result<bool> {
    let values = serde_json::to_value(values)
        .map_err(|e| ApiError::Internal(format!("cannot serialize values: {e}")))?;
    Ok(values == Value::Object(writable_fields::<R>(current)?))
}

/// Inserts a validated record and its `created` event.
pub fn insert<R: Resource>(
    conn: &mut DbConnection,
    values: R::Values,
    trail: &mut Trail,
) -> Result<R::Record> {
    let record = R::insert(conn, values)?;
    let changes = audit::diff(None, Some(&writable_fields::<R>(&record)?));
    trail.record(conn, AuditAction::Created, R::KIND.resource_type, R::id(&record), changes)?;
    Ok(record)
}

/// Inserts validated records together and their `created` events.
pub fn insert_many<R: Resource>(
    conn: &mut DbConnection,
    values: Vec<R::Values>,
    trail: &mut Trail,
) -> Result<Vec<R::Record>> {
    let records = R::insert_many(conn, values)?;
    for record in &records {
        let changes = audit::diff(None, Some(&writable_fields::<R>(record)?));
        trail.record(conn, AuditAction::Created, R::KIND.resource_type, R::id(record), changes)?;
    }
    Ok(records)
}

/// Stores new values of `current` and an `updated` event, unless nothing changes (then no
/// write, no new version, no event); says whether it changed.
pub fn update<R: Resource>(
    conn: &mut DbConnection,
    current: R::Record,
    values: R::Values,
    trail: &mut Trail,
) -> Result<(R::Record, bool)> {
    if unchanged::<R>(&current, &values)? {
        return Ok((current, false));
    }
    let id = R::id(&current);
    let record = R::update(conn, id, values)?;
    let changes = audit::diff(Some(&writable_fields::<R>(&current)?), Some(&writable_fields::<R>(&record)?));
    trail.record(conn, AuditAction::Updated, R::KIND.resource_type, id, changes)?;
    Ok((record, true))
}

/// Validates a create body and inserts the record.
pub fn create<R: Resource>(conn: &mut DbConnection, body: Value, actor: &str) -> Result<R::Record> {
    let values = parse_new(body, |input: R::Input, checker| input.validate(checker, conn, None))?;
    insert::<R>(conn, values, &mut Trail::immediate(actor))
}

/// Applies a merge patch to the record if `expected` allows, and stores the result.
pub fn patch<R: Resource>(
    conn: &mut DbConnection,
    id: i64,
    patch: Map<String, Value>,
    expected: Option<&Precondition>,
    actor: &str,
) -> Result<R::Record> {
    let current = locked::<R>(conn, id)?;
    let values = parse_patch(&R::input_fields(&current)?, patch, |input: R::Input, checker| {
        input.validate(checker, conn, Some(id))
    })?;
    // After validation, so that a bad body is a 422 whatever If-Match says; either way
    // nothing is written.
    check_precondition::<R>(&current, expected)?;
    Ok(update::<R>(conn, current, values, &mut Trail::immediate(actor))?.0)
}

/// Deletes a record that nothing refers to (`409` naming what does, among `references`) if
/// `expected` allows.
pub fn remove<R: Resource>(
    conn: &mut DbConnection,
    id: i64,
    expected: Option<&Precondition>,
    references: &super::AllReferences,
    actor: &str,
) -> Result<()> {
    let current = locked::<R>(conn, id)?;
    check_precondition::<R>(&current, expected)?;
    ApiError::ensure_unreferenced(R::KIND.name, &references.to(conn, R::KIND, id)?)?;
    R::delete(conn, id)?;
    let changes = audit::diff(Some(&writable_fields::<R>(&current)?), None);
    audit::append(conn, actor, AuditAction::Deleted, R::KIND.resource_type, id, changes)
}

/// The record, locked against concurrent writers until the transaction ends: checking its
/// version and writing are then one atomic step.
pub fn locked<R: Resource>(conn: &mut DbConnection, id: i64) -> Result<R::Record> {
    db::lock_row(conn, R::KIND.table, id)?;
    find::<R>(conn, id)
}

/// `412` unless `expected` (If-Match) names the record's current version.
pub fn check_precondition<R: Resource>(current: &R::Record, expected: Option<&Precondition>) -> Result<()> {
    match expected {
        Some(expected) if !expected.matches(R::version(current)) => Err(ApiError::PreconditionFailed(
            format!("the {} has changed: its ETag is now \"{}\"", R::KIND.name, R::version(current)),
        )),
        _ => Ok(()),
    }
}
