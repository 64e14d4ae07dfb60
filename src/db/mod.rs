//! The database: one connection type over SQLite and PostgreSQL, a pool, embedded migrations,
//! and the helpers every resource uses to run queries off the actix workers.

mod expressions;
pub mod schema;
mod writer;

pub use expressions::{AmongIds, Condition, TotalOf};
pub use writer::Writer;

use std::time::Duration;

use actix_web::web;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{ApiError, Transient};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applied to every new SQLite connection: referential integrity is off by default in SQLite,
/// WAL lets readers work while one writer writes, and the busy timeout makes a second writer
/// wait for the lock instead of failing at once (set first: turning a new file to WAL takes
/// that lock too, which another process starting at once may hold). In WAL mode, `synchronous = NORMAL` loses
/// nothing committed when the process dies (only, at worst, the last commits at a power
/// loss). Reads map the file into memory rather than copy each page into every connection's
/// cache, and temporary tables (exports) stay in memory.
///
/// The writer finishes a checkpoint itself once the log holds 1,000 pages (SQLite's default),
/// with the write lock held: the log can start again from its beginning only once every page
/// of it is copied, which the checkpointer thread cannot finish while writes keep coming. The
/// bigger the log is allowed to grow, the rarer and the longer that pause: under the POST
/// workload (~9,000 writes per second, ~15 pages each), p99 7.8-8.1 ms at 500 pages, 10.6 ms
/// at 1,000, 15 ms at 2,000 and 26-27 ms at 10,000, for 7,700, 8,100, 8,300 and 9,900-10,100
/// writes per second.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 1073741824; \
     PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 1000;";

/// Applied to every new PostgreSQL connection. The planner's defaults price a page read at
/// random as four sequential ones, as on a spinning disk; a registry's working set sits in
/// memory or on SSD, where they cost about the same, and with the default the planner
/// fetches and sorts every match of a filtered list (2.2 ms for a page at offset 400 of 500
/// matches) rather than walk the index that has them in order. JIT compilation pays off for
/// queries of seconds; for the reports' queries of milliseconds it costs more than it saves.
const POSTGRES_SETTINGS: &str = "SET random_page_cost = 1.1; SET jit = off;";

/// The most values one query binds for an `IN (...)` list. SQLite allows 32,766 variables per
/// statement and PostgreSQL 65,535; a longer list is split into queries of this many.
pub const MAX_BOUND_VALUES: usize = 5_000;

/// A connection to either backend. PostgreSQL is listed first, as diesel recommends: SQLite
/// accepts any string as a file name.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

diesel::define_sql_function! {
    /// `lower()` of a text, for case-insensitive search on both backends (SQLite's is
    /// replaced on every connection: see [`ConnectionManager`]).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// `lower()` of a nullable text.
    #[sql_name = "lower"]
    fn lower_nullable(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// The backend type of [`DbConnection`], for boxed queries.
pub type Backend = <DbConnection as Connection>::Backend;
pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// Where the data lives, decided once from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Postgres(String),
    /// A file path for SQLite.
    Sqlite(String),
}

impl DatabaseTarget {
    /// `postgres://` and `postgresql://` are PostgreSQL; `sqlite://PATH` or a plain path is
    /// SQLite (`sqlite:///abs/path` for an absolute path).
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if path.is_empty() || path == ":memory:" {
            // Each pooled connection would get its own empty in-memory database.
            return Err(format!("`{url}` is not a usable SQLite database file"));
        }
        Ok(Self::Sqlite(path.to_owned()))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgresql",
            Self::Sqlite(_) => "sqlite",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// Opens connections for the pool, setting up each SQLite connection as it is opened.
#[derive(Debug)]
pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl ConnectionManager {
    pub fn connect(target: &DatabaseTarget) -> Result<DbConnection, ConnectError> {
        match target {
            DatabaseTarget::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                conn.batch_execute(POSTGRES_SETTINGS)?;
                Ok(DbConnection::Pg(conn))
            }
            DatabaseTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(SQLITE_PRAGMAS)?;
                // SQLite's own lower() folds ASCII letters only: `q=JAWA` would find `Jawa`
                // but `q=ÉCONOMIE` not `économie`. Searches fold both sides with Rust's
                // Unicode lower case instead, as PostgreSQL's lower() does in a UTF-8 locale.
                // (No index is built on lower(), so none depends on the built-in.)
                lower_nullable_utils::register_impl(&mut conn, |text: Option<String>| {
                    text.map(|text| text.to_lowercase())
                })?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        Self::connect(&self.target)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        Ok(conn.batch_execute("SELECT 1")?)
    }

    /// A connection whose transaction could not end, or that [`run`] found dead, is dropped
    /// rather than handed out again.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// Opens the pool after one direct connection, so that a wrong URL or password is reported
/// as such at once rather than as a pool time-out.
pub fn open_pool(target: &DatabaseTarget, max_size: u32) -> Result<Pool, ConnectError> {
    drop(ConnectionManager::connect(target)?);
    Ok(lazy_pool(target, max_size, Duration::from_secs(5)))
}

/// A pool that connects only when a connection is asked for; waiting longer than `timeout`
/// for one is an error (`503` to clients).
pub fn lazy_pool(target: &DatabaseTarget, max_size: u32, timeout: Duration) -> Pool {
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        // A PostgreSQL connection breaks when the server restarts, but trying each one before
        // handing it out costs a round trip on every request: [`run`] finds dead ones when
        // they fail instead, and writes check theirs first ([`live_connection`]). A SQLite
        // connection is a file handle that does not break.
        .test_on_check_out(false)
        .build_unchecked(ConnectionManager { target: target.clone() })
}

/// How often [`spawn_checkpointer`] copies the SQLite WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// For SQLite: a thread with a connection of its own that copies the write-ahead log back into
/// the database file, often and without blocking anyone (`PASSIVE`), so that the checkpoint the
/// writer finishes itself at 1,000 pages ([`SQLITE_PRAGMAS`]) has little left to copy. A failed
/// checkpoint is logged and tried again. Nothing to do on PostgreSQL.
pub fn spawn_checkpointer(target: &DatabaseTarget) -> Result<(), ConnectError> {
    if let DatabaseTarget::Postgres(_) = target {
        return Ok(());
    }
    let mut conn = ConnectionManager::connect(target)?;
    let spawned = std::thread::Builder::new().name("jalin-checkpoint".to_owned()).spawn(move || {
        loop {
            std::thread::sleep(CHECKPOINT_EVERY);
            if let Err(error) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
                log::warn!("WAL checkpoint failed: {error}");
            }
        }
    });
    if let Err(error) = spawned {
        log::warn!("no WAL checkpoint thread ({error}): writers will checkpoint");
    }
    Ok(())
}

/// The key of the PostgreSQL advisory lock held while migrations run (any constant no other
/// program on the database uses: "jalin" in ASCII).
const MIGRATIONS_LOCK_KEY: i64 = 0x6a_61_6c_69_6e;

/// Applies the migrations that have not run yet; returns how many ran.
///
/// Processes that start at once on one database (replicas of a deployment, a rolling update)
/// take turns: each reads which migrations are pending and applies them while it holds a lock
/// that the others wait for, so every migration runs once and the later processes find none
/// pending. On PostgreSQL the lock is a session advisory lock; on SQLite an exclusive lock on
/// a file beside the database (`<database>.migrations.lock`), since a SQLite transaction cannot
/// hold it (migration 000011 runs outside one, to rebuild a table with foreign keys off).
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, MigrationError> {
    match conn {
        DbConnection::Pg(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATIONS_LOCK_KEY})"))?;
            let applied = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|applied| applied.len());
            // Also released when the connection closes, should this fail.
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATIONS_LOCK_KEY})"))?;
            Ok(applied.map_err(MigrationError::Migration)?)
        }
        DbConnection::Sqlite(c) => {
            let _held = lock_sqlite_migrations(&sqlite_file(c)?)?;
            Ok(c.run_pending_migrations(SQLITE_MIGRATIONS).map_err(MigrationError::Migration)?.len())
        }
    }
}

/// Why migrations could not run.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("{0}")]
    Migration(Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("cannot lock {path} while migrating: {source}")]
    Lock { path: String, source: std::io::Error },
}

/// The file of a SQLite connection's main database, as SQLite resolved it.
fn sqlite_file(conn: &mut SqliteConnection) -> QueryResult<String> {
    #[derive(diesel::QueryableByName)]
    struct Main {
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let main: Main =
        diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'").get_result(conn)?;
    Ok(main.file)
}

/// The exclusive lock on `<path>.migrations.lock`, waited for as long as another process
/// holds it; released when the returned file is dropped or the process ends, however it ends.
/// (Not a lock on the database file itself: closing any descriptor of that file would release
/// the locks SQLite's own connections of this process hold on it.)
fn lock_sqlite_migrations(path: &str) -> Result<std::fs::File, MigrationError> {
    let lock_path = format!("{path}.migrations.lock");
    let lock = |file: std::fs::File| file.lock().map(|()| file);
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .and_then(lock)
        .map_err(|source| MigrationError::Lock { path: lock_path, source })
}

/// Applies, in order, the pending migrations whose version is at most `last` (such as
/// `20261203000010`): how a test brings a database to an earlier schema, to check that the
/// later migrations keep its data.
#[cfg(feature = "testing")]
pub fn run_migrations_up_to(
    conn: &mut DbConnection,
    last: &str,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    fn up_to<DB: diesel::backend::Backend>(
        harness: &mut impl MigrationHarness<DB>,
        source: EmbeddedMigrations,
        last: &str,
    ) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
        let pending = harness.pending_migrations(source)?;
        let mut applied = 0;
        for migration in pending.iter().filter(|m| m.name().version().to_string().as_str() <= last) {
            harness.run_migration(&**migration)?;
            applied += 1;
        }
        Ok(applied)
    }
    match conn {
        DbConnection::Pg(c) => up_to(c, POSTGRES_MIGRATIONS, last),
        DbConnection::Sqlite(c) => up_to(c, SQLITE_MIGRATIONS, last),
    }
}

/// How many times a write transaction runs at most on PostgreSQL, where concurrent
/// transactions can fail each other (see [`write_transaction`]).
const WRITE_ATTEMPTS: u32 = 10;

/// Runs `f` in a transaction that may write, and commits it.
///
/// On SQLite it begins `IMMEDIATE`, taking the write lock first: a deferred transaction that
/// reads and then writes fails at once with `SQLITE_BUSY` when another writer got in between,
/// where this one waits its turn, so writers never fail each other. PostgreSQL lets writers
/// run side by side, so two transactions may both find a key free and both insert it; the one
/// that loses gets a unique violation (or a serialization failure, or a deadlock). The whole
/// transaction is then run again, up to [`WRITE_ATTEMPTS`] times: it now sees the winner's
/// row, and an import updates it where it would have created it, as on SQLite. A genuine
/// duplicate fails the same way each time and is reported as such.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnMut(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error> + Transient,
{
    transaction_with_retries(conn, f, End::Commit)
}

/// Runs `f` as [`write_transaction`] does (the write lock first on SQLite, run again after a
/// transient failure on PostgreSQL), then rolls the transaction back whatever `f` returned:
/// `f` sees its own writes, and nothing of them is kept (`jalin import --dry-run`).
pub fn rolled_back_write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnMut(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error> + Transient,
{
    transaction_with_retries(conn, f, End::RollBack)
}

/// How a write transaction ends when its work succeeds; a failure always rolls it back.
#[derive(Clone, Copy)]
enum End {
    Commit,
    RollBack,
}

fn transaction_with_retries<T, E, F>(conn: &mut DbConnection, mut f: F, end: End) -> Result<T, E>
where
    F: FnMut(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error> + Transient,
{
    let attempts = match conn {
        DbConnection::Pg(_) => WRITE_ATTEMPTS,
        DbConnection::Sqlite(_) => 1,
    };
    let mut attempt = 1;
    loop {
        match transaction_once(conn, &mut f, end) {
            Err(error) if attempt < attempts && error.is_transient() => {
                log::debug!("write transaction failed transiently (attempt {attempt}); running it again");
                // A short pause, growing and jittered, so that the retries do not collide again.
                let jitter = u64::from(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_micros())
                        % 1000,
                );
                std::thread::sleep(Duration::from_micros(u64::from(attempt) * 2_000 + jitter));
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// SQLite writers of this process, one at a time, first come first served. SQLite lets one
/// writer in at a time anyway; a writer that finds the lock taken waits in SQLite's busy
/// handler, which sleeps and polls (up to tens of milliseconds a turn), so that under many
/// writers some wait for a second while the lock stands free. Queued here (a fair mutex: no
/// writer overtakes one that waits), each starts as soon as the one before ends. The busy timeout still covers writers of
/// other processes.
static SQLITE_WRITER: parking_lot::FairMutex<()> = parking_lot::const_fair_mutex(());

fn transaction_once<T, E, F>(conn: &mut DbConnection, f: &mut F, end: End) -> Result<T, E>
where
    F: FnMut(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let _turn = match conn {
        DbConnection::Sqlite(_) => Some(SQLITE_WRITER.lock()),
        DbConnection::Pg(_) => None,
    };
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConnection::Pg(_) => <DbConnection as Connection>::TransactionManager::begin_transaction(conn)?,
    }
    match (f(conn), end) {
        (Ok(value), End::Commit) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        (Ok(value), End::RollBack) => {
            // Unlike a failed transaction's, this rollback must succeed: the caller reports
            // that nothing was written.
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Ok(value)
        }
        (Err(error), _) => {
            rollback(conn);
            Err(error)
        }
    }
}

/// Ends the open transaction without keeping anything. The original error is what the caller
/// needs; a failed rollback leaves the connection broken, and the pool discards broken
/// connections.
fn rollback(conn: &mut DbConnection) {
    if let Err(rollback) = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn) {
        log::error!("rollback failed: {rollback}");
    }
}

/// Runs `f` on one consistent snapshot of the database, however long it reads, and then
/// ends the transaction without keeping anything it wrote (temporary tables included).
/// PostgreSQL needs `REPEATABLE READ` for one snapshot across statements; a SQLite read
/// transaction in WAL mode reads one snapshot and does not block writers.
pub fn read_snapshot<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?,
        DbConnection::Pg(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN ISOLATION LEVEL REPEATABLE READ")?
        }
    }
    let result = f(conn);
    rollback(conn);
    result
}

/// `COLLATE` clause that orders text by its bytes, as keys are ordered in exports: SQLite
/// compares bytes by default, PostgreSQL by the database's locale unless told otherwise.
pub fn byte_order(conn: &DbConnection) -> &'static str {
    match conn {
        DbConnection::Pg(_) => r#" COLLATE "C""#,
        DbConnection::Sqlite(_) => "",
    }
}

/// Gathers statistics on a temporary table just filled. PostgreSQL's autovacuum never sees
/// temporary tables, and without statistics the planner sorts the whole table for every
/// `LIMIT` rather than walk its index; SQLite plans from the index alone.
pub fn analyze_temporary(conn: &mut DbConnection, table: &'static str) -> QueryResult<()> {
    match conn {
        DbConnection::Pg(pg) => pg.batch_execute(&format!("ANALYZE {table}")),
        DbConnection::Sqlite(_) => Ok(()),
    }
}

/// One count, from SQL written for both backends.
pub fn count_sql(conn: &mut DbConnection, sql: &str) -> QueryResult<i64> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    Ok(diesel::sql_query(sql).get_result::<Count>(conn)?.count)
}

/// Runs blocking reads on actix's blocking thread pool with a pooled connection. A read that
/// fails on a PostgreSQL connection the server has closed (it restarted) is read again on
/// another: the pool holds at most `max_size` dead ones, each dropped once found.
pub async fn run<T, F>(pool: &Pool, mut f: F) -> Result<T, ApiError>
where
    F: FnMut(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut attempts_left = pool.max_size();
        loop {
            let mut conn = pool.get().map_err(|e| ApiError::Unavailable(e.to_string()))?;
            match f(&mut conn) {
                Err(error)
                    if attempts_left > 0 && error.may_be_connection_failure() && !is_alive(&mut conn) =>
                {
                    log::debug!("dropped a dead database connection: {error}");
                    attempts_left -= 1;
                }
                result => return result,
            }
        }
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
}

/// Runs blocking work that writes in a transaction of its own (outside [`Writer`]) on actix's
/// blocking thread pool, once: a write whose connection died may have been committed, so it
/// is not run again. The connection is checked first, as writes' are.
pub async fn run_once<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = live_connection(&pool)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
}

/// Whether the connection still answers. One that does not is marked so that the pool drops
/// it ([`ConnectionManager::has_broken`]).
fn is_alive(conn: &mut DbConnection) -> bool {
    if ping(conn).is_ok() {
        return true;
    }
    <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn).set_in_error();
    false
}

/// Before a write on PostgreSQL: a dead connection is dropped and another taken, so that a
/// write is not refused for a connection the server closed while it sat in the pool. (A read
/// is just run again on another; a write that failed half-way may not be.)
pub fn live_connection(pool: &Pool) -> Result<PooledConnection, ApiError> {
    let mut attempts_left = pool.max_size();
    loop {
        let mut conn = pool.get().map_err(|e| ApiError::Unavailable(e.to_string()))?;
        if matches!(*conn, DbConnection::Sqlite(_)) || is_alive(&mut conn) || attempts_left == 0 {
            return Ok(conn);
        }
        attempts_left -= 1;
    }
}

/// Locks a row of `table` against other writers until the transaction ends. On SQLite the
/// write transaction (`BEGIN IMMEDIATE`) already excludes other writers; PostgreSQL locks the
/// row. `table` is one of the schema's names, never client input.
pub fn lock_row(conn: &mut DbConnection, table: &'static str, id: i64) -> QueryResult<()> {
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query(format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(pg)?;
    }
    Ok(())
}

/// How long a SQLite connection waits for the write lock while the service starts: other
/// processes starting at once on the same file may hold it for their own start (migrations,
/// the demo data set), longer than a request would wait.
const STARTUP_BUSY_TIMEOUT_MS: u32 = 600_000;

/// Runs `f`, the service's own writes at start, waiting for SQLite's write lock as long as
/// [`STARTUP_BUSY_TIMEOUT_MS`] rather than a request's 5 s; the connection then waits as before.
pub fn patiently<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if let DbConnection::Sqlite(sqlite) = conn {
        sqlite.batch_execute(&format!("PRAGMA busy_timeout = {STARTUP_BUSY_TIMEOUT_MS}"))?;
    }
    let result = f(conn);
    if let DbConnection::Sqlite(sqlite) = conn {
        // Back to what `SQLITE_PRAGMAS` set.
        sqlite.batch_execute("PRAGMA busy_timeout = 5000")?;
    }
    result
}

/// Fails unless the database accepts writes. SQLite opens a file it may not write read-only
/// without a word, and the first write would fail much later; a table created and dropped in
/// a transaction that is rolled back finds out now and leaves nothing behind.
pub fn check_writable(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Sqlite(sqlite) = conn {
        sqlite.batch_execute("BEGIN IMMEDIATE")?;
        let written = sqlite.batch_execute("CREATE TABLE jalin_write_check (x INTEGER)");
        sqlite.batch_execute("ROLLBACK")?;
        written?;
    }
    Ok(())
}

/// Whether the database lower-cases every letter, not only ASCII ones: what `q` needs to find
/// `économie` from `ÉCONOMIE`. SQLite's own lower() is replaced on every connection (see
/// [`ConnectionManager`]); PostgreSQL's follows the database's `LC_CTYPE`, which must be a
/// UTF-8 locale (`C.UTF-8`, `en_US.UTF-8`: the default of the official image), not `C`.
pub fn folds_every_letter(conn: &mut DbConnection) -> QueryResult<bool> {
    Ok(count_sql(conn, "SELECT CAST(CASE WHEN lower('ÉΑ') = 'éα' THEN 1 ELSE 0 END AS BIGINT) AS count")?
        == 1)
}

/// Runs a statement on the backend's own connection (see [`load_on_backend`]): a multi-row
/// insert, which the two-backend connection cannot build, or a statement of every write.
pub fn execute_on_backend<Q>(conn: &mut DbConnection, statement: Q) -> QueryResult<usize>
where
    Q: ExecuteDsl<PgConnection> + ExecuteDsl<SqliteConnection>,
{
    match conn {
        DbConnection::Pg(pg) => ExecuteDsl::execute(statement, pg),
        DbConnection::Sqlite(sqlite) => ExecuteDsl::execute(statement, sqlite),
    }
}

/// Loads the rows of a statement on the backend's own connection: for a statement that diesel
/// builds for each backend's connection but not for the two-backend one (a multi-row insert
/// that returns what it wrote), and for the statements of every request (a record, a token, a
/// page's links), which the backend's connection finds in its cache by their type, where the
/// two-backend connection writes their SQL out and hashes it each time (~8% of a GET's CPU).
pub fn load_on_backend<'query, Q, U>(conn: &mut DbConnection, statement: Q) -> QueryResult<Vec<U>>
where
    Q: diesel::query_dsl::LoadQuery<'query, PgConnection, U>
        + diesel::query_dsl::LoadQuery<'query, SqliteConnection, U>,
{
    match conn {
        DbConnection::Pg(pg) => RunQueryDsl::load(statement, pg),
        DbConnection::Sqlite(sqlite) => RunQueryDsl::load(statement, sqlite),
    }
}

/// The first row of a statement run on the backend's own connection (see [`load_on_backend`]);
/// the statement says `LIMIT 1` itself.
pub fn first_on_backend<'query, Q, U>(conn: &mut DbConnection, statement: Q) -> QueryResult<Option<U>>
where
    Q: diesel::query_dsl::LoadQuery<'query, PgConnection, U>
        + diesel::query_dsl::LoadQuery<'query, SqliteConnection, U>,
{
    Ok(load_on_backend(conn, statement)?.into_iter().next())
}

/// True when the database answers a trivial query.
pub fn ping(conn: &mut DbConnection) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}
