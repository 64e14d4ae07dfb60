//! GETs of records asked for together, read by one statement.
//!
//! Under load, many clients ask for records of one kind at the same moment. Each GET alone
//! costs a round trip to the database, most of it waiting: on PostgreSQL, a blocking thread
//! sends the statement, sleeps until the server's process answers, and wakes again. The GETs
//! of a kind that arrive while its read runs are read together next, by one statement
//! ([`Resource::find_many`]), and each answered from it. A GET never joins a read that has
//! already started (see [`Batches`]), so it shows every write acknowledged before it.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web::Bytes;

use super::Resource;
use crate::db::{self, DbConnection, Pool};
use crate::error::{ApiError, Result};
use crate::http::{RecordBatches, Shown};

/// A record read for a GET: `None` when it does not exist.
type Read = std::result::Result<Option<Shown>, Arc<ApiError>>;

/// The record `id` of `R`, read after this call began (with the GETs of `R` that wait with it
/// in `reads`), or a `404`.
pub async fn find<R: Resource>(reads: &RecordBatches, pool: &Pool, id: i64) -> Result<Shown> {
    let pool = pool.clone();
    let read = reads.ask(R::KIND.table, id, move |ids| read_together::<R>(pool.clone(), ids)).await;
    match read {
        Some(Ok(Some(shown))) => Ok(shown),
        Some(Ok(None)) => Err(R::KIND.not_found(id)),
        Some(Err(error)) => Err(error.copy_for_another_request()),
        None => Err(ApiError::Internal("the read ended without an answer".into())),
    }
}

/// Each of `ids` (some may be the same) read and shown, in their order.
async fn read_together<R: Resource>(pool: Pool, ids: Vec<i64>) -> Vec<Read> {
    let asked = ids.len();
    let shown = db::run(&pool, move |conn| show::<R>(conn, &ids)).await;
    match shown {
        Ok(shown) => shown.into_iter().map(Ok).collect(),
        Err(error) => vec![Err(Arc::new(error)); asked],
    }
}

/// The records of `ids` as JSON, in their order: one statement for the record asked for
/// alone, which stays prepared for it, another for many.
fn show<R: Resource>(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<Option<Shown>>> {
    let shown_json = |record: &R::Record| -> Result<Shown> {
        let body = serde_json::to_vec(record)
            .map_err(|e| ApiError::Internal(format!("cannot serialize a {}: {e}", R::KIND.name)))?;
        Ok(Shown { version: R::version(record), body: Bytes::from(body) })
    };
    if let [id] = ids {
        return Ok(vec![R::find(conn, *id)?.as_ref().map(shown_json).transpose()?]);
    }
    let mut distinct = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let found = R::find_many(conn, &distinct)?
        .iter()
        .map(|record| Ok((R::id(record), shown_json(record)?)))
        .collect::<Result<HashMap<i64, Shown>>>()?;
    Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
}
