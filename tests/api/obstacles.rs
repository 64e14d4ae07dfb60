use serde_json::json;

use crate::helpers::{TestApp, ids};

#[actix_web::test]
async fn an_obstacle_of_an_action_plan_carries_the_plan_agreement() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan =
        app.action_plan(case.agreement, json!({"title": "Exchange of lecturers", "status": "planned"})).await;
    let obstacle = app
        .create(
            "/api/v1/obstacles",
            json!({"action_plan_id": plan["id"], "category": "language_culture",
            "description": "Differences in language and culture"}),
        )
        .await;
    assert_eq!(obstacle["agreement_id"], case.agreement);
    assert_eq!(obstacle["action_plan_id"], plan["id"]);
    assert_eq!(obstacle["severity"], serde_json::Value::Null, "not assessed: no severity is invented");
    assert_eq!(obstacle["status"], serde_json::Value::Null, "not assessed: no status is invented");
    let whole = app
        .create(
            "/api/v1/obstacles",
            json!({"agreement_id": case.agreement, "category": "resources",
            "description": "Limited resources", "severity": "high"}),
        )
        .await;
    assert_eq!(whole["action_plan_id"], serde_json::Value::Null);
}

#[actix_web::test]
async fn an_obstacle_names_an_agreement_or_a_plan_of_that_agreement() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let bandung =
        app.create("/api/v1/regions", json!({"name": "Bandung", "kind": "city", "country_code": "ID"})).await;
    let other = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Other", "kind": "other", "status": "proposed",
            "party_region_ids": [bandung["id"], case.souss_massa]}),
        )
        .await;
    let plan = app.action_plan(case.agreement, json!({"title": "Exchange", "status": "planned"})).await;
    app.post("/api/v1/obstacles", &json!({"category": "financial", "description": "Funds"}))
        .await
        .assert_problem(422, &["agreement_id"]);
    let problem = app
        .post(
            "/api/v1/obstacles",
            &json!({"agreement_id": other["id"], "action_plan_id": plan["id"],
            "category": "financial", "description": "Funds"}),
        )
        .await
        .assert_problem(422, &["action_plan_id"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("belongs to agreement"));
    app.post(
        "/api/v1/obstacles",
        &json!({"action_plan_id": 999, "category": "weather", "description": "",
        "severity": "extreme", "identified_on": "yesterday"}),
    )
    .await
    .assert_problem(422, &["action_plan_id", "category", "description", "severity", "identified_on"]);
    assert_eq!(app.total("/api/v1/obstacles").await, 0);
}

#[actix_web::test]
async fn obstacles_filter_and_nest_under_their_agreement() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan = app.action_plan(case.agreement, json!({"title": "Smart province", "status": "planned"})).await;
    let data = app
        .create(
            "/api/v1/obstacles",
            json!({"action_plan_id": plan["id"], "category": "data_security",
            "description": "Data security and privacy", "severity": "high", "status": "open"}),
        )
        .await;
    let gap = app
        .create("/api/v1/obstacles", json!({"agreement_id": case.agreement, "category": "capacity_gap",
            "description": "Capacity gap in technology", "status": "mitigated", "mitigation": "Joint training"}))
        .await;
    let (data, gap) = (data["id"].as_i64().unwrap(), gap["id"].as_i64().unwrap());
    let nested = format!("/api/v1/agreements/{}/obstacles", case.agreement);
    assert_eq!(
        ids(&app.get(&nested).await.json()),
        [data, gap],
        "an agreement's obstacles include its plans'"
    );
    assert_eq!(
        ids(&app.get(&format!("/api/v1/obstacles?action_plan_id={}", plan["id"])).await.json()),
        [data]
    );
    assert_eq!(ids(&app.get("/api/v1/obstacles?category=capacity_gap").await.json()), [gap]);
    assert_eq!(ids(&app.get("/api/v1/obstacles?severity=high&status=open").await.json()), [data]);
    assert_eq!(ids(&app.get("/api/v1/obstacles?severity=unassessed").await.json()), [gap]);
    assert_eq!(ids(&app.get("/api/v1/obstacles?status=unassessed").await.json()), Vec::<i64>::new());
    app.get("/api/v1/obstacles?severity=none").await.assert_problem(400, &["severity"]);
    assert_eq!(ids(&app.get("/api/v1/obstacles?q=training").await.json()), [gap]);
    assert_eq!(ids(&app.get(&format!("{nested}?sort=-severity")).await.json()), [gap, data]);
    app.get("/api/v1/agreements/999/obstacles").await.assert_problem(404, &[]);
    let problem = app.delete(&format!("/api/v1/action-plans/{}", plan["id"])).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("obstacles (1)"));
}

#[actix_web::test]
async fn patching_an_obstacle_keeps_it_consistent() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan = app.action_plan(case.agreement, json!({"title": "Exchange", "status": "planned"})).await;
    let obstacle = app
        .create(
            "/api/v1/obstacles",
            json!({"agreement_id": case.agreement, "category": "resources", "description": "Funds"}),
        )
        .await;
    let path = format!("/api/v1/obstacles/{}", obstacle["id"]);
    let moved = app.patch(&path, &json!({"action_plan_id": plan["id"], "status": "resolved"})).await.json();
    assert_eq!(moved["action_plan_id"], plan["id"]);
    assert_eq!(moved["status"], "resolved");
    app.patch(&path, &json!({"description": null})).await.assert_problem(422, &["description"]);
    assert_eq!(app.delete(&path).await.status, 204);
}
