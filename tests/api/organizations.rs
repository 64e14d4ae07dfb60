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

/// An agreement of West Java with Ibn Zohr University (Agadir): regions first, then
/// organizations, each with its `type`.
async fn institutional_agreement(app: &TestApp) -> (Value, Value, Value) {
    let west_java = app.west_java().await;
    let university = app.create("/api/v1/organizations", university()).await;
    let agreement = app
        .create(
            "/api/v1/agreements",
            json!({"key": "jabar-uiz", "title": "West Java and Ibn Zohr University", "kind": "institutional",
                   "status": "negotiating", "party_region_ids": [west_java["id"]],
                   "party_organization_ids": [university["id"]]}),
        )
        .await;
    (west_java, university, agreement)
}

#[actix_web::test]
async fn an_organization_is_a_party_with_its_type_after_the_regions() {
    let app = TestApp::new().await;
    let (west_java, university, agreement) = institutional_agreement(&app).await;
    assert_eq!(agreement["kind"], "institutional");
    assert_eq!(
        agreement["parties"],
        json!([
            {"type": "region", "id": west_java["id"], "name": "West Java", "country_code": "ID", "subdivision_code": "ID-JB"},
            {"type": "organization", "id": university["id"], "name": "Ibn Zohr University", "acronym": "UIZ",
             "kind": "university", "country_code": "MA"},
        ])
    );
    let path = format!("/api/v1/agreements/{}", agreement["id"]);
    assert_eq!(app.get(&path).await.json()["parties"], agreement["parties"]);
    // The list embeds the same, and filters on the organization and on its country.
    let page = app.get(&format!("/api/v1/agreements?organization_id={}", university["id"])).await.json();
    assert_eq!(page["items"][0]["parties"], agreement["parties"]);
    assert_eq!(app.total("/api/v1/agreements?organization_id=999").await, 0);
    assert_eq!(app.total("/api/v1/agreements?country_code=MA").await, 1);
    // CSV names the parties by subdivision code or acronym.
    let csv = app.get("/api/v1/agreements?format=csv").await;
    assert!(
        String::from_utf8_lossy(&csv.body).contains("ID-JB;UIZ"),
        "{}",
        String::from_utf8_lossy(&csv.body)
    );
    // The overview counts the university's country as a partner of West Java.
    let overview = app.get(&format!("/api/v1/reports/overview?region_id={}", west_java["id"])).await.json();
    assert_eq!(overview["partners"][0]["country_code"], "MA");
    assert_eq!(overview["agreements"]["by_kind"]["institutional"], 1);
}

#[actix_web::test]
async fn an_organization_is_not_deleted_while_a_party() {
    let app = TestApp::new().await;
    let (_, university, agreement) = institutional_agreement(&app).await;
    let path = format!("/api/v1/organizations/{}", university["id"]);
    let problem = app.delete(&path).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("agreements (1)"), "{problem}");
    app.delete(&format!("/api/v1/agreements/{}", agreement["id"])).await;
    assert_eq!(app.delete(&path).await.status, 204);
}

#[actix_web::test]
async fn party_rules_hold_for_every_kind() {
    let app = TestApp::new().await;
    let (west_java, university, _) = institutional_agreement(&app).await;
    let souss_massa = app.souss_massa().await;
    let network = app.create("/api/v1/organizations", json!({"name": "UCLG", "kind": "network"})).await;
    let agreement = |kind: &str, regions: Vec<&Value>, organizations: Vec<&Value>| {
        json!({"title": "A cooperation", "kind": kind, "status": "proposed",
               "party_region_ids": regions.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(),
               "party_organization_ids": organizations.iter().map(|o| o["id"].clone()).collect::<Vec<_>>()})
    };
    let rejected = [
        // A sister relationship joins two regions and no organization.
        (
            agreement("sister_province", vec![&west_java, &souss_massa], vec![&university]),
            "party_organization_ids",
        ),
        (agreement("sister_city", vec![&west_java], vec![&university]), "party_region_ids"),
        // An institutional one has an organization.
        (agreement("institutional", vec![&west_java, &souss_massa], vec![]), "party_organization_ids"),
        // Every agreement has a region, and two parties.
        (agreement("other", vec![], vec![&university, &network]), "party_region_ids"),
        (agreement("institutional", vec![&west_java], vec![]), "party_region_ids"),
    ];
    for (body, field) in rejected {
        let problem = app.post("/api/v1/agreements", &body).await;
        let problem = problem.json();
        assert_eq!(problem["status"], 422, "{body}: {problem}");
        assert!(
            problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == field),
            "{body}: {problem}"
        );
    }
    // Unknown and repeated organizations are named by position.
    let mut body = agreement("institutional", vec![&west_java], vec![&university, &university]);
    body["party_organization_ids"].as_array_mut().unwrap().push(json!(999));
    app.post("/api/v1/agreements", &body)
        .await
        .assert_problem(422, &["party_organization_ids[1]", "party_organization_ids[2]"]);
    // Accepted: a region with an international network under `other`, and with two organizations.
    app.create("/api/v1/agreements", agreement("other", vec![&west_java], vec![&network])).await;
    app.create(
        "/api/v1/agreements",
        agreement("institutional", vec![&west_java], vec![&university, &network]),
    )
    .await;
    assert_eq!(app.total("/api/v1/agreements").await, 3);
}

#[actix_web::test]
async fn party_organizations_travel_by_key_in_documents() {
    let app = TestApp::new().await;
    institutional_agreement(&app).await;
    let export = app.get("/api/v1/export").await.json();
    let exported = export["agreements"].as_array().unwrap().iter().find(|a| a["key"] == "jabar-uiz").unwrap();
    assert_eq!(exported["party_organizations"], json!(["uiz"]));
    assert_eq!(exported["parties"], json!(["ID-JB"]));
    // Into an empty database, and back out the same.
    let elsewhere = TestApp::new().await;
    let imported = elsewhere.post("/api/v1/import", &export).await;
    assert_eq!(imported.status, 200, "{}", imported.json());
    assert_eq!(elsewhere.get("/api/v1/export").await.json(), export);
    let again = elsewhere.get("/api/v1/agreements?key=jabar-uiz").await.json();
    assert_eq!(again["items"][0]["parties"][1]["type"], "organization");
}
