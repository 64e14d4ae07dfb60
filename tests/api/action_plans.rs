use serde_json::json;

use crate::helpers::{TestApp, ids};

#[actix_web::test]
async fn an_action_plan_embeds_its_sectors_and_agencies() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan = app
        .action_plan(
            case.agreement,
            json!({"key": "ap-01", "title": "Business matching", "status": "implemented", "year": 2019,
            "sector_ids": [case.trade], "agency_ids": [case.disperindag, case.disparbud],
            "outcome": "Java Preanger coffee shipped"}),
        )
        .await;
    assert_eq!(plan["agreement_id"], case.agreement);
    assert_eq!(
        plan["sectors"],
        json!([{"id": case.trade, "code": "trade-investment", "name": "Trade and Investment"}])
    );
    assert_eq!(
        plan["agencies"][0],
        json!({"id": case.disperindag, "name": "Dinas Perindustrian dan Perdagangan", "acronym": "Disperindag"})
    );
    assert_eq!(plan["agencies"][1]["id"], case.disparbud);
    assert_eq!(app.get(&format!("/api/v1/action-plans/{}", plan["id"])).await.json(), plan);
}

#[actix_web::test]
async fn a_record_read_alone_shows_its_links_in_the_order_given_and_none_as_an_empty_list() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let linked = |links: &serde_json::Value| -> Vec<i64> {
        links.as_array().expect("a list").iter().map(|link| link["id"].as_i64().expect("id")).collect()
    };
    // Given against the order of their ids: read back by position, not by id.
    let plan = app
        .action_plan(
            case.agreement,
            json!({"title": "Halal tourism fair", "status": "planned",
            "sector_ids": [case.tourism, case.trade], "agency_ids": [case.disparbud, case.disperindag]}),
        )
        .await;
    let read = app.get(&format!("/api/v1/action-plans/{}", plan["id"])).await.json();
    assert_eq!(linked(&read["sectors"]), vec![case.tourism, case.trade]);
    assert_eq!(linked(&read["agencies"]), vec![case.disparbud, case.disperindag]);
    assert_eq!(read["agencies"][0]["acronym"], "Disparbud");
    assert_eq!(read, plan);
    let bare = app.action_plan(case.agreement, json!({"title": "Study visit", "status": "planned"})).await;
    let read = app.get(&format!("/api/v1/action-plans/{}", bare["id"])).await.json();
    assert_eq!((&read["sectors"], &read["agencies"]), (&json!([]), &json!([])));

    let agreement = format!("/api/v1/agreements/{}", case.agreement);
    let patched = app
        .patch(
            &agreement,
            &json!({"party_region_ids": [case.souss_massa, case.west_java], "sector_ids": [case.tourism]}),
        )
        .await;
    assert_eq!(patched.status, 200);
    let read = app.get(&agreement).await.json();
    assert_eq!(linked(&read["parties"]), vec![case.souss_massa, case.west_java]);
    assert_eq!(read["parties"][0]["subdivision_code"], "MA-09");
    assert_eq!(linked(&read["sectors"]), vec![case.tourism]);
}

#[actix_web::test]
async fn an_action_plan_needs_an_existing_agreement_and_linked_records() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let body = json!({"agreement_id": 999, "title": " ", "status": "done", "year": 20190,
        "sector_ids": [case.trade, case.trade], "agency_ids": [999], "start_date": "2019-05-01", "end_date": "2019-04-01"});
    app.post("/api/v1/action-plans", &body).await.assert_problem(
        422,
        &["agreement_id", "title", "status", "year", "sector_ids[1]", "agency_ids[0]", "end_date"],
    );
    app.post("/api/v1/action-plans", &json!({"title": "x", "status": "planned"}))
        .await
        .assert_problem(422, &["agreement_id"]);
    assert_eq!(app.total("/api/v1/action-plans").await, 0);
}

#[actix_web::test]
async fn year_null_means_to_be_determined_and_filters_find_it() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let done = app
        .action_plan(
            case.agreement,
            json!({"title": "Tourism promotion", "status": "implemented", "year": 2019,
            "sector_ids": [case.tourism], "agency_ids": [case.disparbud]}),
        )
        .await;
    let pending = app
        .action_plan(
            case.agreement,
            json!({"title": "Factories sourcing raw materials", "status": "planned", "year": null,
            "sector_ids": [case.trade, case.tourism], "agency_ids": [case.disperindag]}),
        )
        .await;
    let (done, pending) = (done["id"].as_i64().unwrap(), pending["id"].as_i64().unwrap());
    assert_eq!(ids(&app.get("/api/v1/action-plans?year_undetermined=true").await.json()), [pending]);
    assert_eq!(ids(&app.get("/api/v1/action-plans?year_undetermined=false").await.json()), [done]);
    assert_eq!(ids(&app.get("/api/v1/action-plans?year=2019").await.json()), [done]);
    assert_eq!(ids(&app.get("/api/v1/action-plans?year_from=2018&year_to=2020").await.json()), [done]);
    assert_eq!(ids(&app.get("/api/v1/action-plans?status=planned").await.json()), [pending]);
    assert_eq!(
        ids(&app.get(&format!("/api/v1/action-plans?sector_id={}", case.tourism)).await.json()),
        [done, pending]
    );
    assert_eq!(
        ids(&app.get(&format!("/api/v1/action-plans?agency_id={}", case.disperindag)).await.json()),
        [pending]
    );
    assert_eq!(ids(&app.get("/api/v1/action-plans?q=FACTORIES").await.json()), [pending]);
    assert_eq!(
        ids(&app.get("/api/v1/action-plans?sort=year").await.json()),
        [done, pending],
        "undetermined years last"
    );
    app.get("/api/v1/action-plans?year_undetermined=yes").await.assert_problem(400, &["year_undetermined"]);
}

#[actix_web::test]
async fn an_agreement_lists_its_own_action_plans_with_the_same_parameters() {
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
    app.action_plan(case.agreement, json!({"title": "A", "status": "implemented", "year": 2019})).await;
    app.action_plan(case.agreement, json!({"title": "B", "status": "planned"})).await;
    app.action_plan(other["id"].as_i64().unwrap(), json!({"title": "C", "status": "planned"})).await;
    let path = format!("/api/v1/agreements/{}/action-plans", case.agreement);
    let page = app.get(&format!("{path}?status=implemented")).await.json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["title"], "A");
    assert_eq!(app.total(&format!("{path}?year_undetermined=true")).await, 1);
    assert_eq!(app.total(&path).await, 2);
    app.get("/api/v1/agreements/999/action-plans").await.assert_problem(404, &[]);
    app.get(&format!("{path}?colour=red")).await.assert_problem(400, &["colour"]);
}

#[actix_web::test]
async fn patch_replaces_sector_and_agency_links_when_given() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan = app
        .action_plan(
            case.agreement,
            json!({"title": "Exchange", "status": "planned", "sector_ids": [case.trade],
            "agency_ids": [case.disperindag]}),
        )
        .await;
    let path = format!("/api/v1/action-plans/{}", plan["id"]);
    let updated = app.patch(&path, &json!({"status": "implemented", "year": 2024})).await.json();
    assert_eq!(updated["sectors"].as_array().unwrap().len(), 1);
    assert_eq!(updated["agencies"].as_array().unwrap().len(), 1);
    let updated = app
        .patch(&path, &json!({"agency_ids": [case.disparbud, case.disperindag], "year": null}))
        .await
        .json();
    assert_eq!(updated["agencies"][0]["id"], case.disparbud);
    assert_eq!(updated["year"], serde_json::Value::Null);
    let problem = app.delete(&format!("/api/v1/agencies/{}", case.disparbud)).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("action plans (1)"));
}

#[actix_web::test]
async fn pages_past_the_first_are_slices_of_the_whole_filtered_and_sorted_list() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let years = [Some(2019), None, Some(2018), Some(2019), None, Some(2021), Some(2018), Some(2020)];
    for (n, year) in years.iter().enumerate() {
        let status = if n % 3 == 0 { "planned" } else { "implemented" };
        app.action_plan(
            case.agreement,
            json!({"title": format!("Plan {}", (b'h' - n as u8) as char), "status": status, "year": year,
                "sector_ids": [if n % 2 == 0 { case.trade } else { case.tourism }]}),
        )
        .await;
    }
    let queries = [
        "sort=-year,title".to_owned(),
        "sort=title".to_owned(),
        "status=implemented&sort=year".to_owned(),
        format!("sector_id={}&sort=-title", case.tourism),
        String::new(),
    ];
    for query in queries {
        let whole = app.get(&format!("/api/v1/action-plans?{query}&limit=500")).await.json();
        let expected = ids(&whole);
        let mut paged = Vec::new();
        for offset in (0..expected.len()).step_by(3) {
            let page = app.get(&format!("/api/v1/action-plans?{query}&limit=3&offset={offset}")).await.json();
            assert_eq!(page["total"], whole["total"], "{query} at {offset}");
            assert_eq!(page["offset"], offset, "{query}");
            let items = page["items"].as_array().expect("items");
            let records =
                &whole["items"].as_array().expect("items")[offset..(offset + 3).min(expected.len())];
            assert_eq!(items.as_slice(), records, "{query} at {offset}: whole records, links and all");
            paged.extend(ids(&page));
        }
        assert_eq!(paged, expected, "{query}");
    }
    let beyond = app.get("/api/v1/action-plans?sort=title&limit=3&offset=8").await.json();
    assert_eq!(beyond["items"], json!([]));
    assert_eq!(beyond["total"], 8);
}

#[actix_web::test]
async fn a_plan_over_several_years_is_found_in_each_of_them() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan = |title: &str, year: serde_json::Value, end_year: serde_json::Value| {
        let app = &app;
        let body = json!({"title": title, "status": "planned", "year": year, "end_year": end_year});
        async move { app.action_plan(case.agreement, body).await["id"].as_i64().unwrap() }
    };
    let span = plan("Exchange 2026-2028", json!(2026), json!(2028)).await;
    let single = plan("Trade mission 2027", json!(2027), json!(null)).await;
    let earlier = plan("Promotion 2025", json!(2025), json!(2025)).await;
    plan("To be determined", json!(null), json!(null)).await;
    let found = |query: &str| {
        let app = &app;
        let uri = format!("/api/v1/action-plans?{query}&sort=id");
        async move { ids(&app.get(&uri).await.json()) }
    };
    assert_eq!(found("year=2027").await, [span, single], "2027 falls within 2026-2028");
    assert_eq!(found("year=2026").await, [span]);
    assert_eq!(found("year=2028").await, [span]);
    assert_eq!(found("year=2025").await, [earlier]);
    assert_eq!(found("year=2029").await, Vec::<i64>::new());
    assert_eq!(found("year_from=2028").await, [span], "still running in 2028");
    assert_eq!(found("year_to=2026").await, [span, earlier], "started by 2026");
    assert_eq!(found("year_from=2026&year_to=2026").await, [span]);
    assert_eq!(found("year_undetermined=false&year_from=2025").await, [span, single, earlier]);
    let record = app.get(&format!("/api/v1/action-plans/{span}")).await.json();
    assert_eq!((record["year"].clone(), record["end_year"].clone()), (json!(2026), json!(2028)));

    let post = |body: serde_json::Value| {
        let app = &app;
        let mut body = body;
        body["agreement_id"] = json!(case.agreement);
        body["title"] = json!("Plan");
        body["status"] = json!("planned");
        async move { app.post("/api/v1/action-plans", &body).await }
    };
    let problem = post(json!({"year": 2027, "end_year": 2026})).await.assert_problem(422, &["end_year"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("2027"), "{problem}");
    post(json!({"end_year": 2026})).await.assert_problem(422, &["end_year"]);
    post(json!({"year": 99999, "end_year": 100000})).await.assert_problem(422, &["year", "end_year"]);
    post(json!({"year": 2026, "end_year": "2028"})).await.assert_problem(422, &["end_year"]);
    app.patch(&format!("/api/v1/action-plans/{span}"), &json!({"year": 2029}))
        .await
        .assert_problem(422, &["end_year"]);
    let csv = String::from_utf8(app.get("/api/v1/action-plans?format=csv").await.body.to_vec()).unwrap();
    assert!(csv.lines().next().unwrap().contains(",year,end_year,"), "{csv}");
}

#[actix_web::test]
async fn many_plans_over_several_years_are_found_as_well() {
    let app = TestApp::new().await;
    app.founding_case().await;
    // More spanning plans than the filters read ahead by id: the filter says it in SQL.
    let plans: Vec<serde_json::Value> = (0..1_005)
        .map(|n| {
            json!({"key": format!("span-{n:04}"), "agreement": "jabar-souss-massa-2017", "title": format!("Plan {n}"),
                   "status": "planned", "year": 2020, "end_year": 2022})
        })
        .chain([json!({"key": "single", "agreement": "jabar-souss-massa-2017", "title": "Single",
                       "status": "implemented", "year": 2021})])
        .collect();
    let response = app.post("/api/v1/import", &json!({"action_plans": plans})).await;
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    assert_eq!(app.total("/api/v1/action-plans?year=2021").await, 1_006);
    assert_eq!(app.total("/api/v1/action-plans?year=2022").await, 1_005);
    assert_eq!(app.total("/api/v1/action-plans?year=2023").await, 0);
    assert_eq!(app.total("/api/v1/action-plans?year_from=2022").await, 1_005);
    assert_eq!(app.total("/api/v1/action-plans?year=2021&status=implemented").await, 1);
    let page = app.get("/api/v1/action-plans?year=2022&limit=2&offset=1003").await.json();
    let keys: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["span-1003", "span-1004"], "in id order, to the last page");
}
