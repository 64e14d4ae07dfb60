//! The compliance checks as a rule engine: each check names its rule, a rule of law binds only
//! agreements signed on or after the day it came into force, and a missing fact is `unknown`.

use serde_json::{Value, json};

use crate::helpers::{Case, TestApp};

fn check<'a>(compliance: &'a Value, code: &str) -> &'a Value {
    compliance["checks"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()
}

fn status_of<'a>(compliance: &'a Value, code: &str) -> &'a str {
    check(compliance, code)["status"].as_str().unwrap()
}

fn message_of<'a>(compliance: &'a Value, code: &str) -> &'a str {
    check(compliance, code)["message"].as_str().unwrap()
}

/// The founding case's agreement, patched with `fields`; its compliance.
async fn compliance_after(app: &TestApp, case: &Case, fields: Value) -> Value {
    let path = format!("/api/v1/agreements/{}", case.agreement);
    let response = app.patch(&path, &fields).await;
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    app.get(&format!("{path}/compliance")).await.json()
}

async fn milestone(app: &TestApp, case: &Case, fields: Value) -> i64 {
    let mut body = fields;
    body["agreement_id"] = json!(case.agreement);
    app.create("/api/v1/milestones", body).await["id"].as_i64().unwrap()
}

#[actix_web::test]
async fn the_founding_case_lacks_the_full_power_letter_and_the_procedure_steps() {
    let app = TestApp::new().await;
    let document: Value = serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap();
    assert_eq!(app.post("/api/v1/import", &document).await.status, 200);
    let id = app.get("/api/v1/agreements?key=jabar-souss-massa-2017").await.json()["items"][0]["id"].clone();
    let compliance = app.get(&format!("/api/v1/agreements/{id}/compliance")).await.json();
    assert_eq!(compliance["passed"], false);
    let statuses: Vec<(&str, &str)> = compliance["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("parties_in_different_countries", "pass"),
            ("full_power_letter", "fail"),
            ("dprd_approval_recorded", "fail"),
            ("central_government_review_recorded", "fail"),
            ("signed_on_recorded", "pass"),
            ("document_recorded", "warn"),
            ("not_expired", "unknown"),
            ("expiry_recorded", "warn"),
            ("action_plans_scheduled", "warn"),
            ("action_plans_assigned", "pass"),
        ]
    );
    assert_eq!(message_of(&compliance, "signed_on_recorded"), "signed in 2017", "the year, as known");
    assert!(message_of(&compliance, "action_plans_scheduled").contains('7'));
}

#[actix_web::test]
async fn every_check_names_its_rule_and_the_day_a_law_came_into_force() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let compliance = app.get(&format!("/api/v1/agreements/{}/compliance", case.agreement)).await.json();
    for check in compliance["checks"].as_array().unwrap() {
        assert!(!check["rule"].as_str().unwrap().is_empty(), "{check}");
    }
    let letter = check(&compliance, "full_power_letter");
    assert!(letter["rule"].as_str().unwrap().contains("Law 24/2000"), "{letter}");
    assert_eq!(letter["in_force_from"], "2000-10-23");
    assert_eq!(check(&compliance, "dprd_approval_recorded")["in_force_from"], Value::Null);
    assert_eq!(check(&compliance, "signed_on_recorded")["in_force_from"], Value::Null);
}

#[actix_web::test]
async fn a_rule_of_law_does_not_bind_an_agreement_signed_before_it_came_into_force() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let before = compliance_after(&app, &case, json!({"signed_on": "1960-05-01"})).await;
    assert_eq!(status_of(&before, "full_power_letter"), "not_applicable", "{before}");
    assert!(message_of(&before, "full_power_letter").contains("2000-10-23"));
    let after = compliance_after(&app, &case, json!({"signed_on": "2000-10-23"})).await;
    assert_eq!(status_of(&after, "full_power_letter"), "fail", "bound from its first day");
    let straddling =
        compliance_after(&app, &case, json!({"signed_on": "2000-01-01", "signed_on_precision": "year"}))
            .await;
    assert_eq!(status_of(&straddling, "full_power_letter"), "unknown", "signed in 2000: before or after?");
    let year_after =
        compliance_after(&app, &case, json!({"signed_on": "2001-01-01", "signed_on_precision": "year"}))
            .await;
    assert_eq!(status_of(&year_after, "full_power_letter"), "fail");
    let month_before =
        compliance_after(&app, &case, json!({"signed_on": "2000-09-01", "signed_on_precision": "month"}))
            .await;
    assert_eq!(status_of(&month_before, "full_power_letter"), "not_applicable");
    let undated =
        compliance_after(&app, &case, json!({"signed_on": null, "signed_on_precision": null})).await;
    assert_eq!(status_of(&undated, "full_power_letter"), "unknown", "no signing date: cannot tell");
    assert_eq!(status_of(&undated, "signed_on_recorded"), "fail");
}

#[actix_web::test]
async fn the_full_power_letter_is_checked_against_the_signature() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    // The other procedure steps are in order: only the letter can fail.
    milestone(&app, &case, json!({"stage": "dprd_approval", "status": "done", "date": "2017-09-14"})).await;
    milestone(
        &app,
        &case,
        json!({"stage": "central_government_review", "status": "done", "date": "2017-10-01"}),
    )
    .await;
    let letter = json!({"signed_on": "2017-11-03", "full_power_letter_ref": "B-123/KL/2017",
        "full_power_letter_issued_on": "2017-10-20"});
    assert_eq!(status_of(&compliance_after(&app, &case, letter).await, "full_power_letter"), "pass");
    let late = compliance_after(&app, &case, json!({"full_power_letter_issued_on": "2017-12-01"})).await;
    assert_eq!(status_of(&late, "full_power_letter"), "fail");
    assert_eq!(late["passed"], false);
    let undated = compliance_after(&app, &case, json!({"full_power_letter_issued_on": null})).await;
    assert_eq!(status_of(&undated, "full_power_letter"), "unknown");
    assert_eq!(undated["passed"], true, "unknown is not a failure");
    let same_year = compliance_after(
        &app,
        &case,
        json!({"full_power_letter_issued_on": "2017-03-01", "signed_on": "2017-01-01", "signed_on_precision": "year"}),
    )
    .await;
    assert_eq!(
        status_of(&same_year, "full_power_letter"),
        "unknown",
        "a 2017 signing and a March 2017 letter"
    );
    let missing = compliance_after(&app, &case, json!({"full_power_letter_ref": null})).await;
    assert_eq!(status_of(&missing, "full_power_letter"), "fail");
    let proposed = compliance_after(&app, &case, json!({"status": "proposed"})).await;
    assert_eq!(status_of(&proposed, "full_power_letter"), "not_applicable");
    assert_eq!(status_of(&proposed, "signed_on_recorded"), "not_applicable");

    let tokyo = app
        .create("/api/v1/regions", json!({"name": "Tokyo", "kind": "prefecture", "country_code": "JP"}))
        .await;
    let foreign = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Souss-Massa and Tokyo", "kind": "sister_province", "status": "active",
            "signed_on": "2019-01-01", "party_region_ids": [case.souss_massa, tokyo["id"]]}),
        )
        .await;
    let foreign = app.get(&format!("/api/v1/agreements/{}/compliance", foreign["id"])).await.json();
    assert_eq!(status_of(&foreign, "full_power_letter"), "not_applicable", "no Indonesian party");
    assert_eq!(status_of(&foreign, "dprd_approval_recorded"), "not_applicable");
}

#[actix_web::test]
async fn dprd_approval_and_central_review_are_milestones_done_before_the_signing() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let none = compliance_after(&app, &case, json!({"signed_on": "2017-11-03"})).await;
    for code in ["dprd_approval_recorded", "central_government_review_recorded"] {
        assert_eq!(status_of(&none, code), "fail", "{none}");
        assert!(message_of(&none, code).contains("not established"), "the unknown day is said: {none}");
    }
    let approval =
        milestone(&app, &case, json!({"stage": "dprd_approval", "status": "done", "date": "2017-09-14"}))
            .await;
    let review =
        milestone(&app, &case, json!({"stage": "central_government_review", "status": "pending"})).await;
    let compliance = app.get(&format!("/api/v1/agreements/{}/compliance", case.agreement)).await.json();
    assert_eq!(status_of(&compliance, "dprd_approval_recorded"), "pass");
    assert_eq!(status_of(&compliance, "central_government_review_recorded"), "fail", "pending is not done");

    let compliance_with = |id: i64, fields: Value| {
        let app = &app;
        let agreement = case.agreement;
        async move {
            let response = app.patch(&format!("/api/v1/milestones/{id}"), &fields).await;
            assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
            app.get(&format!("/api/v1/agreements/{agreement}/compliance")).await.json()
        }
    };
    let late = compliance_with(approval, json!({"date": "2017-12-01"})).await;
    assert_eq!(status_of(&late, "dprd_approval_recorded"), "fail", "approved after the signature");
    let undated = compliance_with(approval, json!({"date": null})).await;
    assert_eq!(status_of(&undated, "dprd_approval_recorded"), "unknown", "undated: before or after?");
    let same_year = compliance_with(approval, json!({"date": "2017-01-01", "date_precision": "year"})).await;
    assert_eq!(status_of(&same_year, "dprd_approval_recorded"), "unknown");
    let earlier_year =
        compliance_with(approval, json!({"date": "2016-01-01", "date_precision": "year"})).await;
    assert_eq!(status_of(&earlier_year, "dprd_approval_recorded"), "pass");
    let not_required = compliance_with(review, json!({"status": "not_required"})).await;
    assert_eq!(status_of(&not_required, "central_government_review_recorded"), "not_applicable");
    let unsigned = compliance_after(&app, &case, json!({"signed_on": null})).await;
    assert_eq!(status_of(&unsigned, "dprd_approval_recorded"), "unknown", "no signing date to compare with");
}

#[actix_web::test]
async fn an_active_agreement_without_expiry_is_unknown_and_warns() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let today = chrono::Utc::now().date_naive();
    let open_ended = compliance_after(&app, &case, json!({"signed_on": "2017-11-03"})).await;
    assert_eq!(status_of(&open_ended, "not_expired"), "unknown", "never pass without an expiry date");
    assert_eq!(status_of(&open_ended, "expiry_recorded"), "warn");
    let far = (today + chrono::Duration::days(400)).to_string();
    let dated = compliance_after(&app, &case, json!({"expires_on": far})).await;
    assert_eq!(status_of(&dated, "not_expired"), "pass");
    assert_eq!(status_of(&dated, "expiry_recorded"), "pass");
    let soon = (today + chrono::Duration::days(90)).to_string();
    assert_eq!(
        status_of(&compliance_after(&app, &case, json!({"expires_on": soon})).await, "not_expired"),
        "warn"
    );
    let expired = compliance_after(&app, &case, json!({"expires_on": "2020-01-01"})).await;
    assert_eq!(status_of(&expired, "not_expired"), "fail");
    assert_eq!(expired["passed"], false);
    let proposed = compliance_after(&app, &case, json!({"status": "proposed", "expires_on": null})).await;
    assert_eq!(status_of(&proposed, "not_expired"), "not_applicable");
    assert_eq!(status_of(&proposed, "expiry_recorded"), "not_applicable");
}

#[actix_web::test]
async fn a_complete_record_passes_every_check() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let today = chrono::Utc::now().date_naive();
    milestone(&app, &case, json!({"stage": "dprd_approval", "status": "done", "date": "2017-09-14"})).await;
    milestone(
        &app,
        &case,
        json!({"stage": "central_government_review", "status": "done", "date": "2017-10-01"}),
    )
    .await;
    app.action_plan(
        case.agreement,
        json!({"title": "Plan", "status": "planned", "year": 2025, "agency_ids": [case.disparbud]}),
    )
    .await;
    let compliance = compliance_after(
        &app,
        &case,
        json!({"signed_on": "2017-11-03", "full_power_letter_ref": "B-123/KL/2017",
        "full_power_letter_issued_on": "2017-10-20", "document_url": "https://jabarprov.go.id/mou.pdf",
        "expires_on": (today + chrono::Duration::days(400)).to_string()}),
    )
    .await;
    assert_eq!(compliance["passed"], true, "{compliance}");
    assert!(compliance["checks"].as_array().unwrap().iter().all(|c| c["status"] == "pass"), "{compliance}");
    assert_eq!(compliance["checks"].as_array().unwrap().len(), 10);
    app.get("/api/v1/agreements/999/compliance").await.assert_problem(404, &[]);
}

#[actix_web::test]
async fn plans_without_a_year_or_an_agency_warn() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let none = app.get(&format!("/api/v1/agreements/{}/compliance", case.agreement)).await.json();
    assert_eq!(status_of(&none, "action_plans_scheduled"), "not_applicable");
    assert_eq!(status_of(&none, "action_plans_assigned"), "not_applicable");
    app.action_plan(case.agreement, json!({"title": "Unscheduled", "status": "planned"})).await;
    let compliance = app.get(&format!("/api/v1/agreements/{}/compliance", case.agreement)).await.json();
    assert_eq!(status_of(&compliance, "action_plans_scheduled"), "warn");
    assert_eq!(status_of(&compliance, "action_plans_assigned"), "warn");
    assert_eq!(status_of(&compliance, "parties_in_different_countries"), "pass");
    let tokyo = app
        .create("/api/v1/regions", json!({"name": "Tokyo", "kind": "prefecture", "country_code": "JP"}))
        .await;
    let other = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Exchange", "kind": "other", "status": "proposed",
                   "party_region_ids": [case.west_java, tokyo["id"]]}),
        )
        .await;
    let other = app.get(&format!("/api/v1/agreements/{}/compliance", other["id"])).await.json();
    assert_eq!(
        status_of(&other, "parties_in_different_countries"),
        "not_applicable",
        "not a sister relationship"
    );
}
