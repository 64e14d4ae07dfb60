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
    // The first admin token comes from the environment, so that no secret is on a command line.
    if let Ok(token) = std::env::var("JALIN_ADMIN_TOKEN")
        && !token.is_empty()
    {
        crate::auth::register_admin_token(&mut *pool.get()?, &token).map_err(|e| e.problem().detail)?;
        log::info!("JALIN_ADMIN_TOKEN is registered as an admin token");
    }
    if args.demo {
        match crate::import::load_demo(&mut *pool.get()?).map_err(describe_error)? {
            Some(_) => log::info!("demo data set loaded: the West Java - Souss-Massa sister-province case"),
            None => log::info!("the database already has agreements: demo data set not loaded"),
        }
    }
    let settings = crate::http::Settings {
        public_read: args.public_read,
        cors_origins: args
            .cors_origins
            .iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect(),
    };
    let state = AppState::new(pool, settings);
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

/// Imports a document file into the database named by `args`; returns the counts as JSON.
pub fn import_file(args: &crate::config::ImportArgs) -> StartResult<String> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", args.file.display()))?;
    let document = crate::import::parse_document(value).map_err(describe_error)?;
    let pool = open_database(&args.database, 1)?;
    let summary =
        db::write_transaction(&mut *pool.get()?, |conn| crate::import::import(conn, &document, "cli"))
            .map_err(describe_error)?;
    Ok(serde_json::to_string_pretty(&summary)?)
}

/// An API error for a terminal: its detail, and every problem on a line of its own.
fn describe_error(error: crate::error::ApiError) -> String {
    let problem = error.problem();
    let mut text = problem.detail;
    for field in problem.errors {
        text.push_str(&format!("\n  {}: {}", field.field, field.message));
    }
    text
}

/// Creates a token in the database named by `args`; returns the secret, to print once.
pub fn create_token(args: &crate::config::TokenCreateArgs) -> StartResult<String> {
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > crate::input::NAME_MAX {
        return Err("the name must be 1 to 300 characters".into());
    }
    let pool = open_database(&args.database, 1)?;
    let token = crate::tokens::create(&mut *pool.get()?, name, args.role).map_err(describe_error)?;
    Ok(token.token)
}
