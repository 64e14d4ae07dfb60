use serde_json::{Value, json};

use crate::helpers::{TestApp, ids};

fn university() -> Value {
    json!({"key": "uiz", "name": "Ibn Zohr University", "local_name": "Université Ibn Zohr",
           "acronym": "UIZ", "kind": "university", "country_code": "MA",
           "website": "https://www.uiz.ac.ma"})
}

#[actix_web::test]
async fn an_organization_is_created_read_and_listed_with_every_field() {
    let app = TestApp::new().await;
    let created = app.create("/api/v1/organizations", university()).await;
    for (field, value) in university().as_object().unwrap() {
        assert_eq!(&created[field], value, "{field}");
    }
    assert_eq!(created["version"], 1);
    let read = app.get(&format!("/api/v1/organizations/{}", created["id"])).await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.json(), created);
    let page = app.get("/api/v1/organizations").await.json();
    assert_eq!((page["total"].clone(), ids(&page)), (json!(1), vec![created["id"].as_i64().unwrap()]));
}

#[actix_web::test]
async fn only_a_network_or_an_international_organization_may_have_no_country() {
    let app = TestApp::new().await;
    for kind in ["network", "international_organization"] {
        let created =
            app.create("/api/v1/organizations", json!({"name": format!("A {kind}"), "kind": kind})).await;
        assert_eq!(created["country_code"], Value::Null, "{kind}");
    }
    for kind in ["university", "business_association", "ngo", "government_agency", "other"] {
        let problem = app
            .post("/api/v1/organizations", &json!({"name": "Nowhere", "kind": kind, "country_code": null}))
            .await
            .assert_problem(422, &["country_code"]);
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains(kind), "{problem}");
    }
    // A network given a country keeps it; one that becomes a university must then have one.
    let network = app
        .create("/api/v1/organizations", json!({"name": "UCLG", "kind": "network", "country_code": "ES"}))
        .await;
    assert_eq!(network["country_code"], "ES");
    let path = format!("/api/v1/organizations/{}", network["id"]);
    app.patch(&path, &json!({"country_code": null, "kind": "university"}))
        .await
        .assert_problem(422, &["country_code"]);
    assert_eq!(app.get(&path).await.json()["version"], 1);
    assert_eq!(app.total("/api/v1/organizations").await, 3);
}

#[actix_web::test]
async fn every_bad_organization_field_is_named_at_once() {
    let app = TestApp::new().await;
    app.post(
        "/api/v1/organizations",
        &json!({"name": " ", "kind": "club", "country_code": "XX", "website": "ftp://example.org"}),
    )
    .await
    .assert_problem(422, &["country_code", "kind", "name", "website"]);
    app.post("/api/v1/organizations", &json!({"kind": "ngo", "country_code": "ID", "founded": 1990}))
        .await
        .assert_problem(422, &["founded", "name"]);
    assert_eq!(app.total("/api/v1/organizations").await, 0);
}

#[actix_web::test]
async fn organizations_filter_by_kind_and_country_and_search_names_and_acronyms() {
    let app = TestApp::new().await;
    let uiz = app.create("/api/v1/organizations", university()).await;
    let chamber = app
        .create(
            "/api/v1/organizations",
            json!({"name": "Kamar Dagang dan Industri Jawa Barat", "acronym": "Kadin Jabar",
                   "kind": "business_association", "country_code": "ID"}),
        )
        .await;
    let network = app
        .create(
            "/api/v1/organizations",
            json!({"name": "United Cities and Local Governments", "acronym": "UCLG", "kind": "network"}),
        )
        .await;
    let listed = |page: Value| ids(&page);
    let id = |record: &Value| record["id"].as_i64().unwrap();
    assert_eq!(listed(app.get("/api/v1/organizations?kind=university").await.json()), vec![id(&uiz)]);
    assert_eq!(listed(app.get("/api/v1/organizations?country_code=ID").await.json()), vec![id(&chamber)]);
    assert_eq!(listed(app.get("/api/v1/organizations?q=uclg").await.json()), vec![id(&network)]);
    assert_eq!(listed(app.get("/api/v1/organizations?q=ibn%20zohr").await.json()), vec![id(&uiz)]);
    assert_eq!(
        listed(app.get("/api/v1/organizations?sort=name").await.json()),
        vec![id(&uiz), id(&chamber), id(&network)]
    );
    app.get("/api/v1/organizations?kind=club&country_code=XX")
        .await
        .assert_problem(400, &["country_code", "kind"]);
}

#[actix_web::test]
async fn an_organization_change_is_audited_and_its_history_read() {
    let app = TestApp::new().await;
    let created = app.create("/api/v1/organizations", university()).await;
    let path = format!("/api/v1/organizations/{}", created["id"]);
    let patched = app.patch(&path, &json!({"acronym": "UIZ Agadir"})).await.json();
    assert_eq!((patched["acronym"].clone(), patched["version"].clone()), (json!("UIZ Agadir"), json!(2)));
    let history = app.get(&format!("{path}/history")).await.json();
    let events = history["items"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["action"], "updated");
    assert_eq!(events[0]["resource_type"], "organization");
    assert_eq!(events[0]["changes"], json!({"acronym": ["UIZ", "UIZ Agadir"]}));
    assert_eq!(app.delete(&path).await.status, 204);
    assert_eq!(app.get(&path).await.status, 404);
}

#[actix_web::test]
async fn organizations_travel_by_key_in_documents_and_as_csv() {
    let app = TestApp::new().await;
    let document = json!({"organizations": [university(),
        {"key": "uclg", "name": "United Cities and Local Governments", "kind": "network"}]});
    let imported = app.post("/api/v1/import", &document).await;
    assert_eq!(imported.status, 200, "{}", imported.json());
    assert_eq!(imported.json()["organizations"]["created"], 2);
    assert_eq!(app.post("/api/v1/import", &document).await.json()["organizations"]["unchanged"], 2);
    let export = app.get("/api/v1/export").await.json();
    let keys: Vec<&str> =
        export["organizations"].as_array().unwrap().iter().map(|o| o["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["uclg", "uiz"]);
    assert_eq!(export["organizations"][1]["website"], "https://www.uiz.ac.ma");
    let csv = app.get("/api/v1/organizations?format=csv&sort=key").await;
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,key,name,local_name,acronym,kind,country_code,website,version,created_at,updated_at")
    );
    assert!(lines.next().unwrap().contains(",uclg,United Cities and Local Governments,,,network,,,1,"));
}
