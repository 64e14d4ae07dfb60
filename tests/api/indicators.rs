use serde_json::{Value, json};

use crate::helpers::{TestApp, ids};

/// The founding case with one action plan: the agreement's and the plan's ids.
async fn plan(app: &TestApp) -> (i64, i64) {
    let case = app.founding_case().await;
    let plan =
        app.action_plan(case.agreement, json!({"title": "Student exchange", "status": "in_progress"})).await;
    (case.agreement, plan["id"].as_i64().unwrap())
}

async fn indicator(app: &TestApp, plan: i64, body: Value) -> Value {
    let mut body = body;
    body["action_plan_id"] = json!(plan);
    app.create("/api/v1/indicators", body).await
}

#[actix_web::test]
async fn an_indicator_is_created_read_and_listed_with_its_progress() {
    let app = TestApp::new().await;
    let (_, plan) = plan(&app).await;
    let body = json!({"key": "ap-05-students", "action_plan_id": plan, "title": "Students exchanged",
        "measure": "number", "unit": "students", "ascending": true, "baseline_value": "0", "baseline_year": 2017,
        "target_value": "40", "target_year": 2022, "actual_value": "12", "actual_on": "2020-12-31",
        "notes": "Counted by the universities.", "source": "Evaluation report 2020"});
    let created = app.create("/api/v1/indicators", body.clone()).await;
    for (field, value) in body.as_object().unwrap() {
        assert_eq!(&created[field], value, "{field}");
    }
    assert_eq!(created["progress"], 0.3);
    let read = app.get(&format!("/api/v1/indicators/{}", created["id"])).await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.json(), created);
    let nested = app.get(&format!("/api/v1/action-plans/{plan}/indicators")).await.json();
    assert_eq!(ids(&nested), [created["id"].as_i64().unwrap()]);
    assert_eq!(nested["items"][0]["progress"], 0.3);
    // `ascending` defaults to true; values keep the decimals written.
    let other = indicator(
        &app,
        plan,
        json!({"title": "Satisfaction", "measure": "percentage", "target_value": "85.50"}),
    )
    .await;
    assert_eq!((other["ascending"].clone(), other["target_value"].clone()), (json!(true), json!("85.50")));
    assert_eq!(other["progress"], Value::Null);
}

#[actix_web::test]
async fn progress_is_exact_rounded_to_four_decimals_and_null_without_a_span() {
    let app = TestApp::new().await;
    let (_, plan) = plan(&app).await;
    for (baseline, target, actual, progress) in [
        (Some("0"), Some("3"), Some("1"), json!(0.3333)),
        (Some("0"), Some("3"), Some("2"), json!(0.6667)),
        (Some("0.1"), Some("0.3"), Some("0.2"), json!(0.5)),
        // Lower is better: from 40 days to 20, at 30 it is half way.
        (Some("40"), Some("20"), Some("30"), json!(0.5)),
        (Some("10"), Some("20"), Some("25"), json!(1.5)),
        (Some("10"), Some("20"), Some("5"), json!(-0.5)),
        (Some("10"), Some("10"), Some("12"), Value::Null),
        (None, Some("10"), Some("5"), Value::Null),
        (Some("0"), None, Some("5"), Value::Null),
        (Some("0"), Some("10"), None, Value::Null),
    ] {
        let created = indicator(
            &app,
            plan,
            json!({"title": "Measured", "measure": "number", "baseline_value": baseline,
                "target_value": target, "actual_value": actual}),
        )
        .await;
        assert_eq!(created["progress"], progress, "{baseline:?} {target:?} {actual:?}");
    }
    // A new actual value moves the progress.
    let created = indicator(
        &app,
        plan,
        json!({"title": "Moving", "measure": "number", "baseline_value": "0",
        "target_value": "10", "actual_value": "1"}),
    )
    .await;
    let path = format!("/api/v1/indicators/{}", created["id"]);
    let changed = app.patch(&path, &json!({"actual_value": "7.5", "actual_on": "2021-06-30"})).await.json();
    assert_eq!((changed["progress"].clone(), changed["version"].clone()), (json!(0.75), json!(2)));
}

#[actix_web::test]
async fn every_bad_field_of_an_indicator_is_named_at_once() {
    let app = TestApp::new().await;
    let (_, plan) = plan(&app).await;
    app.post(
        "/api/v1/indicators",
        &json!({"action_plan_id": plan, "title": " ", "measure": "count", "baseline_value": 5,
            "target_value": "1,5", "actual_value": "1234567890123456789", "baseline_year": 999,
            "actual_on": "2020-13-01", "ascending": "yes"}),
    )
    .await
    .assert_problem(
        422,
        &[
            "title",
            "measure",
            "baseline_value",
            "target_value",
            "actual_value",
            "baseline_year",
            "actual_on",
            "ascending",
        ],
    );
    app.post("/api/v1/indicators", &json!({}))
        .await
        .assert_problem(422, &["action_plan_id", "title", "measure"]);
    app.post(
        "/api/v1/indicators",
        &json!({"action_plan_id": 999999, "title": "x", "measure": "number", "baseline_year": 2020, "target_year": 2019}),
    )
    .await
    .assert_problem(422, &["action_plan_id", "target_year"]);
    // A qualitative indicator is described in words: each value given is named.
    let problem = app
        .post(
            "/api/v1/indicators",
            &json!({"action_plan_id": plan, "title": "Ties between chambers of commerce", "measure": "qualitative",
                "baseline_value": "0", "actual_value": "3"}),
        )
        .await
        .assert_problem(422, &["baseline_value", "actual_value"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("qualitative"), "{problem}");
    let qualitative = indicator(
        &app,
        plan,
        json!({"title": "Ties", "measure": "qualitative", "notes": "Three MoUs signed."}),
    )
    .await;
    app.patch(&format!("/api/v1/indicators/{}", qualitative["id"]), &json!({"target_value": "4"}))
        .await
        .assert_problem(422, &["target_value"]);
    assert_eq!(app.total("/api/v1/indicators").await, 1);
}

#[actix_web::test]
async fn indicators_are_filtered_by_plan_agreement_and_measure() {
    let app = TestApp::new().await;
    let (agreement, first) = plan(&app).await;
    let second = app.action_plan(agreement, json!({"title": "Trade fair", "status": "planned"})).await["id"]
        .as_i64()
        .unwrap();
    let count = indicator(&app, first, json!({"title": "Students", "measure": "number"})).await;
    let share =
        indicator(&app, second, json!({"title": "Satisfied exhibitors", "measure": "percentage"})).await;
    let words =
        indicator(&app, second, json!({"title": "Ties", "measure": "qualitative", "notes": "Strong"})).await;
    let id = |record: &Value| record["id"].as_i64().unwrap();
    for (query, expected) in [
        (format!("action_plan_id={second}"), vec![id(&share), id(&words)]),
        (format!("agreement_id={agreement}"), vec![id(&count), id(&share), id(&words)]),
        ("agreement_id=999999".to_owned(), vec![]),
        ("measure=qualitative".to_owned(), vec![id(&words)]),
        ("q=EXHIBITORS".to_owned(), vec![id(&share)]),
        ("sort=-title".to_owned(), vec![id(&words), id(&count), id(&share)]),
    ] {
        let page = app.get(&format!("/api/v1/indicators?{query}")).await.json();
        assert_eq!(ids(&page), expected, "{query}");
    }
    app.get("/api/v1/indicators?measure=count").await.assert_problem(400, &["measure"]);
    let problem = app.delete(&format!("/api/v1/action-plans/{second}")).await.json();
    assert!(problem["detail"].as_str().unwrap().contains("indicators (2)"), "{problem}");
    let csv = String::from_utf8(
        app.get(&format!("/api/v1/indicators?format=csv&action_plan_id={first}")).await.body,
    )
    .unwrap();
    assert!(csv.lines().next().unwrap().contains(",actual_on,progress,notes,"), "{csv}");
}
