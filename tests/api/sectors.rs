use serde_json::json;

use crate::helpers::{TestApp, ids};

fn trade() -> serde_json::Value {
    json!({"key": "trade-investment", "code": "trade-investment", "name": "Trade and Investment",
           "local_name": "Perdagangan dan Investasi"})
}

#[actix_web::test]
async fn a_sector_is_created_read_updated_and_deleted() {
    let app = TestApp::new().await;
    let sector = app.create("/api/v1/sectors", trade()).await;
    let path = format!("/api/v1/sectors/{}", sector["id"]);
    assert_eq!(app.get(&path).await.json(), sector);
    let updated =
        app.patch(&path, &json!({"description": "Business matching and investment promotion"})).await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.json()["description"], "Business matching and investment promotion");
    assert_eq!(updated.json()["code"], "trade-investment");
    assert_eq!(app.delete(&path).await.status, 204);
    app.get(&path).await.assert_problem(404, &[]);
}

#[actix_web::test]
async fn sector_codes_are_lower_case_slugs() {
    let app = TestApp::new().await;
    for bad in ["Trade", "trade investment", "trade--investment", "-trade", "", "trade_investment"] {
        app.post("/api/v1/sectors", &json!({"code": bad, "name": "Trade"}))
            .await
            .assert_problem(422, &["code"]);
    }
    app.post("/api/v1/sectors", &json!({"code": 5, "name": 7})).await.assert_problem(422, &["code", "name"]);
}

#[actix_web::test]
async fn a_duplicate_sector_code_is_409() {
    let app = TestApp::new().await;
    app.create("/api/v1/sectors", trade()).await;
    app.post("/api/v1/sectors", &json!({"code": "trade-investment", "name": "Again"}))
        .await
        .assert_problem(409, &["code"]);
    assert_eq!(app.total("/api/v1/sectors").await, 1);
}

#[actix_web::test]
async fn sectors_filter_by_code_and_search_descriptions() {
    let app = TestApp::new().await;
    app.create("/api/v1/sectors", trade()).await;
    app.create(
        "/api/v1/sectors",
        json!({"code": "tourism", "name": "Tourism", "description": "Maritime and halal tourism"}),
    )
    .await;
    assert_eq!(app.total("/api/v1/sectors?code=tourism").await, 1);
    assert_eq!(app.total("/api/v1/sectors?q=HALAL").await, 1);
    assert_eq!(app.total("/api/v1/sectors?q=perdagangan").await, 1);
    assert_eq!(ids(&app.get("/api/v1/sectors?sort=code").await.json()), [2, 1]);
    app.get("/api/v1/sectors?sort=population").await.assert_problem(400, &["sort"]);
}
