//! Fidelity to the facts: where each fact comes from, texts in the parties' own languages, and
//! searches that fold the case of every letter, not only ASCII ones.

use serde_json::json;

use crate::helpers::{TestApp, ids};

#[actix_web::test]
async fn every_record_of_a_fact_carries_its_source() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let source = "Buku Rapat Koordinasi 2020, hlm. 12 — «notulen»";
    let agreement =
        app.patch(&format!("/api/v1/agreements/{}", case.agreement), &json!({"source": source})).await;
    assert_eq!(agreement.json()["source"], source);
    let plan = app
        .action_plan(case.agreement, json!({"title": "Trade mission", "status": "planned", "source": source}))
        .await;
    assert_eq!(plan["source"], source);
    let with_agreement = |fields: serde_json::Value| {
        let mut body = fields;
        body["agreement_id"] = json!(case.agreement);
        body["source"] = json!(source);
        body
    };
    for (path, body) in [
        ("/api/v1/obstacles", with_agreement(json!({"category": "financial", "description": "Funds"}))),
        ("/api/v1/milestones", with_agreement(json!({"stage": "signing", "status": "done"}))),
        ("/api/v1/documents", with_agreement(json!({"category": "minutes", "title": "Minutes"}))),
    ] {
        let created = app.create(path, body).await;
        assert_eq!(created["source"], source, "{path}");
        let id = created["id"].as_i64().unwrap();
        let cleared = app.patch(&format!("{path}/{id}"), &json!({"source": null})).await.json();
        assert_eq!(cleared["source"], serde_json::Value::Null, "{path}: null clears it");
        let csv = String::from_utf8(app.get(&format!("{path}?format=csv")).await.body.to_vec()).unwrap();
        assert!(csv.lines().next().unwrap().split(',').any(|column| column == "source"), "{path} CSV");
    }
    let too_long = "x".repeat(1001);
    app.post(
        "/api/v1/obstacles",
        &json!({"agreement_id": case.agreement, "category": "weather", "description": "Rain", "source": too_long}),
    )
    .await
    .assert_problem(422, &["category", "source"]);
    let longest = app
        .patch(&format!("/api/v1/action-plans/{}", plan["id"]), &json!({"source": "x".repeat(1000)}))
        .await;
    assert_eq!(longest.status, 200, "1,000 characters are allowed");
    assert_eq!(longest.json()["source"].as_str().unwrap().chars().count(), 1000);
    app.patch(&format!("/api/v1/agreements/{}", case.agreement), &json!({"source": too_long}))
        .await
        .assert_problem(422, &["source"]);
    let history = app.get(&format!("/api/v1/agreements/{}/history", case.agreement)).await.json();
    assert_eq!(history["items"][0]["changes"]["source"], json!([null, source]), "audited");
}

#[actix_web::test]
async fn q_finds_texts_in_the_parties_languages_whatever_the_case_of_any_letter() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    app.patch(
        &format!("/api/v1/agreements/{}", case.agreement),
        &json!({"local_title": "Kerja sama sister province Jawa Barat – Souss-Massa",
                "local_description": "Coopération décentralisée pour l'ÉCONOMIE régionale"}),
    )
    .await;
    let plan = app
        .action_plan(
            case.agreement,
            json!({"title": "Exchange of lecturers", "status": "planned",
                   "local_title": "Pertukaran dosen dan tenaga ahli",
                   "local_description": "Échanges ΑΘΉΝΑ–Agadir, ÉTUDIANTS inclus"}),
        )
        .await;
    assert_eq!(plan["local_title"], "Pertukaran dosen dan tenaga ahli");
    assert_eq!(plan["local_description"], "Échanges ΑΘΉΝΑ–Agadir, ÉTUDIANTS inclus");
    app.action_plan(case.agreement, json!({"title": "Tourism promotion", "status": "planned"})).await;
    let plan = plan["id"].as_i64().unwrap();

    let found = |path: &str, q: &str| {
        let app = &app;
        let uri = format!("{path}?q={}", urlencoding(q));
        async move { ids(&app.get(&uri).await.json()) }
    };
    for q in ["JAWA", "jawa", "économie", "ÉCONOMIE", "Économie", "DÉCENTRALISÉE"] {
        assert_eq!(found("/api/v1/agreements", q).await, [case.agreement], "agreements, q={q}");
    }
    for q in ["PERTUKARAN DOSEN", "étudiants", "ÉTUDIANTS", "αθήνα", "ΑΘΉΝΑ", "échanges"] {
        assert_eq!(found("/api/v1/action-plans", q).await, [plan], "action plans, q={q}");
    }
    assert_eq!(found("/api/v1/action-plans", "economie").await, Vec::<i64>::new(), "accents are letters");
    app.post(
        "/api/v1/agreements",
        &json!({"title": "T", "kind": "other", "status": "proposed",
        "party_region_ids": [case.west_java, case.souss_massa], "local_title": "x".repeat(301),
        "local_description": "y".repeat(10_001)}),
    )
    .await
    .assert_problem(422, &["local_title", "local_description"]);
}

/// Percent-encodes a query value (its UTF-8 bytes, every byte but unreserved ASCII).
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[test]
fn the_database_lower_cases_every_letter() {
    let (_database, url) = crate::helpers::fresh_database();
    let target = jalin::testing::DatabaseTarget::parse(&url).expect("a database URL");
    let mut conn = jalin::testing::ConnectionManager::connect(&target).expect("a connection");
    assert!(
        jalin::testing::folds_every_letter(&mut conn).expect("the query"),
        "lower('ÉΑ') is 'éα' on {url}"
    );
}
