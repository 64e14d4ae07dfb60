//! The test application and request helpers.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use diesel::Connection;
use diesel::RunQueryDsl;
use diesel::pg::PgConnection;
use jalin::config::DatabaseArgs;
use jalin::config::Settings;
use jalin::testing::AppState;
use jalin::testing::Role;
use serde_json::{Value, json};

type Call = Box<dyn Fn(actix_http::Request) -> Pin<Box<dyn Future<Output = TestResponse>>>>;
type DigestCall = Box<dyn Fn(actix_http::Request) -> Pin<Box<dyn Future<Output = Digested>>>>;
type StreamCall = Box<dyn Fn(actix_http::Request) -> Pin<Box<dyn Future<Output = (StatusCode, Chunks)>>>>;

/// A response body read a chunk at a time, as the test asks for each: a failed chunk is a
/// body cut off.
pub type Chunks = Pin<Box<dyn futures_util::Stream<Item = Result<actix_web::web::Bytes, String>>>>;

/// A response whose body was read a chunk at a time and kept only as its length and SHA-256.
pub struct Digested {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The length the body declared before it was read (sent as `Content-Length`).
    pub declared_length: Option<u64>,
    pub length: u64,
    pub sha256: String,
}

/// The service on a fresh database of its own.
pub struct TestApp {
    call: Call,
    digest: DigestCall,
    stream: StreamCall,
    pool: jalin::testing::Pool,
    /// Tokens of each role, registered in the test's database.
    pub viewer_token: String,
    pub editor_token: String,
    pub admin_token: String,
    /// The database's URL, for the command-line paths.
    pub database_url: String,
    // Dropped after `call`, which holds the pool: the database goes last.
    _database: TestDatabase,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem response with this status, whose `errors` name exactly `fields`.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, fields: &[&str]) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.header("content-type"), Some("application/problem+json"));
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(problem["type"].is_string() && problem["title"].is_string() && problem["detail"].is_string());
        let mut named: Vec<&str> = problem["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        named.sort_unstable();
        let mut expected = fields.to_vec();
        expected.sort_unstable();
        assert_eq!(named, expected, "problem: {problem}");
        problem
    }
}

pub enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { server_url, name } = self
            && let Ok(mut conn) = PgConnection::establish(server_url)
        {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

pub fn fresh_database() -> (TestDatabase, String) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(server_url) if server_url.starts_with("postgres") => {
            let name = format!("jalin_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = PgConnection::establish(&server_url)
                .unwrap_or_else(|e| panic!("TEST_DATABASE_URL does not connect: {e}"));
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("create test database");
            let url = with_database(&server_url, &name);
            (TestDatabase::Postgres { server_url, name }, url)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", dir.path().join("jalin.db").display());
            (TestDatabase::Sqlite(dir), url)
        }
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_settings(Settings::default()).await
    }

    pub async fn with_settings(settings: Settings) -> Self {
        let (database, url) = fresh_database();
        let pool = jalin::server::open_database(&DatabaseArgs { database_url: url.clone() }, 4)
            .expect("open test database");
        let target = jalin::testing::DatabaseTarget::parse(&url).expect("a database URL");
        Self::with_state(AppState::new(pool, &target, settings).expect("the app's state"), database, url)
            .await
    }

    /// An app whose database never answers.
    pub async fn without_database() -> Self {
        let target = jalin::testing::DatabaseTarget::Postgres("postgres://nobody@127.0.0.1:9/none".into());
        let pool = jalin::testing::lazy_pool(&target, 1, std::time::Duration::from_millis(200));
        let dir = tempfile::tempdir().expect("temporary directory");
        Self::with_state(
            AppState::new(pool, &target, Settings::default()).expect("the app's state"),
            TestDatabase::Sqlite(dir),
            String::new(),
        )
        .await
    }

    async fn with_state(state: AppState, database: TestDatabase, database_url: String) -> Self {
        let mut tokens = Vec::new();
        for (name, role) in
            [("test-viewer", Role::Viewer), ("test-editor", Role::Editor), ("test-admin", Role::Admin)]
        {
            let token = jalin::testing::generate_token().expect("token");
            if let Ok(mut conn) = state.pool.get() {
                jalin::testing::register(&mut conn, name, role, &token).expect("register token");
            }
            tokens.push(token);
        }
        let [viewer_token, editor_token, admin_token] =
            <[String; 3]>::try_from(tokens).expect("three tokens");
        let pool = state.pool.clone();
        let service = Rc::new(test::init_service(jalin::app::build(state)).await);
        let opened = Rc::clone(&service);
        let stream: StreamCall = Box::new(move |request| {
            let service = Rc::clone(&opened);
            Box::pin(async move {
                let response = test::call_service(&*service, request).await;
                let status = response.status();
                let body = Box::pin(response.into_body());
                let chunks = futures_util::stream::unfold(body, |mut body| async move {
                    let chunk =
                        std::future::poll_fn(|cx| actix_web::body::MessageBody::poll_next(body.as_mut(), cx))
                            .await?;
                    Some((
                        chunk.map_err(|error| Into::<Box<dyn std::error::Error>>::into(error).to_string()),
                        body,
                    ))
                });
                (status, Box::pin(chunks) as Chunks)
            })
        });
        let streamed = Rc::clone(&service);
        let digest: DigestCall = Box::new(move |request| {
            let service = Rc::clone(&streamed);
            Box::pin(async move {
                use sha2::Digest;
                let response = test::call_service(&*service, request).await;
                let status = response.status();
                let headers = response.headers().clone();
                let body = response.into_body();
                let declared_length = match actix_web::body::MessageBody::size(&body) {
                    actix_web::body::BodySize::Sized(length) => Some(length),
                    _ => None,
                };
                let mut body = std::pin::pin!(body);
                let mut hasher = sha2::Sha256::new();
                let mut length = 0;
                while let Some(chunk) =
                    std::future::poll_fn(|cx| actix_web::body::MessageBody::poll_next(body.as_mut(), cx))
                        .await
                {
                    let chunk = chunk.map_err(Into::into).expect("a body chunk");
                    length += chunk.len() as u64;
                    hasher.update(&chunk);
                }
                let sha256 = hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect();
                Digested { status, headers, declared_length, length, sha256 }
            })
        });
        let call: Call = Box::new(move |request| {
            let service = Rc::clone(&service);
            Box::pin(async move {
                let response = test::call_service(&*service, request).await;
                let status = response.status();
                let headers = response.headers().clone();
                let body = test::read_body(response).await.to_vec();
                TestResponse { status, headers, body }
            })
        });
        Self {
            call,
            digest,
            stream,
            pool,
            viewer_token,
            editor_token,
            admin_token,
            database_url,
            _database: database,
        }
    }

    pub async fn send(&self, request: TestRequest) -> TestResponse {
        (self.call)(request.to_request()).await
    }

    /// Sends a request built by hand (with a body that arrives as the test decides).
    pub async fn send_request(&self, request: actix_http::Request) -> TestResponse {
        (self.call)(request).await
    }

    /// Sends a request and reads the response's body a chunk at a time, keeping only its
    /// length and SHA-256 (a large download never sits whole in the test's memory).
    pub async fn digest(&self, request: TestRequest) -> Digested {
        (self.digest)(request.to_request()).await
    }

    /// Sends a request; its status and its body, to be read a chunk at a time.
    pub async fn open(&self, request: TestRequest) -> (StatusCode, Chunks) {
        (self.stream)(request.to_request()).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(TestRequest::get().uri(path)).await
    }

    /// Takes every connection of the request pool and keeps them while the guard lives.
    pub fn hold_every_connection(&self) -> Vec<jalin::testing::PooledConnection> {
        (0..self.pool.max_size()).map(|_| self.pool.get().expect("a connection")).collect()
    }

    /// Runs SQL directly, for bulk test data that the API would take long to write.
    pub fn execute_sql(&self, sql: &str) {
        let mut conn = self.pool.get().expect("a connection");
        diesel::connection::SimpleConnection::batch_execute(&mut *conn, sql).expect("the SQL runs");
    }

    /// The request with the editor's token.
    pub fn as_editor(&self, request: TestRequest) -> TestRequest {
        with_token(request, &self.editor_token)
    }

    /// A write as the editor.
    pub async fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.send(self.as_editor(TestRequest::post().uri(path).set_json(body))).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> TestResponse {
        self.send(self.as_editor(TestRequest::default().method(Method::PATCH).uri(path).set_json(body))).await
    }

    pub async fn delete(&self, path: &str) -> TestResponse {
        self.send(self.as_editor(TestRequest::delete().uri(path))).await
    }

    /// Creates a record and returns it, failing the test unless the API answers `201`.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let response = self.post(path, &body).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&response.body));
        response.json()
    }

    /// How many records a list has in all (read with a viewer's token: personal lists need
    /// one).
    pub async fn total(&self, path: &str) -> i64 {
        let response = self.send(with_token(TestRequest::get().uri(path), &self.viewer_token)).await;
        assert_eq!(response.status, StatusCode::OK, "{}", String::from_utf8_lossy(&response.body));
        response.json()["total"].as_i64().expect("total")
    }

    pub async fn west_java(&self) -> Value {
        self.create(
            "/api/v1/regions",
            json!({"key": "ID-JB", "name": "West Java", "local_name": "Jawa Barat", "kind": "province",
                   "country_code": "ID", "subdivision_code": "ID-JB", "capital": "Bandung"}),
        )
        .await
    }

    pub async fn souss_massa(&self) -> Value {
        self.create(
            "/api/v1/regions",
            json!({"key": "MA-09", "name": "Souss-Massa", "kind": "region", "country_code": "MA",
                   "subdivision_code": "MA-09", "capital": "Agadir", "area_km2": 51642,
                   "population": 2676847, "population_year": 2014}),
        )
        .await
    }
}

/// The request with `Authorization: Bearer <token>`.
pub fn with_token(request: TestRequest, token: &str) -> TestRequest {
    request.insert_header(("authorization", format!("Bearer {token}")))
}

/// The ids of a list response's items, in order.
pub fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().expect("items").iter().map(|item| item["id"].as_i64().expect("id")).collect()
}

#[test]
fn with_database_replaces_only_the_database_name() {
    assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
    assert_eq!(with_database("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}

/// Ids of a small version of the founding case: two regions, two sectors, two agencies and
/// the sister-province agreement between West Java and Souss-Massa.
pub struct Case {
    pub west_java: i64,
    pub souss_massa: i64,
    pub trade: i64,
    pub tourism: i64,
    pub disperindag: i64,
    pub disparbud: i64,
    pub agreement: i64,
}

impl TestApp {
    pub async fn founding_case(&self) -> Case {
        let id = |record: Value| record["id"].as_i64().expect("id");
        let west_java = id(self.west_java().await);
        let souss_massa = id(self.souss_massa().await);
        let trade = id(self
            .create("/api/v1/sectors", json!({"code": "trade-investment", "name": "Trade and Investment"}))
            .await);
        let tourism = id(self.create("/api/v1/sectors", json!({"code": "tourism", "name": "Tourism"})).await);
        let disperindag = id(self
            .create(
                "/api/v1/agencies",
                json!({"name": "Dinas Perindustrian dan Perdagangan", "acronym": "Disperindag",
                "country_code": "ID", "region_id": west_java}),
            )
            .await);
        let disparbud = id(self
            .create(
                "/api/v1/agencies",
                json!({"name": "Dinas Pariwisata dan Kebudayaan", "acronym": "Disparbud",
                "country_code": "ID", "region_id": west_java}),
            )
            .await);
        let agreement = id(self
            .create(
                "/api/v1/agreements",
                json!({"key": "jabar-souss-massa-2017",
                "title": "Sister province cooperation between West Java and Souss-Massa",
                "kind": "sister_province", "instrument": "memorandum_of_understanding", "status": "active",
                "party_region_ids": [west_java, souss_massa], "sector_ids": [trade, tourism]}),
            )
            .await);
        Case { west_java, souss_massa, trade, tourism, disperindag, disparbud, agreement }
    }

    /// After the demo import: a renewal of the founding agreement; returns its key.
    pub async fn founding_case_extras(&self) -> String {
        let response = self
            .post(
                "/api/v1/import",
                &json!({"agreements": [{"key": "jabar-souss-massa-2024", "title": "Renewal of the sister-province cooperation",
                    "kind": "sister_province", "status": "negotiating", "parties": ["ID-JB", "MA-09"],
                    "renews": "jabar-souss-massa-2017", "sectors": ["tourism", "trade-investment"]}]}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", String::from_utf8_lossy(&response.body));
        "jabar-souss-massa-2024".to_owned()
    }

    pub async fn action_plan(&self, agreement: i64, body: Value) -> Value {
        let mut body = body;
        body["agreement_id"] = json!(agreement);
        self.create("/api/v1/action-plans", body).await
    }
}

/// What a run of the `jalin` binary printed, and how it ended.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the `jalin` binary with these arguments and only this environment (nothing of the
/// test's own leaks in), with nothing on its standard input; fails the test if it has not
/// ended within a minute.
pub fn jalin(args: &[&str], env: &[(&str, &str)]) -> Run {
    jalin_with_input(args, env, b"")
}

/// [`jalin`], with `input` on its standard input.
pub fn jalin_with_input(args: &[&str], env: &[(&str, &str)], input: &[u8]) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_jalin"));
    command.args(args).env_clear().env("RUST_LOG", "info");
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the jalin binary starts");
    let pid = child.id();
    // Written from a thread of its own, and closed after: jalin may print before it reads all.
    let mut stdin = child.stdin.take().expect("standard input");
    let input = input.to_vec();
    std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&input);
    });
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(output) => {
            let output = output.expect("the output of jalin");
            Run {
                code: output.status.code(),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        }
        Err(_) => {
            let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("jalin {args:?} did not end within a minute");
        }
    }
}
