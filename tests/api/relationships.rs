use serde_json::{Value, json};

use crate::helpers::TestApp;

fn keys(relationship: &Value) -> Vec<&str> {
    relationship["agreements"].as_array().unwrap().iter().map(|a| a["key"].as_str().unwrap()).collect()
}

#[actix_web::test]
async fn agreements_of_the_same_parties_form_one_relationship_in_signature_order() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let bandung =
        app.create("/api/v1/regions", json!({"name": "Bandung", "kind": "city", "country_code": "ID"})).await;
    let university = app
        .create(
            "/api/v1/organizations",
            json!({"name": "Ibn Zohr University", "kind": "university", "country_code": "MA"}),
        )
        .await;
    let agreement = |key: &str, status: &str, signed_on: Value, parties: Value| {
        json!({"key": key, "title": key, "kind": "other", "status": status, "signed_on": signed_on,
               "party_region_ids": parties})
    };
    let mou = format!("/api/v1/agreements/{}", case.agreement);
    app.patch(&mou, &json!({"signed_on": "2017-11-03", "status": "expired"})).await;
    // Listed in another order than their signatures; the parties given in another order too.
    app.create(
        "/api/v1/agreements",
        json!({"key": "renewal", "title": "Renewal", "kind": "sister_province",
        "status": "negotiating", "party_region_ids": [case.souss_massa, case.west_java],
        "renews_agreement_id": case.agreement}),
    )
    .await;
    app.create(
        "/api/v1/agreements",
        agreement("loi", "expired", json!("2017-04-20"), json!([case.west_java, case.souss_massa])),
    )
    .await;
    app.create(
        "/api/v1/agreements",
        agreement("addendum", "expired", json!("2019-02-01"), json!([case.west_java, case.souss_massa])),
    )
    .await;
    app.create(
        "/api/v1/agreements",
        agreement("bandung", "active", json!("2018-01-01"), json!([case.west_java, bandung["id"]])),
    )
    .await;
    app.create("/api/v1/agreements", json!({"key": "uiz", "title": "With a university", "kind": "institutional",
        "status": "proposed", "party_region_ids": [case.souss_massa], "party_organization_ids": [university["id"]]}))
        .await;

    let page = app.get("/api/v1/relationships").await.json();
    assert_eq!(page["total"], 3);
    let items = page["items"].as_array().unwrap();
    let first = &items[0];
    assert_eq!(keys(first), ["loi", "jabar-souss-massa-2017", "addendum", "renewal"]);
    assert_eq!(first["first_signed_on"], "2017-04-20");
    assert_eq!(first["first_signed_on_precision"], "day");
    // None active: the status of the last one.
    assert_eq!(first["status"], "negotiating");
    assert_eq!(first["parties"][0]["name"], "West Java");
    assert_eq!(first["parties"][0]["type"], "region");
    assert_eq!(first["agreements"][3]["renews_agreement_id"], case.agreement);
    assert_eq!(
        first["agreements"][1].as_object().unwrap().keys().collect::<std::collections::BTreeSet<_>>(),
        [
            "id",
            "key",
            "title",
            "instrument",
            "status",
            "signed_on",
            "signed_on_precision",
            "expires_on",
            "stage",
            "renews_agreement_id",
            "amends_agreement_id"
        ]
        .iter()
        .map(|k| k.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .iter()
        .collect()
    );
    assert_eq!((keys(&items[1]), items[1]["status"].clone()), (vec!["bandung"], json!("active")));
    assert_eq!(keys(&items[2]), ["uiz"]);
    assert_eq!(items[2]["first_signed_on"], Value::Null);
    assert_eq!(items[2]["first_signed_on_precision"], Value::Null, "no precision of no date");
    assert_eq!(items[2]["parties"][1]["type"], "organization");

    // An active agreement makes the relationship active.
    app.patch(&mou, &json!({"status": "active"})).await;
    let active = app.get("/api/v1/relationships?status=active").await.json();
    assert_eq!(active["total"], 2);
    assert_eq!(active["items"][0]["status"], "active");

    let filtered = |query: String| {
        let app = &app;
        async move { app.get(&format!("/api/v1/relationships?{query}")).await.json() }
    };
    assert_eq!(filtered(format!("region_id={}", bandung["id"])).await["total"], 1);
    assert_eq!(filtered(format!("region_id={}", case.west_java)).await["total"], 2);
    assert_eq!(filtered(format!("organization_id={}", university["id"])).await["total"], 1);
    assert_eq!(filtered("country_code=MA".into()).await["total"], 2);
    assert_eq!(filtered("country_code=FR".into()).await["total"], 0);
    assert_eq!(filtered("status=active,proposed".into()).await["total"], 3, "several statuses");
    assert_eq!(filtered("status=proposed,expired".into()).await["total"], 1);
    let second = filtered("limit=1&offset=1".into()).await;
    assert_eq!((second["total"].clone(), keys(&second["items"][0])), (json!(3), vec!["bandung"]));
    app.get("/api/v1/relationships?status=done").await.assert_problem(400, &["status"]);
    app.get("/api/v1/relationships?sort=status").await.assert_problem(400, &["sort"]);

    // CSV: one row per relationship, parties and agreements by their codes and keys.
    let csv = app.get("/api/v1/relationships?format=csv").await;
    let body = String::from_utf8(csv.body).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "parties,status,first_signed_on,first_signed_on_precision,agreements");
    assert_eq!(lines[1], "ID-JB;MA-09,active,2017-04-20,day,loi;jabar-souss-massa-2017;addendum;renewal");
    assert_eq!(lines.len(), 4);
}
