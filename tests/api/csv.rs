use actix_web::test::TestRequest;
use serde_json::Value;

use crate::helpers::TestApp;

fn parse(body: &[u8]) -> Vec<Vec<String>> {
    csv_crate::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn demo(app: &TestApp) {
    let document: Value = serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap();
    assert_eq!(app.post("/api/v1/import", &document).await.status, 200);
}

#[actix_web::test]
async fn a_list_answers_csv_with_a_header_and_a_row_per_match() {
    let app = TestApp::new().await;
    demo(&app).await;
    let response = app.get("/api/v1/action-plans?format=csv&sort=key").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/csv; charset=utf-8"));
    let rows = parse(&response.body);
    assert_eq!(rows.len(), 11);
    assert_eq!(rows[0][..6], ["id", "key", "agreement_id", "title", "local_title", "description"]);
    let column = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let fisheries = rows.iter().find(|r| r[column("key")] == "ap-05").unwrap();
    assert_eq!(fisheries[column("sectors")], "human-capacity;fisheries", "links joined with ;");
    assert_eq!(fisheries[column("year")], "", "no year: an empty cell");
    let lecturers = rows.iter().find(|r| r[column("key")] == "ap-10").unwrap();
    assert_eq!(
        lecturers[column("agencies")],
        "Dinas Pendidikan;Kementerian Riset Teknologi dan Pendidikan Tinggi",
        "an agency without an acronym by its name"
    );

    let agencies =
        app.send(TestRequest::get().uri("/api/v1/agencies").insert_header(("accept", "text/csv"))).await;
    let rows = parse(&agencies.body);
    assert!(
        rows.iter().any(|r| r.contains(&"Ministry of Research, Technology and Higher Education".to_owned())),
        "commas quoted"
    );
    let implemented = parse(&app.get("/api/v1/action-plans?format=csv&status=implemented").await.body);
    assert_eq!(implemented.len(), 4, "the list's filters apply");
    let page = parse(&app.get("/api/v1/action-plans?format=csv&limit=2&offset=1").await.body);
    assert_eq!(page.len(), 3, "an explicit limit is one page");
    let agreements = parse(&app.get("/api/v1/agreements?format=csv").await.body);
    assert_eq!(agreements[1][agreements[0].iter().position(|c| c == "parties").unwrap()], "ID-JB;MA-09");
}

#[actix_web::test]
async fn csv_can_start_with_a_byte_order_mark_and_is_never_empty() {
    let app = TestApp::new().await;
    let response = app.get("/api/v1/regions?format=csv&bom=true").await;
    assert!(response.body.starts_with(&[0xEF, 0xBB, 0xBF]));
    let rows = parse(&response.body[3..]);
    assert_eq!(rows.len(), 1, "only the header");
    assert_eq!(rows[0][0], "id");
    app.get("/api/v1/regions?format=xml&bom=maybe").await.assert_problem(400, &["format", "bom"]);
    app.get("/api/v1/agreements/999/action-plans?format=csv").await.assert_problem(404, &[]);
    let json = app.get("/api/v1/regions?format=json").await;
    assert_eq!(json.json()["total"], 0);
}

#[actix_web::test]
async fn csv_streams_every_match_across_batches_in_any_order() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    app.execute_sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4500) \
         INSERT INTO action_plans (key, agreement_id, title, status, version, created_at, updated_at) \
         SELECT 'bulk-' || i, {}, 'Plan ' || i, 'planned', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n",
        case.agreement
    ));
    let by_id = parse(&app.get("/api/v1/action-plans?format=csv").await.body);
    assert_eq!(by_id.len(), 4501);
    let ids: Vec<i64> = by_id[1..].iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order, each once");
    let by_key = parse(&app.get("/api/v1/action-plans?format=csv&sort=-key").await.body);
    assert_eq!(by_key.len(), 4501);
    let mut keys: Vec<&String> = by_key[1..].iter().map(|r| &r[1]).collect();
    keys.dedup();
    assert_eq!(keys.len(), 4500, "no row twice across batches");
    let nested =
        parse(&app.get(&format!("/api/v1/agreements/{}/action-plans?format=csv", case.agreement)).await.body);
    assert_eq!(nested.len(), 4501);
}

#[actix_web::test]
async fn the_audit_trail_histories_and_tokens_answer_csv_too() {
    let app = TestApp::new().await;
    demo(&app).await;
    let audit = app
        .send(crate::helpers::with_token(
            TestRequest::get().uri("/api/v1/audit?format=csv"),
            &app.admin_token,
        ))
        .await;
    let rows = parse(&audit.body);
    assert_eq!(rows[0], ["id", "at", "actor", "action", "resource_type", "resource_id", "changes"]);
    assert_eq!(rows.len(), 49, "a header and the 48 events of the import");
    assert!(rows[1][6].starts_with('{'), "changes as JSON text");
    let history = parse(&app.get("/api/v1/regions/1/history?format=csv").await.body);
    assert_eq!(history.len(), 2);
    assert_eq!(history[1][3], "created");
    let tokens = app
        .send(crate::helpers::with_token(
            TestRequest::get().uri("/api/v1/tokens").insert_header(("accept", "text/csv")),
            &app.admin_token,
        ))
        .await;
    let text = String::from_utf8_lossy(&tokens.body).to_string();
    assert_eq!(parse(&tokens.body).len(), 4);
    assert!(!text.contains(&app.admin_token), "no secret in the CSV");
}
