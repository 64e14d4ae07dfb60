//! The command line and environment, with every default in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://jalin.db";

/// Jalin: a registry of paradiplomacy (sister provinces, sister cities, their action plans
/// and obstacles) served as a REST/JSON API.
#[derive(Debug, Parser)]
#[command(name = "jalin", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, the default command.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default command). Pending migrations are applied first.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// Import a document (JSON records that refer to each other by key): all of it or nothing.
    Import(ImportArgs),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `postgres://...` for PostgreSQL; `sqlite://PATH` or a plain path for SQLite.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it; it is shown this once (only its hash is stored).
    Create(TokenCreateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TokenCreateArgs {
    /// Who or what will use the token: the actor named in the audit trail.
    #[arg(long)]
    pub name: String,
    /// `viewer`, `editor` or `admin`.
    #[arg(long)]
    pub role: crate::domain::Role,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The document to import.
    pub file: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "JALIN_BIND", default_value = DEFAULT_BIND)]
    pub bind: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "JALIN_WORKERS")]
    pub workers: Option<usize>,
    /// Load the West Java - Souss-Massa demo data set when the database has no agreement yet.
    #[arg(long)]
    pub demo: bool,
    /// Whether reads need no token; `false` makes every read need a viewer token.
    #[arg(long, env = "JALIN_PUBLIC_READ", default_value_t = true, action = clap::ArgAction::Set)]
    pub public_read: bool,
    /// Comma-separated origins that browsers may call the API from (none by default).
    #[arg(long, env = "JALIN_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
}

impl Cli {
    /// `serve` with the top-level options when no command is given.
    pub fn command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// Where a `sqlite://` URL points, for messages.
pub fn describe_database(url: &str) -> String {
    match crate::db::DatabaseTarget::parse(url) {
        Ok(crate::db::DatabaseTarget::Sqlite(path)) => format!("SQLite at {}", PathBuf::from(path).display()),
        Ok(crate::db::DatabaseTarget::Postgres(_)) => "PostgreSQL".to_owned(),
        Err(error) => error,
    }
}
