use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::helpers::{TestApp, with_token};

fn demo() -> Value {
    serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap()
}

fn keys(document: &Value, list: &str) -> Vec<String> {
    document[list].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn an_export_imports_elsewhere_to_the_same_data() {
    let first = TestApp::new().await;
    first.post("/api/v1/import", &demo()).await;
    let case = first.founding_case_extras().await;
    let exported = first.get("/api/v1/export").await;
    assert_eq!(exported.status, 200);
    let exported = exported.json();
    // Read without a token: every list but the personal ones (contacts).
    let public = jalin::testing::RESOURCES.iter().filter(|resource| !resource.personal());
    for list in public.map(|resource| resource.kind().table) {
        let keys = keys(&exported, list);
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{list} ordered by key");
    }
    let text = exported.to_string();
    // As members: `"id"` is also a value (the demo's `local_language`).
    for absent in ["\"id\":", "\"version\":", "\"created_at\":", "\"updated_at\":", "region_id", "sector_ids"]
    {
        assert!(!text.contains(absent), "{absent} in the export");
    }
    let renewal = exported["agreements"].as_array().unwrap().iter().find(|a| a["key"] == case).unwrap();
    assert_eq!(renewal["renews"], "jabar-souss-massa-2017");
    assert_eq!(renewal["parties"], json!(["ID-JB", "MA-09"]));

    let second = TestApp::new().await;
    let imported = second.post("/api/v1/import", &exported).await;
    assert_eq!(imported.status, 200, "{}", String::from_utf8_lossy(&imported.body));
    assert_eq!(
        second.get("/api/v1/export").await.json(),
        exported,
        "export, import, export: the same document"
    );
    let again = second.post("/api/v1/import", &exported).await.json();
    assert_eq!(again["action_plans"]["unchanged"], 10);
}

#[actix_web::test]
async fn an_agreement_exports_with_what_it_refers_to() {
    let app = TestApp::new().await;
    app.post("/api/v1/import", &demo()).await;
    app.create(
        "/api/v1/regions",
        json!({"key": "bandung", "name": "Bandung", "kind": "city", "country_code": "ID"}),
    )
    .await;
    app.create(
        "/api/v1/regions",
        json!({"key": "dili", "name": "Dili", "kind": "city", "country_code": "TL"}),
    )
    .await;
    let other = app
        .post(
            "/api/v1/import",
            &json!({"agreements": [{"key": "bandung-dili", "title": "Bandung - Dili",
            "kind": "sister_city", "status": "proposed", "parties": ["bandung", "dili"]}]}),
        )
        .await;
    assert_eq!(other.status, 200);
    let agreement =
        app.get("/api/v1/agreements?key=jabar-souss-massa-2017").await.json()["items"][0]["id"].clone();
    let document = app.get(&format!("/api/v1/export?agreement_id={agreement}")).await.json();
    assert_eq!(keys(&document, "agreements"), ["jabar-souss-massa-2017"]);
    assert_eq!(keys(&document, "regions"), ["ID-JB", "MA-09"]);
    assert_eq!(document["action_plans"].as_array().unwrap().len(), 10);
    assert_eq!(document["obstacles"].as_array().unwrap().len(), 9);
    assert_eq!(document["sectors"].as_array().unwrap().len(), 9);
    assert_eq!(document["agencies"].as_array().unwrap().len(), 10);
    let fresh = TestApp::new().await;
    assert_eq!(
        fresh.post("/api/v1/import", &document).await.status,
        200,
        "a cut-down export imports on its own"
    );
    app.get("/api/v1/export?agreement_id=999").await.assert_problem(404, &[]);
    app.get("/api/v1/export?agreement_id=x&format=zip")
        .await
        .assert_problem(400, &["agreement_id", "format"]);
}

#[actix_web::test]
async fn private_exports_need_a_token() {
    let settings = jalin::config::Settings { public_read: false, ..Default::default() };
    let app = TestApp::with_settings(settings).await;
    app.get("/api/v1/export").await.assert_problem(401, &[]);
    let response = app.send(with_token(TestRequest::get().uri("/api/v1/export"), &app.viewer_token)).await;
    assert_eq!(response.status, 200);
}

#[actix_web::test]
async fn a_region_exports_after_the_region_it_lies_within_whatever_the_keys() {
    let first = TestApp::new().await;
    let document = json!({"regions": [
        {"key": "ID-JB", "name": "West Java", "kind": "province", "country_code": "ID"},
        {"key": "A-bandung", "name": "Bandung", "kind": "city", "country_code": "ID", "parent_region": "ID-JB"},
        {"key": "0-coblong", "name": "Coblong", "kind": "district", "country_code": "ID", "parent_region": "A-bandung"},
        {"key": "B-bogor", "name": "Bogor", "kind": "regency", "country_code": "ID", "parent_region": "ID-JB"}]});
    let imported = first.post("/api/v1/import", &document).await;
    assert_eq!(imported.status, 200, "{}", String::from_utf8_lossy(&imported.body));
    let exported = first.get("/api/v1/export").await.json();
    assert_eq!(
        keys(&exported, "regions"),
        ["ID-JB", "A-bandung", "B-bogor", "0-coblong"],
        "by depth, then key"
    );
    assert_eq!(exported["regions"][3]["parent_region"], "A-bandung");
    assert!(!exported.to_string().contains("parent_region_id"), "referred to by key");

    let second = TestApp::new().await;
    assert_eq!(second.post("/api/v1/import", &exported).await.status, 200);
    assert_eq!(second.get("/api/v1/export").await.json(), exported);
    let west_java = second.get("/api/v1/regions?key=ID-JB").await.json()["items"][0]["id"].clone();
    assert_eq!(second.total(&format!("/api/v1/regions?within_region_id={west_java}")).await, 4);
    // An agreement"s export carries the regions its parties lie within, up to the top.
    let coblong = second.get("/api/v1/regions?key=0-coblong").await.json()["items"][0]["id"].clone();
    let agadir = second
        .create(
            "/api/v1/regions",
            json!({"key": "agadir", "name": "Agadir", "kind": "city", "country_code": "MA"}),
        )
        .await;
    let agreement = second
        .create(
            "/api/v1/agreements",
            json!({"title": "Coblong-Agadir", "kind": "sister_city", "status": "proposed",
                   "party_region_ids": [coblong, agadir["id"]]}),
        )
        .await;
    let scoped = second.get(&format!("/api/v1/export?agreement_id={}", agreement["id"])).await.json();
    assert_eq!(keys(&scoped, "regions"), ["ID-JB", "agadir", "A-bandung", "0-coblong"]);
    let third = TestApp::new().await;
    assert_eq!(third.post("/api/v1/import", &scoped).await.status, 200, "it imports on its own");

    let mut orphan = json!({"regions": [
        {"key": "C-cimahi", "name": "Cimahi", "kind": "city", "country_code": "ID", "parent_region": "nowhere"}]});
    second.post("/api/v1/import", &orphan).await.assert_problem(422, &["regions[0].parent_region"]);
    orphan["regions"][0]["parent_region"] = json!("A-bandung");
    orphan["regions"][0]["country_code"] = json!("MA");
    second.post("/api/v1/import", &orphan).await.assert_problem(422, &["regions[0].parent_region"]);
}

#[actix_web::test]
async fn a_token_revoked_while_its_export_streams_ends_the_stream() {
    use futures_util::StreamExt;

    let app = TestApp::new().await;
    let case = app.founding_case().await;
    // Some 3 MB of plans: far more than the chunks a stream sends ahead of its reader.
    app.execute_sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) \
         INSERT INTO action_plans (key, agreement_id, title, description, status, version, created_at, updated_at) \
         SELECT 'bulk-' || i, {}, 'Plan ' || i, 'A plan described at some length, to make the export long enough', \
                'planned', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n;",
        case.agreement
    ));
    let created = app
        .send(with_token(
            TestRequest::post().uri("/api/v1/tokens").set_json(json!({"name": "exporter", "role": "viewer"})),
            &app.admin_token,
        ))
        .await
        .json();
    let secret = created["token"].as_str().unwrap_or_default().to_owned();
    let export = || with_token(TestRequest::get().uri("/api/v1/export"), &secret);

    // Revoked after the first chunk: the stream is cut off within the chunks already on their way.
    let (status, mut chunks) = app.open(export()).await;
    assert_eq!(status, 200);
    let first = chunks.next().await.expect("a first chunk").expect("the first chunk arrives");
    let revoked = app
        .send(with_token(
            TestRequest::delete().uri(&format!("/api/v1/tokens/{}", created["id"])),
            &app.admin_token,
        ))
        .await;
    assert_eq!(revoked.status, 204);
    let (mut received, mut after_revocation, mut cut_off) = (first.len(), 0, false);
    while let Some(chunk) = chunks.next().await {
        match chunk {
            Ok(chunk) => {
                received += chunk.len();
                after_revocation += 1;
            }
            Err(_) => {
                cut_off = true;
                break;
            }
        }
    }
    assert!(cut_off, "the export ended as if complete after {received} bytes");
    assert!(after_revocation <= 5, "{after_revocation} chunks were sent after the revocation");

    // A token that stays valid gets the whole document.
    let whole = app.digest(with_token(TestRequest::get().uri("/api/v1/export"), &app.admin_token)).await;
    assert_eq!(whole.status, 200);
    assert!(whole.length > 2 * received as u64, "whole: {} bytes, cut off after {received}", whole.length);
}
