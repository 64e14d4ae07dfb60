//! What generated clients and tools rely on (API.md section 11): the OpenAPI document's
//! shape, the CSV twins of the lists.

use serde_json::{Value, json};

use crate::helpers::TestApp;

fn document() -> Value {
    serde_json::to_value(jalin::app::openapi_document()).unwrap()
}

fn media_types(response: &Value) -> Vec<String> {
    response["content"].as_object().map(|content| content.keys().cloned().collect()).unwrap_or_default()
}

#[test]
fn a_list_answers_json_only_and_its_csv_twin_csv_only() {
    let document = document();
    let paths = document["paths"].as_object().unwrap();
    for (path, item) in paths {
        let Some(list) = item.get("get") else { continue };
        let ok = &list["responses"]["200"];
        let types = media_types(ok);
        if path.ends_with(".csv") {
            assert_eq!(types, ["text/csv"], "{path}");
            let json_twin = path.trim_end_matches(".csv");
            assert!(paths.contains_key(json_twin), "{path} has a JSON twin");
        } else if ok["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .is_some_and(|r| r.contains("/Page_"))
        {
            assert_eq!(types, ["application/json"], "{path}: one body type, so typed clients get the page");
        }
    }
    for twin in
        ["/api/v1/regions.csv", "/api/v1/action-plans.csv", "/api/v1/agreements/{id}/action-plans.csv"]
    {
        assert!(paths.contains_key(twin), "{twin}");
    }
    assert_eq!(document["paths"]["/api/v1/regions.csv"]["get"]["operationId"], "list_regions_csv");
}

#[test]
fn page_items_and_tagged_unions_refer_to_their_schemas() {
    let document = document();
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["Page_Region"]["properties"]["items"]["items"],
        json!({"$ref": "#/components/schemas/Region"})
    );
    assert_eq!(
        schemas["Page_AuditEvent"]["properties"]["items"]["items"],
        json!({"$ref": "#/components/schemas/AuditEvent"})
    );
    let party = &schemas["Party"];
    assert_eq!(party["discriminator"]["propertyName"], "type");
    assert_eq!(
        party["oneOf"],
        json!([{"$ref": "#/components/schemas/RegionParty"}, {"$ref": "#/components/schemas/OrganizationParty"}])
    );
    assert_eq!(schemas["RegionParty"]["properties"]["type"]["enum"], json!(["region"]));
    assert!(schemas["RegionParty"]["required"].as_array().unwrap().contains(&json!("type")));
    assert_eq!(
        document["servers"],
        json!([{"url": "/", "description": "The server that serves this document"}])
    );
    // Every reference resolves.
    let text = document.to_string();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas.get(name).is_some(), "unresolved reference to {name}");
    }
}

#[actix_web::test]
async fn the_csv_twin_answers_what_format_csv_answers() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    app.action_plan(case.agreement, json!({"title": "Business matching", "status": "planned"})).await;
    let twin = app.get("/api/v1/regions.csv?sort=-name").await;
    assert_eq!(twin.status, 200);
    assert!(twin.header("content-type").unwrap().starts_with("text/csv"));
    let negotiated = app.get("/api/v1/regions?format=csv&sort=-name").await;
    assert_eq!(twin.body, negotiated.body);
    let bom = app.get("/api/v1/regions.csv?bom=true").await;
    assert!(bom.body.starts_with("\u{feff}id,".as_bytes()));
    app.get("/api/v1/regions.csv?format=json").await.assert_problem(400, &["format"]);
    let nested = app.get(&format!("/api/v1/agreements/{}/action-plans.csv", case.agreement)).await;
    assert_eq!(String::from_utf8(nested.body).unwrap().lines().count(), 2, "a header and the plan");
    app.get("/api/v1/agreements/999999/action-plans.csv").await.assert_problem(404, &[]);
}

#[actix_web::test]
async fn the_health_check_names_a_parameter_it_does_not_take() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    app.get("/healthz?verbose=1").await.assert_problem(400, &["verbose"]);
}
