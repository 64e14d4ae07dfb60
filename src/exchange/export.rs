//! Export: the data as a document (see `import`) that imports into an empty database to the
//! same data. Records refer to each other by key, ids, versions and timestamps are left out,
//! so exporting, importing elsewhere and exporting again gives the same document.
//!
//! Each list is ordered by key, except that a record referring to another of the same list (an
//! agreement renewing another) comes after it, so that the document imports in one pass
//! whatever the keys: records are ordered by their depth in the chain of such references, then
//! by key.
//!
//! The document is streamed: records are read in batches on one consistent snapshot and
//! written as they are read, so memory stays bounded whatever the size of the data, and no
//! query binds more values than a batch holds. An export of one agreement first gathers the
//! records it needs in a temporary table, in the database, not in memory.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use serde_json::{Map, Value};

use crate::auth::Reader;
use crate::db::{self, DbConnection};
use crate::error::{ApiError, Result};
use crate::http::AppState;
use crate::http::streaming::Sink;
use crate::listing::{FromQuery, QueryParams};
use crate::resource::any::AnyResource;
use crate::resource::{Kind, Reference, Resource};
use crate::resources::RESOURCES;
use crate::resources::agreements::Agreements;

/// Records read and written at a time.
const BATCH: i64 = 500;
/// Bytes gathered before they are handed to the client.
const CHUNK: usize = 64 * 1024;
/// Deeper chains of references within a list are not followed (they would have to be
/// thousands of renewals long); what is beyond, or in a loop, comes last.
const MAX_DEPTH: i64 = 10_000;

/// Writes the document to `sink`: the whole database, or with `agreement` that agreement with
/// the agreements it renews, its action plans and obstacles, and everything they refer to.
/// Stops early, without error, when the client goes away.
///
/// Personal data (contacts) is written only `with_personal` data: for a caller with a token.
pub fn write_document(
    conn: &mut DbConnection,
    agreement: Option<i64>,
    with_personal: bool,
    sink: &mut Sink,
) -> Result<()> {
    db::read_snapshot(conn, |conn| {
        if let Some(agreement) = agreement {
            gather_scope(conn, agreement)?;
        }
        let scoped = agreement.is_some();
        let mut out = Output { buffer: b"{".to_vec(), sink, gone: false };
        let written = RESOURCES.iter().filter(|resource| with_personal || !resource.personal());
        for (index, resource) in written.enumerate() {
            write_list(conn, *resource, scoped, &mut out, index == 0)?;
        }
        out.buffer.push(b'}');
        out.flush();
        Ok(())
    })
}

/// The document as it is written: bytes waiting to be sent, and whether the client is gone.
struct Output<'s> {
    buffer: Vec<u8>,
    sink: &'s mut Sink,
    gone: bool,
}

impl Output<'_> {
    /// Sends what is waiting; `false` once the client is gone.
    fn flush(&mut self) -> bool {
        if !self.gone && !self.buffer.is_empty() {
            self.gone = !self.sink.send(std::mem::take(&mut self.buffer));
        }
        !self.gone
    }
}

/// Writes `"list": [...]`, batch by batch.
fn write_list(
    conn: &mut DbConnection,
    resource: &dyn AnyResource,
    scoped: bool,
    out: &mut Output,
    first: bool,
) -> Result<()> {
    if out.gone {
        return Ok(());
    }
    let kind = resource.kind();
    out.buffer.extend_from_slice(format!("{}\"{}\":[", if first { "" } else { "," }, kind.table).as_bytes());
    let order = ExportOrder::prepare(conn, resource, scoped)?;
    let mut after: Option<(i64, String)> = None;
    let mut written = 0usize;
    loop {
        let batch = order.next_batch(conn, after.as_ref())?;
        let Some(last) = batch.last() else { break };
        after = Some((last.depth, last.key.clone()));
        let ids: Vec<i64> = batch.iter().map(|row| row.id).collect();
        let records = resource.export(conn, &ids)?;
        let keys = referenced_keys(conn, resource.references(), &records)?;
        for record in records {
            if written > 0 {
                out.buffer.push(b',');
            }
            let record = document_record(resource.references(), record, &keys)?;
            serde_json::to_writer(&mut out.buffer, &record)
                .map_err(|e| ApiError::Internal(format!("cannot write a record: {e}")))?;
            written += 1;
        }
        if out.buffer.len() >= CHUNK && !out.flush() {
            return Ok(());
        }
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    out.buffer.push(b']');
    Ok(())
}

/// One record's place in the export order.
#[derive(diesel::QueryableByName)]
struct Ordered {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    depth: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    key: String,
}

/// How one list is read in export order, batch by batch, each batch after the last record
/// written (keyset pagination, so that every batch costs the same however far it is).
/// Keys compare by their bytes on both backends.
enum ExportOrder {
    /// The whole list, which refers to no record of its own: by key, along its index on `key`.
    ByKey { sql: String },
    /// Part of the list, or a list that refers to itself: by depth, then key, from a
    /// temporary table filled once and indexed in that order.
    Materialised { sql: String },
}

impl ExportOrder {
    fn prepare(conn: &mut DbConnection, resource: &dyn AnyResource, scoped: bool) -> Result<Self> {
        let table = resource.kind().table;
        let collate = db::byte_order(conn);
        // The columns by which a record of the list refers to another of the same list.
        let own: Vec<&str> = resource
            .references()
            .iter()
            .filter(|r| r.target == resource.kind() && !r.is_list())
            .map(|r| r.api)
            .collect();
        if own.is_empty() && !scoped {
            return Ok(Self::ByKey {
                sql: format!(
                    "SELECT t.id AS id, CAST(0 AS BIGINT) AS depth, t.key AS key FROM {table} t \
                     WHERE t.key{collate} > $1 ORDER BY t.key{collate} LIMIT {BATCH}"
                ),
            });
        }
        let scope = if scoped {
            format!(" AND t.id IN (SELECT id FROM export_scope WHERE list = '{table}')")
        } else {
            String::new()
        };
        // A record's depth is the longest chain of references from it back to a record that
        // refers to none in the list; what is beyond MAX_DEPTH, or in a loop, comes last.
        let (walk, depth, joined) = if own.is_empty() {
            (String::new(), "CAST(0 AS BIGINT)".to_owned(), String::new())
        } else {
            let roots =
                own.iter().map(|column| format!("{column} IS NULL")).collect::<Vec<_>>().join(" AND ");
            let children =
                own.iter().map(|column| format!("c.{column} = w.id")).collect::<Vec<_>>().join(" OR ");
            (
                format!(
                    "WITH RECURSIVE walk(id, depth) AS (\
                       SELECT id, CAST(0 AS BIGINT) FROM {table} WHERE {roots} \
                       UNION SELECT c.id, w.depth + 1 FROM {table} c JOIN walk w ON {children} \
                       WHERE w.depth < {MAX_DEPTH}), \
                     deepest(id, depth) AS (SELECT id, MAX(depth) FROM walk GROUP BY id) "
                ),
                format!("COALESCE(d.depth, {MAX_DEPTH})"),
                " LEFT JOIN deepest d ON d.id = t.id".to_owned(),
            )
        };
        conn.batch_execute(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS export_order \
               (list TEXT NOT NULL, depth BIGINT NOT NULL, key TEXT{collate} NOT NULL, id BIGINT NOT NULL, \
                PRIMARY KEY (list, depth, key)); \
             DELETE FROM export_order WHERE list = '{table}';"
        ))?;
        diesel::sql_query(format!(
            "INSERT INTO export_order (list, depth, key, id) {walk}\
             SELECT '{table}', {depth}, t.key, t.id FROM {table} t{joined} WHERE 1 = 1{scope}"
        ))
        .execute(conn)?;
        db::analyze_temporary(conn, "export_order")?;
        Ok(Self::Materialised {
            sql: format!(
                "SELECT id, depth, key FROM export_order WHERE list = '{table}' AND (depth, key) > ($1, $2) \
                 ORDER BY depth, key LIMIT {BATCH}"
            ),
        })
    }

    /// The next batch after `after` (the depth and key of the last record written).
    fn next_batch(&self, conn: &mut DbConnection, after: Option<&(i64, String)>) -> Result<Vec<Ordered>> {
        use diesel::sql_types::{BigInt, Text};
        let (depth, key) = after.map_or((-1, ""), |(depth, key)| (*depth, key.as_str()));
        Ok(match self {
            Self::ByKey { sql } => diesel::sql_query(sql).bind::<Text, _>(key).load(conn)?,
            Self::Materialised { sql } => {
                diesel::sql_query(sql).bind::<BigInt, _>(depth).bind::<Text, _>(key).load(conn)?
            }
        })
    }
}

/// Keys by id, of the records a batch refers to, by the referred kind's table.
type ReferencedKeys = HashMap<&'static str, HashMap<i64, String>>;

/// The keys of every record that `records` refer to.
fn referenced_keys(
    conn: &mut DbConnection,
    references: &[Reference],
    records: &[Map<String, Value>],
) -> Result<ReferencedKeys> {
    let mut ids: HashMap<&'static str, (&'static Kind, Vec<i64>)> = HashMap::new();
    for reference in references {
        let (_, wanted) = ids.entry(reference.target.table).or_insert_with(|| (reference.target, Vec::new()));
        for record in records {
            match record.get(reference.api) {
                Some(Value::Array(items)) => wanted.extend(items.iter().filter_map(Value::as_i64)),
                Some(value) => wanted.extend(value.as_i64()),
                None => {}
            }
        }
    }
    let mut keys = HashMap::new();
    for (table, (target, mut ids)) in ids {
        ids.sort_unstable();
        ids.dedup();
        keys.insert(table, target.keys_of(conn, &ids)?);
    }
    Ok(keys)
}

/// A record's writable fields, references turned from ids into keys, empty fields left out.
fn document_record(
    references: &[Reference],
    fields: Map<String, Value>,
    keys: &ReferencedKeys,
) -> Result<Value> {
    let key_of = |target: &Kind, id: &Value| -> Result<Value> {
        id.as_i64()
            .and_then(|id| keys.get(target.table)?.get(&id))
            .map(|key| Value::String(key.clone()))
            .ok_or_else(|| ApiError::Internal(format!("a {} reference has no key", target.name)))
    };
    let mut document = Map::new();
    for (name, value) in fields {
        if value.is_null() || value.as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        match references.iter().find(|r| r.api == name) {
            Some(reference) if reference.is_list() => {
                let ids = value.as_array().cloned().unwrap_or_default();
                let keys = ids.iter().map(|id| key_of(reference.target, id)).collect::<Result<Vec<_>>>()?;
                document.insert(reference.document.to_owned(), Value::Array(keys));
            }
            Some(reference) => {
                document.insert(reference.document.to_owned(), key_of(reference.target, &value)?);
            }
            None => {
                document.insert(name, value);
            }
        }
    }
    Ok(Value::Object(document))
}

/// Fills the temporary table `export_scope` with the records an export of `agreement` holds:
/// the agreement; the records of the lists that belong to it (those naming it, and those
/// naming its action plans); then, until nothing is added, every record that a record of the
/// scope refers to (the agreements it renews, parties, sectors, agencies and their regions).
/// The table goes with the snapshot's transaction.
fn gather_scope(conn: &mut DbConnection, agreement: i64) -> Result<()> {
    conn.batch_execute(
        "CREATE TEMP TABLE IF NOT EXISTS export_scope \
           (list TEXT NOT NULL, id BIGINT NOT NULL, PRIMARY KEY (list, id)); \
         DELETE FROM export_scope;",
    )?;
    let agreements = Agreements::KIND;
    let plans = crate::resources::action_plans::ActionPlans::KIND;
    diesel::sql_query(format!(
        "INSERT INTO export_scope (list, id) VALUES ('{}', {agreement})",
        agreements.table
    ))
    .execute(conn)?;
    let add = |list: &str, select: String| {
        format!(
            "INSERT INTO export_scope (list, id) SELECT DISTINCT '{list}', x.id FROM ({select}) x \
             WHERE x.id IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM export_scope e WHERE e.list = '{list}' AND e.id = x.id)"
        )
    };
    for resource in RESOURCES.iter().filter(|resource| resource.kind() != agreements) {
        let list = resource.kind().table;
        let belongs = resource.references().iter().filter(|r| !r.is_list()).find_map(|r| {
            if r.target == agreements {
                Some(format!("t.{} = {agreement}", r.api))
            } else if r.target == plans && resource.kind() != plans {
                Some(format!("t.{} IN (SELECT id FROM export_scope WHERE list = '{}')", r.api, plans.table))
            } else {
                None
            }
        });
        if let Some(condition) = belongs {
            diesel::sql_query(add(list, format!("SELECT t.id AS id FROM {list} t WHERE {condition}")))
                .execute(conn)?;
        }
    }
    loop {
        db::analyze_temporary(conn, "export_scope")?;
        let mut added = 0;
        for resource in RESOURCES {
            let list = resource.kind().table;
            for reference in resource.references() {
                let target = reference.target.table;
                let select = match reference.links {
                    None => format!(
                        "SELECT t.{column} AS id FROM {list} t \
                         JOIN export_scope s ON s.list = '{list}' AND s.id = t.id",
                        column = reference.api
                    ),
                    Some(links) => format!(
                        "SELECT k.{target_column} AS id FROM {table} k \
                         JOIN export_scope s ON s.list = '{list}' AND s.id = k.{owner}",
                        target_column = links.target,
                        table = links.table,
                        owner = links.owner
                    ),
                };
                added += diesel::sql_query(add(target, select)).execute(conn)?;
            }
        }
        if added == 0 {
            return Ok(());
        }
    }
}

crate::filters! {
    /// The export's filter.
    pub struct ExportFilter {
        /// Only this agreement, with the agreements it renews and everything its records refer to.
        agreement_id: Option<i64>,
    }
}

/// Exports the data as a document that imports into an empty database to the same data.
///
/// Lists are ordered by key, a record after any record of the same list it refers to (an
/// agreement after the one it renews). The document is streamed as it is read, from one
/// consistent snapshot of the data.
#[utoipa::path(
    tag = "import",
    operation_id = "export_document",
    params(ExportFilter),
    responses(
        (status = 200, description = "The document", body = super::DataDocument),
        (status = 404, description = "`agreement_id` names no agreement", body = crate::error::Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/export")]
pub async fn export_document(
    reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    let with_personal = reader.0.is_some();
    let mut params = QueryParams::parse(request.query_string())?;
    let agreement = ExportFilter::from_query(&mut params).agreement_id;
    params.finish()?;
    if let Some(id) = agreement {
        db::run(&state.pool, move |conn| match Agreements::KIND.exists(conn, id)? {
            true => Ok(()),
            false => Err(Agreements::KIND.not_found(id)),
        })
        .await?;
    }
    let mut response = HttpResponse::Ok();
    response.content_type("application/json").insert_header((header::CACHE_CONTROL, "no-store"));
    crate::http::streaming::respond(&state.pool, &state.streams, &request, response, move |conn, sink| {
        write_document(conn, agreement, with_personal, sink)
    })
    .await
}
