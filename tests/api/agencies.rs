use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn a_regional_agency_belongs_to_a_region_of_its_country() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    let agency = app
        .create(
            "/api/v1/agencies",
            json!({"key": "disdik", "name": "Dinas Pendidikan", "english_name": "Education Office",
                   "acronym": "Disdik", "country_code": "ID", "region_id": west_java["id"]}),
        )
        .await;
    assert_eq!(agency["region_id"], west_java["id"]);
    assert_eq!(agency["acronym"], "Disdik");
}

#[actix_web::test]
async fn a_national_agency_has_no_region() {
    let app = TestApp::new().await;
    let agency = app
        .create(
            "/api/v1/agencies",
            json!({"name": "Kementerian Riset, Teknologi, dan Pendidikan Tinggi", "country_code": "ID"}),
        )
        .await;
    assert_eq!(agency["region_id"], serde_json::Value::Null);
}

#[actix_web::test]
async fn an_agency_region_must_exist_and_share_its_country() {
    let app = TestApp::new().await;
    let souss_massa = app.souss_massa().await;
    app.post("/api/v1/agencies", &json!({"name": "Dinas", "country_code": "ID", "region_id": 999}))
        .await
        .assert_problem(422, &["region_id"]);
    let problem = app
        .post(
            "/api/v1/agencies",
            &json!({"name": "Dinas", "country_code": "ID", "region_id": souss_massa["id"]}),
        )
        .await
        .assert_problem(422, &["region_id"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("MA"));
    // Every bad field at once, the database check included.
    app.post("/api/v1/agencies", &json!({"name": "", "country_code": "ID", "region_id": 999}))
        .await
        .assert_problem(422, &["name", "region_id"]);
    assert_eq!(app.total("/api/v1/agencies").await, 0);
}

#[actix_web::test]
async fn patching_an_agency_rechecks_its_region() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    let souss_massa = app.souss_massa().await;
    let agency = app
        .create(
            "/api/v1/agencies",
            json!({"name": "Dinas Pertanian", "country_code": "ID", "region_id": west_java["id"]}),
        )
        .await;
    let path = format!("/api/v1/agencies/{}", agency["id"]);
    app.patch(&path, &json!({"region_id": souss_massa["id"]})).await.assert_problem(422, &["region_id"]);
    let moved = app.patch(&path, &json!({"region_id": souss_massa["id"], "country_code": "MA"})).await;
    assert_eq!(moved.status, 200);
    let national = app.patch(&path, &json!({"region_id": null})).await.json();
    assert_eq!(national["region_id"], serde_json::Value::Null);
    assert_eq!(national["version"], 3);
}

#[actix_web::test]
async fn agencies_filter_by_region_and_country_and_search_acronyms() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    app.create(
        "/api/v1/agencies",
        json!({"name": "Dinas Pendidikan", "acronym": "Disdik", "country_code": "ID",
        "region_id": west_java["id"]}),
    )
    .await;
    app.create("/api/v1/agencies", json!({"name": "Kementerian Luar Negeri", "country_code": "ID"})).await;
    assert_eq!(app.total(&format!("/api/v1/agencies?region_id={}", west_java["id"])).await, 1);
    assert_eq!(app.total("/api/v1/agencies?country_code=ID").await, 2);
    assert_eq!(app.total("/api/v1/agencies?country_code=MA").await, 0);
    assert_eq!(app.total("/api/v1/agencies?q=disdik").await, 1);
    app.get("/api/v1/agencies?region_id=abc").await.assert_problem(400, &["region_id"]);
}

#[actix_web::test]
async fn deleting_an_agency_frees_its_region() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    let agency = app
        .create(
            "/api/v1/agencies",
            json!({"name": "Bappeda", "country_code": "ID", "region_id": west_java["id"]}),
        )
        .await;
    assert_eq!(app.delete(&format!("/api/v1/agencies/{}", agency["id"])).await.status, 204);
    assert_eq!(app.delete(&format!("/api/v1/regions/{}", west_java["id"])).await.status, 204);
}
