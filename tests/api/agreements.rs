use serde_json::json;

use crate::helpers::{TestApp, ids};

#[actix_web::test]
async fn an_agreement_embeds_its_parties_and_sectors_in_the_order_given() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let agreement = app.get(&format!("/api/v1/agreements/{}", case.agreement)).await.json();
    assert_eq!(agreement["kind"], "sister_province");
    assert_eq!(
        agreement["parties"][0],
        json!({"type": "region", "id": case.west_java, "name": "West Java", "country_code": "ID", "subdivision_code": "ID-JB"})
    );
    assert_eq!(agreement["parties"][1]["subdivision_code"], "MA-09");
    assert_eq!(
        agreement["sectors"][0],
        json!({"id": case.trade, "code": "trade-investment", "name": "Trade and Investment"})
    );
    assert_eq!(agreement["sectors"][1]["code"], "tourism");
    assert!(agreement.get("party_region_ids").is_none());
}

#[actix_web::test]
async fn parties_must_exist_be_distinct_and_at_least_two() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let body = |parties: serde_json::Value| json!({"title": "Cooperation", "kind": "other", "status": "proposed", "party_region_ids": parties});
    app.post("/api/v1/agreements", &body(json!([case.west_java, 999])))
        .await
        .assert_problem(422, &["party_region_ids[1]"]);
    app.post("/api/v1/agreements", &body(json!([case.west_java, case.west_java])))
        .await
        .assert_problem(422, &["party_region_ids[1]"]);
    app.post("/api/v1/agreements", &body(json!([case.west_java])))
        .await
        .assert_problem(422, &["party_region_ids"]);
    app.post("/api/v1/agreements", &body(json!("1,2"))).await.assert_problem(422, &["party_region_ids"]);
    app.post("/api/v1/agreements", &json!({"title": "x", "kind": "other", "status": "proposed"}))
        .await
        .assert_problem(422, &["party_region_ids"]);
    assert_eq!(app.total("/api/v1/agreements").await, 1);
}

#[actix_web::test]
async fn a_sister_relationship_joins_exactly_two_regions_of_two_countries() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let bandung =
        app.create("/api/v1/regions", json!({"name": "Bandung", "kind": "city", "country_code": "ID"})).await;
    let one_country = json!({"title": "Twin cities", "kind": "sister_city", "status": "proposed",
        "party_region_ids": [case.west_java, bandung["id"]]});
    let problem =
        app.post("/api/v1/agreements", &one_country).await.assert_problem(422, &["party_region_ids"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("different countries"));
    let three = json!({"title": "Three", "kind": "sister_province", "status": "proposed",
        "party_region_ids": [case.west_java, case.souss_massa, bandung["id"]]});
    app.post("/api/v1/agreements", &three).await.assert_problem(422, &["party_region_ids"]);
    let multilateral = json!({"title": "Three", "kind": "other", "status": "proposed",
        "party_region_ids": [case.west_java, case.souss_massa, bandung["id"]]});
    assert_eq!(app.post("/api/v1/agreements", &multilateral).await.status, 201);
}

#[actix_web::test]
async fn dates_and_urls_follow_their_rules() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let body = json!({"title": "Renewal", "kind": "other", "status": "signed",
        "party_region_ids": [case.west_java, case.souss_massa], "signed_on": "2024-11-03",
        "effective_from": "2024-12-01", "expires_on": "2024-06-01", "document_url": "ftp://x",
        "full_power_letter_issued_on": "2024-02-30", "renews_agreement_id": 999, "sector_ids": [case.trade, 999]});
    let problem = app.post("/api/v1/agreements", &body).await.assert_problem(
        422,
        &[
            "expires_on",
            "expires_on",
            "document_url",
            "full_power_letter_issued_on",
            "renews_agreement_id",
            "sector_ids[1]",
        ],
    );
    assert!(problem["errors"].to_string().contains("before effective_from"));
    let renewal = app
        .create("/api/v1/agreements", json!({"title": "Renewal", "kind": "sister_province", "status": "proposed",
            "party_region_ids": [case.west_java, case.souss_massa], "renews_agreement_id": case.agreement,
            "signed_on": "2024-11-03", "expires_on": "2029-11-03", "document_url": "https://jabarprov.go.id/mou.pdf"}))
        .await;
    assert_eq!(renewal["renews_agreement_id"], case.agreement);
    assert_eq!(renewal["signed_on"], "2024-11-03");
    let path = format!("/api/v1/agreements/{}", renewal["id"]);
    app.patch(&path, &json!({"renews_agreement_id": renewal["id"]}))
        .await
        .assert_problem(422, &["renews_agreement_id"]);
}

#[actix_web::test]
async fn patch_replaces_links_only_when_given() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let path = format!("/api/v1/agreements/{}", case.agreement);
    let updated = app.patch(&path, &json!({"status": "expired"})).await.json();
    assert_eq!(updated["sectors"].as_array().unwrap().len(), 2, "links stay when absent");
    assert_eq!(updated["parties"].as_array().unwrap().len(), 2);
    let updated = app.patch(&path, &json!({"sector_ids": [case.tourism]})).await.json();
    assert_eq!(updated["sectors"], json!([{"id": case.tourism, "code": "tourism", "name": "Tourism"}]));
    let cleared = app.patch(&path, &json!({"sector_ids": null})).await.json();
    assert_eq!(cleared["sectors"], json!([]));
    app.patch(&path, &json!({"party_region_ids": [case.west_java]}))
        .await
        .assert_problem(422, &["party_region_ids"]);
    assert_eq!(app.get(&path).await.json()["parties"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn agreements_filter_through_their_links() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let dili =
        app.create("/api/v1/regions", json!({"name": "Dili", "kind": "city", "country_code": "TL"})).await;
    let bandung =
        app.create("/api/v1/regions", json!({"name": "Bandung", "kind": "city", "country_code": "ID"})).await;
    let other = app
        .create("/api/v1/agreements", json!({"title": "Bandung - Dili", "kind": "sister_city", "status": "proposed",
            "party_region_ids": [bandung["id"], dili["id"]], "signed_on": "2020-01-15", "expires_on": "2025-01-15"}))
        .await;
    let other = other["id"].as_i64().unwrap();
    assert_eq!(
        ids(&app.get(&format!("/api/v1/agreements?region_id={}", case.souss_massa)).await.json()),
        [case.agreement]
    );
    assert_eq!(ids(&app.get("/api/v1/agreements?country_code=TL").await.json()), [other]);
    assert_eq!(ids(&app.get("/api/v1/agreements?country_code=ID").await.json()), [case.agreement, other]);
    assert_eq!(
        ids(&app.get(&format!("/api/v1/agreements?sector_id={}", case.trade)).await.json()),
        [case.agreement]
    );
    assert_eq!(ids(&app.get("/api/v1/agreements?kind=sister_city&status=proposed").await.json()), [other]);
    assert_eq!(
        ids(&app.get("/api/v1/agreements?signed_from=2020-01-01&signed_to=2020-12-31").await.json()),
        [other]
    );
    assert_eq!(ids(&app.get("/api/v1/agreements?expires_before=2025-02-01").await.json()), [other]);
    assert_eq!(ids(&app.get("/api/v1/agreements?q=SOUSS").await.json()), [case.agreement]);
    assert_eq!(ids(&app.get("/api/v1/agreements?sort=-signed_on").await.json()), [case.agreement, other]);
    app.get("/api/v1/agreements?signed_from=2020-13-01&status=valid")
        .await
        .assert_problem(400, &["signed_from", "status"]);
}

#[actix_web::test]
async fn an_agreement_with_action_plans_is_not_deleted_until_they_are() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan =
        app.action_plan(case.agreement, json!({"title": "Tourism promotion", "status": "planned"})).await;
    let path = format!("/api/v1/agreements/{}", case.agreement);
    let problem = app.delete(&path).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("action plans (1)"));
    assert_eq!(app.delete(&format!("/api/v1/action-plans/{}", plan["id"])).await.status, 204);
    assert_eq!(app.delete(&path).await.status, 204);
    app.get(&path).await.assert_problem(404, &[]);
    // The party and sector links went with it: the regions and sectors are free again.
    assert_eq!(app.delete(&format!("/api/v1/regions/{}", case.souss_massa)).await.status, 204);
    assert_eq!(app.delete(&format!("/api/v1/sectors/{}", case.trade)).await.status, 204);
}

#[actix_web::test]
async fn linked_regions_and_sectors_are_not_deleted() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let problem = app.delete(&format!("/api/v1/regions/{}", case.souss_massa)).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("agreements (1)"), "{problem}");
    let problem = app.delete(&format!("/api/v1/sectors/{}", case.trade)).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("agreements (1)"), "{problem}");
    assert_eq!(app.total("/api/v1/regions").await, 2);
}

#[actix_web::test]
async fn renewals_and_addenda_follow_an_agreement_of_the_same_parties_and_never_loop() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let bandung =
        app.create("/api/v1/regions", json!({"name": "Bandung", "kind": "city", "country_code": "ID"})).await;
    let same_parties = json!([case.souss_massa, case.west_java]);
    let addendum = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Addendum on tourism", "kind": "other", "status": "signed",
            "party_region_ids": same_parties, "amends_agreement_id": case.agreement}),
        )
        .await;
    assert_eq!(addendum["amends_agreement_id"], case.agreement);
    // Another set of parties is refused, for a renewal as for an addendum, both named at once.
    app.post(
        "/api/v1/agreements",
        &json!({"title": "Elsewhere", "kind": "other", "status": "proposed",
            "party_region_ids": [case.west_java, bandung["id"]], "amends_agreement_id": case.agreement,
            "renews_agreement_id": case.agreement}),
    )
    .await
    .assert_problem(422, &["renews_agreement_id", "amends_agreement_id"]);
    // The original's parties cannot change away from its addendum's.
    let original = format!("/api/v1/agreements/{}", case.agreement);
    app.patch(
        &original,
        &json!({"kind": "other", "party_region_ids": [case.west_java, case.souss_massa, bandung["id"]]}),
    )
    .await
    .assert_problem(422, &["party_region_ids"]);
    // A chain of renewals and addenda never loops back.
    let renewal = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Renewal", "kind": "sister_province", "status": "proposed",
            "party_region_ids": same_parties, "renews_agreement_id": addendum["id"]}),
        )
        .await;
    let problem = app
        .patch(&original, &json!({"amends_agreement_id": renewal["id"]}))
        .await
        .assert_problem(422, &["amends_agreement_id"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("loop"), "{problem}");
    app.patch(&original, &json!({"amends_agreement_id": case.agreement}))
        .await
        .assert_problem(422, &["amends_agreement_id"]);
    // The agreement an addendum follows is not deleted under it.
    let problem =
        app.delete(&format!("/api/v1/agreements/{}", addendum["id"])).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("renewing agreements (1)"), "{problem}");
    let problem = app.delete(&original).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("amending agreements (1)"), "{problem}");
    assert_eq!(app.get(&original).await.json()["version"], 1);
}

#[actix_web::test]
async fn a_renewal_stored_before_the_same_parties_rule_can_still_be_edited() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let bandung =
        app.create("/api/v1/regions", json!({"name": "Bandung", "kind": "city", "country_code": "ID"})).await;
    let other = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Elsewhere", "kind": "other", "status": "proposed",
            "party_region_ids": [case.west_java, bandung["id"]]}),
        )
        .await;
    // As data written before the rule might hold it: a renewal of other parties.
    app.execute_sql(&format!(
        "UPDATE agreements SET renews_agreement_id = {} WHERE id = {}",
        case.agreement, other["id"]
    ));
    let renewal = format!("/api/v1/agreements/{}", other["id"]);
    let original = format!("/api/v1/agreements/{}", case.agreement);
    let edited = app.patch(&renewal, &json!({"status": "signed"})).await;
    assert_eq!(edited.status, 200, "{}", String::from_utf8_lossy(&edited.body));
    assert_eq!(app.patch(&original, &json!({"status": "expired"})).await.status, 200);
    // Changing what the rule is about is checked.
    app.patch(&renewal, &json!({"party_region_ids": [case.west_java, bandung["id"], case.souss_massa]}))
        .await
        .assert_problem(422, &["renews_agreement_id"]);
    let same_parties = json!({"sector_ids": [], "party_region_ids": [case.souss_massa, case.west_java]});
    assert_eq!(app.patch(&original, &same_parties).await.status, 200, "the same parties in another order");
    assert_eq!(app.get(&original).await.json()["sectors"], json!([]));
}

#[actix_web::test]
async fn a_signing_known_to_the_year_is_kept_with_its_precision() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let path = format!("/api/v1/agreements/{}", case.agreement);
    assert_eq!(app.get(&path).await.json()["signed_on_precision"], "day", "the default");
    app.patch(&path, &json!({"signed_on": "2017-11-03", "signed_on_precision": "year"}))
        .await
        .assert_problem(422, &["signed_on"]);
    app.patch(&path, &json!({"signed_on_precision": "month"}))
        .await
        .assert_problem(422, &["signed_on_precision"]);
    app.patch(&path, &json!({"signed_on_precision": "century"}))
        .await
        .assert_problem(422, &["signed_on_precision"]);
    let signed =
        app.patch(&path, &json!({"signed_on": "2017-01-01", "signed_on_precision": "year"})).await.json();
    assert_eq!(
        (signed["signed_on"].clone(), signed["signed_on_precision"].clone()),
        (json!("2017-01-01"), json!("year"))
    );
    let export = app.get("/api/v1/export").await.json();
    assert_eq!(export["agreements"][0]["signed_on_precision"], "year");
    let csv = app.get("/api/v1/agreements?format=csv").await;
    let body = String::from_utf8(csv.body).unwrap();
    assert!(body.lines().next().unwrap().contains("signed_on,signed_on_precision"), "{body}");
    assert!(body.contains("2017-01-01,year"), "{body}");
    let history = app.get(&format!("{path}/history")).await.json();
    assert_eq!(history["items"][0]["changes"]["signed_on_precision"], json!(["day", "year"]));
}
