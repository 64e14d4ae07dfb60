//! Where the service's write transactions run.
//!
//! On PostgreSQL, on any pooled connection, side by side (see [`write_transaction`]).
//!
//! On SQLite, which lets one writer in at a time, on a thread and a connection of their own,
//! in batches. A connection that finds the database changed by another connection since its
//! last transaction drops its page cache and its memory map of the file, then reads back every
//! page it writes; the one writer connection only ever sees its own changes, so its cache
//! stays warm. And while one batch commits, the writes that arrive queue up; the writer thread
//! then runs all of them in one transaction, each in a savepoint of its own, so that a write
//! that fails leaves the others as they were. Committing costs about the same for one write as
//! for many (the pages they share, like the ends of the tables and of the audit trail, go to
//! the log once), so the busier the service, the less each write costs. Nobody hears of a
//! write before the transaction that holds it has committed.
//!
//! A queued write holds no thread while it waits: its request awaits the outcome. (Writes
//! that each held a blocking thread needed many of those threads for batches to fill, and
//! reads then ran on as many threads as writes needed, more than two cores serve well.)

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use actix_web::web;
use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use tokio::sync::oneshot;

use super::{
    ConnectionManager, DatabaseTarget, DbConnection, Pool, SQLITE_WRITER, rollback, write_transaction,
};
use crate::error::ApiError;

#[derive(Clone)]
pub struct Writer {
    pool: Pool,
    /// On SQLite: the queue of the writer thread.
    sqlite: Option<mpsc::Sender<Box<dyn Job>>>,
}

impl Writer {
    /// The writer of a service on `pool`; on SQLite, its thread is started, and it ends once
    /// every copy of this writer is dropped.
    pub fn new(pool: Pool, target: &DatabaseTarget) -> std::io::Result<Self> {
        let sqlite = match target {
            DatabaseTarget::Sqlite(_) => {
                let (queue, writes) = mpsc::channel();
                let writer = SqliteWriter { target: target.clone(), connection: None };
                std::thread::Builder::new()
                    .name("jalin-sqlite-writer".into())
                    .spawn(move || writer.serve(&writes))?;
                Some(queue)
            }
            DatabaseTarget::Postgres(_) => None,
        };
        Ok(Self { pool, sqlite })
    }

    /// Runs `f` in a write transaction, off the actix workers, and answers once it is
    /// committed (or failed: then nothing of `f` is kept).
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        match &self.sqlite {
            Some(queue) => {
                let (outcome, answer) = oneshot::channel();
                queue
                    .send(Box::new(Write { work: f, result: None, outcome }))
                    .map_err(|_| ApiError::Unavailable("the SQLite writer has stopped".into()))?;
                answer.await.map_err(|_| ApiError::Internal("a queued write was never answered".into()))?
            }
            None => {
                let pool = self.pool.clone();
                web::block(move || {
                    let mut conn = super::live_connection(&pool)?;
                    write_transaction(&mut conn, f)
                })
                .await
                .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
            }
        }
    }
}

/// The SQLite writer thread's own state.
struct SqliteWriter {
    target: DatabaseTarget,
    /// The writer connection, opened at the first write, and again after one that broke it.
    connection: Option<DbConnection>,
}

impl SqliteWriter {
    /// Runs the writes queued, a batch at a time, until every sender is gone.
    fn serve(mut self, writes: &mpsc::Receiver<Box<dyn Job>>) {
        while let Ok(first) = writes.recv() {
            // Other writers of this process (imports, token changes) first come first served:
            // the writes that arrive while one runs join this batch.
            let _turn = SQLITE_WRITER.lock();
            let mut batch = vec![first];
            batch.extend(writes.try_iter());
            // Each write catches its own panic; one here is the writer's own, and must not
            // stop the writes to come. Those of the batch are answered with an error when
            // their outcomes are dropped unsent.
            if catch_unwind(AssertUnwindSafe(|| self.commit(batch))).is_err() {
                log::error!("the SQLite writer panicked; its connection is opened again");
                self.connection = None;
            }
        }
    }

    /// Runs the batch in one transaction and publishes every outcome.
    fn commit(&mut self, mut batch: Vec<Box<dyn Job>>) {
        let mut conn = match self.connection.take() {
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
            self.connection = Some(conn);
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
    /// Where the request that queued it awaits the outcome.
    outcome: oneshot::Sender<Result<T, ApiError>>,
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
        // A request that went away meanwhile hears nothing; the write stands (or not) all the same.
        let _ = self.outcome.send(result);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;

    use super::*;

    /// A SQLite writer on a new database with a table `t(x)`, and the directory that holds it.
    fn sqlite_writer() -> (Writer, tempfile::TempDir) {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("writer.db");
        let target = DatabaseTarget::Sqlite(path.to_string_lossy().into_owned());
        let mut conn = ConnectionManager::connect(&target).expect("the database opens");
        conn.batch_execute("CREATE TABLE t (x INTEGER NOT NULL)").expect("the table");
        let pool = crate::db::lazy_pool(&target, 1, Duration::from_secs(1));
        (Writer::new(pool, &target).expect("the writer thread starts"), directory)
    }

    fn insert(x: i64) -> impl FnMut(&mut DbConnection) -> Result<i64, ApiError> + Send + 'static {
        move |conn| {
            diesel::sql_query(format!("INSERT INTO t (x) VALUES ({x})")).execute(conn)?;
            Ok(x)
        }
    }

    /// Writes that wait for their turn hold no blocking thread: with one blocking thread in
    /// all and three writes queued behind another writer, blocking work (a read) still runs.
    #[test]
    fn queued_sqlite_writes_leave_the_blocking_threads_to_reads() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(1)
            .enable_time()
            .build()
            .expect("a runtime");
        let (writer, _directory) = sqlite_writer();
        // Another writer of this process (an import, say) has the turn until told to end.
        let (turn_taken, turn_is_taken) = mpsc::channel();
        let (end_turn, turn_ends) = mpsc::channel::<()>();
        let another_writer = std::thread::spawn(move || {
            let _turn = SQLITE_WRITER.lock();
            turn_taken.send(()).expect("the test waits");
            let _ = turn_ends.recv();
        });
        turn_is_taken.recv().expect("the other writer has the turn");
        runtime.block_on(async move {
            let writes: Vec<_> = (1..=3)
                .map(|x| {
                    tokio::spawn({
                        let writer = writer.clone();
                        async move { writer.run(insert(x)).await }
                    })
                })
                .collect();
            // Each write runs up to its wait for the writer thread.
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            let read = tokio::task::spawn_blocking(|| "read");
            let read = tokio::time::timeout(Duration::from_secs(10), read).await;
            assert!(matches!(read, Ok(Ok("read"))), "the read waited for the queued writes");
            assert!(
                writes.iter().all(|write| !write.is_finished()),
                "no write ran while another writer had the turn"
            );
            end_turn.send(()).expect("the other writer ends its turn");
            let mut written = Vec::new();
            for write in writes {
                written.push(write.await.expect("the write's task").expect("the write"));
            }
            written.sort_unstable();
            assert_eq!(written, [1, 2, 3]);
        });
        another_writer.join().expect("the other writer");
    }

    /// A write that fails is answered with its own error, leaves nothing behind, and the
    /// writer thread serves the next one. (A failure among the other writes of one batch:
    /// `tests/api/writes.rs`.)
    #[test]
    fn a_failed_write_answers_its_error_and_the_writer_goes_on() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
        let (writer, _directory) = sqlite_writer();
        runtime.block_on(async move {
            let failed = writer
                .run(|conn: &mut DbConnection| -> Result<(), ApiError> {
                    diesel::sql_query("INSERT INTO t (x) VALUES (NULL)").execute(conn)?;
                    Ok(())
                })
                .await;
            assert!(failed.is_err(), "NOT NULL holds");
            assert_eq!(writer.run(insert(7)).await.expect("the next write"), 7);
            let count = writer
                .run(|conn: &mut DbConnection| -> Result<i64, ApiError> {
                    Ok(crate::db::count_sql(conn, "SELECT COUNT(*) AS count FROM t")?)
                })
                .await
                .expect("the count");
            assert_eq!(count, 1, "the failed write left nothing");
        });
    }
}
