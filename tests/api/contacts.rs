use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse, ids, with_token};

async fn read(app: &TestApp, path: &str) -> TestResponse {
    app.send(with_token(TestRequest::get().uri(path), &app.viewer_token)).await
}

async fn focal_point(app: &TestApp, region: &Value) -> Value {
    app.create(
        "/api/v1/contacts",
        json!({"key": "kerjasama-jabar", "name": "Siti Rahmawati", "position": "Head of Foreign Cooperation",
               "email": "kerjasama@jabarprov.go.id", "phone": "+62 22 4232448", "region_id": region["id"],
               "languages": ["id", "en", "fr-MA"]}),
    )
    .await
}

#[actix_web::test]
async fn contacts_never_leave_the_server_without_a_token() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    let contact = focal_point(&app, &west_java).await;
    let one = format!("/api/v1/contacts/{}", contact["id"]);
    for path in [
        "/api/v1/contacts".to_owned(),
        "/api/v1/contacts?format=csv".to_owned(),
        one.clone(),
        format!("{one}/history"),
    ] {
        app.get(&path).await.assert_problem(401, &[]);
        assert_eq!(read(&app, &path).await.status, 200, "{path}");
    }
    let csv = String::from_utf8(read(&app, "/api/v1/contacts?format=csv").await.body.to_vec()).unwrap();
    assert!(csv.contains(",'+62 22 4232448,,,"), "the phone kept from spreadsheets' formulas: {csv}");
    assert!(csv.contains(",id;en;fr-MA,true,"), "languages joined: {csv}");
    let anonymous =
        app.send(TestRequest::post().uri("/api/v1/contacts").set_json(json!({"name": "X"}))).await;
    anonymous.assert_problem(401, &[]);
    // Public reads of everything else stay public; the export leaves contacts out for them.
    assert_eq!(app.get("/api/v1/regions").await.status, 200);
    let public = app.get("/api/v1/export").await.json();
    assert_eq!(public.get("contacts"), None);
    assert_eq!(public["regions"][0]["key"], "ID-JB");
    let private = read(&app, "/api/v1/export").await.json();
    assert_eq!(private["contacts"][0]["key"], "kerjasama-jabar");
    assert_eq!(private["contacts"][0]["region"], "ID-JB");
    // And the document says so: contacts' reads need the bearer token, other reads do not.
    let document = app.get("/api-docs/openapi.json").await.json();
    assert_eq!(document["paths"]["/api/v1/contacts"]["get"]["security"], json!([{"bearer": []}]));
    assert_eq!(document["paths"]["/api/v1/contacts/{id}"]["get"]["security"], json!([{"bearer": []}]));
    assert_eq!(document["paths"]["/api/v1/regions"]["get"].get("security"), None, "the document's: optional");
    assert_eq!(document["security"], json!([{}, {"bearer": []}]));
}

#[actix_web::test]
async fn a_contact_works_for_exactly_one_agency_organization_or_region() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    let contact = focal_point(&app, &west_java).await;
    assert_eq!(contact["languages"], json!(["id", "en", "fr-MA"]));
    assert_eq!((contact["active"].clone(), contact["agency_id"].clone()), (json!(true), Value::Null));
    app.post("/api/v1/contacts", &json!({"name": "Nobody's"}))
        .await
        .assert_problem(422, &["agency_id", "organization_id", "region_id"]);
    let university = app
        .create(
            "/api/v1/organizations",
            json!({"name": "Ibn Zohr University", "kind": "university", "country_code": "MA"}),
        )
        .await;
    app.post(
        "/api/v1/contacts",
        &json!({"name": "Two hats", "region_id": west_java["id"], "organization_id": university["id"]}),
    )
    .await
    .assert_problem(422, &["organization_id", "region_id"]);
    app.post("/api/v1/contacts", &json!({"name": "Ghost", "agency_id": 999}))
        .await
        .assert_problem(422, &["agency_id"]);
    let moved = app
        .patch(
            &format!("/api/v1/contacts/{}", contact["id"]),
            &json!({"region_id": null, "organization_id": university["id"], "active": false}),
        )
        .await
        .json();
    assert_eq!(
        (moved["organization_id"].clone(), moved["active"].clone()),
        (university["id"].clone(), json!(false))
    );
    assert_eq!(read(&app, "/api/v1/contacts").await.json()["total"], 1);
}

#[actix_web::test]
async fn every_bad_contact_field_is_named_at_once() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    app.post(
        "/api/v1/contacts",
        &json!({"name": "", "email": "not an address", "phone": "+62-22-4232448", "region_id": west_java["id"],
                "languages": ["id", "12345", "ID"], "active": "yes"}),
    )
    .await
    .assert_problem(422, &["active", "email", "languages[1]", "languages[2]", "name", "phone"]);
    assert_eq!(read(&app, "/api/v1/contacts").await.json()["total"], 0);
}

#[actix_web::test]
async fn contacts_filter_by_employer_and_activity_and_search() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    let souss_massa = app.souss_massa().await;
    let siti = focal_point(&app, &west_java).await;
    let karim = app
        .create(
            "/api/v1/contacts",
            json!({"name": "Karim Benali", "position": "Chargé de coopération", "region_id": souss_massa["id"],
                   "active": false, "languages": ["ar", "fr"]}),
        )
        .await;
    let id = |record: &Value| record["id"].as_i64().unwrap();
    let listed = |page: Value| ids(&page);
    let region = format!("/api/v1/contacts?region_id={}", souss_massa["id"]);
    assert_eq!(listed(read(&app, &region).await.json()), vec![id(&karim)]);
    assert_eq!(listed(read(&app, "/api/v1/contacts?active=true").await.json()), vec![id(&siti)]);
    assert_eq!(listed(read(&app, "/api/v1/contacts?q=coop%C3%A9ration").await.json()), vec![id(&karim)]);
    assert_eq!(listed(read(&app, "/api/v1/contacts?q=jabarprov").await.json()), vec![id(&siti)]);
    read(&app, "/api/v1/contacts?active=maybe").await.assert_problem(400, &["active"]);
}

#[actix_web::test]
async fn whom_a_contact_works_for_is_not_deleted_under_it() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    let agency =
        app.create("/api/v1/agencies", json!({"name": "Biro Kerja Sama", "country_code": "ID"})).await;
    let university = app
        .create(
            "/api/v1/organizations",
            json!({"name": "Ibn Zohr University", "kind": "university", "country_code": "MA"}),
        )
        .await;
    for (field, employer, path) in [
        ("region_id", &west_java, "regions"),
        ("agency_id", &agency, "agencies"),
        ("organization_id", &university, "organizations"),
    ] {
        let contact =
            app.create("/api/v1/contacts", json!({"name": "Focal point", field: employer["id"]})).await;
        let problem =
            app.delete(&format!("/api/v1/{path}/{}", employer["id"])).await.assert_problem(409, &[]);
        assert!(problem["detail"].as_str().unwrap().contains("contacts"), "{problem}");
        assert_eq!(app.delete(&format!("/api/v1/contacts/{}", contact["id"])).await.status, 204);
        assert_eq!(app.delete(&format!("/api/v1/{path}/{}", employer["id"])).await.status, 204, "{path}");
    }
}

#[actix_web::test]
async fn contacts_import_by_key_and_are_audited() {
    let app = TestApp::new().await;
    let document = json!({
        "regions": [{"key": "ID-JB", "name": "West Java", "kind": "province", "country_code": "ID"}],
        "contacts": [{"key": "kerjasama-jabar", "name": "Siti Rahmawati", "region": "ID-JB", "languages": ["id"]}]
    });
    let imported = app.post("/api/v1/import", &document).await;
    assert_eq!(imported.status, 200, "{}", imported.json());
    assert_eq!(imported.json()["contacts"]["created"], 1);
    assert_eq!(app.post("/api/v1/import", &document).await.json()["contacts"]["unchanged"], 1);
    let listed = read(&app, "/api/v1/contacts").await.json();
    let contact = &listed["items"][0];
    assert_eq!((contact["languages"].clone(), contact["region_id"].is_i64()), (json!(["id"]), true));
    let path = format!("/api/v1/contacts/{}", contact["id"]);
    app.patch(&path, &json!({"languages": ["id", "en"]})).await;
    let history = read(&app, &format!("{path}/history")).await.json();
    assert_eq!(history["items"][0]["resource_type"], "contact");
    assert_eq!(history["items"][0]["changes"], json!({"languages": [["id"], ["id", "en"]]}));
}
