//! Where the service's write transactions run.
//!
//! On PostgreSQL, on any pooled connection, side by side (see [`write_transaction`]).
//!
//! On SQLite, which lets one writer in at a time, on one connection of their own and in
//! batches. A connection that finds the database changed by another connection since its last
//! transaction drops its page cache and its memory map of the file, then reads back every page
//! it writes; the one writer connection only ever sees its own changes, so its cache stays
//! warm. And while one batch commits, the writes that arrive queue up; the next writer to get
//! the turn runs all of them in one transaction, each in a savepoint of its own, so that a
//! write that fails leaves the others as they were. Committing costs about the same for one
//! write as for many (the pages they share, like the ends of the tables and of the audit
//! trail, go to the log once), so the busier the service, the less each write costs. Nobody
//! hears of a write before the transaction that holds it has committed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use actix_web::web;
use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use parking_lot::Mutex;

use super::{
    ConnectionManager, DatabaseTarget, DbConnection, Pool, SQLITE_WRITER, rollback, write_transaction,
};
use crate::error::ApiError;

#[derive(Clone)]
pub struct Writer {
    pool: Pool,
    sqlite: Option<Arc<SqliteWriter>>,
}

impl Writer {
    pub fn new(pool: Pool, target: &DatabaseTarget) -> Self {
        let sqlite = match target {
            DatabaseTarget::Sqlite(_) => Some(Arc::new(SqliteWriter {
                target: target.clone(),
                connection: Mutex::new(None),
                queue: Mutex::new(Vec::new()),
            })),
            DatabaseTarget::Postgres(_) => None,
        };
        Self { pool, sqlite }
    }

    /// Runs `f` in a write transaction, off the actix workers, and answers once it is
    /// committed (or failed: then nothing of `f` is kept).
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let writer = self.clone();
        web::block(move || match &writer.sqlite {
            Some(sqlite) => sqlite.write(f),
            None => {
                let mut conn = super::live_connection(&writer.pool)?;
                write_transaction(&mut conn, f)
            }
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }
}

struct SqliteWriter {
    target: DatabaseTarget,
    /// The writer connection, opened at the first write, and again after one that broke it.
    connection: Mutex<Option<DbConnection>>,
    /// Writes waiting for the next batch.
    queue: Mutex<Vec<Box<dyn Job>>>,
}

impl SqliteWriter {
    fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let outcome = Arc::new(Mutex::new(None));
        self.queue.lock().push(Box::new(Write { work, result: None, outcome: Arc::clone(&outcome) }));
        // Writers take turns in the order they came (a fair lock). A batch is finished, every
        // outcome published, before the turn passes on: a write that is not finished when
        // its writer gets the turn is still queued, and that writer runs the batch.
        let _turn = SQLITE_WRITER.lock();
        if let Some(result) = outcome.lock().take() {
            return result;
        }
        let batch = std::mem::take(&mut *self.queue.lock());
        self.commit(batch);
        let result = outcome.lock().take();
        result.unwrap_or_else(|| Err(ApiError::Internal("a queued write was never run".into())))
    }

    /// Runs the batch in one transaction and publishes every outcome.
    fn commit(&self, mut batch: Vec<Box<dyn Job>>) {
        let mut connection = self.connection.lock();
        let mut conn = match connection.take() {
            Some(conn) => conn,
            None => match ConnectionManager::connect(&self.target) {
                Ok(conn) => conn,
                Err(error) => {
                    let message = error.to_string();
                    return finish(batch, Some(&|| ApiError::Unavailable(message.clone())));
                }
            },
        };
        let failure = run_batch(&mut conn, &mut batch);
        // A transaction that could neither commit nor roll back leaves the connection
        // unusable: the next batch opens another.
        if !<DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(&mut conn) {
            *connection = Some(conn);
        }
        match failure {
            Some(error) => finish(batch, Some(&|| copy_error(&error))),
            None => finish(batch, None),
        }
    }
}

/// Runs every write of the batch in one transaction; the error that stopped the batch as a
/// whole, if one did (nothing of it is then kept).
fn run_batch(conn: &mut DbConnection, batch: &mut [Box<dyn Job>]) -> Option<diesel::result::Error> {
    let DbConnection::Sqlite(sqlite) = conn else {
        return Some(diesel::result::Error::BrokenTransactionManager);
    };
    if let Err(error) = AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE") {
        return Some(error);
    }
    let kept = if let [only] = batch {
        // Alone: the transaction is its savepoint.
        only.run(conn)
    } else {
        let mut kept = false;
        for job in batch.iter_mut() {
            match in_savepoint(conn, job.as_mut()) {
                Ok(job_kept) => kept |= job_kept,
                Err(error) => {
                    rollback(conn);
                    return Some(error);
                }
            }
        }
        kept
    };
    if !kept {
        rollback(conn);
        return None;
    }
    match <DbConnection as Connection>::TransactionManager::commit_transaction(conn) {
        Ok(()) => None,
        Err(error) => {
            rollback(conn);
            Some(error)
        }
    }
}

/// Runs one write of a batch in a savepoint, rolled back when the write fails; whether it
/// was kept.
fn in_savepoint(conn: &mut DbConnection, job: &mut dyn Job) -> diesel::QueryResult<bool> {
    type Manager = <DbConnection as Connection>::TransactionManager;
    Manager::begin_transaction(conn)?;
    if job.run(conn) {
        Manager::commit_transaction(conn)?;
        Ok(true)
    } else {
        Manager::rollback_transaction(conn)?;
        Ok(false)
    }
}

/// Publishes every outcome; `failure` makes the error of a batch that was not committed.
fn finish(batch: Vec<Box<dyn Job>>, failure: Option<&dyn Fn() -> ApiError>) {
    for job in batch {
        job.finish(failure);
    }
}

/// The same database error again, for each write of a batch that it stopped.
fn copy_error(error: &diesel::result::Error) -> ApiError {
    ApiError::copy_database_error(error, "the write transaction failed")
}

/// A write waiting in a batch, whatever it returns.
trait Job: Send {
    /// Runs the work; whether it succeeded.
    fn run(&mut self, conn: &mut DbConnection) -> bool;
    /// Publishes the outcome: the work's, or `failure`'s when the batch was not committed.
    fn finish(self: Box<Self>, failure: Option<&dyn Fn() -> ApiError>);
}

struct Write<T, F> {
    work: F,
    result: Option<Result<T, ApiError>>,
    outcome: Arc<Mutex<Option<Result<T, ApiError>>>>,
}

impl<T: Send, F> Job for Write<T, F>
where
    F: FnMut(&mut DbConnection) -> Result<T, ApiError> + Send,
{
    fn run(&mut self, conn: &mut DbConnection) -> bool {
        // A panic fails this write only, not the others of its batch.
        let result = catch_unwind(AssertUnwindSafe(|| (self.work)(conn)))
            .unwrap_or_else(|_| Err(ApiError::Internal("a write panicked".into())));
        let succeeded = result.is_ok();
        self.result = Some(result);
        succeeded
    }

    fn finish(self: Box<Self>, failure: Option<&dyn Fn() -> ApiError>) {
        let result = match (self.result, failure) {
            (Some(Err(error)), _) => Err(error),
            (_, Some(failure)) => Err(failure()),
            (Some(Ok(value)), None) => Ok(value),
            (None, None) => Err(ApiError::Internal("a write of a committed batch never ran".into())),
        };
        *self.outcome.lock() = Some(result);
    }
}
