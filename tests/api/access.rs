//! Tokens and roles, versions and ETags, the audit trail.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::helpers::{TestApp, jalin, with_token};

fn region() -> Value {
    json!({"name": "West Java", "kind": "province", "country_code": "ID", "subdivision_code": "ID-JB"})
}

#[actix_web::test]
async fn a_write_without_a_valid_token_is_401_and_writes_nothing() {
    let app = TestApp::new().await;
    let anonymous = app.send(TestRequest::post().uri("/api/v1/regions").set_json(region())).await;
    anonymous.assert_problem(401, &[]);
    assert_eq!(anonymous.header("www-authenticate"), Some(r#"Bearer realm="jalin""#));
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "jalin_abc", "Bearer jalin_not-a-real-token"] {
        let response = app
            .send(
                TestRequest::post()
                    .uri("/api/v1/regions")
                    .insert_header(("authorization", header))
                    .set_json(region()),
            )
            .await;
        response.assert_problem(401, &[]);
        assert!(response.header("www-authenticate").unwrap().contains("invalid_token"), "{header}");
    }
    let import = app.send(TestRequest::post().uri("/api/v1/import").set_json(json!({}))).await;
    import.assert_problem(401, &[]);
    assert_eq!(app.total("/api/v1/regions").await, 0);
}

#[actix_web::test]
async fn a_viewer_cannot_write_and_an_editor_cannot_manage_tokens() {
    let app = TestApp::new().await;
    let viewer = app
        .send(with_token(TestRequest::post().uri("/api/v1/regions").set_json(region()), &app.viewer_token))
        .await;
    viewer.assert_problem(403, &[]);
    assert_eq!(app.total("/api/v1/regions").await, 0);
    let editor = app.send(with_token(TestRequest::get().uri("/api/v1/tokens"), &app.editor_token)).await;
    editor.assert_problem(403, &[]);
    let audit = app.send(with_token(TestRequest::get().uri("/api/v1/audit"), &app.editor_token)).await;
    audit.assert_problem(403, &[]);
    let created = app
        .send(with_token(TestRequest::post().uri("/api/v1/regions").set_json(region()), &app.admin_token))
        .await;
    assert_eq!(created.status, 201, "an admin may write data too");
}

#[actix_web::test]
async fn an_admin_creates_lists_and_revokes_tokens_and_revocation_is_immediate() {
    let app = TestApp::new().await;
    let response = app
        .send(with_token(
            TestRequest::post()
                .uri("/api/v1/tokens")
                .set_json(json!({"name": "bureau-editor", "role": "editor"})),
            &app.admin_token,
        ))
        .await;
    assert_eq!(response.status, 201);
    let created = response.json();
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 64);
    assert_eq!(created["role"], "editor");

    let write =
        app.send(with_token(TestRequest::post().uri("/api/v1/regions").set_json(region()), &secret)).await;
    assert_eq!(write.status, 201);

    let listed = app.send(with_token(TestRequest::get().uri("/api/v1/tokens"), &app.admin_token)).await;
    let text = String::from_utf8_lossy(&listed.body).to_string();
    assert_eq!(listed.json()["total"], 4);
    assert!(
        !text.contains(&secret) && !text.contains(&jalin::testing::hash_token(&secret)),
        "no secret, no hash"
    );
    assert!(!text.contains("\"token\""), "{text}");

    let revoke = app
        .send(with_token(
            TestRequest::delete().uri(&format!("/api/v1/tokens/{}", created["id"])),
            &app.admin_token,
        ))
        .await;
    assert_eq!(revoke.status, 204);
    let after =
        app.send(with_token(TestRequest::post().uri("/api/v1/regions").set_json(region()), &secret)).await;
    after.assert_problem(401, &[]);

    let bad = app
        .send(with_token(
            TestRequest::post()
                .uri("/api/v1/tokens")
                .set_json(json!({"name": " ", "role": "root", "secret": "x"})),
            &app.admin_token,
        ))
        .await;
    bad.assert_problem(422, &["name", "role", "secret"]);
    let missing =
        app.send(with_token(TestRequest::delete().uri("/api/v1/tokens/999"), &app.admin_token)).await;
    missing.assert_problem(404, &[]);
}

#[actix_web::test]
async fn tokens_from_the_command_line_and_the_environment_work() {
    let app = TestApp::new().await;
    let args = jalin::config::TokenCreateArgs {
        name: "ministry-sync".into(),
        role: jalin::testing::Role::Editor,
        database: jalin::config::DatabaseArgs { database_url: app.database_url.clone() },
    };
    let token = jalin::server::create_token(&args).unwrap();
    let write =
        app.send(with_token(TestRequest::post().uri("/api/v1/regions").set_json(region()), &token)).await;
    assert_eq!(write.status, 201);

    let pool = jalin::server::open_database(&args.database, 1).unwrap();
    let admin = "an-admin-token-from-the-environment";
    jalin::testing::register_admin_token(&mut pool.get().unwrap(), admin).unwrap();
    jalin::testing::register_admin_token(&mut pool.get().unwrap(), admin).unwrap();
    let listed = app.send(with_token(TestRequest::get().uri("/api/v1/tokens"), admin)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["total"], 5, "registered once, however often the server starts");
}

#[actix_web::test]
async fn private_reads_need_a_viewer_token() {
    let settings = jalin::config::Settings { public_read: false, ..Default::default() };
    let app = TestApp::with_settings(settings).await;
    app.get("/api/v1/regions").await.assert_problem(401, &[]);
    app.get("/api/v1/regions/1").await.assert_problem(401, &[]);
    let viewer = app.send(with_token(TestRequest::get().uri("/api/v1/regions"), &app.viewer_token)).await;
    assert_eq!(viewer.status, 200);
    // Every read of the API, as the document lists them.
    let document = serde_json::to_value(jalin::app::openapi_document()).unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        if path.starts_with("/api/v1/") && item.get("get").is_some() {
            let path = path.replace("{id}", "1");
            app.get(&path).await.assert_problem(401, &[]);
        }
    }
    assert_eq!(app.get("/healthz").await.status, 200, "the health check stays open");
    let public = TestApp::new().await;
    assert_eq!(public.get("/api/v1/regions").await.status, 200);
}

#[actix_web::test]
async fn etags_follow_versions_and_if_none_match_gives_304() {
    let app = TestApp::new().await;
    let created = app.post("/api/v1/regions", &region()).await;
    assert_eq!(created.header("etag"), Some("\"1\""));
    let path = format!("/api/v1/regions/{}", created.json()["id"]);
    let read = app.get(&path).await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    let cached = app.send(TestRequest::get().uri(&path).insert_header(("if-none-match", "\"1\""))).await;
    assert_eq!(cached.status, 304);
    assert!(cached.body.is_empty());
    let patched = app.patch(&path, &json!({"capital": "Bandung"})).await;
    assert_eq!(patched.header("etag"), Some("\"2\""));
    assert_eq!(patched.json()["version"], 2);
    let stale = app.send(TestRequest::get().uri(&path).insert_header(("if-none-match", "\"1\""))).await;
    assert_eq!(stale.status, 200);
}

#[actix_web::test]
async fn if_match_guards_patch_and_delete() {
    let app = TestApp::new().await;
    let id = app.post("/api/v1/regions", &region()).await.json()["id"].clone();
    let path = format!("/api/v1/regions/{id}");
    let patch = |if_match: &str| {
        app.as_editor(
            TestRequest::default()
                .method(Method::PATCH)
                .uri(&path)
                .insert_header(("if-match", if_match.to_owned()))
                .set_json(json!({"capital": "Bandung"})),
        )
    };
    app.send(patch("\"7\"")).await.assert_problem(412, &[]);
    app.send(patch("W/\"1\"")).await.assert_problem(412, &[]);
    app.send(patch("1")).await.assert_problem(400, &["if-match"]);
    assert_eq!(app.get(&path).await.json()["version"], 1, "nothing changed");
    assert_eq!(app.send(patch("\"5\", \"1\"")).await.status, 200, "a list naming the current version");
    assert_eq!(app.send(patch("*")).await.json()["version"], 2, "the same value again is no change");
    let delete = |if_match: &str| {
        app.as_editor(TestRequest::delete().uri(&path).insert_header(("if-match", if_match.to_owned())))
    };
    app.send(delete("\"1\"")).await.assert_problem(412, &[]);
    assert_eq!(app.get(&path).await.status, 200);
    assert_eq!(app.send(delete("\"2\"")).await.status, 204);
}

#[actix_web::test]
async fn concurrent_writes_with_the_same_if_match_get_one_200_and_412s() {
    let app = TestApp::new().await;
    let id = app.post("/api/v1/regions", &region()).await.json()["id"].clone();
    let path = format!("/api/v1/regions/{id}");
    let attempts = (0..4).map(|i| {
        app.send(
            app.as_editor(
                TestRequest::default()
                    .method(Method::PATCH)
                    .uri(&path)
                    .insert_header(("if-match", "\"1\""))
                    .set_json(json!({"population": 1000 + i})),
            ),
        )
    });
    let responses = futures_util::future::join_all(attempts).await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412, 412, 412]);
    assert_eq!(app.get(&path).await.json()["version"], 2);
}

#[actix_web::test]
async fn every_write_leaves_exactly_its_changes_in_the_audit_trail() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let path = format!("/api/v1/agreements/{}", case.agreement);
    app.patch(&path, &json!({"status": "expired", "sector_ids": [case.tourism]})).await;
    app.patch(&path, &json!({"status": "expired"})).await;
    app.patch(&path, &json!({"kind": "planet"})).await.assert_problem(422, &["kind"]);

    let history = app.get(&format!("{path}/history")).await.json();
    assert_eq!(history["total"], 2, "created and updated; no event for no change or a failed write");
    let update = &history["items"][0];
    assert_eq!(update["action"], "updated");
    assert_eq!(update["actor"], "test-editor");
    assert_eq!(update["resource_type"], "agreement");
    assert_eq!(
        update["changes"],
        json!({"status": ["active", "expired"], "sector_ids": [[case.trade, case.tourism], [case.tourism]]})
    );
    let creation = &history["items"][1];
    assert_eq!(creation["action"], "created");
    assert_eq!(creation["changes"]["party_region_ids"], json!([null, [case.west_java, case.souss_massa]]));
    assert!(creation["changes"].get("version").is_none() && creation["changes"].get("id").is_none());

    let obstacle = app
        .create(
            "/api/v1/obstacles",
            json!({"agreement_id": case.agreement, "category": "resources", "description": "Funds"}),
        )
        .await;
    let obstacle_path = format!("/api/v1/obstacles/{}", obstacle["id"]);
    assert_eq!(app.delete(&obstacle_path).await.status, 204);
    let history = app.get(&format!("{obstacle_path}/history")).await.json();
    assert_eq!(history["items"][0]["action"], "deleted", "a deleted record keeps its history");
    assert_eq!(history["items"][0]["changes"]["description"], json!(["Funds", null]));
    app.get("/api/v1/obstacles/999/history").await.assert_problem(404, &[]);
}

#[actix_web::test]
async fn the_audit_trail_is_for_admins_and_filters() {
    let app = TestApp::new().await;
    app.post("/api/v1/import", &serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap()).await;
    let audit = |query: &str| {
        app.send(with_token(TestRequest::get().uri(&format!("/api/v1/audit{query}")), &app.admin_token))
    };
    let all = audit("?limit=1").await.json();
    assert_eq!(all["total"], 2 + 9 + 10 + 1 + 10 + 9 + 3 + 4, "one event per imported record");
    assert_eq!(all["items"][0]["resource_type"], "milestone", "newest first");
    assert_eq!(audit("?resource_type=action_plan").await.json()["total"], 10);
    assert_eq!(audit("?actor=test-editor&resource_type=region&resource_id=1").await.json()["total"], 1);
    assert_eq!(audit("?actor=nobody").await.json()["total"], 0);
    assert_eq!(audit("?from=2000-01-01&to=2999-01-01").await.json()["total"], 48);
    assert_eq!(audit("?to=2000-01-01T00:00:00Z").await.json()["total"], 0);
    audit("?from=yesterday&to=2020-13-01").await.assert_problem(400, &["from", "to"]);
    audit("?q=x").await.assert_problem(400, &["q"]);
    app.get("/api/v1/audit").await.assert_problem(401, &[]);
}

#[actix_web::test]
async fn the_document_declares_the_bearer_scheme_and_who_needs_it() {
    let document = serde_json::to_value(jalin::app::openapi_document()).unwrap();
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let create = &document["paths"]["/api/v1/regions"]["post"];
    assert_eq!(create["security"], json!([{"bearer": []}]));
    assert!(create["responses"].get("401").is_some() && create["responses"].get("403").is_some());
    // Reads take the document's security: a token is optional (generated clients call them
    // with or without one).
    assert_eq!(document["security"], json!([{}, {"bearer": []}]));
    let read = &document["paths"]["/api/v1/regions/{id}"]["get"];
    assert_eq!(read.get("security"), None);
    assert!(read["responses"].get("304").is_some());
    let patch = &document["paths"]["/api/v1/regions/{id}"]["patch"];
    assert!(patch["responses"].get("412").is_some());
    assert!(patch["parameters"].as_array().unwrap().iter().any(|p| p["name"] == "If-Match"));
}

/// The id of the test's token named `name`, as an admin lists it.
async fn token_id(app: &TestApp, name: &str) -> i64 {
    let listed =
        app.send(with_token(TestRequest::get().uri("/api/v1/tokens?limit=500"), &app.admin_token)).await;
    let listed = listed.json();
    let items = listed["items"].as_array().expect("a page of tokens");
    items
        .iter()
        .find(|token| token["name"] == name)
        .and_then(|token| token["id"].as_i64())
        .expect("the token")
}

#[actix_web::test]
async fn the_command_line_lists_tokens_without_their_secrets() {
    let app = TestApp::new().await;
    let url = app.database_url.as_str();
    let created =
        jalin(&["token", "create", "--name", "sync-robot", "--role", "editor", "--database-url", url], &[]);
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let secret = created.stdout.trim();
    assert!(secret.starts_with("jalin_"), "{secret}");

    let run = jalin(&["token", "list", "--database-url", url], &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["ID", "NAME", "ROLE", "CREATED", "REVOKED"]);
    let id = token_id(&app, "sync-robot").await.to_string();
    let row = lines.iter().find(|line| line.contains("sync-robot")).expect("the new token's row");
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!((cells[0], cells[1], cells[2], cells[4]), (id.as_str(), "sync-robot", "editor", "-"), "{row}");
    for name in ["test-viewer", "test-editor", "test-admin"] {
        assert!(run.stdout.contains(name), "{}", run.stdout);
    }
    for secret in [secret, app.viewer_token.as_str(), app.editor_token.as_str(), app.admin_token.as_str()] {
        assert!(!run.stdout.contains(secret), "a secret is shown: {}", run.stdout);
        assert!(!run.stdout.contains(&jalin::testing::hash_token(secret)), "a hash is shown: {}", run.stdout);
    }
}

#[actix_web::test]
async fn the_command_line_revokes_a_token_as_the_api_does() {
    let app = TestApp::new().await;
    let url = app.database_url.as_str();
    let write = || app.as_editor(TestRequest::post().uri("/api/v1/regions").set_json(region()));
    assert_eq!(app.send(write()).await.status, 201, "the editor token writes");
    let id = token_id(&app, "test-editor").await;

    let run = jalin(&["token", "revoke", &id.to_string(), "--database-url", url], &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!("token {id} (test-editor, editor) is revoked since")),
        "{}",
        run.stdout
    );
    app.send(write()).await.assert_problem(401, &[]);

    // The audit event the API writes, by the command line.
    let audit = format!("/api/v1/audit?resource_type=token&resource_id={id}");
    let events = app.send(with_token(TestRequest::get().uri(&audit), &app.admin_token)).await.json();
    let event = &events["items"].as_array().expect("events")[0];
    assert_eq!(
        (event["actor"].as_str(), event["action"].as_str()),
        (Some("cli"), Some("updated")),
        "{events}"
    );
    assert!(event["changes"]["revoked_at"][1].is_string(), "{events}");
    let listed = jalin(&["token", "list", "--database-url", url], &[]);
    let row =
        listed.stdout.lines().find(|line| line.contains("test-editor")).expect("the revoked token's row");
    assert_ne!(row.split_whitespace().nth(4), Some("-"), "the list shows when it was revoked: {row}");

    // Revoking it again changes nothing; an unknown id is an error that says so.
    let again = jalin(&["token", "revoke", &id.to_string(), "--database-url", url], &[]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    let events_again = app.send(with_token(TestRequest::get().uri(&audit), &app.admin_token)).await.json();
    assert_eq!(events_again["total"], events["total"], "no second event");
    let unknown = jalin(&["token", "revoke", "987654", "--database-url", url], &[]);
    assert_eq!(unknown.code, Some(1));
    assert!(unknown.stderr.contains("no token was revoked: no token has id 987654"), "{}", unknown.stderr);
    assert!(unknown.stdout.is_empty(), "{}", unknown.stdout);
}
