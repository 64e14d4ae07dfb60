//! Real `jalin serve` processes, fresh databases for them, and HTTP/1.1 requests written by
//! hand: for the tests that need several processes on one database, a process killed, or a
//! server's own memory.

#![allow(dead_code)] // Each test crate that includes this uses a part of it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use diesel::{Connection, RunQueryDsl};

pub const ADMIN_TOKEN: &str = "jalin-processes-admin-token-0123456789";

/// A `jalin serve` process and the address it listens on; killed when dropped.
pub struct Server {
    child: Child,
    pub address: String,
}

impl Server {
    /// Starts the server on `database_url` and waits until it says where it serves.
    pub fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[])
    }

    /// [`Server::start`] with more environment variables (settings such as limits).
    pub fn start_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::try_start(database_url, &[], env)
            .unwrap_or_else(|printed| panic!("the server ended before serving:\n{printed}"))
    }

    /// Starts the server with more arguments (`--demo`) and environment variables; what it
    /// printed when it ended before serving.
    pub fn try_start(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Result<Self, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jalin"))
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url", database_url])
            .args(args)
            .env_clear()
            .env("RUST_LOG", "info")
            .env("JALIN_ADMIN_TOKEN", ADMIN_TOKEN)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("jalin starts");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let mut printed = String::new();
        let address = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.wait();
                return Err(printed);
            };
            printed.push_str(&line);
            printed.push('\n');
            if let Some(rest) = line.split("serving on http://").nth(1) {
                break rest.split('/').next().unwrap_or_default().to_owned();
            }
        };
        // Keep reading the log, so that the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Self { child, address })
    }

    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("the killed server is reaped");
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The most memory the process has held so far (`VmHWM`, its resident peak), in bytes.
    pub fn peak_memory(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("/proc/PID/status");
        let line = status.lines().find(|line| line.starts_with("VmHWM:")).expect("a VmHWM line");
        let kib: u64 = line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("VmHWM in kB");
        kib * 1024
    }

    /// One request with the admin token: the status and the body.
    pub fn request(&self, method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, String)> {
        request(&self.address, method, path, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: the status, the head as text (lower case) and the body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// One HTTP/1.1 request with the admin token, on its own connection: the status and the body.
pub fn request(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let content_type = [("Content-Type", "application/json")];
    let headers: &[(&str, &str)] = if body.is_some() { &content_type } else { &[] };
    send(address, method, path, headers, body.unwrap_or("").as_bytes())
        .map(|answer| (answer.status, answer.body))
}

/// One HTTP/1.1 request on its own connection, with the admin token unless `headers` name
/// another `Authorization`; a body is sent with its `Content-Length`.
pub fn send(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("authorization")) {
        head.push_str(&format!("Authorization: Bearer {ADMIN_TOKEN}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    // A server may answer (413, 403) before it has read the whole body, and close.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let invalid =
        || std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not an HTTP response: {text:?}"));
    let status = text.split(' ').nth(1).and_then(|code| code.parse().ok()).ok_or_else(invalid)?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(invalid)?;
    let head = head.to_ascii_lowercase();
    let chunked = head.contains("transfer-encoding: chunked");
    let body = if chunked { dechunk(body).ok_or_else(invalid)? } else { body.to_owned() };
    Ok(Answer { status, head, body })
}

/// The body of a `Transfer-Encoding: chunked` response; `None` when it is cut off.
fn dechunk(mut rest: &str) -> Option<String> {
    let mut body = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n")?;
        let size = usize::from_str_radix(size.trim(), 16).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.push_str(after.get(..size)?);
        rest = after.get(size..)?.strip_prefix("\r\n")?;
    }
}

/// Whether the tests run on PostgreSQL (`TEST_DATABASE_URL=postgres://...`) rather than SQLite.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"))
}

/// A fresh database: a SQLite file in `directory`, or a new PostgreSQL database.
pub fn database(postgres: bool, directory: &std::path::Path) -> String {
    if !postgres {
        return format!("sqlite://{}", directory.join("jalin.db").display());
    }
    let server = std::env::var("TEST_DATABASE_URL")
        .expect("TEST_DATABASE_URL names the PostgreSQL server these tests use");
    let name = format!("jalin_processes_{}", uuid::Uuid::new_v4().simple());
    let mut conn = diesel::pg::PgConnection::establish(&server).expect("PostgreSQL answers");
    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn).expect("a database");
    let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

/// Drops a PostgreSQL database that [`database`] created.
pub fn drop_database(url: &str) {
    if let (Some((_, name)), Ok(server)) = (url.rsplit_once('/'), std::env::var("TEST_DATABASE_URL"))
        && url.starts_with("postgres")
        && let Ok(mut conn) = diesel::pg::PgConnection::establish(&server)
    {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
    }
}

/// A fresh database for the backend the tests run on, dropped with it.
pub struct FreshDatabase {
    pub url: String,
    _directory: tempfile::TempDir,
}

impl FreshDatabase {
    pub fn new() -> Self {
        let directory = tempfile::tempdir().expect("a temporary directory");
        Self { url: database(on_postgres(), directory.path()), _directory: directory }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        drop_database(&self.url);
    }
}
