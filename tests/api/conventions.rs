//! What holds for every endpoint: problem details, status codes, the health check and the
//! OpenAPI document.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn a_path_with_runs_of_slashes_is_served_as_the_path_with_one() {
    let app = TestApp::new().await;
    let region = app.west_java().await;
    let id = region["id"].as_i64().expect("id");
    let merged = app.get(&format!("//api/v1///regions//{id}")).await;
    assert_eq!(merged.status.as_u16(), 200, "{}", String::from_utf8_lossy(&merged.body));
    assert_eq!(merged.json(), region);
    let listed = app.get("/api//v1/regions?country_code=ID&limit=1").await.json();
    assert_eq!(listed["items"][0], region, "the query is kept");
    assert_eq!(listed["limit"], 1);
    app.get("/api/v1/nothing//here").await.assert_problem(404, &[]);
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::new().await;
    let response = app
        .send(
            app.as_editor(
                TestRequest::post()
                    .uri("/api/v1/regions")
                    .insert_header(("content-type", "application/json"))
                    .set_payload("{\"name\": "),
            ),
        )
        .await;
    response.assert_problem(400, &[]);
    assert_eq!(app.total("/api/v1/regions").await, 0);
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::new().await;
    let response = app
        .send(
            app.as_editor(
                TestRequest::post()
                    .uri("/api/v1/sectors")
                    .insert_header(("content-type", "text/plain"))
                    .set_payload("code=x"),
            ),
        )
        .await;
    response.assert_problem(415, &[]);
    let no_type = app.send(app.as_editor(TestRequest::post().uri("/api/v1/sectors").set_payload("{}"))).await;
    no_type.assert_problem(415, &[]);
}

#[actix_web::test]
async fn a_body_over_one_mebibyte_is_413() {
    let app = TestApp::new().await;
    let body = json!({"name": "x".repeat(1024 * 1024), "kind": "city", "country_code": "ID"});
    app.post("/api/v1/regions", &body).await.assert_problem(413, &[]);
    assert_eq!(app.total("/api/v1/regions").await, 0);
}

#[actix_web::test]
async fn unknown_paths_are_404_and_unsupported_methods_405_with_allow() {
    let app = TestApp::new().await;
    app.get("/api/v1/planets").await.assert_problem(404, &[]);
    let response = app.send(TestRequest::put().uri("/api/v1/regions/1")).await;
    response.assert_problem(405, &[]);
    assert_eq!(response.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
    let response = app.delete("/api/v1/regions").await;
    response.assert_problem(405, &[]);
    assert_eq!(response.header("allow"), Some("GET, HEAD, POST"));
}

#[actix_web::test]
async fn healthz_is_ok_when_the_database_answers() {
    let app = TestApp::new().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), json!({"status": "ok"}));
}

#[actix_web::test]
async fn healthz_is_503_when_the_database_does_not_answer() {
    let app = TestApp::without_database().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.header("retry-after"), Some("5"));
    let problem = response.assert_problem(503, &[]);
    assert!(!problem["detail"].as_str().unwrap().contains("127.0.0.1"), "no internal detail: {problem}");
}

#[actix_web::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let app = TestApp::new().await;
    let response = app.get("/api-docs/openapi.json").await;
    assert_eq!(response.status, 200);
    let served = response.json();
    assert_eq!(served["openapi"], "3.1.0");
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    assert!(
        served == committed,
        "openapi/openapi.json is out of date: run `cargo run -q -- openapi > openapi/openapi.json`"
    );
    assert_eq!(jalin::app::openapi_json(), include_str!("../../openapi/openapi.json"));
}

#[actix_web::test]
async fn every_operation_documents_its_problem_responses() {
    let document = serde_json::to_value(jalin::app::openapi_document()).unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{method} {path}");
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    let content = &responses[status]["content"];
                    assert!(content.get("application/problem+json").is_some(), "{method} {path} {status}");
                }
            }
            if path.contains("{id}") {
                assert!(responses.contains_key("404"), "{method} {path}");
            }
        }
    }
    let patch = &document["components"]["schemas"]["RegionPatch"];
    assert!(patch.get("required").is_none(), "a merge patch requires nothing");
    assert_eq!(document["components"]["schemas"]["RegionInput"]["additionalProperties"], false);
}

#[actix_web::test]
async fn swagger_ui_is_served_without_internet() {
    let app = TestApp::new().await;
    let redirect = app.get("/swagger-ui").await;
    assert_eq!(redirect.header("location"), Some("/swagger-ui/"));
    let page = app.get("/swagger-ui/").await;
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("swagger-ui"));
    let script = app.get("/swagger-ui/swagger-ui-bundle.js").await;
    assert_eq!(script.status, 200);
    assert!(script.body.len() > 100_000, "the bundle is in the binary");
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_nosniff() {
    let app = TestApp::new().await;
    let response = app.get("/api/v1/regions").await;
    let id = response.header("x-request-id").expect("a request id");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    let echoed = app
        .send(TestRequest::get().uri("/api/v1/nowhere").insert_header(("x-request-id", "client-42")))
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("client-42"), "the client's id, on errors too");
    assert_eq!(echoed.header("x-content-type-options"), Some("nosniff"));
    let too_long = "x".repeat(500);
    let replaced =
        app.send(TestRequest::get().uri("/healthz").insert_header(("x-request-id", too_long.as_str()))).await;
    assert_ne!(replaced.header("x-request-id"), Some(too_long.as_str()));
}

#[actix_web::test]
async fn cors_allows_only_the_configured_origins() {
    let closed = TestApp::new().await;
    let response = closed
        .send(TestRequest::get().uri("/api/v1/regions").insert_header(("origin", "https://dash.example")))
        .await;
    assert_eq!(response.header("access-control-allow-origin"), None, "no origin is allowed by default");

    let settings =
        jalin::config::Settings { cors_origins: vec!["https://dash.example".into()], ..Default::default() };
    let open = TestApp::with_settings(settings).await;
    let preflight = open
        .send(
            TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri("/api/v1/regions/1")
                .insert_header(("origin", "https://dash.example"))
                .insert_header(("access-control-request-method", "PATCH"))
                .insert_header(("access-control-request-headers", "authorization, if-match, content-type")),
        )
        .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("https://dash.example"));
    let read = open
        .send(TestRequest::get().uri("/api/v1/regions").insert_header(("origin", "https://dash.example")))
        .await;
    assert_eq!(read.header("access-control-allow-origin"), Some("https://dash.example"));
    assert!(read.header("access-control-expose-headers").unwrap_or_default().to_lowercase().contains("etag"));
    let other = open
        .send(TestRequest::get().uri("/api/v1/regions").insert_header(("origin", "https://evil.example")))
        .await;
    assert_ne!(other.header("access-control-allow-origin"), Some("https://evil.example"));
}
