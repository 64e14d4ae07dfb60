//! The command line and environment, with every default in one place.

use std::path::PathBuf;
use std::time::Duration;

use actix_web::http::Uri;
use clap::{Args, Parser, Subcommand, ValueEnum};

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://jalin.db";
/// How long a client may take to send a request body once its head has arrived.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest file a document may hold (`JALIN_MAX_FILE_BYTES`): 32 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// How long a whole file upload may take (`JALIN_UPLOAD_TIMEOUT_SECONDS`): 10 minutes, 32 MiB
/// at 55 KB/s; a client may also pause no longer than [`DEFAULT_BODY_TIMEOUT`] at a time.
pub const DEFAULT_UPLOAD_TIMEOUT: Duration = Duration::from_secs(600);
/// Uploads received at once (`JALIN_MAX_CONCURRENT_UPLOADS`), each spooled to a temporary file.
pub const DEFAULT_MAX_CONCURRENT_UPLOADS: usize = 4;
/// Largest document `POST /api/v1/import` reads (`JALIN_MAX_IMPORT_BYTES`), once decoded:
/// 64 MiB, some 120,000 action plans, imported in one transaction.
pub const DEFAULT_MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;
/// The IATI export's defaults: identifiers under `XM-JALIN` (`XM` is IATI's prefix for an
/// organisation without a registered identifier), reported by a local government (type 11).
pub const DEFAULT_IATI_PREFIX: &str = "XM-JALIN";
pub const DEFAULT_IATI_ORG_NAME: &str = "Jalin paradiplomacy registry";
pub const DEFAULT_IATI_ORG_TYPE: u16 = 11;

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
    /// How log lines are written: `text` for people, `json` (one object per line) for log
    /// collectors. Read before any command runs, so it applies to every command.
    #[arg(long, env = "JALIN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// How log lines are written (`JALIN_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// env_logger's own lines: `[time LEVEL target] message`.
    Text,
    /// One JSON object per line: `time`, `level`, `target`, `message`, and the fields of the
    /// line (the access line's `request_id`, `method`, `path`, `status`, `duration_ms`).
    Json,
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
    /// List every token, revoked ones included: id, name, role, when created and revoked.
    /// Never a secret (only hashes are stored) nor a hash.
    List(DatabaseArgs),
    /// Revoke a token: it stops working with the next request. Audited as `cli`.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TokenRevokeArgs {
    /// The token's id, as `jalin token list` shows it.
    pub id: i64,
    #[command(flatten)]
    pub database: DatabaseArgs,
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
    /// The document to import; `-` reads it from standard input.
    pub file: PathBuf,
    /// Check the whole document and print the counts an import would give, writing nothing
    /// (the import runs in a transaction that is rolled back, audit events included).
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

impl ImportArgs {
    /// Whether the document comes from standard input (`-`) rather than a file.
    pub fn reads_standard_input(&self) -> bool {
        self.file.as_os_str() == "-"
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "JALIN_BIND", default_value = DEFAULT_BIND)]
    pub bind: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "JALIN_WORKERS", value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: Option<u16>,
    /// Pooled database connections, shared by the workers (default: 4 per worker, at least 16).
    /// A read holds one while it runs, a write on PostgreSQL too (SQLite's writer thread has
    /// one of its own), and a streamed response (CSV, exports) as long as it streams.
    #[arg(long, env = "JALIN_DATABASE_CONNECTIONS", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub database_connections: Option<u16>,
    /// Threads per worker that run database work off the workers: reads, and writes on
    /// PostgreSQL (default: 2 on SQLite, whose reads keep a core busy, so that more threads
    /// than that only take turns; on PostgreSQL, whose reads wait for the server, the pooled
    /// connections divided among the workers).
    #[arg(long, env = "JALIN_DATABASE_THREADS", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub database_threads: Option<u16>,
    /// Load the West Java - Souss-Massa demo data set when the database has no agreement yet.
    #[arg(long)]
    pub demo: bool,
    /// Whether reads need no token; `false` makes every read need a viewer token.
    #[arg(long, env = "JALIN_PUBLIC_READ", default_value_t = true, action = clap::ArgAction::Set)]
    pub public_read: bool,
    /// Comma-separated origins that browsers may call the API from (none by default).
    #[arg(long, env = "JALIN_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Largest file a document may hold, in bytes.
    #[arg(long, env = "JALIN_MAX_FILE_BYTES", default_value_t = DEFAULT_MAX_FILE_BYTES,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub max_file_bytes: u64,
    /// Largest document `POST /api/v1/import` reads, in bytes once decoded.
    #[arg(long, env = "JALIN_MAX_IMPORT_BYTES", default_value_t = DEFAULT_MAX_IMPORT_BYTES,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub max_import_bytes: u64,
    /// Seconds a whole file upload may take (`408` after them).
    #[arg(long, env = "JALIN_UPLOAD_TIMEOUT_SECONDS", default_value_t = DEFAULT_UPLOAD_TIMEOUT.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub upload_timeout_seconds: u64,
    /// File uploads received at once; another one is `503` with `Retry-After` meanwhile.
    #[arg(long, env = "JALIN_MAX_CONCURRENT_UPLOADS", default_value_t = DEFAULT_MAX_CONCURRENT_UPLOADS as u16,
        value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub max_concurrent_uploads: u16,
    /// A secret registered at start as the admin token named `admin`. Only from the
    /// environment, so that it is never on a command line.
    #[arg(skip = std::env::var("JALIN_ADMIN_TOKEN").ok().filter(|token| !token.is_empty()))]
    pub admin_token: Option<String>,
    /// The start of every IATI activity identifier: `{prefix}-{agreement key}-{plan key}`.
    #[arg(long, env = "JALIN_IATI_PREFIX", default_value = DEFAULT_IATI_PREFIX)]
    pub iati_prefix: String,
    /// The IATI organisation identifier of the reporting organisation (default: the prefix).
    #[arg(long, env = "JALIN_IATI_ORG_REF")]
    pub iati_org_ref: Option<String>,
    /// The reporting organisation's name in the IATI export.
    #[arg(long, env = "JALIN_IATI_ORG_NAME", default_value = DEFAULT_IATI_ORG_NAME)]
    pub iati_org_name: String,
    /// The reporting organisation's type, a code of IATI's OrganisationType list (11: local
    /// government; 10: government).
    #[arg(long, env = "JALIN_IATI_ORG_TYPE", default_value_t = DEFAULT_IATI_ORG_TYPE,
        value_parser = clap::value_parser!(u16).range(1..100))]
    pub iati_org_type: u16,
}

/// Who reports the IATI export and how its activities are named.
#[derive(Debug, Clone)]
pub struct IatiSettings {
    /// `JALIN_IATI_PREFIX`.
    pub prefix: String,
    /// `JALIN_IATI_ORG_REF`.
    pub org_ref: String,
    /// `JALIN_IATI_ORG_NAME`.
    pub org_name: String,
    /// `JALIN_IATI_ORG_TYPE`.
    pub org_type: u16,
}

impl Default for IatiSettings {
    fn default() -> Self {
        Self {
            prefix: DEFAULT_IATI_PREFIX.to_owned(),
            org_ref: DEFAULT_IATI_PREFIX.to_owned(),
            org_name: DEFAULT_IATI_ORG_NAME.to_owned(),
            org_type: DEFAULT_IATI_ORG_TYPE,
        }
    }
}

impl IatiSettings {
    /// The settings, or why an identifier cannot be one: IATI identifiers are made of
    /// letters, digits and `-._:` (no spaces, no `/`).
    pub fn new(prefix: &str, org_ref: Option<&str>, org_name: &str, org_type: u16) -> Result<Self, String> {
        let org_ref = org_ref.filter(|r| !r.trim().is_empty()).unwrap_or(prefix);
        for (variable, value) in [("JALIN_IATI_PREFIX", prefix), ("JALIN_IATI_ORG_REF", org_ref)] {
            let valid = !value.is_empty()
                && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':'));
            if !valid {
                return Err(format!(
                    "{variable}: `{value}` must be an IATI identifier of letters, digits and - . _ :"
                ));
            }
        }
        if org_name.trim().is_empty() {
            return Err("JALIN_IATI_ORG_NAME must not be empty".to_owned());
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            org_ref: org_ref.to_owned(),
            org_name: org_name.trim().to_owned(),
            org_type,
        })
    }
}

/// How the service behaves, beyond where its data is: read from the command line and the
/// environment by [`ServeArgs::settings`], and the defaults for tests.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether reads need no token (`JALIN_PUBLIC_READ`).
    pub public_read: bool,
    /// Origins browsers may call the API from (`JALIN_CORS_ORIGINS`), checked and normalised.
    pub cors_origins: Vec<String>,
    /// How long a client may take to send a request body (`408` after that); for a file,
    /// how long it may pause between two parts of it.
    pub body_timeout: Duration,
    /// Largest file a document may hold (`JALIN_MAX_FILE_BYTES`); `413` beyond.
    pub max_file_bytes: u64,
    /// Largest import document (`JALIN_MAX_IMPORT_BYTES`); `413` beyond.
    pub max_import_bytes: u64,
    /// How long a whole file upload may take (`JALIN_UPLOAD_TIMEOUT_SECONDS`); `408` beyond.
    pub upload_timeout: Duration,
    /// File uploads received at once (`JALIN_MAX_CONCURRENT_UPLOADS`); `503` beyond.
    pub max_concurrent_uploads: usize,
    /// The IATI export's reporting organisation and identifiers.
    pub iati: IatiSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            public_read: true,
            cors_origins: Vec::new(),
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_import_bytes: DEFAULT_MAX_IMPORT_BYTES,
            upload_timeout: DEFAULT_UPLOAD_TIMEOUT,
            max_concurrent_uploads: DEFAULT_MAX_CONCURRENT_UPLOADS,
            iati: IatiSettings::default(),
        }
    }
}

impl ServeArgs {
    /// The settings, or what is wrong with them.
    pub fn settings(&self) -> Result<Settings, String> {
        Ok(Settings {
            public_read: self.public_read,
            cors_origins: parse_origins(&self.cors_origins)?,
            max_file_bytes: self.max_file_bytes,
            max_import_bytes: self.max_import_bytes,
            upload_timeout: Duration::from_secs(self.upload_timeout_seconds),
            max_concurrent_uploads: usize::from(self.max_concurrent_uploads),
            iati: IatiSettings::new(
                &self.iati_prefix,
                self.iati_org_ref.as_deref(),
                &self.iati_org_name,
                self.iati_org_type,
            )?,
            ..Settings::default()
        })
    }
}

impl Cli {
    /// `serve` with the top-level options when no command is given.
    pub fn command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// Reads `JALIN_CORS_ORIGINS` into origins as browsers send them (`https://host[:port]`, no
/// path, no trailing slash, the default port left out), or says which entry is wrong and why.
pub fn parse_origins(entries: &[String]) -> Result<Vec<String>, String> {
    let mut origins = Vec::new();
    for entry in entries.iter().map(|entry| entry.trim()).filter(|entry| !entry.is_empty()) {
        let origin = parse_origin(entry).map_err(|why| format!("JALIN_CORS_ORIGINS: `{entry}` {why}"))?;
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

fn parse_origin(entry: &str) -> Result<String, &'static str> {
    if entry == "*" {
        return Err(
            "is not allowed: list each origin that may call the API, such as https://dashboard.example.org",
        );
    }
    let uri: Uri = entry.parse().map_err(|_| "is not an origin such as https://dashboard.example.org")?;
    let scheme = match uri.scheme_str() {
        Some("http") => "http",
        Some("https") => "https",
        _ => return Err("must start with http:// or https://"),
    };
    let authority = uri.authority().ok_or("names no host")?;
    if authority.as_str().contains('@') {
        return Err("must not hold a user name");
    }
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err("must be an origin only, with no path or query: scheme, host and port");
    }
    let host = authority.host().to_ascii_lowercase();
    let default_port = if scheme == "https" { 443 } else { 80 };
    Ok(match authority.port_u16() {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// Where a `sqlite://` URL points, for messages.
pub fn describe_database(url: &str) -> String {
    match crate::db::DatabaseTarget::parse(url) {
        Ok(crate::db::DatabaseTarget::Sqlite(path)) => format!("SQLite at {}", PathBuf::from(path).display()),
        Ok(crate::db::DatabaseTarget::Postgres(_)) => "PostgreSQL".to_owned(),
        Err(error) => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_as_browsers_send_them() {
        let entries = ["https://Dash.Example/", " http://localhost:5173", "https://a.example:443", ""]
            .map(str::to_owned);
        assert_eq!(
            parse_origins(&entries).unwrap(),
            ["https://dash.example", "http://localhost:5173", "https://a.example"]
        );
    }

    #[test]
    fn workers_are_at_least_one() {
        let serve = |workers: &str| Cli::try_parse_from(["jalin", "serve", "--workers", workers]);
        assert!(serve("0").is_err(), "no worker, nothing served");
        match serve("3").map(|cli| cli.command) {
            Ok(Some(Command::Serve(args))) => assert_eq!(args.workers, Some(3)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn database_connections_and_threads_are_between_one_and_a_thousand() {
        let serve =
            |flag: &str, n: &str| Cli::try_parse_from(["jalin", "serve", flag, n]).map(|cli| cli.command);
        type Read = fn(&ServeArgs) -> Option<u16>;
        let given: [(&str, Read); 2] = [
            ("--database-connections", |args| args.database_connections),
            ("--database-threads", |args| args.database_threads),
        ];
        for (flag, value) in given {
            assert!(serve(flag, "0").is_err() && serve(flag, "1001").is_err(), "{flag}");
            match serve(flag, "4") {
                Ok(Some(Command::Serve(args))) => assert_eq!(value(&args), Some(4), "{flag}"),
                other => panic!("{flag}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_log_format_is_text_unless_asked_and_is_read_after_any_command() {
        let format = |args: &[&str]| Cli::try_parse_from(args).map(|cli| cli.log_format);
        assert_eq!(format(&["jalin"]).unwrap(), LogFormat::Text);
        assert_eq!(format(&["jalin", "--log-format", "json"]).unwrap(), LogFormat::Json);
        assert_eq!(format(&["jalin", "serve", "--log-format", "json"]).unwrap(), LogFormat::Json);
        assert_eq!(format(&["jalin", "import", "-", "--log-format", "json"]).unwrap(), LogFormat::Json);
        assert_eq!(format(&["jalin", "token", "list", "--log-format", "json"]).unwrap(), LogFormat::Json);
        assert!(format(&["jalin", "--log-format", "yaml"]).is_err());
    }

    #[test]
    fn wildcards_paths_and_other_schemes_are_refused() {
        for bad in
            ["*", "dash.example", "ftp://dash.example", "https://dash.example/app", "https://x@dash.example"]
        {
            let error = parse_origins(&[bad.to_owned()]).unwrap_err();
            assert!(error.contains(bad), "{error}");
        }
    }
}
