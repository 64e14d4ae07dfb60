use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::{TestApp, ids};

#[actix_web::test]
async fn creating_a_region_returns_201_with_location_and_the_full_record() {
    let app = TestApp::new().await;
    let response = app
        .post(
            "/api/v1/regions",
            &json!({"name": "  Souss-Massa ", "kind": "region", "country_code": "MA", "subdivision_code": "MA-09",
                    "area_km2": 51642, "population": 2676847, "population_year": 2014}),
        )
        .await;
    assert_eq!(response.status, 201);
    let region = response.json();
    let id = region["id"].as_i64().unwrap();
    assert_eq!(response.header("location"), Some(format!("/api/v1/regions/{id}").as_str()));
    assert_eq!(region["name"], "Souss-Massa", "text is trimmed");
    assert_eq!(region["area_km2"], 51642.0);
    assert_eq!(region["population"], 2676847);
    assert_eq!(region["local_name"], serde_json::Value::Null);
    assert_eq!(region["version"], 1);
    assert!(uuid::Uuid::parse_str(region["key"].as_str().unwrap()).is_ok(), "server assigns a UUID key");
    let created_at = region["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created_at).is_ok() && created_at.ends_with('Z'));

    let read = app.get(&format!("/api/v1/regions/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), region);
}

#[actix_web::test]
async fn an_unknown_region_id_is_404() {
    let app = TestApp::new().await;
    app.get("/api/v1/regions/999").await.assert_problem(404, &[]);
    app.get("/api/v1/regions/not-a-number").await.assert_problem(404, &[]);
    app.patch("/api/v1/regions/999", &json!({"name": "x"})).await.assert_problem(404, &[]);
    app.delete("/api/v1/regions/999").await.assert_problem(404, &[]);
}

#[actix_web::test]
async fn every_invalid_field_is_named_at_once_and_nothing_is_written() {
    let app = TestApp::new().await;
    let response = app
        .post(
            "/api/v1/regions",
            &json!({"name": "   ", "kind": "planet", "country_code": "id", "population": -5,
                    "area_km2": 0, "population_year": "2014", "colour": "blue", "key": "has space"}),
        )
        .await;
    let problem = response.assert_problem(
        422,
        &["name", "kind", "country_code", "population", "area_km2", "population_year", "colour", "key"],
    );
    let kind_error = problem["errors"].as_array().unwrap().iter().find(|e| e["field"] == "kind").unwrap();
    assert!(
        kind_error["message"].as_str().unwrap().contains("province, state, region"),
        "lists allowed values"
    );
    assert_eq!(app.total("/api/v1/regions").await, 0);
}

#[actix_web::test]
async fn missing_required_fields_are_each_reported() {
    let app = TestApp::new().await;
    app.post("/api/v1/regions", &json!({})).await.assert_problem(422, &["name", "kind", "country_code"]);
    app.post("/api/v1/regions", &json!([1, 2])).await.assert_problem(422, &[""]);
}

#[actix_web::test]
async fn country_codes_must_be_assigned_iso_codes() {
    let app = TestApp::new().await;
    for bad in ["XX", "id", "IDN", "", "AA"] {
        app.post("/api/v1/regions", &json!({"name": "R", "kind": "city", "country_code": bad}))
            .await
            .assert_problem(422, &["country_code"]);
    }
    app.create("/api/v1/regions", json!({"name": "Dili", "kind": "city", "country_code": "TL"})).await;
}

#[actix_web::test]
async fn a_subdivision_code_must_belong_to_the_region_country() {
    let app = TestApp::new().await;
    app.post(
        "/api/v1/regions",
        &json!({"name": "West Java", "kind": "province", "country_code": "MA", "subdivision_code": "ID-JB"}),
    )
    .await
    .assert_problem(422, &["subdivision_code"]);
    app.post(
        "/api/v1/regions",
        &json!({"name": "X", "kind": "province", "country_code": "ID", "subdivision_code": "IDJB"}),
    )
    .await
    .assert_problem(422, &["subdivision_code"]);
}

#[actix_web::test]
async fn texts_longer_than_their_limit_are_rejected() {
    let app = TestApp::new().await;
    let long = "a".repeat(100_000);
    app.post(
        "/api/v1/regions",
        &json!({"name": long, "kind": "city", "country_code": "ID", "capital": "b".repeat(301)}),
    )
    .await
    .assert_problem(422, &["name", "capital"]);
    let exactly_300 = "é".repeat(300);
    let region = app
        .create("/api/v1/regions", json!({"name": exactly_300, "kind": "city", "country_code": "ID"}))
        .await;
    assert_eq!(region["name"].as_str().unwrap().chars().count(), 300, "limits count characters, not bytes");
}

#[actix_web::test]
async fn duplicate_keys_and_subdivision_codes_are_409_naming_the_field() {
    let app = TestApp::new().await;
    app.west_java().await;
    app.post(
        "/api/v1/regions",
        &json!({"name": "Other", "kind": "province", "country_code": "ID", "subdivision_code": "ID-JB"}),
    )
    .await
    .assert_problem(409, &["subdivision_code"]);
    app.post(
        "/api/v1/regions",
        &json!({"key": "ID-JB", "name": "Other", "kind": "province", "country_code": "ID"}),
    )
    .await
    .assert_problem(409, &["key"]);
    assert_eq!(app.total("/api/v1/regions").await, 1);
}

#[actix_web::test]
async fn patch_changes_only_the_given_fields_and_null_clears_optional_ones() {
    let app = TestApp::new().await;
    let region = app.west_java().await;
    let path = format!("/api/v1/regions/{}", region["id"]);
    let response =
        app.patch(&path, &json!({"population": 48_274_162, "population_year": 2020, "capital": null})).await;
    assert_eq!(response.status, 200);
    let updated = response.json();
    assert_eq!(updated["population"], 48_274_162);
    assert_eq!(updated["capital"], serde_json::Value::Null);
    assert_eq!(updated["name"], "West Java");
    assert_eq!(updated["local_name"], "Jawa Barat");
    assert_eq!(updated["key"], "ID-JB");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["created_at"], region["created_at"]);
    assert_eq!(app.get(&path).await.json(), updated);
}

#[actix_web::test]
async fn patch_cannot_clear_required_fields_or_break_rules() {
    let app = TestApp::new().await;
    let region = app.west_java().await;
    let path = format!("/api/v1/regions/{}", region["id"]);
    app.patch(&path, &json!({"name": null, "kind": null, "key": null}))
        .await
        .assert_problem(422, &["name", "kind", "key"]);
    // The subdivision code is checked against the merged record, not the patch alone.
    app.patch(&path, &json!({"country_code": "MA"})).await.assert_problem(422, &["subdivision_code"]);
    app.patch(&path, &json!({"id": 5, "created_at": "2020-01-01T00:00:00Z"}))
        .await
        .assert_problem(422, &["id", "created_at"]);
    let unchanged = app.get(&path).await.json();
    assert_eq!(unchanged, region);
}

#[actix_web::test]
async fn deleting_a_region_removes_it() {
    let app = TestApp::new().await;
    let region = app.west_java().await;
    let path = format!("/api/v1/regions/{}", region["id"]);
    let response = app.delete(&path).await;
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    app.get(&path).await.assert_problem(404, &[]);
}

#[actix_web::test]
async fn a_region_an_agency_belongs_to_is_not_deleted() {
    let app = TestApp::new().await;
    let region = app.west_java().await;
    app.create(
        "/api/v1/agencies",
        json!({"name": "Dinas Pendidikan", "country_code": "ID", "region_id": region["id"]}),
    )
    .await;
    let problem = app.delete(&format!("/api/v1/regions/{}", region["id"])).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("agencies (1)"), "{problem}");
    assert_eq!(app.total("/api/v1/regions").await, 1);
}

async fn three_regions(app: &TestApp) {
    app.west_java().await;
    app.souss_massa().await;
    app.create(
        "/api/v1/regions",
        json!({"key": "bandung", "name": "Bandung", "kind": "city", "country_code": "ID",
        "population": 2_500_000}),
    )
    .await;
}

#[actix_web::test]
async fn lists_filter_and_count_every_match() {
    let app = TestApp::new().await;
    three_regions(&app).await;
    let page = app.get("/api/v1/regions?country_code=ID&limit=1").await.json();
    assert_eq!(page["total"], 2);
    assert_eq!(page["limit"], 1);
    assert_eq!(page["offset"], 0);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.total("/api/v1/regions?kind=city").await, 1);
    assert_eq!(app.total("/api/v1/regions?subdivision_code=MA-09").await, 1);
    assert_eq!(app.total("/api/v1/regions?key=bandung").await, 1);
    assert_eq!(app.total("/api/v1/regions?country_code=ID&kind=region").await, 0);
}

#[actix_web::test]
async fn q_searches_names_case_insensitively_and_treats_wildcards_literally() {
    let app = TestApp::new().await;
    three_regions(&app).await;
    assert_eq!(app.total("/api/v1/regions?q=JAWA").await, 1, "local_name");
    assert_eq!(app.total("/api/v1/regions?q=agadir").await, 1, "capital");
    assert_eq!(app.total("/api/v1/regions?q=ss-ma").await, 1);
    assert_eq!(app.total("/api/v1/regions?q=%25").await, 0, "a percent sign is not a wildcard");
    assert_eq!(app.total("/api/v1/regions?q=_").await, 0, "an underscore is not a wildcard");
    assert_eq!(app.total("/api/v1/regions?q=%27%20OR%201%3D1%20--").await, 0, "SQL in q is only text");
}

#[actix_web::test]
async fn sort_orders_by_several_fields_with_nulls_last_and_ties_by_id() {
    let app = TestApp::new().await;
    three_regions(&app).await;
    let by_name = ids(&app.get("/api/v1/regions?sort=name").await.json());
    assert_eq!(by_name, [3, 2, 1]);
    let by_name_desc = ids(&app.get("/api/v1/regions?sort=-name").await.json());
    assert_eq!(by_name_desc, [1, 2, 3]);
    let by_population = ids(&app.get("/api/v1/regions?sort=-population").await.json());
    assert_eq!(by_population, [1, 2, 3], "nulls first when descending");
    let by_population_asc = ids(&app.get("/api/v1/regions?sort=population").await.json());
    assert_eq!(by_population_asc, [3, 2, 1], "nulls last when ascending");
    let by_country_then_name = ids(&app.get("/api/v1/regions?sort=country_code,-name").await.json());
    assert_eq!(by_country_then_name, [1, 3, 2]);
    let ties = ids(&app.get("/api/v1/regions?sort=kind&offset=1&limit=2").await.json());
    assert_eq!(ties, [1, 2], "city, province, region: pages are stable");
}

#[actix_web::test]
async fn after_id_pages_in_id_order_with_the_total_of_every_match() {
    let app = TestApp::new().await;
    three_regions(&app).await;
    let first = app.get("/api/v1/regions?limit=2").await.json();
    assert_eq!(ids(&first), [1, 2]);
    let next = app.get("/api/v1/regions?limit=2&after_id=2").await.json();
    assert_eq!(ids(&next), [3]);
    assert_eq!(next["total"], 3, "every match, on the pages before too");
    let filtered = app.get("/api/v1/regions?country_code=ID&after_id=1").await.json();
    let all_indonesian = app.get("/api/v1/regions?country_code=ID").await.json();
    assert_eq!(filtered["total"], all_indonesian["total"]);
    assert!(ids(&filtered).iter().all(|id| *id > 1));
    assert_eq!(ids(&app.get("/api/v1/regions?after_id=3").await.json()), Vec::<i64>::new());
    // With `offset`, that many of them are skipped; with `sort`, they come in its order, and
    // the next page is the next matches after the same id.
    assert_eq!(ids(&app.get("/api/v1/regions?after_id=1&offset=1").await.json()), [3]);
    let by_name: Vec<i64> =
        ids(&app.get("/api/v1/regions?sort=-name").await.json()).into_iter().filter(|id| *id > 1).collect();
    let sorted = app.get("/api/v1/regions?after_id=1&sort=-name&limit=1").await;
    assert_eq!(ids(&sorted.json()), by_name[..1]);
    let link = sorted.header("link").unwrap_or_default().to_owned();
    assert!(link.contains("after_id=1&offset=1>; rel=\"next\""), "{link}");
    let next = app.get("/api/v1/regions?after_id=1&sort=-name&limit=1&offset=1").await;
    assert_eq!(ids(&next.json()), by_name[1..]);
    app.get("/api/v1/regions?after_id=-1").await.assert_problem(400, &["after_id"]);
}

#[actix_web::test]
async fn bad_list_parameters_are_400_naming_each_one() {
    let app = TestApp::new().await;
    app.get("/api/v1/regions?limit=0").await.assert_problem(400, &["limit"]);
    app.get("/api/v1/regions?limit=100000").await.assert_problem(400, &["limit"]);
    app.get("/api/v1/regions?limit=abc").await.assert_problem(400, &["limit"]);
    app.get("/api/v1/regions?offset=-1").await.assert_problem(400, &["offset"]);
    app.get("/api/v1/regions?sort=password").await.assert_problem(400, &["sort"]);
    app.get("/api/v1/regions?kind=planet&country_code=XX")
        .await
        .assert_problem(400, &["kind", "country_code"]);
    app.get("/api/v1/regions?colour=blue").await.assert_problem(400, &["colour"]);
    app.get("/api/v1/regions?limit=1&limit=2").await.assert_problem(400, &["limit"]);
    let page = app.get("/api/v1/regions?limit=500&offset=0").await;
    assert_eq!(page.status, 200);
}

#[actix_web::test]
async fn a_client_chosen_key_is_kept_and_usable_as_filter() {
    let app = TestApp::new().await;
    let region = app.souss_massa().await;
    assert_eq!(region["key"], "MA-09");
    let response = app.send(TestRequest::get().uri("/api/v1/regions?key=MA-09")).await;
    assert_eq!(ids(&response.json()), [region["id"].as_i64().unwrap()]);
}

#[actix_web::test]
async fn a_subdivision_code_must_be_a_real_iso_3166_2_code_of_its_country() {
    let app = TestApp::new().await;
    let problem = app
        .post("/api/v1/regions", &json!({"name": "Nowhere", "kind": "province", "country_code": "ID", "subdivision_code": "ID-ZZ"}))
        .await
        .assert_problem(422, &["subdivision_code"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("ISO 3166-2"), "{problem}");
    // Real codes, new ones included (the Papua provinces of 2022).
    let highlands = app
        .create("/api/v1/regions", json!({"name": "Papua Pegunungan", "kind": "province", "country_code": "ID", "subdivision_code": "ID-PE"}))
        .await;
    assert_eq!(highlands["subdivision_code"], "ID-PE");
    // A code stored before the check stays through edits of other fields, not through a change
    // to another unknown code.
    app.execute_sql(&format!("UPDATE regions SET subdivision_code = 'ID-ZZ' WHERE id = {}", highlands["id"]));
    let path = format!("/api/v1/regions/{}", highlands["id"]);
    let edited = app.patch(&path, &json!({"capital": "Wamena"})).await;
    assert_eq!(edited.status, 200, "{}", String::from_utf8_lossy(&edited.body));
    app.patch(&path, &json!({"subdivision_code": "ID-ZY"})).await.assert_problem(422, &["subdivision_code"]);
    assert_eq!(app.patch(&path, &json!({"subdivision_code": "ID-PE"})).await.status, 200);
}

#[actix_web::test]
async fn regions_lie_within_regions_of_their_country_at_any_depth() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await["id"].as_i64().unwrap();
    let souss_massa = app.souss_massa().await["id"].as_i64().unwrap();
    let region = |name: &str, kind: &str, parent: i64| json!({"name": name, "kind": kind, "country_code": "ID", "parent_region_id": parent});
    let bandung = app.create("/api/v1/regions", region("Bandung", "city", west_java)).await;
    assert_eq!(bandung["parent_region_id"], west_java);
    let bandung = bandung["id"].as_i64().unwrap();
    let coblong =
        app.create("/api/v1/regions", region("Coblong", "district", bandung)).await["id"].as_i64().unwrap();
    let bogor =
        app.create("/api/v1/regions", region("Bogor", "regency", west_java)).await["id"].as_i64().unwrap();

    let listed = |query: String| {
        let app = &app;
        async move { ids(&app.get(&format!("/api/v1/regions?{query}&sort=id")).await.json()) }
    };
    assert_eq!(listed(format!("parent_region_id={west_java}")).await, [bandung, bogor], "directly within");
    assert_eq!(listed(format!("within_region_id={west_java}")).await, [west_java, bandung, coblong, bogor]);
    assert_eq!(listed(format!("within_region_id={bandung}")).await, [bandung, coblong], "any depth");
    assert_eq!(listed(format!("within_region_id={souss_massa}")).await, [souss_massa]);
    assert_eq!(listed("within_region_id=999".to_owned()).await, Vec::<i64>::new());

    let problem = app
        .post(
            "/api/v1/regions",
            &json!({"name": "Agadir", "kind": "city", "country_code": "ID", "parent_region_id": souss_massa}),
        )
        .await
        .assert_problem(422, &["parent_region_id"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("MA"), "{problem}");
    app.post("/api/v1/regions", &region("Nowhere", "city", 999))
        .await
        .assert_problem(422, &["parent_region_id"]);
    app.post(
        "/api/v1/regions",
        &json!({"name": "X", "kind": "city", "country_code": "XX", "parent_region_id": 999}),
    )
    .await
    .assert_problem(422, &["country_code", "parent_region_id"]);
    let region_path = |id: i64| format!("/api/v1/regions/{id}");
    let problem = app
        .patch(&region_path(west_java), &json!({"parent_region_id": coblong}))
        .await
        .assert_problem(422, &["parent_region_id"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("loop"), "{problem}");
    app.patch(&region_path(bandung), &json!({"parent_region_id": bandung}))
        .await
        .assert_problem(422, &["parent_region_id"]);
    // Moving Bandung to Morocco would take it away from West Java and from Coblong.
    app.patch(&region_path(bandung), &json!({"country_code": "MA"}))
        .await
        .assert_problem(422, &["country_code", "parent_region_id"]);
    let problem = app.delete(&region_path(bandung)).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("regions within it (1)"), "{problem}");
    // Moved up a level, Coblong leaves Bandung's subtree.
    assert_eq!(app.patch(&region_path(coblong), &json!({"parent_region_id": west_java})).await.status, 200);
    assert_eq!(listed(format!("within_region_id={bandung}")).await, [bandung]);
    assert_eq!(app.delete(&region_path(bandung)).await.status, 204);

    let csv = String::from_utf8(app.get("/api/v1/regions?format=csv&sort=id").await.body.to_vec()).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let column =
        header.iter().position(|name| *name == "parent_region_id").expect("a parent_region_id column");
    let coblong_row: Vec<&str> =
        csv.lines().find(|line| line.contains("Coblong")).unwrap().split(',').collect();
    assert_eq!(coblong_row[column], west_java.to_string());
    let history = app.get(&format!("/api/v1/regions/{coblong}/history")).await.json();
    assert_eq!(history["items"][0]["changes"]["parent_region_id"], json!([bandung, west_java]), "audited");
}
