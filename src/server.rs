//! Starting the service: open the database, migrate, serve.

use crate::config::{DatabaseArgs, ServeArgs, describe_database};
use crate::db::{self, DatabaseTarget, Pool};
use crate::http::AppState;

pub type StartResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Opens the database named by `args`, applies pending migrations, and makes sure it can be
/// written: a read-only SQLite file is an error here rather than a 500 on every write.
pub fn open_database(args: &DatabaseArgs, pool_size: u32) -> StartResult<Pool> {
    let target = DatabaseTarget::parse(&args.database_url)?;
    let described = describe_database(&args.database_url);
    let pool = db::open_pool(&target, pool_size).map_err(|e| format!("cannot open {described}: {e}"))?;
    let mut conn = pool.get().map_err(|e| format!("cannot open {described}: {e}"))?;
    let applied = db::run_migrations(&mut conn).map_err(|e| format!("cannot migrate {described}: {e}"))?;
    db::check_writable(&mut conn).map_err(|e| format!("{described} cannot be written: {e}"))?;
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
    // The first admin token comes from the environment, so that no secret is on a command line.
    if let Some(token) = &args.admin_token {
        let registered = crate::tokens::register_admin_token(&mut *pool.get()?, token)
            .map_err(|e| format!("JALIN_ADMIN_TOKEN: {}", e.operator_message()))?;
        log::info!("JALIN_ADMIN_TOKEN is {registered}");
    }
    if args.demo {
        let loaded = crate::exchange::demo::load_demo(&mut *pool.get()?)
            .map_err(|e| format!("cannot load the demo data set: {}", e.operator_message()))?;
        match loaded {
            Some(_) => log::info!("demo data set loaded: the West Java - Souss-Massa sister-province case"),
            None => log::info!("the database already has agreements: demo data set not loaded"),
        }
    }
    let target = DatabaseTarget::parse(&args.database.database_url)?;
    db::spawn_checkpointer(&target)?;
    let state = AppState::new(pool, &target, settings);
    let server = actix_web::HttpServer::new(move || crate::app::build(state.clone()))
        .workers(workers)
        // As many blocking threads in all as pooled connections: a thread more would only wait
        // for a connection, and each thread woken costs context switches (actix's default,
        // 512 divided among the workers, measured 5-15% fewer requests per second).
        .worker_max_blocking_threads((pool_size as usize / workers).max(1))
        .bind(&args.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    for address in server.addrs() {
        log::info!("serving on http://{address}/ (Swagger UI at http://{address}/swagger-ui/)");
    }
    server.run().await?;
    Ok(())
}

/// Imports a document file into the database named by `args`; returns the counts as JSON.
pub fn import_file(args: &crate::config::ImportArgs) -> StartResult<String> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let value = crate::http::body::strict_json(text.as_bytes())
        .map_err(|e| format!("{} is not valid JSON: {e}", args.file.display()))?;
    let document = crate::exchange::DataDocument::parse(value).map_err(|e| e.operator_message())?;
    let pool = open_database(&args.database, 1)?;
    let summary = db::write_transaction(&mut *pool.get()?, |conn| {
        crate::exchange::import::import(conn, &document, "cli")
    })
    .map_err(|e| format!("nothing was imported: {}", e.operator_message()))?;
    Ok(serde_json::to_string_pretty(&summary)?)
}

/// Creates a token in the database named by `args`; returns the secret, to print once.
pub fn create_token(args: &crate::config::TokenCreateArgs) -> StartResult<String> {
    let pool = open_database(&args.database, 1)?;
    let token = crate::tokens::create(&mut *pool.get()?, &args.name, args.role, "cli")
        .map_err(|e| format!("no token was created: {}", e.operator_message()))?;
    Ok(token.token)
}
