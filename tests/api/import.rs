use jalin::config::{DatabaseArgs, ImportArgs};
use serde_json::{Value, json};

use crate::helpers::{TestApp, jalin, jalin_with_input, with_token};

fn demo() -> Value {
    serde_json::from_str(jalin::testing::DEMO_DOCUMENT).unwrap()
}

fn counts(summary: &Value, list: &str) -> (u64, u64, u64) {
    let c = &summary[list];
    (c["created"].as_u64().unwrap(), c["updated"].as_u64().unwrap(), c["unchanged"].as_u64().unwrap())
}

#[actix_web::test]
async fn the_demo_document_imports_the_founding_case() {
    let app = TestApp::new().await;
    let response = app.post("/api/v1/import", &demo()).await;
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let summary = response.json();
    assert_eq!(counts(&summary, "regions"), (2, 0, 0));
    assert_eq!(counts(&summary, "sectors"), (9, 0, 0));
    assert_eq!(counts(&summary, "agencies"), (10, 0, 0));
    assert_eq!(counts(&summary, "agreements"), (1, 0, 0));
    assert_eq!(counts(&summary, "action_plans"), (10, 0, 0));
    assert_eq!(counts(&summary, "obstacles"), (9, 0, 0));

    let agreement = app.get("/api/v1/agreements?key=jabar-souss-massa-2017").await.json()["items"][0].clone();
    let nested = format!("/api/v1/agreements/{}/action-plans", agreement["id"]);
    let implemented = app.get(&format!("{nested}?status=implemented&sort=key")).await.json();
    let titles: Vec<&str> =
        implemented["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 3);
    assert!(
        titles[0].starts_with("Business matching")
            && titles[1].contains("tourism")
            && titles[2].contains("agricultur")
    );
    assert!(implemented["items"].as_array().unwrap().iter().all(|p| p["year"] == 2019));
    assert_eq!(app.total(&format!("{nested}?year_undetermined=true")).await, 7);
    assert_eq!(app.total(&format!("/api/v1/agreements/{}/obstacles", agreement["id"])).await, 9);
    let parties: Vec<&str> = agreement["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["subdivision_code"].as_str().unwrap())
        .collect();
    assert_eq!(parties, ["ID-JB", "MA-09"]);
    let fisheries = app.get("/api/v1/action-plans?key=ap-05").await.json()["items"][0].clone();
    assert_eq!(fisheries["sectors"].as_array().unwrap().len(), 2, "HR capacity & fisheries");
}

#[actix_web::test]
async fn the_demo_states_what_the_article_says_and_nothing_more() {
    let app = TestApp::new().await;
    assert_eq!(app.post("/api/v1/import", &demo()).await.status, 200);
    let agreement = app.get("/api/v1/agreements?key=jabar-souss-massa-2017").await.json()["items"][0].clone();
    assert_eq!(
        (agreement["signed_on"].clone(), agreement["signed_on_precision"].clone()),
        (json!("2017-01-01"), json!("year"))
    );
    assert_eq!(agreement["sectors"].as_array().unwrap().len(), 9, "the MoU's fields");
    let legal_basis = agreement["legal_basis"].as_str().unwrap();
    assert!(
        legal_basis.starts_with("In force when the MoU was signed in 2017: Law No. 37 of 1999"),
        "{legal_basis}"
    );
    let relationship = app.get("/api/v1/relationships").await.json()["items"][0].clone();
    assert_eq!(relationship["first_signed_on_precision"], "year");
    let obstacles = app.get("/api/v1/obstacles?limit=100").await.json();
    for obstacle in obstacles["items"].as_array().unwrap() {
        assert_eq!(
            (obstacle["severity"].clone(), obstacle["status"].clone()),
            (Value::Null, Value::Null),
            "{obstacle}"
        );
    }
    let agencies = app.get("/api/v1/agencies?limit=100").await.json();
    assert!(
        agencies["items"].as_array().unwrap().iter().all(|a| a["acronym"].is_null()),
        "the article writes none"
    );
    for list in ["agreements", "action-plans", "obstacles", "milestones", "documents"] {
        let page = app.get(&format!("/api/v1/{list}?limit=100")).await.json();
        for record in page["items"].as_array().unwrap() {
            assert!(
                record["source"].as_str().is_some_and(|s| s.contains("seed article")),
                "{list}: {record}"
            );
        }
    }
    let signing = app.get("/api/v1/milestones?stage=signing").await.json()["items"][0].clone();
    assert_eq!(
        (signing["date"].clone(), signing["date_precision"].clone()),
        (json!("2017-01-01"), json!("year"))
    );
}

#[actix_web::test]
async fn importing_the_same_document_twice_changes_nothing() {
    let app = TestApp::new().await;
    app.post("/api/v1/import", &demo()).await;
    let before = app.get("/api/v1/action-plans?limit=500").await.json();
    let summary = app.post("/api/v1/import", &demo()).await.json();
    for list in jalin::testing::RESOURCES.iter().map(|resource| resource.kind().table) {
        let (created, updated, _) = counts(&summary, list);
        assert_eq!((created, updated), (0, 0), "{list}");
    }
    assert_eq!(counts(&summary, "action_plans").2, 10);
    assert_eq!(
        app.get("/api/v1/action-plans?limit=500").await.json(),
        before,
        "no version or timestamp moved"
    );
}

#[actix_web::test]
async fn an_edited_document_updates_what_changed() {
    let app = TestApp::new().await;
    app.post("/api/v1/import", &demo()).await;
    let mut document = demo();
    let plans = document["action_plans"].as_array_mut().unwrap();
    plans[3]["status"] = json!("in_progress");
    plans[3]["year"] = json!(2025);
    plans[4]["agencies"] = json!(["diskanlut", "bappeda"]);
    document["obstacles"]
        .as_array_mut()
        .unwrap()
        .push(json!({"key": "ob-10", "agreement": "jabar-souss-massa-2017",
        "category": "other", "description": "Distance between the two regions"}));
    let summary = app.post("/api/v1/import", &document).await.json();
    assert_eq!(counts(&summary, "action_plans"), (0, 2, 8));
    assert_eq!(counts(&summary, "obstacles"), (1, 0, 9));
    let plan = app.get("/api/v1/action-plans?key=ap-04").await.json()["items"][0].clone();
    assert_eq!(plan["status"], "in_progress");
    assert_eq!(plan["version"], 2);
}

#[actix_web::test]
async fn a_bad_document_lands_nothing_and_names_every_problem_by_path() {
    let app = TestApp::new().await;
    let mut document = demo();
    document["regions"][1]["country_code"] = json!("XX");
    document["action_plans"][9]["sectors"] = json!(["human-capacity", "astronomy"]);
    let last = document["obstacles"].as_array().unwrap().len() - 1;
    document["obstacles"][last]["agreement"] = json!("no-such-agreement");
    document["agencies"][0]["region_id"] = json!(1);
    let problem = app.post("/api/v1/import", &document).await.json();
    assert_eq!(problem["status"], 422, "{problem}");
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"regions[1].country_code"), "{fields:?}");
    assert!(fields.contains(&"action_plans[9].sectors[1]"), "{fields:?}");
    assert!(fields.contains(&format!("obstacles[{last}].agreement").as_str()), "{fields:?}");
    assert!(fields.contains(&"agencies[0].region_id"), "{fields:?}");
    for path in jalin::testing::RESOURCES.iter().map(|resource| resource.kind().path) {
        assert_eq!(app.total(path).await, 0, "{path} after a failed import");
    }
}

#[actix_web::test]
async fn a_document_rule_error_points_at_the_document_field() {
    let app = TestApp::new().await;
    let mut document = demo();
    document["agreements"][0]["parties"] = json!(["ID-JB", "ID-JB"]);
    document["agreements"][0]["expires_on"] = json!("2000-01-01");
    document["agreements"][0]["signed_on"] = json!("2017-11-03");
    document["sectors"][0]["key"] = Value::Null;
    // The agreement would otherwise wait on the broken sector and not be checked at all.
    document["agreements"][0].as_object_mut().unwrap().remove("sectors");
    document["colour"] = json!("blue");
    let response = app.post("/api/v1/import", &document).await;
    response.assert_problem(422, &["colour"]);
    document.as_object_mut().unwrap().remove("colour");
    let problem = app.post("/api/v1/import", &document).await.json();
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"agreements[0].parties[1]"), "{fields:?}");
    assert!(fields.contains(&"agreements[0].expires_on"), "{fields:?}");
    assert!(fields.contains(&"sectors[0].key"), "{fields:?}");
    assert_eq!(app.total("/api/v1/agreements").await, 0);
}

#[actix_web::test]
async fn the_command_line_imports_a_file_and_the_demo_loads_only_into_an_empty_database() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.json");
    std::fs::write(&file, jalin::testing::DEMO_DOCUMENT).unwrap();
    let args = ImportArgs {
        file,
        dry_run: false,
        database: DatabaseArgs { database_url: app.database_url.clone() },
    };
    let summary: Value = serde_json::from_str(&jalin::server::import_file(&args).unwrap()).unwrap();
    assert_eq!(counts(&summary, "action_plans"), (10, 0, 0));
    assert_eq!(app.total("/api/v1/action-plans").await, 10);

    let pool =
        jalin::server::open_database(&DatabaseArgs { database_url: app.database_url.clone() }, 1).unwrap();
    assert!(
        jalin::testing::load_demo(&mut pool.get().unwrap()).unwrap().is_none(),
        "the database has an agreement"
    );

    std::fs::write(&args.file, "{\"regions\": [{\"name\": \"no key\"}]}").unwrap();
    let error = jalin::server::import_file(&args).unwrap_err().to_string();
    assert!(error.contains("regions[0].key"), "{error}");
}

#[actix_web::test]
async fn the_command_line_imports_a_document_from_standard_input_and_reports_each_list() {
    let app = TestApp::new().await;
    let url = app.database_url.as_str();
    let run = jalin_with_input(
        &["import", "-", "--database-url", url],
        &[],
        jalin::testing::DEMO_DOCUMENT.as_bytes(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let summary: Value = serde_json::from_str(&run.stdout).expect("the counts as JSON");
    assert_eq!(counts(&summary, "action_plans"), (10, 0, 0));
    assert_eq!(app.total("/api/v1/action-plans").await, 10);
    // Standard error is a pipe here, not a terminal: plain lines, one per list, and no bar.
    assert!(run.stderr.contains("action_plans: 10 records"), "{}", run.stderr);
    assert!(!run.stderr.contains('\r'), "no bar redrawn in place: {}", run.stderr);

    let run = jalin_with_input(&["import", "-", "--database-url", url], &[], b"{\"regions\": [{}]}");
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("nothing was imported") && run.stderr.contains("regions[0].key"),
        "{}",
        run.stderr
    );
    let run = jalin_with_input(&["import", "-", "--database-url", url], &[], b"{\"regions\": [");
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("standard input is not valid JSON"), "{}", run.stderr);
}

/// Everything a dry run could have written, as an admin sees it: the data (as an export) and
/// the audit trail.
async fn everything(app: &TestApp) -> (Value, Value) {
    let read = |path: &str| with_token(actix_web::test::TestRequest::get().uri(path), &app.admin_token);
    let export = app.send(read("/api/v1/export")).await.json();
    let audit = app.send(read("/api/v1/audit?limit=500")).await.json();
    (export, audit)
}

#[actix_web::test]
async fn a_dry_run_prints_the_counts_of_an_import_and_writes_nothing() {
    let app = TestApp::new().await;
    app.post("/api/v1/import", &demo()).await;
    let before = everything(&app).await;
    assert!(before.1["total"].as_i64().is_some_and(|events| events > 0), "the demo's events");

    // An edited document: a record changed, one new, the rest as they are.
    let mut document = demo();
    document["regions"][0]["name"] = json!("Jawa Barat");
    let mut plan = document["action_plans"][0].clone();
    plan["key"] = json!("dry-run-plan");
    document["action_plans"].as_array_mut().unwrap().push(plan);
    let text = document.to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("edited.json");
    std::fs::write(&file, &text).unwrap();
    let url = app.database_url.as_str();

    let from_file = jalin(&["import", file.to_str().unwrap(), "--dry-run", "--database-url", url], &[]);
    assert_eq!(from_file.code, Some(0), "{}", from_file.stderr);
    let from_stdin =
        jalin_with_input(&["import", "-", "--dry-run", "--database-url", url], &[], text.as_bytes());
    assert_eq!(from_stdin.code, Some(0), "{}", from_stdin.stderr);
    assert_eq!(from_file.stdout, from_stdin.stdout);
    let dry: Value = serde_json::from_str(&from_file.stdout).expect("the counts as JSON");
    assert_eq!(counts(&dry, "regions"), (0, 1, 1), "{dry}");
    assert_eq!(counts(&dry, "action_plans"), (1, 0, 10), "{dry}");
    assert!(from_file.stderr.contains("nothing was written"), "{}", from_file.stderr);
    assert_eq!(everything(&app).await, before, "a dry run writes no record and no audit event");

    // A dry run of a bad document fails like the import would, naming every problem.
    document["action_plans"][0]["agreement"] = json!("no-such-agreement");
    std::fs::write(&file, document.to_string()).unwrap();
    let bad = jalin(&["import", file.to_str().unwrap(), "--dry-run", "--database-url", url], &[]);
    assert_eq!(bad.code, Some(1));
    assert!(
        bad.stderr.contains("would not import") && bad.stderr.contains("action_plans[0].agreement"),
        "{}",
        bad.stderr
    );
    assert_eq!(everything(&app).await, before);

    // The real import of what the dry run checked gives the counts it printed.
    let real = app.post("/api/v1/import", &serde_json::from_str(&text).unwrap()).await.json();
    assert_eq!(real, dry);
}

/// An import of many plans recounts the tallies the overview and the list totals read once,
/// at its end (on PostgreSQL; SQLite keeps them plan by plan): they count every plan, the
/// imported and the others, and writes after the import keep them up to date.
#[actix_web::test]
async fn a_large_import_leaves_the_plan_counts_exact() {
    let app = TestApp::new().await;
    app.post("/api/v1/import", &demo()).await;
    let statuses = ["planned", "in_progress", "implemented", "cancelled"];
    let plans: Vec<Value> = (0..1_200)
        .map(|n| {
            json!({"key": format!("bulk-{n}"), "agreement": "jabar-souss-massa-2017",
                "title": format!("Bulk plan {n}"), "status": statuses[n % 4]})
        })
        .collect();
    let response = app.post("/api/v1/import", &json!({"action_plans": plans})).await;
    assert_eq!(response.status.as_u16(), 200, "{}", String::from_utf8_lossy(&response.body));
    let overview = app.get("/api/v1/reports/overview").await.json();
    assert_eq!(overview["action_plans"]["total"], 1_210);
    for status in statuses {
        let listed = app.total(&format!("/api/v1/action-plans?status={status}")).await;
        assert_eq!(overview["action_plans"]["by_status"][status], listed, "{status}");
    }
    assert_eq!(app.total("/api/v1/action-plans").await, 1_210, "the whole list's total");
    let agreement = app.get("/api/v1/agreements?key=jabar-souss-massa-2017").await.json()["items"][0]["id"]
        .as_i64()
        .expect("id");
    app.action_plan(agreement, json!({"title": "After the import", "status": "suspended"})).await;
    let overview = app.get("/api/v1/reports/overview").await.json();
    assert_eq!(overview["action_plans"]["total"], 1_211, "the tallies follow writes again");
    let suspended = app.total("/api/v1/action-plans?status=suspended").await;
    assert_eq!(overview["action_plans"]["by_status"]["suspended"], suspended);
    assert_eq!(app.total("/api/v1/action-plans").await, 1_211);
}

#[actix_web::test]
async fn plans_imported_by_the_thousand_keep_their_own_fields_links_events_and_obstacles() {
    let app = TestApp::new().await;
    app.post("/api/v1/import", &demo()).await;
    // More than two batches of new plans, each with its own title, year and links in an order
    // of its own; obstacles of the same document name plans of the later batches.
    let plan = |n: usize| {
        let (sectors, agencies) = if n.is_multiple_of(2) {
            (json!(["tourism", "trade-investment"]), json!(["disparbud"]))
        } else {
            (json!(["trade-investment"]), json!(["dpmptsp", "disperindag", "disparbud"]))
        };
        json!({"key": format!("bulk-{n}"), "agreement": "jabar-souss-massa-2017", "title": format!("Bulk plan {n}"),
            "status": "planned", "year": 2000 + n % 20, "sectors": sectors, "agencies": agencies})
    };
    let document = json!({
        "action_plans": (0..2_100).map(plan).collect::<Vec<_>>(),
        "obstacles": [
            {"key": "bulk-ob-1", "action_plan": "bulk-1501", "category": "financial", "description": "No budget line"},
            {"key": "bulk-ob-2", "action_plan": "bulk-2099", "category": "financial", "description": "Late transfer"},
        ],
    });
    let response = app.post("/api/v1/import", &document).await;
    assert_eq!(response.status.as_u16(), 200, "{}", String::from_utf8_lossy(&response.body));
    let summary = response.json();
    assert_eq!(counts(&summary, "action_plans"), (2_100, 0, 0));
    assert_eq!(counts(&summary, "obstacles"), (2, 0, 0));

    let names = |links: &Value, field: &str| -> Vec<String> {
        links
            .as_array()
            .expect("a list")
            .iter()
            .map(|link| link[field].as_str().expect(field).to_owned())
            .collect()
    };
    let mut ids = std::collections::HashMap::new();
    for n in [0, 999, 1_000, 1_501, 2_099] {
        let page = app.get(&format!("/api/v1/action-plans?key=bulk-{n}")).await.json();
        let listed = &page["items"][0];
        let id = listed["id"].as_i64().expect("id");
        let read = app.get(&format!("/api/v1/action-plans/{id}")).await.json();
        assert_eq!(&read, listed, "bulk-{n}: the list and the record agree");
        assert_eq!(read["title"], format!("Bulk plan {n}"));
        assert_eq!(read["year"], 2000 + n % 20);
        let expected = plan(n);
        let sector_keys: Vec<&str> =
            expected["sectors"].as_array().expect("keys").iter().filter_map(Value::as_str).collect();
        assert_eq!(names(&read["sectors"], "code"), sector_keys, "bulk-{n}: sectors in the order given");
        assert_eq!(read["agencies"].as_array().map(Vec::len), expected["agencies"].as_array().map(Vec::len));
        let history = app.get(&format!("/api/v1/action-plans/{id}/history")).await.json();
        let events = history["items"].as_array().expect("events");
        assert_eq!(events.len(), 1, "bulk-{n}: one event");
        assert_eq!(events[0]["action"], "created");
        assert_eq!(events[0]["changes"]["title"], json!([null, format!("Bulk plan {n}")]));
        ids.insert(n, id);
    }
    let disparbud = app.get("/api/v1/agencies?key=disparbud").await.json()["items"][0]["id"].clone();
    let odd = app.get(&format!("/api/v1/action-plans/{}", ids[&1_501])).await.json();
    assert_eq!(odd["agencies"][2]["id"], disparbud, "the third agency of an odd plan, in the order given");
    for (obstacle, n) in [("bulk-ob-1", 1_501), ("bulk-ob-2", 2_099)] {
        let read = app.get(&format!("/api/v1/obstacles?key={obstacle}")).await.json();
        assert_eq!(read["items"][0]["action_plan_id"], ids[&n], "{obstacle}");
    }
    let again = app.post("/api/v1/import", &document).await.json();
    assert_eq!(counts(&again, "action_plans"), (0, 0, 2_100), "imported again: unchanged");
}

#[actix_web::test]
async fn a_document_source_fills_the_records_that_give_none() {
    let app = TestApp::new().await;
    let mut document = demo();
    let source = "Minutes of the 2024 coordination meeting, West Java bureau of cooperation";
    document["source"] = json!(source);
    document["agreements"][0].as_object_mut().unwrap().remove("source");
    document["obstacles"][0].as_object_mut().unwrap().remove("source");
    document["milestones"][0]["source"] = Value::Null;
    let response = app.post("/api/v1/import", &document).await;
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let first = |path: &str| {
        let app = &app;
        let path = path.to_owned();
        async move { app.get(&path).await.json()["items"][0].clone() }
    };
    assert_eq!(first("/api/v1/agreements?key=jabar-souss-massa-2017").await["source"], source);
    assert_eq!(first("/api/v1/obstacles?key=ob-01").await["source"], source);
    assert_eq!(first("/api/v1/milestones?key=jabar-souss-massa-exploration").await["source"], source);
    let own = first("/api/v1/obstacles?key=ob-02").await["source"].clone();
    assert!(own.as_str().unwrap().contains("seed article"), "a record's own source is kept: {own}");
    assert!(first("/api/v1/regions?key=ID-JB").await.get("source").is_none(), "regions carry no source");

    let again = app.post("/api/v1/import", &document).await.json();
    assert_eq!(again["agreements"]["unchanged"], 1, "{again}");
    assert_eq!(again["obstacles"]["unchanged"], 9, "{again}");
    document["source"] = json!("x".repeat(1001));
    app.post("/api/v1/import", &document).await.assert_problem(422, &["source"]);
    document["source"] = json!(42);
    app.post("/api/v1/import", &document).await.assert_problem(422, &["source"]);
}

#[actix_web::test]
async fn an_import_that_breaks_a_unique_value_names_the_record_in_the_document() {
    let app = TestApp::new().await;
    app.west_java().await;
    let region = |key: &str, code: &str| {
        json!({"key": key, "name": format!("Region {key}"), "kind": "province", "country_code": "ID",
            "subdivision_code": code})
    };
    // The fourth region takes West Java's subdivision code, under another key.
    let document = json!({"regions": [region("ID-JT", "ID-JT"), region("ID-JI", "ID-JI"), region("ID-BA", "ID-BA"),
        region("jabar-again", "ID-JB")]});
    let problem =
        app.post("/api/v1/import", &document).await.assert_problem(409, &["regions[3].subdivision_code"]);
    assert!(
        problem["errors"][0]["message"].as_str().unwrap_or_default().contains("already used"),
        "{problem}"
    );
    assert_eq!(app.total("/api/v1/regions").await, 1, "nothing of the document was written");
}
