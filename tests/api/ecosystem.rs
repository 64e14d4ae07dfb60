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
fn head_compression_and_body_encodings_are_in_the_document() {
    let document = document();
    let head = &document["paths"]["/api/v1/regions"]["head"];
    assert_eq!(head["operationId"], "list_regions_head");
    assert!(head["responses"]["200"].get("content").is_none_or(|c| c.as_object().unwrap().is_empty()));
    assert!(head["responses"]["200"]["headers"].get("Link").is_some());
    assert!(document["paths"]["/api/v1/regions"]["get"]["responses"]["200"]["headers"].get("Link").is_some());
    let body = &document["paths"]["/api/v1/regions"]["post"]["requestBody"]["description"];
    assert!(body.as_str().unwrap().contains("Content-Encoding: gzip"), "{body}");
    assert!(document["info"]["description"].as_str().unwrap().contains("Accept-Encoding"));
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
        party["discriminator"]["mapping"],
        json!({"organization": "#/components/schemas/OrganizationParty", "region": "#/components/schemas/RegionParty"})
    );
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

#[actix_web::test]
async fn every_example_of_the_document_works_as_it_is_against_the_demo_data() {
    let app = TestApp::new().await;
    let demo: Value = serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap();
    assert_eq!(app.post("/api/v1/import", &demo).await.status, 200);
    let document = document();
    let schemas = &document["components"]["schemas"];
    let mut tried = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in ["post", "patch"] {
            let Some(operation) = item.get(method) else { continue };
            let body = &operation["requestBody"]["content"]["application/json"];
            let schema = match body["schema"]["$ref"].as_str() {
                Some(reference) => &schemas[reference.rsplit('/').next().unwrap()],
                None => body,
            };
            // `example` on the derived schemas, `examples` on the import document's.
            let example = match &schema["example"] {
                Value::Null => schema["examples"][0].clone(),
                example => example.clone(),
            };
            assert!(!example.is_null(), "{method} {path} has no example");
            let uri = path.replace("{id}", "1");
            let request = actix_web::test::TestRequest::default()
                .method(actix_web::http::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap())
                .uri(&uri)
                .set_json(&example);
            let response = app.send(crate::helpers::with_token(request, &app.admin_token)).await;
            assert!(
                response.status.is_success(),
                "{method} {path} with {example}: {} {}",
                response.status,
                String::from_utf8_lossy(&response.body)
            );
            tried += 1;
        }
    }
    assert!(tried >= 25, "{tried} examples tried");
}

#[actix_web::test]
async fn responses_of_a_kibibyte_or_more_are_compressed_as_the_client_accepts() {
    use std::io::Read;
    let app = TestApp::new().await;
    let demo: Value = serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap();
    app.post("/api/v1/import", &demo).await;
    let get = |uri: &str, encoding: &str| {
        actix_web::test::TestRequest::get().uri(uri).insert_header(("Accept-Encoding", encoding.to_owned()))
    };
    let plain = app.get("/api/v1/action-plans").await;
    assert!(plain.body.len() >= 1024 && plain.header("content-encoding").is_none());
    let gzipped = app.send(get("/api/v1/action-plans", "gzip")).await;
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert!(gzipped.header("vary").is_some());
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(gzipped.body.as_slice()).read_to_end(&mut decoded).unwrap();
    assert_eq!(decoded, plain.body);
    let brotli = app.send(get("/api/v1/action-plans.csv", "br")).await;
    assert_eq!(brotli.header("content-encoding"), Some("br"), "streamed CSV too");
    // Under a kibibyte, as it is.
    let small = app.send(get("/healthz", "gzip, br")).await;
    assert_eq!((small.status.as_u16(), small.header("content-encoding")), (200, None));
}

#[actix_web::test]
async fn a_gzip_body_is_read_and_an_unknown_encoding_is_415() {
    use std::io::Write;
    let app = TestApp::new().await;
    let gzip = |value: &Value| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(value.to_string().as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    let region = json!({"name": "Central Java", "kind": "province", "country_code": "ID"});
    let request = |encoding: &str, body: Vec<u8>| {
        app.as_editor(
            actix_web::test::TestRequest::post()
                .uri("/api/v1/regions")
                .insert_header(("Content-Type", "application/json"))
                .insert_header(("Content-Encoding", encoding.to_owned()))
                .set_payload(body),
        )
    };
    let created = app.send(request("gzip", gzip(&region))).await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    assert_eq!(created.json()["name"], "Central Java");
    app.send(request("compress", region.to_string().into_bytes())).await.assert_problem(415, &[]);
    // The limit counts the bytes once decoded: two mebibytes of spaces that gzip to a few KiB.
    let mut inflated = " ".repeat(2 * 1024 * 1024);
    inflated.push_str(&region.to_string());
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(inflated.as_bytes()).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 64 * 1024);
    app.send(request("gzip", bomb)).await.assert_problem(413, &[]);
}

#[actix_web::test]
async fn an_import_takes_documents_past_a_mebibyte_gzip_too_up_to_its_own_limit() {
    use std::io::Write;
    let settings = jalin::config::Settings { max_import_bytes: 3 * 1024 * 1024, ..Default::default() };
    let app = TestApp::with_settings(settings).await;
    let regions: Vec<Value> = (0..12000)
        .map(|n| json!({"key": format!("region-{n:05}"), "name": format!("Region number {n} with a long enough name"),
            "kind": "city", "country_code": "ID"}))
        .collect();
    let document = json!({"regions": regions});
    let text = document.to_string();
    assert!(text.len() > 1024 * 1024 && text.len() < 3 * 1024 * 1024, "{} bytes", text.len());
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    let request = app.as_editor(
        actix_web::test::TestRequest::post()
            .uri("/api/v1/import")
            .insert_header(("Content-Type", "application/json"))
            .insert_header(("Content-Encoding", "gzip"))
            .set_payload(encoder.finish().unwrap()),
    );
    let imported = app.send(request).await;
    assert_eq!(imported.status, 200, "{}", String::from_utf8_lossy(&imported.body));
    assert_eq!(imported.json()["regions"]["created"], 12000);
    // Past the server's limit: 413, and nothing of it lands.
    let larger: Vec<Value> = (0..40000)
        .map(|n| json!({"key": format!("more-{n:05}"), "name": format!("Another region number {n}"), "kind": "city", "country_code": "ID"}))
        .collect();
    app.post("/api/v1/import", &json!({"regions": larger})).await.assert_problem(413, &[]);
    assert_eq!(app.total("/api/v1/regions").await, 12000);
}

#[actix_web::test]
async fn lists_link_to_their_first_previous_next_and_last_pages() {
    let app = TestApp::new().await;
    for n in 0..7 {
        app.create("/api/v1/sectors", json!({"code": format!("sector-{n}"), "name": format!("Sector {n}")}))
            .await;
    }
    let links =
        |response: &crate::helpers::TestResponse| response.header("link").unwrap_or_default().to_owned();
    let middle = app.get("/api/v1/sectors?limit=2&offset=2&q=sector").await;
    assert_eq!(
        links(&middle),
        "</api/v1/sectors?limit=2&q=sector>; rel=\"first\", </api/v1/sectors?limit=2&q=sector&offset=0>; rel=\"prev\", \
         </api/v1/sectors?limit=2&q=sector&offset=4>; rel=\"next\", </api/v1/sectors?limit=2&q=sector&offset=6>; rel=\"last\""
    );
    let first = app.get("/api/v1/sectors?limit=5").await;
    assert_eq!(
        links(&first),
        "</api/v1/sectors?limit=5>; rel=\"first\", </api/v1/sectors?limit=5&offset=5>; rel=\"next\", \
         </api/v1/sectors?limit=5&offset=5>; rel=\"last\""
    );
    let keyset = app.get("/api/v1/sectors?limit=3&after_id=1").await;
    let last_id = keyset.json()["items"][2]["id"].as_i64().unwrap();
    assert_eq!(
        links(&keyset),
        format!(
            "</api/v1/sectors?limit=3>; rel=\"first\", </api/v1/sectors?limit=3&after_id={last_id}>; rel=\"next\""
        )
    );
    let empty = app.get("/api/v1/sectors?q=nothing").await;
    assert_eq!(links(&empty), "</api/v1/sectors?q=nothing>; rel=\"first\"");
    // An offset past every page, up to the largest integer, is an empty page that links back.
    let far = app.get("/api/v1/sectors?limit=500&offset=9223372036854775806").await;
    assert_eq!(far.status, 200);
    assert_eq!(
        links(&far),
        "</api/v1/sectors?limit=500>; rel=\"first\", </api/v1/sectors?limit=500&offset=9223372036854775306>; \
         rel=\"prev\", </api/v1/sectors?limit=500&offset=0>; rel=\"last\""
    );
    let history = app.get("/api/v1/sectors/1/history?offset=9223372036854775758").await;
    assert_eq!(history.status, 200);
}

#[actix_web::test]
async fn swagger_ui_keeps_the_token_across_reloads() {
    let app = TestApp::new().await;
    let initializer = app.get("/swagger-ui/swagger-initializer.js").await;
    let script = String::from_utf8(initializer.body).unwrap();
    assert!(script.contains("\"persistAuthorization\": true"), "{script}");
    assert!(script.contains("/api-docs/openapi.json"));
}

#[actix_web::test]
async fn a_link_escapes_what_a_uri_may_not_hold_raw() {
    let app = TestApp::new().await;
    let mut accepted = 0;
    // Characters a URI may not hold raw, which a lenient client may still send in a query and
    // the request parser lets through: each stays escaped in the links, so that the header
    // holds one URI reference per link.
    for raw in ["<", ">", "{", "}", "|", "^", "`", "\"", "\\"] {
        let Ok(uri) = format!("/api/v1/sectors?q=a{raw}b").parse::<actix_web::http::Uri>() else { continue };
        accepted += 1;
        let mut request = actix_web::test::TestRequest::default().to_request();
        request.head_mut().uri = uri;
        let response = app.send_request(request).await;
        assert_eq!(response.status, 200, "{raw}: {}", String::from_utf8_lossy(&response.body));
        let link = response.header("link").unwrap_or_default().to_owned();
        let escaped = format!("q=a%{:02X}b", raw.as_bytes()[0]);
        assert!(link.contains(&escaped), "{raw}: {link}");
    }
    assert!(accepted > 0, "the parser lets none of them through: nothing to test");
}
