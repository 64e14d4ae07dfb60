//! The database: one connection type over SQLite and PostgreSQL, a pool, embedded migrations,
//! and the helpers every resource uses to run queries off the actix workers.

pub mod schema;

use std::time::Duration;

use actix_web::web;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applied to every new SQLite connection: referential integrity is off by default in SQLite,
/// WAL lets readers work while one writer writes, and the busy timeout makes a second writer
/// wait for the lock instead of failing at once.
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;";

/// A connection to either backend. PostgreSQL is listed first, as diesel recommends: SQLite
/// accepts any string as a file name.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend type of [`DbConnection`], for boxed queries.
pub type Backend = <DbConnection as Connection>::Backend;
pub type Pool = r2d2::Pool<ConnectionManager>;

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
            DatabaseTarget::Postgres(url) => Ok(DbConnection::Pg(PgConnection::establish(url)?)),
            DatabaseTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(SQLITE_PRAGMAS)?;
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

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
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
        .build_unchecked(ConnectionManager { target: target.clone() })
}

/// Applies the migrations that have not run yet; returns how many ran.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let applied = match conn {
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS)?,
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS)?,
    };
    Ok(applied.len())
}

/// Runs `f` in a transaction that may write. On SQLite it begins `IMMEDIATE`, taking the write
/// lock first: a deferred transaction that reads and then writes fails at once with
/// `SQLITE_BUSY` when another writer got in between, where this one waits its turn.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConnection::Pg(_) => <DbConnection as Connection>::TransactionManager::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            // The original error is what the caller needs; a failed rollback leaves the
            // connection broken, and the pool discards broken connections.
            if let Err(rollback) =
                <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)
            {
                log::error!("rollback failed: {rollback}");
            }
            Err(error)
        }
    }
}

/// Runs blocking database work on actix's blocking thread pool with a pooled connection.
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(|e| ApiError::Unavailable(e.to_string()))?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
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

/// True when the database answers a trivial query.
pub fn ping(conn: &mut DbConnection) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}
