//! The audit trail: one event per record that a write creates, changes or deletes, appended in
//! the same transaction as the write, with the old and new values of exactly the fields that
//! changed. Nothing edits or deletes events.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::db::schema::audit_events;
use crate::db::{self, Backend, DbConnection};
use crate::domain::{AuditAction, Timestamp};
use crate::error::{ApiError, Result};
use crate::http::AppState;
use crate::listing::ListSource;
use crate::listing::{FromQuery, ListParams, Page, QueryValue};
use crate::sortable;

/// One write to one record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "at": "2026-11-28T01:00:00Z", "actor": "bureau-editor", "action": "updated",
    "resource_type": "action_plan", "resource_id": 4,
    "changes": {"status": ["planned", "in_progress"], "year": [null, 2025]}
}))]
pub struct AuditEvent {
    pub id: i64,
    pub at: Timestamp,
    /// The name of the token that wrote.
    pub actor: String,
    pub action: AuditAction,
    /// `region`, `sector`, `agency`, `agreement`, `action_plan` or `obstacle`.
    pub resource_type: String,
    pub resource_id: i64,
    /// `{"field": [old, new]}` for every field that changed (`null` where there was or is none).
    #[schema(value_type = Object)]
    pub changes: Value,
}

type EventRow = (i64, Timestamp, String, AuditAction, String, i64, String);

fn event(row: EventRow) -> AuditEvent {
    let (id, at, actor, action, resource_type, resource_id, changes) = row;
    // The column only ever holds what `append` wrote; an unreadable value shows as null.
    let changes = serde_json::from_str(&changes).unwrap_or(Value::Null);
    AuditEvent { id, at, actor, action, resource_type, resource_id, changes }
}

/// The fields that differ between two versions of a record, as `{"field": [old, new]}`.
pub fn diff(before: Option<&Map<String, Value>>, after: Option<&Map<String, Value>>) -> Map<String, Value> {
    let empty = Map::new();
    let (before, after) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let old = before.get(name).unwrap_or(&Value::Null);
            let new = after.get(name).unwrap_or(&Value::Null);
            (old != new).then(|| (name.clone(), Value::Array(vec![old.clone(), new.clone()])))
        })
        .collect()
}

/// Appends an event; the caller holds the write's transaction.
pub fn append(
    conn: &mut DbConnection,
    actor: &str,
    action: AuditAction,
    resource_type: &str,
    resource_id: i64,
    changes: Map<String, Value>,
) -> Result<()> {
    let changes = Value::Object(changes).to_string();
    db::execute_on_backend(
        conn,
        diesel::insert_into(audit_events::table).values((
            audit_events::at.eq(crate::domain::now()),
            audit_events::actor.eq(actor),
            audit_events::action.eq(action),
            audit_events::resource_type.eq(resource_type),
            audit_events::resource_id.eq(resource_id),
            audit_events::changes.eq(&changes),
        )),
    )?;
    Ok(())
}

/// Who writes, and where the events of the write go: into the trail at once, or, for an
/// import, gathered and appended together before its transaction commits (a statement per
/// thousand events rather than one per record). Either way they land with the write or not at
/// all.
pub struct Trail<'a> {
    actor: &'a str,
    gathered: Option<Vec<Gathered>>,
}

struct Gathered {
    at: Timestamp,
    action: AuditAction,
    resource_type: &'static str,
    resource_id: i64,
    changes: String,
}

/// Events appended by one statement: six values each, well within either backend's limit.
const EVENTS_PER_STATEMENT: usize = 1_000;

impl<'a> Trail<'a> {
    /// Each event appended as it happens.
    pub fn immediate(actor: &'a str) -> Self {
        Self { actor, gathered: None }
    }

    /// Events kept until [`Trail::flush`].
    pub fn gathering(actor: &'a str) -> Self {
        Self { actor, gathered: Some(Vec::new()) }
    }

    pub fn record(
        &mut self,
        conn: &mut DbConnection,
        action: AuditAction,
        resource_type: &'static str,
        resource_id: i64,
        changes: Map<String, Value>,
    ) -> Result<()> {
        match &mut self.gathered {
            None => append(conn, self.actor, action, resource_type, resource_id, changes),
            Some(gathered) => {
                let at = crate::domain::now();
                let changes = Value::Object(changes).to_string();
                gathered.push(Gathered { at, action, resource_type, resource_id, changes });
                Ok(())
            }
        }
    }

    /// Appends the gathered events, in the order they happened.
    pub fn flush(&mut self, conn: &mut DbConnection) -> Result<()> {
        let Some(gathered) = &mut self.gathered else { return Ok(()) };
        for events in gathered.chunks(EVENTS_PER_STATEMENT) {
            let rows: Vec<_> = events
                .iter()
                .map(|event| {
                    (
                        audit_events::at.eq(event.at),
                        audit_events::actor.eq(self.actor),
                        audit_events::action.eq(event.action),
                        audit_events::resource_type.eq(event.resource_type),
                        audit_events::resource_id.eq(event.resource_id),
                        audit_events::changes.eq(&event.changes),
                    )
                })
                .collect();
            db::execute_on_backend(conn, diesel::insert_into(audit_events::table).values(rows))?;
        }
        gathered.clear();
        Ok(())
    }
}

/// A point in time for `from` and `to`: RFC 3339, or a date (its midnight, UTC).
#[derive(Debug, Clone, Copy)]
pub struct Instant(NaiveDateTime);

/// Either form, as the schema of the parameters says.
impl utoipa::PartialSchema for Instant {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::AnyOfBuilder;
        use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
        use utoipa::openapi::{ObjectBuilder, Ref};
        AnyOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            )
            .item(Ref::from_schema_name("Date"))
            .description(Some("An RFC 3339 timestamp, or a date (its midnight, UTC)."))
            .into()
    }
}

impl ToSchema for Instant {}

impl QueryValue for Instant {
    fn parse_query(text: &str) -> Result<Self, String> {
        if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
            return Ok(Self(at.naive_utc()));
        }
        match text.parse::<crate::domain::Date>() {
            Ok(date) => Ok(Self(date.0.and_time(chrono::NaiveTime::MIN))),
            _ => {
                Err("must be an RFC 3339 timestamp or a date written YYYY-MM-DD (years 1000 to 9999)"
                    .to_owned())
            }
        }
    }
}

crate::filters! {
    /// Filters of the audit trail.
    pub struct AuditFilter {
        /// `region`, `sector`, `agency`, `agreement`, `action_plan`, `obstacle` or `token`.
        resource_type: Option<String>,
        resource_id: Option<i64>,
        /// Events of this token name.
        actor: Option<String>,
        /// Events at or after this time (RFC 3339, or a date).
        #[param(value_type = Option<Instant>, inline)]
        from: Option<Instant>,
        /// Events before this time (RFC 3339, or a date: before its midnight).
        #[param(value_type = Option<Instant>, inline)]
        to: Option<Instant>,
    }
}

sortable!(SORTABLE, sort_events, audit_events::BoxedQuery<'static, Backend>, audit_events::id, {
    "id" => audit_events::id,
    "at" => audit_events::at,
    "actor" => audit_events::actor,
    "resource_type" => audit_events::resource_type,
});

fn filtered(filter: &AuditFilter) -> audit_events::BoxedQuery<'static, Backend> {
    let mut query = audit_events::table.into_boxed();
    if let Some(resource_type) = &filter.resource_type {
        query = query.filter(audit_events::resource_type.eq(resource_type.clone()));
    }
    if let Some(id) = filter.resource_id {
        query = query.filter(audit_events::resource_id.eq(id));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_events::actor.eq(actor.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::at.ge(from.0));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::at.lt(to.0));
    }
    query
}

/// A page of events, newest first unless `sort` says otherwise.
pub fn page(conn: &mut DbConnection, list: &ListParams, filter: &AuditFilter) -> Result<Page<AuditEvent>> {
    let total = filtered(filter).count().get_result(conn)?;
    let query = if list.sort.is_empty() {
        filtered(filter).order(audit_events::id.desc())
    } else {
        sort_events(filtered(filter), &list.sort)
    };
    let rows: Vec<EventRow> = query.limit(list.limit).offset(list.offset).load(conn)?;
    Ok(Page::new(list, total, rows.into_iter().map(event).collect()))
}

/// The audit trail as a CSV source.
pub struct AuditEvents;

impl crate::listing::SortableList for AuditEvents {
    const SORTABLE: &'static [&'static str] = SORTABLE;
}

impl ListSource for AuditEvents {
    type Record = AuditEvent;
    type Filter = AuditFilter;
    const FILE: &'static str = "audit";
    const COLUMNS: &'static [&'static str] =
        &["id", "at", "actor", "action", "resource_type", "resource_id", "changes"];
    // Newest first by default: batches go by offset.
    const KEYSET: bool = false;

    fn page(
        conn: &mut DbConnection,
        list: &ListParams,
        filter: &AuditFilter,
    ) -> Result<(i64, Vec<AuditEvent>)> {
        let page = page(conn, list, filter)?;
        Ok((page.total, page.items))
    }

    fn id(record: &AuditEvent) -> i64 {
        record.id
    }
}

/// The events of one record, newest first: its history.
pub async fn history(
    state: &AppState,
    request: &HttpRequest,
    resource_type: &'static str,
    id: i64,
    exists: fn(&mut DbConnection, i64) -> Result<bool>,
) -> Result<HttpResponse> {
    let (params, list, wanted) = crate::pages::paging_query(request, SORTABLE)?;
    params.finish()?;
    let filter = AuditFilter {
        resource_type: Some(resource_type.to_owned()),
        resource_id: Some(id),
        ..Default::default()
    };
    let (type_filter, id_filter) = (filter.resource_type.clone(), filter.resource_id);
    db::run(&state.pool, move |conn| {
        // A deleted record keeps its history; a record that never was has none.
        let any =
            AuditFilter { resource_type: type_filter.clone(), resource_id: id_filter, ..Default::default() };
        if filtered(&any).count().get_result::<i64>(conn)? == 0 && !exists(conn, id)? {
            return Err(ApiError::NotFound(format!("no {} has id {id}", resource_type.replace('_', " "))));
        }
        Ok(())
    })
    .await?;
    crate::pages::respond::<AuditEvents>(state, request, list, filter, wanted, true).await
}

/// The audit trail of every write, newest first. Admin only.
#[utoipa::path(
    tag = "access",
    operation_id = "list_audit_events",
    params(crate::listing::PagingDoc, crate::listing::SortDoc<AuditEvents>, AuditFilter),
    responses((status = 200, description = "A page of events", body = Page<AuditEvent>)),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn list_audit_events(
    _admin: Admin,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    let (mut params, list, wanted) = crate::pages::paging_query(&request, SORTABLE)?;
    let filter = AuditFilter::from_query(&mut params);
    params.finish()?;
    crate::pages::respond::<AuditEvents>(&state, &request, list, filter, wanted, true).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_keeps_exactly_the_changed_fields() {
        let before = json!({"a": 1, "b": "x", "c": null, "links": [1, 2]});
        let after = json!({"a": 1, "b": "y", "d": true, "links": [2, 1]});
        let changes = diff(before.as_object(), after.as_object());
        assert_eq!(
            Value::Object(changes),
            json!({"b": ["x", "y"], "d": [null, true], "links": [[1, 2], [2, 1]]})
        );
        let created = diff(None, after.as_object());
        assert_eq!(created.len(), 4);
    }
}
