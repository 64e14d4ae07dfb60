use serde_json::{Value, json};

use crate::helpers::{Case, TestApp, ids};

/// The founding case with one action plan; returns the case and the plan's id.
async fn case_with_plan(app: &TestApp) -> (Case, i64) {
    let case = app.founding_case().await;
    let plan = app
        .action_plan(
            case.agreement,
            json!({"key": "ap-01", "title": "Business matching", "status": "implemented"}),
        )
        .await;
    (case, plan["id"].as_i64().unwrap())
}

/// A transaction of `plan`; `body` gives the rest.
async fn transaction(app: &TestApp, plan: i64, body: Value) -> Value {
    let mut body = body;
    body["action_plan_id"] = json!(plan);
    app.create("/api/v1/transactions", body).await
}

async fn finance(app: &TestApp, agreement: i64) -> Value {
    app.get(&format!("/api/v1/agreements/{agreement}/summary")).await.json()["finance"].clone()
}

#[actix_web::test]
async fn a_transaction_is_created_read_and_listed_with_every_field() {
    let app = TestApp::new().await;
    let (case, plan) = case_with_plan(&app).await;
    let body = json!({"key": "ap-01-budget-2019", "action_plan_id": plan, "kind": "budget",
        "amount": "1250000000.00", "currency": "IDR", "value_date": "2019-01-15",
        "party_region_id": case.west_java, "funding_source": "regional_budget", "reference": "DPA 2019",
        "description": "Business matching in Agadir", "source": "APBD Jawa Barat 2019"});
    let created = app.create("/api/v1/transactions", body.clone()).await;
    for (field, value) in body.as_object().unwrap() {
        assert_eq!(&created[field], value, "{field}");
    }
    assert_eq!(created["version"], 1);
    let read = app.get(&format!("/api/v1/transactions/{}", created["id"])).await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.json(), created);
    let nested = app.get(&format!("/api/v1/action-plans/{plan}/transactions")).await.json();
    assert_eq!(ids(&nested), [created["id"].as_i64().unwrap()]);
    assert_eq!(app.get("/api/v1/action-plans/999999/transactions").await.status, 404);
}

#[actix_web::test]
async fn amounts_are_written_with_the_currency_s_decimals_and_keep_every_digit() {
    let app = TestApp::new().await;
    let (_, plan) = case_with_plan(&app).await;
    for (amount, currency, written) in [
        ("1250000", "IDR", "1250000.00"),
        ("999999999999999.99", "IDR", "999999999999999.99"),
        ("0.1", "MAD", "0.10"),
        ("1500", "JPY", "1500"),
        ("1.25", "KWD", "1.250"),
        ("000042.5", "EUR", "42.50"),
    ] {
        let created = transaction(
            &app,
            plan,
            json!({"kind": "expenditure", "amount": amount, "currency": currency, "value_date": "2019-06-30"}),
        )
        .await;
        assert_eq!(created["amount"], written, "{amount} {currency}");
        let read = app.get(&format!("/api/v1/transactions/{}", created["id"])).await.json();
        assert_eq!(read["amount"], written, "{amount} {currency} read back");
    }
}

#[actix_web::test]
async fn every_bad_field_of_a_transaction_is_named_at_once() {
    let app = TestApp::new().await;
    let (_, plan) = case_with_plan(&app).await;
    let problem = app
        .post(
            "/api/v1/transactions",
            &json!({"action_plan_id": plan, "kind": "grant", "amount": 12.5, "currency": "idr",
                "value_date": "2019-02-30", "funding_source": "lottery", "party_region_id": 999999,
                "reference": "x".repeat(301)}),
        )
        .await
        .assert_problem(
            422,
            &["kind", "amount", "currency", "value_date", "funding_source", "party_region_id", "reference"],
        );
    let message = |field: &str| {
        problem["errors"].as_array().unwrap().iter().find(|e| e["field"] == field).unwrap()["message"].clone()
    };
    assert!(message("amount").as_str().unwrap().contains("\"12.5\""), "{problem}");
    let missing = app.post("/api/v1/transactions", &json!({})).await;
    missing.assert_problem(422, &["action_plan_id", "kind", "amount", "currency", "value_date"]);
    // Each amount against its currency's minor unit, and the real list of currencies.
    for (amount, currency, field) in [
        ("1.5", "JPY", "amount"),
        ("0.001", "IDR", "amount"),
        ("1.2345", "KWD", "amount"),
        ("0", "IDR", "amount"),
        ("-5.00", "MAD", "amount"),
        ("1e3", "IDR", "amount"),
        ("1234567890123456789", "JPY", "amount"),
        ("10", "ZZZ", "currency"),
        ("10", "DEM", "currency"),
        ("10", "XAU", "currency"),
    ] {
        app.post(
            "/api/v1/transactions",
            &json!({"action_plan_id": plan, "kind": "budget", "amount": amount, "currency": currency,
                "value_date": "2019-01-01"}),
        )
        .await
        .assert_problem(422, &[field]);
    }
    // Nothing was written.
    assert_eq!(app.total("/api/v1/transactions").await, 0);
}

#[actix_web::test]
async fn the_paying_side_stays_a_party_of_the_plan_s_agreement() {
    let app = TestApp::new().await;
    let (case, plan) = case_with_plan(&app).await;
    let marrakech = app
        .create(
            "/api/v1/regions",
            json!({"key": "MA-07", "name": "Marrakech-Safi", "kind": "region", "country_code": "MA"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let problem = app
        .post(
            "/api/v1/transactions",
            &json!({"action_plan_id": plan, "kind": "expenditure", "amount": "10.00", "currency": "MAD",
                "value_date": "2019-01-01", "party_region_id": marrakech}),
        )
        .await
        .assert_problem(422, &["party_region_id"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("not a party"), "{problem}");
    let paid = transaction(
        &app,
        plan,
        json!({"kind": "expenditure", "amount": "10.00", "currency": "MAD", "value_date": "2019-01-01",
            "party_region_id": case.souss_massa}),
    )
    .await;
    // The agreement cannot drop the region that paid, nor the plan move where it is no party.
    app.patch(
        &format!("/api/v1/agreements/{}", case.agreement),
        &json!({"party_region_ids": [case.west_java, marrakech]}),
    )
    .await
    .assert_problem(422, &["party_region_ids"]);
    let other = app
        .create(
            "/api/v1/agreements",
            json!({"title": "West Java and Marrakech-Safi", "kind": "sister_province", "status": "proposed",
                "party_region_ids": [case.west_java, marrakech]}),
        )
        .await;
    app.patch(&format!("/api/v1/action-plans/{plan}"), &json!({"agreement_id": other["id"]}))
        .await
        .assert_problem(422, &["agreement_id"]);
    // Without a payer that is not a party, both changes go through.
    let response =
        app.patch(&format!("/api/v1/transactions/{}", paid["id"]), &json!({"party_region_id": null})).await;
    assert_eq!(response.status, 200);
    let response =
        app.patch(&format!("/api/v1/action-plans/{plan}"), &json!({"agreement_id": other["id"]})).await;
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
}

#[actix_web::test]
async fn a_patch_checks_the_amount_against_the_new_currency_and_the_audit_trail_keeps_the_decimals() {
    let app = TestApp::new().await;
    let (_, plan) = case_with_plan(&app).await;
    let created = transaction(
        &app,
        plan,
        json!({"kind": "commitment", "amount": "1250000.00", "currency": "IDR", "value_date": "2019-01-01"}),
    )
    .await;
    let path = format!("/api/v1/transactions/{}", created["id"]);
    // The amount written for IDR has two decimals: in yen it must be given again.
    app.patch(&path, &json!({"currency": "JPY"})).await.assert_problem(422, &["amount"]);
    let changed = app.patch(&path, &json!({"currency": "JPY", "amount": "9000"})).await.json();
    assert_eq!(
        (changed["amount"].as_str(), changed["currency"].as_str(), changed["version"].as_i64()),
        (Some("9000"), Some("JPY"), Some(2))
    );
    // The same amount written otherwise changes nothing.
    let same = app.patch(&path, &json!({"amount": "9000.0"})).await;
    assert_eq!(same.status, 422, "9000.0 has a decimal that JPY does not");
    let same = app.patch(&path, &json!({"amount": "09000"})).await.json();
    assert_eq!(same["version"], 2);
    let history = app.get(&format!("{path}/history")).await.json();
    assert_eq!(history["total"], 2, "created and updated once");
    let updated = &history["items"][0];
    assert_eq!(updated["changes"]["amount"], json!(["1250000.00", "9000"]), "{updated}");
    assert_eq!(updated["changes"]["currency"], json!(["IDR", "JPY"]), "{updated}");
}

#[actix_web::test]
async fn transactions_are_filtered_by_plan_agreement_kind_currency_payer_date_and_text() {
    let app = TestApp::new().await;
    let (case, plan) = case_with_plan(&app).await;
    let second = app
        .action_plan(case.agreement, json!({"title": "Tourism promotion", "status": "planned"}))
        .await["id"]
        .as_i64()
        .unwrap();
    let budget = transaction(&app, plan, json!({"kind": "budget", "amount": "100.00", "currency": "IDR",
        "value_date": "2019-01-01", "party_region_id": case.west_java, "description": "Regional budget line"})).await;
    let spent = transaction(
        &app,
        plan,
        json!({"kind": "expenditure", "amount": "5.00", "currency": "MAD",
        "value_date": "2019-07-01", "party_region_id": case.souss_massa}),
    )
    .await;
    let in_kind = transaction(
        &app,
        second,
        json!({"kind": "in_kind", "amount": "7", "currency": "JPY",
        "value_date": "2020-03-01", "reference": "Exhibition space"}),
    )
    .await;
    let id = |record: &Value| record["id"].as_i64().unwrap();
    for (query, expected) in [
        (format!("action_plan_id={plan}"), vec![id(&budget), id(&spent)]),
        (format!("agreement_id={}", case.agreement), vec![id(&budget), id(&spent), id(&in_kind)]),
        ("agreement_id=999999".to_owned(), vec![]),
        ("kind=in_kind".to_owned(), vec![id(&in_kind)]),
        ("currency=MAD".to_owned(), vec![id(&spent)]),
        (format!("party_region_id={}", case.west_java), vec![id(&budget)]),
        ("value_from=2019-07-01".to_owned(), vec![id(&spent), id(&in_kind)]),
        ("value_to=2019-07-01".to_owned(), vec![id(&budget), id(&spent)]),
        ("q=BUDGET%20LINE".to_owned(), vec![id(&budget)]),
        ("q=exhibition".to_owned(), vec![id(&in_kind)]),
        ("sort=-value_date".to_owned(), vec![id(&in_kind), id(&spent), id(&budget)]),
    ] {
        let page = app.get(&format!("/api/v1/transactions?{query}")).await.json();
        assert_eq!(ids(&page), expected, "{query}");
    }
    app.get("/api/v1/transactions?currency=XYZ&kind=gift&value_from=2019")
        .await
        .assert_problem(400, &["currency", "kind", "value_from"]);
    // CSV carries the amount as written.
    let csv = String::from_utf8(
        app.get(&format!("/api/v1/transactions?format=csv&action_plan_id={plan}")).await.body,
    )
    .unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("id,key,action_plan_id,kind,amount,currency,value_date,"));
    assert!(lines.next().unwrap().contains(",budget,100.00,IDR,2019-01-01,"), "{csv}");
}

#[actix_web::test]
async fn a_plan_or_region_with_transactions_is_not_deleted() {
    let app = TestApp::new().await;
    let (case, plan) = case_with_plan(&app).await;
    let paid = transaction(
        &app,
        plan,
        json!({"kind": "expenditure", "amount": "1.00", "currency": "IDR",
        "value_date": "2019-01-01", "party_region_id": case.west_java}),
    )
    .await;
    let problem = app.delete(&format!("/api/v1/action-plans/{plan}")).await.json();
    assert_eq!(problem["status"], 409);
    assert!(problem["detail"].as_str().unwrap().contains("transactions (1)"), "{problem}");
    let problem = app.delete(&format!("/api/v1/regions/{}", case.west_java)).await.json();
    assert_eq!(problem["status"], 409);
    assert!(problem["detail"].as_str().unwrap().contains("transactions it pays (1)"), "{problem}");
    assert_eq!(app.delete(&format!("/api/v1/transactions/{}", paid["id"])).await.status, 204);
    assert_eq!(app.delete(&format!("/api/v1/action-plans/{plan}")).await.status, 204);
}

#[actix_web::test]
async fn the_summary_adds_up_each_currency_exactly_and_never_across_currencies() {
    let app = TestApp::new().await;
    let (case, plan) = case_with_plan(&app).await;
    assert_eq!(finance(&app, case.agreement).await, json!([]));
    for amount in ["0.10", "0.20", "0.30"] {
        transaction(
            &app,
            plan,
            json!({"kind": "expenditure", "amount": amount, "currency": "MAD", "value_date": "2019-01-01"}),
        )
        .await;
    }
    transaction(
        &app,
        plan,
        json!({"kind": "budget", "amount": "1250000000", "currency": "IDR", "value_date": "2019-01-01"}),
    )
    .await;
    transaction(&app, plan, json!({"kind": "expenditure", "amount": "350000000.50", "currency": "IDR", "value_date": "2019-05-01"})).await;
    transaction(
        &app,
        plan,
        json!({"kind": "in_kind", "amount": "3000", "currency": "JPY", "value_date": "2019-05-01"}),
    )
    .await;
    // Another agreement's money is not this one's.
    let other = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Other", "kind": "other", "status": "proposed",
            "party_region_ids": [case.west_java, case.souss_massa]}),
        )
        .await;
    let elsewhere = app
        .action_plan(other["id"].as_i64().unwrap(), json!({"title": "Elsewhere", "status": "planned"}))
        .await;
    transaction(
        &app,
        elsewhere["id"].as_i64().unwrap(),
        json!({"kind": "budget", "amount": "1", "currency": "MAD", "value_date": "2019-01-01"}),
    )
    .await;
    assert_eq!(
        finance(&app, case.agreement).await,
        json!([
            {"currency": "IDR", "budget": "1250000000.00", "commitment": "0", "disbursement": "0",
             "expenditure": "350000000.50", "in_kind": "0"},
            {"currency": "JPY", "budget": "0", "commitment": "0", "disbursement": "0", "expenditure": "0",
             "in_kind": "3000"},
            {"currency": "MAD", "budget": "0", "commitment": "0", "disbursement": "0", "expenditure": "0.60",
             "in_kind": "0"},
        ])
    );
}

#[actix_web::test]
async fn sums_past_the_range_of_64_bit_minor_units_stay_exact() {
    let app = TestApp::new().await;
    app.founding_case().await;
    let plan = json!({"key": "ap-big", "agreement": "jabar-souss-massa-2017", "title": "Large", "status": "planned"});
    // 100 × 999,999,999,999,999.99 IDR is 99,999,999,999,999,999.00 IDR: 9,999,999,999,999,999,900
    // minor units, past the 9,223,372,036,854,775,807 of a 64-bit integer.
    let transactions: Vec<Value> = (0..100)
        .map(|n| json!({"key": format!("big-{n}"), "action_plan": "ap-big", "kind": "budget",
            "amount": "999999999999999.99", "currency": "IDR", "value_date": "2019-01-01", "party_region": "MA-09"}))
        .collect();
    let response =
        app.post("/api/v1/import", &json!({"action_plans": [plan], "transactions": transactions})).await;
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let agreement = app.get("/api/v1/agreements?key=jabar-souss-massa-2017").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(finance(&app, agreement).await[0]["budget"], "99999999999999999.00");
}

#[actix_web::test]
async fn transactions_and_indicators_travel_through_export_and_import_by_key() {
    let first = TestApp::new().await;
    let demo: Value = serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap();
    assert_eq!(first.post("/api/v1/import", &demo).await.status, 200);
    let document = json!({
        "source": "Laporan keuangan 2019",
        "transactions": [
            {"key": "t-budget", "action_plan": "ap-01", "kind": "budget", "amount": "1250000000",
             "currency": "IDR", "value_date": "2019-01-15", "party_region": "ID-JB", "funding_source": "regional_budget"},
            {"key": "t-spent", "action_plan": "ap-01", "kind": "expenditure", "amount": "0.10", "currency": "MAD",
             "value_date": "2019-04-01", "party_region": "MA-09", "source": "Souss-Massa's own account"}
        ],
        "indicators": [
            {"key": "i-smes", "action_plan": "ap-01", "title": "SMEs exporting", "measure": "number",
             "baseline_value": "0", "target_value": "10", "actual_value": "4"}
        ]
    });
    let summary = first.post("/api/v1/import", &document).await;
    assert_eq!(summary.status, 200, "{}", String::from_utf8_lossy(&summary.body));
    let summary = summary.json();
    assert_eq!(
        (summary["transactions"]["created"].clone(), summary["indicators"]["created"].clone()),
        (json!(2), json!(1))
    );
    let exported = first.get("/api/v1/export").await.json();
    let budget =
        exported["transactions"].as_array().unwrap().iter().find(|t| t["key"] == "t-budget").unwrap().clone();
    assert_eq!(
        (
            budget["action_plan"].clone(),
            budget["party_region"].clone(),
            budget["amount"].clone(),
            budget["source"].clone()
        ),
        (json!("ap-01"), json!("ID-JB"), json!("1250000000.00"), json!("Laporan keuangan 2019"))
    );
    let spent =
        exported["transactions"].as_array().unwrap().iter().find(|t| t["key"] == "t-spent").unwrap().clone();
    assert_eq!(spent["source"], "Souss-Massa's own account", "a record's own source is kept");
    let smes = &exported["indicators"][0];
    assert_eq!(
        (smes["action_plan"].clone(), smes["progress"].clone()),
        (json!("ap-01"), Value::Null),
        "progress is derived, not exported"
    );

    let second = TestApp::new().await;
    let imported = second.post("/api/v1/import", &exported).await;
    assert_eq!(imported.status, 200, "{}", String::from_utf8_lossy(&imported.body));
    assert_eq!(
        second.get("/api/v1/export").await.json(),
        exported,
        "export, import, export: the same document"
    );
    let again = second.post("/api/v1/import", &exported).await.json();
    assert_eq!(
        (again["transactions"]["unchanged"].clone(), again["indicators"]["unchanged"].clone()),
        (json!(2), json!(1))
    );
    // A bad amount in a document is named by its place, and nothing of the document lands.
    let bad = json!({"transactions": [{"key": "t-bad", "action_plan": "ap-01", "kind": "budget", "amount": "1.5",
        "currency": "JPY", "value_date": "2019-01-01"}]});
    second.post("/api/v1/import", &bad).await.assert_problem(422, &["transactions[0].amount"]);
    assert_eq!(second.total("/api/v1/transactions").await, 2);
}

#[actix_web::test]
async fn a_withdrawn_currency_is_accepted_only_for_payments_made_before_its_withdrawal() {
    let app = TestApp::new().await;
    let (_, plan) = case_with_plan(&app).await;
    let paid = |currency: &str, amount: &str, day: &str| json!({"action_plan_id": plan, "kind": "expenditure", "amount": amount, "currency": currency, "value_date": day});
    // The kuna until its withdrawal in January 2023; the Netherlands Antillean guilder until 2025.
    let kuna = app.create("/api/v1/transactions", paid("HRK", "1500.50", "2019-05-01")).await;
    assert_eq!(kuna["currency"], "HRK");
    app.create("/api/v1/transactions", paid("HRK", "10.00", "2023-01-31")).await;
    app.create("/api/v1/transactions", paid("ANG", "250.00", "2019-06-15")).await;
    app.create("/api/v1/transactions", paid("DEM", "99.95", "1998-03-01")).await;
    for (currency, day, now_used) in
        [("HRK", "2024-05-01", "EUR"), ("ANG", "2025-06-01", "XCG"), ("DEM", "2019-01-01", "EUR")]
    {
        let problem = app
            .post("/api/v1/transactions", &paid(currency, "10.00", day))
            .await
            .assert_problem(422, &["currency"]);
        let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("withdrawn") && message.contains(now_used),
            "{currency} on {day}: {message}"
        );
    }
    // A withdrawn code keeps the minor unit it had: the lira had no decimals.
    app.post("/api/v1/transactions", &paid("ITL", "1500.5", "1995-01-01"))
        .await
        .assert_problem(422, &["amount"]);
    // Moving a payment past the withdrawal of its currency is refused too, and changes nothing.
    let path = format!("/api/v1/transactions/{}", kuna["id"]);
    app.patch(&path, &json!({"value_date": "2024-05-01"})).await.assert_problem(422, &["currency"]);
    assert_eq!(app.get(&path).await.json()["value_date"], "2019-05-01");
    // Lists filter on them; imports follow the same rule, naming the record.
    assert_eq!(app.total("/api/v1/transactions?currency=HRK").await, 2);
    app.post(
        "/api/v1/import",
        &json!({"transactions": [{"key": "kuna-2024", "action_plan": "ap-01", "kind": "expenditure",
            "amount": "1.00", "currency": "HRK", "value_date": "2024-05-01"}]}),
    )
    .await
    .assert_problem(422, &["transactions[0].currency"]);
}
