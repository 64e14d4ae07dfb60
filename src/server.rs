//! Starting the service: open the database, migrate, serve.

use crate::config::{DatabaseArgs, ServeArgs, describe_database};
use crate::db::{self, DatabaseTarget, Pool};
use crate::http::AppState;

pub type StartResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Opens the database named by `args` and applies pending migrations.
pub fn open_database(args: &DatabaseArgs, pool_size: u32) -> StartResult<Pool> {
    let target = DatabaseTarget::parse(&args.database_url)?;
    let pool = db::open_pool(&target, pool_size)
        .map_err(|e| format!("cannot open {}: {e}", describe_database(&args.database_url)))?;
    let applied = db::run_migrations(&mut *pool.get()?)?;
    log::info!(
        "database: {} ({} migration{} applied)",
        describe_database(&args.database_url),
        applied,
        if applied == 1 { "" } else { "s" }
    );
    Ok(pool)
}

pub async fn serve(args: ServeArgs) -> StartResult<()> {
    let workers = args.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let pool = open_database(&args.database, (workers as u32 * 2).max(4))?;
    let state = AppState { pool };
    let server = actix_web::HttpServer::new(move || crate::app::build(state.clone()))
        .workers(workers)
        .bind(&args.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    for address in server.addrs() {
        log::info!("serving on http://{address}/ (Swagger UI at http://{address}/swagger-ui/)");
    }
    server.run().await?;
    Ok(())
}
