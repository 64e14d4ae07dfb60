//! Defects found by trying to break the service (issue 8), each kept fixed by a test that
//! failed before its fix: through HTTP, or through the binary where it was seen there.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};

use crate::helpers::{TestApp, jalin, with_token};

fn agreement(key: &str, renews: Option<i64>) -> Value {
    json!({"key": key, "title": format!("Agreement {key}"), "kind": "sister_province",
           "status": "active", "party_region_ids": [1, 2], "renews_agreement_id": renews})
}

fn keys(document: &Value, list: &str) -> Vec<String> {
    document[list].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn an_export_imports_into_an_empty_database_whatever_the_keys_of_renewals() {
    let app = TestApp::new().await;
    app.west_java().await;
    app.souss_massa().await;
    // Each renews the one before it, and every key sorts before the key it renews.
    let old = app.create("/api/v1/agreements", agreement("zz-old", None)).await;
    let middle = app.create("/api/v1/agreements", agreement("mm-middle", old["id"].as_i64())).await;
    app.create("/api/v1/agreements", agreement("aa-new", middle["id"].as_i64())).await;
    app.create("/api/v1/agreements", agreement("bb-alone", None)).await;
    let exported = app.get("/api/v1/export").await;
    assert_eq!(exported.status, 200);
    let exported = exported.json();
    assert_eq!(keys(&exported, "agreements"), ["bb-alone", "zz-old", "mm-middle", "aa-new"]);

    let fresh = TestApp::new().await;
    let imported = fresh.post("/api/v1/import", &exported).await;
    assert_eq!(imported.status, 200, "{}", String::from_utf8_lossy(&imported.body));
    assert_eq!(fresh.get("/api/v1/export").await.json(), exported, "export, import, export: the same");
    let renewal = fresh.get("/api/v1/agreements?key=aa-new").await.json()["items"][0].clone();
    let renewed = fresh.get(&format!("/api/v1/agreements/{}", renewal["renews_agreement_id"])).await;
    assert_eq!(renewed.json()["key"], "mm-middle");

    let id = app.get("/api/v1/agreements?key=aa-new").await.json()["items"][0]["id"].clone();
    let scoped_document = app.get(&format!("/api/v1/export?agreement_id={id}")).await.json();
    assert_eq!(keys(&scoped_document, "agreements"), ["zz-old", "mm-middle", "aa-new"]);
    let fresh = TestApp::new().await;
    assert_eq!(fresh.post("/api/v1/import", &scoped_document).await.status, 200);
}

#[actix_web::test]
async fn a_renewal_that_loops_is_422() {
    let app = TestApp::new().await;
    app.west_java().await;
    app.souss_massa().await;
    let a = app.create("/api/v1/agreements", agreement("a", None)).await["id"].as_i64().unwrap();
    let b = app.create("/api/v1/agreements", agreement("b", Some(a))).await["id"].as_i64().unwrap();
    let c = app.create("/api/v1/agreements", agreement("c", Some(b))).await["id"].as_i64().unwrap();
    app.patch(&format!("/api/v1/agreements/{a}"), &json!({"renews_agreement_id": b}))
        .await
        .assert_problem(422, &["renews_agreement_id"]);
    app.patch(&format!("/api/v1/agreements/{a}"), &json!({"renews_agreement_id": c}))
        .await
        .assert_problem(422, &["renews_agreement_id"]);
    let import = json!({"agreements": [{"key": "a", "title": "Agreement a", "kind": "sister_province",
        "status": "active", "parties": ["ID-JB", "MA-09"], "renews": "c"}]});
    app.post("/api/v1/import", &import).await.assert_problem(422, &["agreements[0].renews"]);
    assert_eq!(app.get(&format!("/api/v1/agreements/{a}")).await.json()["renews_agreement_id"], Value::Null);
    // Not a loop: two agreements renewing the same one.
    let d = app.create("/api/v1/agreements", agreement("d", Some(b))).await;
    assert_eq!(d["renews_agreement_id"], b);
}

/// Inserts `count` action plans of agreement 1 with a sector link each, in SQL.
fn many_plans(app: &TestApp, count: u32) {
    app.execute_sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
         INSERT INTO action_plans (key, agreement_id, title, status, version, created_at, updated_at) \
         SELECT 'bulk-' || i, 1, 'Plan ' || i, 'planned', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n; \
         INSERT INTO action_plan_sectors (action_plan_id, sector_id, position) SELECT id, 1, 0 FROM action_plans;"
    ));
}

#[actix_web::test]
async fn exports_and_lists_work_past_the_sqlite_variable_limit() {
    let app = TestApp::new().await;
    app.founding_case().await;
    many_plans(&app, 33_000);
    let trade = app.get("/api/v1/sectors/1").await.json()["key"].clone();
    for path in ["/api/v1/export", "/api/v1/export?agreement_id=1"] {
        let response = app.get(path).await;
        assert_eq!(response.status, 200, "{path}: {}", String::from_utf8_lossy(&response.body));
        let document = response.json();
        let plans = document["action_plans"].as_array().unwrap();
        assert_eq!(plans.len(), 33_000, "{path}");
        assert_eq!(plans[0]["sectors"], json!([trade]));
        assert_eq!(document["sectors"].as_array().unwrap().len(), 2, "{path}");
    }
    let csv = app.get("/api/v1/action-plans?format=csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.split(|b| *b == b'\n').filter(|line| !line.is_empty()).count(), 33_001);
}

#[actix_web::test]
async fn a_nul_or_invalid_utf8_in_a_query_value_is_400() {
    let app = TestApp::new().await;
    app.get("/api/v1/regions?key=a%00b").await.assert_problem(400, &["key"]);
    app.get("/api/v1/regions?q=a%00b").await.assert_problem(400, &["q"]);
    let audit = with_token(TestRequest::get().uri("/api/v1/audit?actor=%00"), &app.admin_token);
    app.send(audit).await.assert_problem(400, &["actor"]);
    app.get("/api/v1/regions?q=%FF%FE").await.assert_problem(400, &["q"]);
    assert_eq!(app.get("/api/v1/regions?q=J%C3%A9r%C3%B4me").await.status, 200);
    let body = json!({"name": "West\u{0}Java", "kind": "province", "country_code": "ID"});
    app.post("/api/v1/regions", &body).await.assert_problem(422, &["name"]);
    let import = json!({"regions": [{"key": "a\u{0}b", "name": "x", "kind": "city", "country_code": "ID"}]});
    app.post("/api/v1/import", &import).await.assert_problem(422, &["regions[0].key"]);
    let dangling =
        json!({"agencies": [{"key": "ag", "name": "x", "country_code": "ID", "region": "r\u{0}"}]});
    app.post("/api/v1/import", &dangling).await.assert_problem(422, &["agencies[0].region"]);
}

#[actix_web::test]
async fn id_lists_hold_at_most_a_thousand_ids() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan = |sector_ids: Vec<i64>| json!({"agreement_id": case.agreement, "title": "A plan", "status": "planned", "sector_ids": sector_ids});
    for count in [1_001, 32_767] {
        let problem = app.post("/api/v1/action-plans", &plan(vec![case.trade; count])).await;
        problem.assert_problem(422, &["sector_ids"]);
    }
    let repeated = app.post("/api/v1/action-plans", &plan(vec![case.trade, case.tourism, case.trade])).await;
    repeated.assert_problem(422, &["sector_ids[2]"]);
    let keys: Vec<String> = (0..1_001).map(|i| format!("k{i}")).collect();
    let import = json!({"action_plans": [{"key": "p", "agreement": "jabar-souss-massa-2017",
        "title": "A plan", "status": "planned", "sectors": keys}]});
    app.post("/api/v1/import", &import).await.assert_problem(422, &["action_plans[0].sectors"]);
    assert_eq!(app.total("/api/v1/action-plans").await, 0);
}

#[actix_web::test]
async fn the_same_key_twice_in_one_list_of_an_import_is_422_naming_both_places() {
    let app = TestApp::new().await;
    let sector = |name: &str| json!({"key": "tourism", "code": "tourism", "name": name});
    let document = json!({"sectors": [sector("Tourism"), {"key": "culture", "code": "culture", "name": "Culture"},
        sector("Tourism again"), sector("And again")]});
    let problem = app.post("/api/v1/import", &document).await;
    problem.assert_problem(422, &["sectors[0].key", "sectors[2].key", "sectors[3].key"]);
    assert_eq!(app.total("/api/v1/sectors").await, 0, "nothing imported");
}

#[actix_web::test]
async fn a_json_object_with_the_same_member_twice_is_400() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let body = format!(
        r#"{{"agreement_id": {}, "title": "A plan", "status": "planned", "sector_ids": [{}], "sector_ids": []}}"#,
        case.agreement, case.trade
    );
    let request = TestRequest::post()
        .uri("/api/v1/action-plans")
        .insert_header(("content-type", "application/json"))
        .set_payload(body);
    let problem = app.send(app.as_editor(request)).await.assert_problem(400, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("sector_ids"), "{problem}");
    let nested =
        r#"{"regions": [{"key": "x", "name": "X", "name": "Y", "kind": "city", "country_code": "ID"}]}"#;
    let request = TestRequest::post()
        .uri("/api/v1/import")
        .insert_header(("content-type", "application/json"))
        .set_payload(nested);
    app.send(app.as_editor(request)).await.assert_problem(400, &[]);
    assert_eq!(app.total("/api/v1/action-plans").await, 0);
}

#[actix_web::test]
async fn creating_and_revoking_tokens_are_audited_without_their_secret() {
    let app = TestApp::new().await;
    let admin = |request: TestRequest| with_token(request, &app.admin_token);
    let created = app
        .send(admin(
            TestRequest::post().uri("/api/v1/tokens").set_json(json!({"name": "sync", "role": "editor"})),
        ))
        .await;
    assert_eq!(created.status, 201);
    let created = created.json();
    let id = created["id"].clone();
    assert_eq!(app.send(admin(TestRequest::delete().uri(&format!("/api/v1/tokens/{id}")))).await.status, 204);
    let events =
        app.send(admin(TestRequest::get().uri("/api/v1/audit?resource_type=token&sort=id"))).await.json();
    let events = events["items"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["action"], "created");
    assert_eq!(events[0]["actor"], "test-admin");
    assert_eq!(events[0]["resource_id"], id);
    assert_eq!(events[0]["changes"], json!({"name": [null, "sync"], "role": [null, "editor"]}));
    assert_eq!(events[1]["action"], "updated");
    assert!(events[1]["changes"]["revoked_at"][1].is_string());
    let text = Value::Array(events.clone()).to_string();
    let secret = created["token"].as_str().unwrap();
    assert!(!text.contains(secret) && !text.contains("jalin_"), "no secret in the audit trail");
}

#[actix_web::test]
async fn token_names_are_unique_among_live_tokens_and_system_names_are_reserved() {
    let app = TestApp::new().await;
    let create = |name: &str| {
        with_token(
            TestRequest::post().uri("/api/v1/tokens").set_json(json!({"name": name, "role": "editor"})),
            &app.admin_token,
        )
    };
    let first = app.send(create("sync")).await.json();
    app.send(create(" sync ")).await.assert_problem(409, &["name"]);
    app.send(create("test-editor")).await.assert_problem(409, &["name"]);
    for reserved in ["cli", "demo", "import", "system"] {
        app.send(create(reserved)).await.assert_problem(422, &["name"]);
    }
    let revoke =
        with_token(TestRequest::delete().uri(&format!("/api/v1/tokens/{}", first["id"])), &app.admin_token);
    assert_eq!(app.send(revoke).await.status, 204);
    assert_eq!(app.send(create("sync")).await.status, 201, "the name is free once its token is revoked");

    let run = jalin(
        &["token", "create", "--name", "demo", "--role", "editor", "--database-url", &app.database_url],
        &[],
    );
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("reserved"), "{}", run.stderr);
    let run = jalin(
        &["token", "create", "--name", "sync", "--role", "editor", "--database-url", &app.database_url],
        &[],
    );
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("name: is already used"), "{}", run.stderr);
    let run = jalin(
        &["token", "create", "--name", "sync-2", "--role", "editor", "--database-url", &app.database_url],
        &[],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.starts_with("jalin_"), "the secret is printed once");
}

/// Starts `jalin serve` on a free port; `Ok` once it says it serves, `Err` with what it
/// printed when it ends first.
fn start_server(database_url: &str, env: &[(&str, &str)]) -> Result<Child, String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jalin"));
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", database_url])
        .env_clear()
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("jalin starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut printed = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap_or_default();
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("serving on http://") {
            return Ok(child);
        }
    }
    let _ = child.wait();
    Err(printed)
}

#[actix_web::test]
async fn a_revoked_admin_token_is_reported_at_start_and_not_revived() {
    let app = TestApp::new().await;
    let secret = "an-admin-secret-of-the-environment";
    let mut server = start_server(&app.database_url, &[("JALIN_ADMIN_TOKEN", secret)]).expect("first start");
    server.kill().ok();
    server.wait().ok();
    let listed = app.send(with_token(TestRequest::get().uri("/api/v1/tokens?sort=-id"), secret)).await.json();
    let id = listed["items"][0]["id"].clone();
    assert_eq!(listed["items"][0]["name"], "admin");
    let revoke = with_token(TestRequest::delete().uri(&format!("/api/v1/tokens/{id}")), &app.admin_token);
    assert_eq!(app.send(revoke).await.status, 204);

    let printed = start_server(&app.database_url, &[("JALIN_ADMIN_TOKEN", secret)]).map(|mut child| {
        child.kill().ok();
        child.wait().ok();
    });
    let printed = printed.expect_err("the server must not start with a revoked JALIN_ADMIN_TOKEN");
    assert!(printed.contains("JALIN_ADMIN_TOKEN") && printed.contains("revoked"), "{printed}");
    let check = app.send(with_token(TestRequest::get().uri("/api/v1/tokens"), secret)).await;
    check.assert_problem(401, &[]);

    // A new secret rotates the admin token: the server starts, the new one works.
    let new_secret = "a-new-admin-secret-of-the-environment";
    let mut server =
        start_server(&app.database_url, &[("JALIN_ADMIN_TOKEN", new_secret)]).expect("a new secret");
    server.kill().ok();
    server.wait().ok();
    assert_eq!(app.send(with_token(TestRequest::get().uri("/api/v1/tokens"), new_secret)).await.status, 200);
}

#[actix_web::test]
async fn servers_starting_at_once_with_the_same_admin_token_all_start() {
    let app = TestApp::new().await;
    let url = app.database_url.clone();
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                start_server(&url, &[("JALIN_ADMIN_TOKEN", "one-secret-for-every-process")])
            })
        })
        .collect();
    let results: Vec<Result<Child, String>> = starts.into_iter().map(|start| start.join().unwrap()).collect();
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(mut child) => {
                child.kill().ok();
                child.wait().ok();
            }
            Err(printed) => failures.push(printed),
        }
    }
    assert!(failures.is_empty(), "every process starts: {failures:?}");
    let tokens =
        app.send(with_token(TestRequest::get().uri("/api/v1/tokens"), "one-secret-for-every-process")).await;
    assert_eq!(tokens.json()["total"], 4, "three test tokens and one admin token");
}

#[actix_web::test]
async fn command_line_errors_name_their_cause() {
    let app = TestApp::new().await;
    if !app.database_url.starts_with("sqlite://") {
        // The read-only database is a SQLite file; on PostgreSQL the suite checks a missing one.
        let run =
            jalin(&["migrate", "--database-url", "postgres://postgres@127.0.0.1:5432/jalin_no_such_db"], &[]);
        assert_eq!(run.code, Some(1));
        assert!(run.stderr.contains("jalin_no_such_db"), "{}", run.stderr);
        return;
    }
    let path = app.database_url.trim_start_matches("sqlite://");
    let read_only = format!("sqlite://file:{path}?mode=ro");
    let run =
        jalin(&["token", "create", "--name", "x", "--role", "admin", "--database-url", &read_only], &[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("readonly") || run.stderr.contains("read-only"), "{}", run.stderr);
    let run = jalin(
        &["serve", "--bind", "127.0.0.1:0", "--database-url", &read_only],
        &[("JALIN_ADMIN_TOKEN", "an-admin-secret-of-the-environment")],
    );
    assert_eq!(run.code, Some(1), "a database that cannot be written stops the start");
    assert!(run.stderr.contains("cannot be written") && !run.stderr.contains("serving on"), "{}", run.stderr);
    let document = std::env::temp_dir().join(format!("jalin-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&document, jalin::testing::DEMO_DOCUMENT).unwrap();
    let run = jalin(&["import", document.to_str().unwrap(), "--database-url", &read_only], &[]);
    std::fs::remove_file(&document).ok();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("cannot be written"), "{}", run.stderr);
    assert!(!run.stderr.contains("it has been logged"), "{}", run.stderr);
}

#[actix_web::test]
async fn bad_cors_origins_stop_the_start_before_the_database_is_touched() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("never.db");
    let url = format!("sqlite://{}", database.display());
    for origins in ["*", "https://dash.example/app", "dash.example"] {
        let run = jalin(
            &["serve", "--bind", "127.0.0.1:0", "--database-url", &url],
            &[("JALIN_CORS_ORIGINS", origins)],
        );
        assert_eq!(run.code, Some(1), "{origins}");
        assert!(run.stderr.contains("JALIN_CORS_ORIGINS"), "{}", run.stderr);
        assert!(!database.exists(), "no database was created or migrated");
    }
}

fn cors_app_settings() -> jalin::config::Settings {
    let origins = jalin::config::parse_origins(&["https://dash.example/".to_owned()]).unwrap();
    jalin::config::Settings { cors_origins: origins, ..Default::default() }
}

#[actix_web::test]
async fn a_preflight_may_ask_for_tracing_and_common_headers() {
    let app = TestApp::with_settings(cors_app_settings()).await;
    let preflight = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/v1/regions")
        .insert_header(("origin", "https://dash.example"))
        .insert_header(("access-control-request-method", "POST"))
        .insert_header((
            "access-control-request-headers",
            "authorization, content-type, traceparent, tracestate, x-requested-with, accept-language, cache-control",
        ));
    let response = app.send(preflight).await;
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    assert_eq!(response.header("access-control-allow-origin"), Some("https://dash.example"));

    let refused = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/v1/regions")
        .insert_header(("origin", "https://elsewhere.example"))
        .insert_header(("access-control-request-method", "GET"));
    let problem = app.send(refused).await.assert_problem(400, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("CORS"), "{problem}");
}

#[actix_web::test]
async fn csv_cells_never_run_as_formulas_rows_end_with_crlf_and_names_with_semicolons_stay_whole() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let office = app
        .create("/api/v1/agencies", json!({"name": "Office A; Office B", "country_code": "ID"}))
        .await["id"]
        .clone();
    app.action_plan(
        case.agreement,
        json!({"title": "=HYPERLINK(\"http://evil.example\",\"click\")", "status": "planned",
               "description": "@SUM(1+1)", "agency_ids": [office, case.disperindag]}),
    )
    .await;
    let csv = app.get("/api/v1/action-plans?format=csv").await;
    let text = String::from_utf8(csv.body.clone()).unwrap();
    assert!(text.ends_with("\r\n") && text.matches("\r\n").count() == 2, "{text:?}");
    let rows: Vec<csv_crate::StringRecord> =
        csv_crate::Reader::from_reader(csv.body.as_slice()).records().map(Result::unwrap).collect();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(&rows[0][column("title")], "'=HYPERLINK(\"http://evil.example\",\"click\")");
    assert_eq!(&rows[0][column("description")], "'@SUM(1+1)");
    assert_eq!(&rows[0][column("agencies")], r#"["Office A; Office B","Disperindag"]"#);
}

#[actix_web::test]
async fn head_answers_every_get_path_without_a_body() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    for path in [
        "/healthz".to_owned(),
        "/api/v1/regions".to_owned(),
        format!("/api/v1/agreements/{}", case.agreement),
        "/api/v1/action-plans?format=csv".to_owned(),
        "/api/v1/export".to_owned(),
    ] {
        let get = app.get(&path).await;
        let head = app.send(TestRequest::default().method(Method::HEAD).uri(&path)).await;
        assert_eq!(head.status, get.status, "{path}");
        assert!(head.body.is_empty(), "{path}: no body");
        assert_eq!(head.header("content-type"), get.header("content-type"), "{path}");
        assert_eq!(head.header("etag"), get.header("etag"), "{path}");
    }
    let missing = app.send(TestRequest::default().method(Method::HEAD).uri("/api/v1/regions/999")).await;
    assert_eq!(missing.status, 404);
    let post_only = app.send(TestRequest::default().method(Method::HEAD).uri("/api/v1/import")).await;
    assert_eq!(post_only.status, 405);
    assert_eq!(post_only.header("allow"), Some("POST"));
}

#[actix_web::test]
async fn a_body_that_does_not_arrive_in_time_is_408() {
    let settings =
        jalin::config::Settings { body_timeout: std::time::Duration::from_millis(200), ..Default::default() };
    let app = TestApp::with_settings(settings).await;
    let (mut sender, payload) = actix_http::h1::Payload::create(false);
    sender.feed_data(actix_web::web::Bytes::from_static(b"{\"name\": \"West"));
    let request = app
        .as_editor(TestRequest::post().uri("/api/v1/regions"))
        .insert_header(("content-type", "application/json"))
        .to_request();
    let (request, _) = request.replace_payload(actix_http::Payload::from(payload));
    let response = app.send_request(request).await;
    response.assert_problem(408, &[]);
    drop(sender);
    assert_eq!(app.total("/api/v1/regions").await, 0);
}

#[actix_web::test]
async fn healthz_does_not_wait_behind_the_request_pool() {
    let app = TestApp::new().await;
    let held = app.hold_every_connection();
    let started = std::time::Instant::now();
    let response = app.get("/healthz").await;
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "answered without waiting for the pool");
    drop(held);
}

#[actix_web::test]
async fn identical_imports_at_once_all_succeed() {
    let app = TestApp::new().await;
    let document: Value = serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap();
    let imports = (0..8).map(|_| app.post("/api/v1/import", &document));
    let responses = futures_util::future::join_all(imports).await;
    for response in &responses {
        assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    }
    let created: u64 = responses.iter().map(|r| r.json()["action_plans"]["created"].as_u64().unwrap()).sum();
    assert_eq!(created, 10, "each plan created once, by one of them");
    assert_eq!(app.total("/api/v1/action-plans").await, 10);
}

/// PostgreSQL closes connections when it restarts or an administrator ends them; the pool
/// still holds them. A write checks its connection and takes another; each read that gets a
/// closed one is run again on another: none fails. (A SQLite connection is a file handle that
/// no server can close: there they simply work.)
#[actix_web::test]
async fn reads_and_writes_go_on_when_the_database_server_closed_the_pooled_connections() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let connections = app.hold_every_connection().len();
    end_pooled_connections(&app, connections);
    let response = app.post("/api/v1/sectors", &json!({"code": "culture", "name": "Culture"})).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&response.body));
    let connections = app.hold_every_connection().len();
    end_pooled_connections(&app, connections);
    for _ in 0..=connections {
        let response = app.get(&format!("/api/v1/agreements/{}", case.agreement)).await;
        assert_eq!(response.status, StatusCode::OK, "{}", String::from_utf8_lossy(&response.body));
    }
}

/// On PostgreSQL, ends the `open` connections of the test's pool from a connection of its
/// own, waiting until each has ended.
fn end_pooled_connections(app: &TestApp, open: usize) {
    if !app.database_url.starts_with("postgres") {
        return;
    }
    #[derive(diesel::QueryableByName)]
    struct Ended {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ended: bool,
    }
    let mut admin = PgConnection::establish(&app.database_url).expect("a connection");
    let ended: Vec<Ended> = diesel::sql_query(
        "SELECT pg_terminate_backend(pid, 5000) AS ended FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .load(&mut admin)
    .expect("the pooled connections are ended");
    let ended: Vec<bool> = ended.iter().map(|row| row.ended).collect();
    assert_eq!(ended, vec![true; open], "every pooled connection was open, and is closed");
}
