use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn demo_agreement(app: &TestApp) -> i64 {
    let document: Value = serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap();
    assert_eq!(app.post("/api/v1/import", &document).await.status, 200);
    app.get("/api/v1/agreements?key=jabar-souss-massa-2017").await.json()["items"][0]["id"].as_i64().unwrap()
}

#[actix_web::test]
async fn the_founding_case_summary_counts_what_the_article_lists() {
    let app = TestApp::new().await;
    let id = demo_agreement(&app).await;
    let summary = app.get(&format!("/api/v1/agreements/{id}/summary")).await.json();
    let plans = &summary["action_plans"];
    assert_eq!(plans["total"], 10);
    assert_eq!(
        plans["by_status"],
        json!({"planned": 7, "in_progress": 0, "implemented": 3, "suspended": 0, "cancelled": 0})
    );
    assert_eq!(plans["implementation_rate"], 0.3);
    assert_eq!(plans["year_undetermined"], 7);
    assert_eq!(
        plans["by_year"],
        json!([{"year": 2019, "total": 3, "implemented": 3}, {"year": null, "total": 7, "implemented": 0}])
    );
    let sector = |code: &str| {
        plans["by_sector"].as_array().unwrap().iter().find(|s| s["sector"]["code"] == code).cloned().unwrap()
    };
    assert_eq!(
        (sector("trade-investment")["total"].clone(), sector("trade-investment")["implemented"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(sector("human-capacity")["total"], 2, "a plan with two sectors counts under each");
    assert_eq!(sector("fisheries")["total"], 1);
    let totals: Vec<i64> =
        plans["by_sector"].as_array().unwrap().iter().map(|s| s["total"].as_i64().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "most plans first: {totals:?}");
    let disdik = plans["by_agency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"]["name"] == "Dinas Pendidikan")
        .unwrap();
    assert_eq!(disdik["total"], 2);
    let obstacles = &summary["obstacles"];
    assert_eq!(obstacles["total"], 9);
    assert_eq!(obstacles["open"], 0, "the article assesses none of them");
    assert_eq!(obstacles["by_category"]["regulatory"], 1);
    assert_eq!(obstacles["by_category"]["other"], 0, "every category is named");
    assert_eq!(obstacles["by_category"].as_object().unwrap().len(), 10);
    assert_eq!(obstacles["by_severity"], json!({"high": 0, "low": 0, "medium": 0, "unassessed": 9}));
    assert_eq!(obstacles["by_status"], json!({"open": 0, "mitigated": 0, "resolved": 0, "unassessed": 9}));
    assert_eq!(summary["days_until_expiry"], Value::Null);
    app.get("/api/v1/agreements/999/summary").await.assert_problem(404, &[]);
}

#[actix_web::test]
async fn cancelled_plans_leave_the_implementation_rate_and_expiry_counts_days() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let today = chrono::Utc::now().date_naive();
    let expires = today + chrono::Duration::days(30);
    app.patch(&format!("/api/v1/agreements/{}", case.agreement), &json!({"expires_on": expires.to_string()}))
        .await;
    for status in ["implemented", "cancelled", "cancelled", "planned"] {
        app.action_plan(case.agreement, json!({"title": "Plan", "status": status, "year": 2024})).await;
    }
    let summary = app.get(&format!("/api/v1/agreements/{}/summary", case.agreement)).await.json();
    assert_eq!(summary["action_plans"]["implementation_rate"], 0.5);
    assert_eq!(summary["days_until_expiry"], 30);
    let empty = TestApp::new().await;
    let case = empty.founding_case().await;
    let summary = empty.get(&format!("/api/v1/agreements/{}/summary", case.agreement)).await.json();
    assert_eq!(summary["action_plans"]["implementation_rate"], Value::Null);
    assert_eq!(summary["action_plans"]["by_year"], json!([]));
}

#[actix_web::test]
async fn the_overview_counts_the_selected_agreements_and_their_partners() {
    let app = TestApp::new().await;
    let id = demo_agreement(&app).await;
    let today = chrono::Utc::now().date_naive();
    app.patch(
        &format!("/api/v1/agreements/{id}"),
        &json!({"expires_on": (today + chrono::Duration::days(60)).to_string()}),
    )
    .await;
    let overview = app.get("/api/v1/reports/overview").await.json();
    assert_eq!(overview["agreements"]["total"], 1);
    assert_eq!(overview["agreements"]["by_status"]["active"], 1);
    assert_eq!(
        overview["agreements"]["by_kind"],
        json!({"institutional": 0, "other": 0, "sister_city": 0, "sister_province": 1})
    );
    assert_eq!(overview["action_plans"]["total"], 10);
    assert_eq!(overview["action_plans"]["implementation_rate"], 0.3);
    assert_eq!(
        overview["obstacles"],
        json!({"total": 9, "open": 0, "by_category": {"capacity_gap": 1, "data_security": 1,
        "education_system": 1, "financial": 1, "governance_difference": 1, "language_culture": 1, "other": 0,
        "policy_alignment": 1, "regulatory": 1, "resources": 1},
        "by_status": {"open": 0, "mitigated": 0, "resolved": 0, "unassessed": 9}})
    );
    assert_eq!(overview["expiring"][0]["days_until_expiry"], 60);
    assert_eq!(overview["expiring"][0]["key"], "jabar-souss-massa-2017");
    assert_eq!(
        app.get("/api/v1/reports/overview?expiring_within_days=30").await.json()["expiring"],
        json!([])
    );

    let west_java = app.get("/api/v1/regions?key=ID-JB").await.json()["items"][0]["id"].clone();
    let partners =
        app.get(&format!("/api/v1/reports/overview?region_id={west_java}")).await.json()["partners"].clone();
    assert_eq!(
        partners,
        json!([{"country_code": "MA", "agreements": 1, "action_plans": 10, "implemented": 3}])
    );
    let indonesia = app.get("/api/v1/reports/overview?country_code=ID").await.json();
    assert_eq!(indonesia["partners"][0]["country_code"], "MA");
    assert_eq!(app.get("/api/v1/reports/overview?country_code=TL").await.json()["agreements"]["total"], 0);
    let tourism = app.get("/api/v1/sectors?code=tourism").await.json()["items"][0]["id"].clone();
    let in_tourism = app.get(&format!("/api/v1/reports/overview?sector_id={tourism}")).await.json();
    assert_eq!(in_tourism["action_plans"]["total"], 1, "only the plans in the sector");
    assert_eq!(in_tourism["partners"][0]["action_plans"], 1);
    let unused =
        app.create("/api/v1/sectors", json!({"code": "unused", "name": "Unused"})).await["id"].clone();
    let in_unused = app.get(&format!("/api/v1/reports/overview?sector_id={unused}")).await.json();
    assert_eq!(in_unused["agreements"]["total"], 0);
    assert_eq!(in_unused["action_plans"]["total"], 0);
    assert_eq!(in_unused["partners"], json!([]));
    app.get("/api/v1/reports/overview?country_code=id&expiring_within_days=-1&region=1")
        .await
        .assert_problem(400, &["country_code", "expiring_within_days", "region"]);
}

#[actix_web::test]
async fn the_overview_counts_each_agreement_once_per_partner_country_with_its_plans() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    for (n, status) in ["implemented", "planned", "implemented"].iter().enumerate() {
        app.action_plan(case.agreement, json!({"title": format!("Plan {n}"), "status": status})).await;
    }
    let agadir = app
        .create(
            "/api/v1/regions",
            json!({"key": "MA-AGA", "name": "Agadir", "kind": "city", "country_code": "MA"}),
        )
        .await;
    // Two Moroccan parties: Morocco counts this agreement once.
    app.create(
        "/api/v1/agreements",
        json!({"key": "souss-agadir", "title": "Souss-Massa and Agadir", "kind": "other", "status": "proposed",
            "party_region_ids": [case.souss_massa, agadir["id"]]}),
    )
    .await;
    let overview = app.get("/api/v1/reports/overview").await.json();
    assert_eq!(
        overview["partners"],
        json!([
            {"country_code": "MA", "agreements": 2, "action_plans": 3, "implemented": 2},
            {"country_code": "ID", "agreements": 1, "action_plans": 3, "implemented": 2},
        ])
    );
    assert_eq!(
        overview["agreements"]["by_kind"],
        json!({"institutional": 0, "other": 1, "sister_city": 0, "sister_province": 1})
    );
    assert_eq!(overview["agreements"]["by_status"]["proposed"], 1);
    assert_eq!(overview["action_plans"]["by_status"]["implemented"], 2);
    assert_eq!(overview["action_plans"]["by_status"]["planned"], 1);
    let only_west_java =
        app.get(&format!("/api/v1/reports/overview?region_id={}", case.west_java)).await.json();
    assert_eq!(only_west_java["agreements"]["total"], 1);
    assert_eq!(
        only_west_java["partners"],
        json!([{"country_code": "MA", "agreements": 1, "action_plans": 3, "implemented": 2}])
    );
}

/// The overview and an agreement's summary asked for together are computed once for all the
/// requests that wait, but never from before a request was sent: each one shows every write
/// acknowledged before it.
#[actix_web::test]
async fn reports_asked_for_together_each_show_every_write_acknowledged_before_them() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let reports =
        ["/api/v1/reports/overview".to_owned(), format!("/api/v1/agreements/{}/summary", case.agreement)];
    let mut in_flight = Vec::new();
    for written in 0..16 {
        for report in &reports {
            // Sent and left waiting for a computation of the report.
            let mut early = Box::pin(app.get(report));
            std::future::poll_fn(|cx| {
                let _ = early.as_mut().poll(cx);
                std::task::Poll::Ready(())
            })
            .await;
            in_flight.push((report, written, early));
        }
        app.action_plan(case.agreement, json!({"title": format!("Plan {written}"), "status": "planned"}))
            .await;
        for report in &reports {
            let after = app.get(report).await.json();
            assert_eq!(
                after["action_plans"]["total"],
                written + 1,
                "{report} sent after the write was acknowledged"
            );
        }
    }
    for (report, written, early) in in_flight {
        let response = early.await;
        assert_eq!(response.status, StatusCode::OK);
        let total = response.json()["action_plans"]["total"].as_i64().expect("a count");
        assert!((written..=16).contains(&total), "{report} sent after {written} plans were written: {total}");
    }
}

/// Speed is measured by `bench/run`, not here: this checks the counts over plans written in
/// bulk, behind the API.
#[actix_web::test]
async fn the_reports_count_100000_plans_written_behind_the_api() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    // Written by SQL, as a bulk load would: the overview's tallies follow (kept by triggers).
    app.execute_sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO action_plans (key, agreement_id, title, status, year, version, created_at, updated_at) \
         SELECT 'perf-' || i, {}, 'Plan ' || i, CASE WHEN i % 3 = 0 THEN 'implemented' ELSE 'planned' END, \
         CASE WHEN i % 2 = 0 THEN 2019 ELSE NULL END, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n",
        case.agreement
    ));
    let overview = app.get("/api/v1/reports/overview").await.json();
    assert_eq!(overview["action_plans"]["total"], 100_000);
    assert_eq!(overview["action_plans"]["by_status"]["implemented"], 33_333);
    assert_eq!(overview["partners"][0]["action_plans"], 100_000);
    assert_eq!(app.total("/api/v1/action-plans").await, 100_000, "the list's total, from the same tallies");
    assert_eq!(app.total("/api/v1/action-plans?status=implemented").await, 33_333);
    let summary = app.get(&format!("/api/v1/agreements/{}/summary", case.agreement)).await.json();
    assert_eq!(summary["action_plans"]["year_undetermined"], 50_000);
    assert_eq!(
        summary["action_plans"]["by_year"][0],
        json!({"year": 2019, "total": 50_000, "implemented": 16_666})
    );
}

#[actix_web::test]
async fn the_overview_counts_follow_every_change_to_a_plan() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let other = app
        .create(
            "/api/v1/agreements",
            json!({"title": "West Java and Souss-Massa, second", "kind": "other", "status": "active",
                   "party_region_ids": [case.west_java, case.souss_massa]}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let mut plans = Vec::new();
    for (i, status) in ["planned", "planned", "implemented", "in_progress", "cancelled"].iter().enumerate() {
        let agreement = if i % 2 == 0 { case.agreement } else { other };
        plans.push(app.action_plan(agreement, json!({"title": format!("Plan {i}"), "status": status})).await);
    }
    let path = |plan: &Value| format!("/api/v1/action-plans/{}", plan["id"]);
    // A status changes, a plan moves to the other agreement, another goes, one is imported.
    assert_eq!(app.patch(&path(&plans[0]), &json!({"status": "implemented"})).await.status, 200);
    assert_eq!(app.patch(&path(&plans[1]), &json!({"agreement_id": case.agreement})).await.status, 200);
    assert_eq!(app.delete(&path(&plans[3])).await.status, 204);
    let imported = app
        .post(
            "/api/v1/import",
            &json!({"action_plans": [{"key": "imported-plan", "agreement": "jabar-souss-massa-2017",
                                      "title": "Imported", "status": "suspended"}]}),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", String::from_utf8_lossy(&imported.body));

    // Counted from the tallies, as the lists count the plans themselves.
    let overview = app.get("/api/v1/reports/overview").await.json();
    let mut total = 0;
    for status in ["planned", "in_progress", "implemented", "suspended", "cancelled"] {
        let listed = app.total(&format!("/api/v1/action-plans?status={status}")).await;
        assert_eq!(overview["action_plans"]["by_status"][status], listed, "{status}");
        total += listed;
    }
    assert_eq!(total, 5);
    assert_eq!(overview["action_plans"]["by_status"]["implemented"], 2);
    assert_eq!(
        overview["partners"],
        json!([{"country_code": "ID", "agreements": 2, "action_plans": 5, "implemented": 2},
               {"country_code": "MA", "agreements": 2, "action_plans": 5, "implemented": 2}])
    );
    let west_java =
        app.get(&format!("/api/v1/reports/overview?region_id={}", case.west_java)).await.json()["partners"]
            .clone();
    assert_eq!(
        west_java,
        json!([{"country_code": "MA", "agreements": 2, "action_plans": 5, "implemented": 2}])
    );
    let summary = app.get(&format!("/api/v1/agreements/{}/summary", case.agreement)).await.json();
    assert_eq!(summary["action_plans"]["total"], 5, "every plan is now the founding agreement's");
}

#[actix_web::test]
async fn the_overview_of_a_region_rolls_up_the_regions_within_it() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let city = |name: &str, country: &str, parent: Option<i64>| json!({"name": name, "kind": "city", "country_code": country, "parent_region_id": parent});
    let bandung =
        app.create("/api/v1/regions", city("Bandung", "ID", Some(case.west_java))).await["id"].clone();
    let coblong = app.create("/api/v1/regions", city("Coblong", "ID", bandung.as_i64())).await["id"].clone();
    let agadir =
        app.create("/api/v1/regions", city("Agadir", "MA", Some(case.souss_massa))).await["id"].clone();
    let tokyo = app.create("/api/v1/regions", city("Tokyo", "JP", None)).await["id"].clone();
    for (title, parties) in
        [("Bandung-Agadir", json!([bandung, agadir])), ("Coblong-Tokyo", json!([coblong, tokyo]))]
    {
        app.create(
            "/api/v1/agreements",
            json!({"title": title, "kind": "sister_city", "status": "active", "party_region_ids": parties}),
        )
        .await;
    }
    let overview = |region: &serde_json::Value| {
        let app = &app;
        let uri = format!("/api/v1/reports/overview?region_id={region}");
        async move { app.get(&uri).await.json() }
    };
    let west_java = overview(&json!(case.west_java)).await;
    assert_eq!(west_java["agreements"]["total"], 3, "the province's, Bandung's and Coblong's");
    assert_eq!(
        west_java["partners"],
        json!([{"country_code": "MA", "agreements": 2, "action_plans": 0, "implemented": 0},
               {"country_code": "JP", "agreements": 1, "action_plans": 0, "implemented": 0}])
    );
    let bandung_overview = overview(&bandung).await;
    assert_eq!(bandung_overview["agreements"]["total"], 2, "Bandung's and Coblong's");
    assert_eq!(overview(&coblong).await["agreements"]["total"], 1);
    let souss_massa = overview(&json!(case.souss_massa)).await;
    assert_eq!(souss_massa["agreements"]["total"], 2, "the province's and Agadir's");
    assert_eq!(
        souss_massa["partners"],
        json!([{"country_code": "ID", "agreements": 2, "action_plans": 0, "implemented": 0}]),
        "Agadir is not Souss-Massa's partner"
    );
}
