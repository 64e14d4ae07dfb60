//! Starting the service (open the database, migrate, serve) and the other commands: import,
//! tokens.

use std::io::Read;

use crate::config::{DatabaseArgs, ImportArgs, ServeArgs, TokenRevokeArgs, describe_database};
use crate::db::{self, DatabaseTarget, DbConnection, Pool};
use crate::http::AppState;
use crate::progress::ImportProgress;
use crate::tokens::TokenInfo;

pub type StartResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Opens the database named by `args`, applies pending migrations, and makes sure it can be
/// written: a read-only SQLite file is an error here rather than a 500 on every write.
pub fn open_database(args: &DatabaseArgs, pool_size: u32) -> StartResult<Pool> {
    let target = DatabaseTarget::parse(&args.database_url)?;
    let described = describe_database(&args.database_url);
    let pool = db::open_pool(&target, pool_size).map_err(|e| format!("cannot open {described}: {e}"))?;
    let mut conn = pool.get().map_err(|e| format!("cannot open {described}: {e}"))?;
    let applied = db::run_migrations(&mut conn).map_err(|e| format!("cannot migrate {described}: {e}"))?;
    db::patiently(&mut conn, db::check_writable)
        .map_err(|e| format!("{described} cannot be written: {e}"))?;
    log::info!("database: {described} ({applied} migration{} applied)", if applied == 1 { "" } else { "s" });
    if !db::folds_every_letter(&mut conn).map_err(|e| format!("cannot query {described}: {e}"))? {
        log::warn!(
            "{described} lower-cases ASCII letters only (its LC_CTYPE is not a UTF-8 locale): \
             searches with q will not match É to é; create the database with LC_CTYPE 'C.UTF-8'"
        );
    }
    Ok(pool)
}

pub async fn serve(args: ServeArgs) -> StartResult<()> {
    // Settings first: a mistake in them is reported before the database is touched.
    let settings = args.settings()?;
    let workers =
        args.workers.map_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()), usize::from);
    let pool_size = args.database_connections.map_or_else(|| (workers as u32 * 4).max(16), u32::from);
    let pool = open_database(&args.database, pool_size)?;
    // Read now, not at the first transaction: a fault of the build shows at start.
    log::info!(
        "currencies: ISO 4217 List One and List Three, published {}",
        crate::domain::currency::lists_published()
    );
    // The first admin token comes from the environment, so that no secret is on a command line.
    if let Some(token) = &args.admin_token {
        let registered =
            db::patiently(&mut *pool.get()?, |conn| crate::tokens::register_admin_token(conn, token))
                .map_err(|e| format!("JALIN_ADMIN_TOKEN: {}", e.operator_message()))?;
        log::info!("JALIN_ADMIN_TOKEN is {registered}");
    }
    if args.demo {
        let loaded = db::patiently(&mut *pool.get()?, crate::exchange::demo::load_demo)
            .map_err(|e| format!("cannot load the demo data set: {}", e.operator_message()))?;
        match loaded {
            Some(_) => log::info!("demo data set loaded: the West Java - Souss-Massa sister-province case"),
            None => log::info!("the database already has agreements: demo data set not loaded"),
        }
    }
    let target = DatabaseTarget::parse(&args.database.database_url)?;
    db::spawn_checkpointer(&target)?;
    let database_threads = args
        .database_threads
        .map_or_else(|| default_database_threads(&target, pool_size, workers), usize::from);
    let state =
        AppState::new(pool, &target, settings).map_err(|e| format!("cannot start the SQLite writer: {e}"))?;
    let listeners = crate::http::connection::listeners(&args.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    if listeners.is_empty() {
        return Err(format!("cannot listen on {}: it names no address", args.bind).into());
    }
    let addresses =
        listeners.iter().map(std::net::TcpListener::local_addr).collect::<std::io::Result<Vec<_>>>()?;
    let server = crate::http::connection::serve(
        move || crate::app::build(state.clone()),
        listeners,
        workers,
        database_threads,
    )?;
    for address in addresses {
        log::info!("serving on http://{address}/ (Swagger UI at http://{address}/swagger-ui/)");
    }
    server.await?;
    Ok(())
}

/// Blocking threads per worker for database work. On SQLite a read keeps a core busy from
/// start to end: two threads per worker keep each core fed while one hands its answer back,
/// and every thread more only takes turns (measured with the benchmark's workloads: 8 per
/// worker against 2, GET one 41,000 against 52,000 req/s, a filtered page 6,700 against 7,800).
/// Its writes need none: they queue for the writer thread (`db::Writer`). On PostgreSQL a
/// thread mostly waits for the server: as many in all as pooled connections, since a thread
/// more would only wait for a connection (actix's default, 512 divided among the workers,
/// measured 5-15% fewer requests per second).
fn default_database_threads(target: &DatabaseTarget, pool_size: u32, workers: usize) -> usize {
    match target {
        DatabaseTarget::Sqlite(_) => 2,
        DatabaseTarget::Postgres(_) => (pool_size as usize / workers).max(1),
    }
}

/// Imports a document, from a file or standard input (`-`), into the database named by
/// `args`; returns the counts as JSON. With `--dry-run` the import runs whole in a transaction
/// that is rolled back: the counts are those a real import would give, and nothing is written,
/// audit events included. Progress goes to standard error ([`ImportProgress`]).
pub fn import_file(args: &ImportArgs) -> StartResult<String> {
    let (text, source) = if args.reads_standard_input() {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
        (text, "standard input".to_owned())
    } else {
        let text = std::fs::read_to_string(&args.file)
            .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
        (text, args.file.display().to_string())
    };
    let value = crate::http::body::strict_json(text.as_bytes())
        .map_err(|e| format!("{source} is not valid JSON: {e}"))?;
    drop(text);
    let document = crate::exchange::DataDocument::parse(value).map_err(|e| e.operator_message())?;
    let pool = open_database(&args.database, 1)?;
    let mut progress = ImportProgress::on_stderr(document.records());
    let import = |conn: &mut DbConnection| {
        progress.start();
        crate::exchange::import::import_with_progress(conn, &document, "cli", &mut progress)
    };
    let conn = &mut *pool.get()?;
    let imported = if args.dry_run {
        db::rolled_back_write_transaction(conn, import)
    } else {
        db::write_transaction(conn, import)
    };
    progress.finish();
    let summary = match (imported, args.dry_run) {
        (Ok(summary), true) => {
            log::info!("dry run: the document imports, and nothing was written");
            summary
        }
        (Ok(summary), false) => summary,
        (Err(e), true) => {
            return Err(format!("the document would not import: {}", e.operator_message()).into());
        }
        (Err(e), false) => return Err(format!("nothing was imported: {}", e.operator_message()).into()),
    };
    Ok(serde_json::to_string_pretty(&summary)?)
}

/// Creates a token in the database named by `args`; returns the secret, to print once.
pub fn create_token(args: &crate::config::TokenCreateArgs) -> StartResult<String> {
    let pool = open_database(&args.database, 1)?;
    let token = crate::tokens::create(&mut *pool.get()?, &args.name, args.role, "cli")
        .map_err(|e| format!("no token was created: {}", e.operator_message()))?;
    Ok(token.token)
}

/// Every token of the database named by `args` as a table: id, name, role, when created and
/// when revoked (`-` while it works). Secrets are not stored; hashes are not shown.
pub fn list_tokens(args: &DatabaseArgs) -> StartResult<String> {
    let pool = open_database(args, 1)?;
    let tokens = crate::tokens::all(&mut *pool.get()?).map_err(|e| format!("cannot list the tokens: {e}"))?;
    Ok(token_table(&tokens))
}

/// Revokes the token `args.id` as `DELETE /api/v1/tokens/{id}` does, audited as `cli`;
/// says which token it was and since when it is revoked. An unknown id is an error.
pub fn revoke_token(args: &TokenRevokeArgs) -> StartResult<String> {
    let pool = open_database(&args.database, 1)?;
    let token = db::write_transaction(&mut *pool.get()?, |conn| {
        crate::tokens::revoke(conn, args.id, "cli")?;
        Ok::<_, crate::error::ApiError>(crate::tokens::info(conn, args.id)?)
    })
    .map_err(|e| format!("no token was revoked: {}", e.operator_message()))?;
    let since = token.revoked_at.map_or_else(|| "-".to_owned(), |at| at.to_string());
    Ok(format!("token {} ({}, {}) is revoked since {since}", token.id, printable(&token.name), token.role))
}

/// Tokens as columns aligned for a terminal, under a header line.
fn token_table(tokens: &[TokenInfo]) -> String {
    let header = ["ID", "NAME", "ROLE", "CREATED", "REVOKED"].map(str::to_owned);
    let rows: Vec<[String; 5]> = std::iter::once(header)
        .chain(tokens.iter().map(|token| {
            [
                token.id.to_string(),
                printable(&token.name),
                token.role.to_string(),
                token.created_at.to_string(),
                token.revoked_at.map_or_else(|| "-".to_owned(), |at| at.to_string()),
            ]
        }))
        .collect();
    let mut widths = [0; 5];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut table = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        table.push_str(cells.join("  ").trim_end());
        table.push('\n');
    }
    table
}

/// A token's name on one line of a terminal: control characters (a line break, an escape
/// sequence) written as escapes, so that a name cannot forge another row or recolour the
/// terminal.
fn printable(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn the_token_table_aligns_its_columns_and_escapes_control_characters() {
        let at = |text: &str| crate::domain::Timestamp(text.parse().unwrap());
        let tokens = [
            TokenInfo {
                id: 1,
                name: "admin".into(),
                role: Role::Admin,
                created_at: at("2026-01-02T03:04:05"),
                revoked_at: None,
            },
            TokenInfo {
                id: 12,
                name: "bureau\neditor".into(),
                role: Role::Editor,
                created_at: at("2026-01-02T03:04:05"),
                revoked_at: Some(at("2026-02-03T04:05:06")),
            },
        ];
        assert_eq!(
            token_table(&tokens),
            "ID  NAME            ROLE    CREATED               REVOKED\n\
             1   admin           admin   2026-01-02T03:04:05Z  -\n\
             12  bureau\\neditor  editor  2026-01-02T03:04:05Z  2026-02-03T04:05:06Z\n"
        );
    }
}
