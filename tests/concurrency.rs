//! Several `jalin serve` processes on one database, written to at once by concurrent clients,
//! then every value the database derives from records (an agreement's `stage`, the counts of
//! plans by agreement and status, by status and year, by range of ids) read back through the
//! API and compared with what the records themselves say; and processes started at once on a
//! database that does not exist yet.
//!
//! On SQLite as on PostgreSQL (`TEST_DATABASE_URL`): on PostgreSQL the processes' transactions
//! really interleave; on SQLite they take turns at one file.

#[path = "support/process.rs"]
mod process;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Barrier};

use process::{FreshDatabase, Server, request};
use serde_json::{Value, json};

const PROCESSES: usize = 3;
const CLIENTS: usize = 16;
const AGREEMENTS: usize = 50;

/// Stages in procedure order, as `stage` ranks them.
const PROCEDURE: [&str; 11] = [
    "exploration",
    "letter_of_intent",
    "cooperation_plan",
    "dprd_approval",
    "central_government_review",
    "full_power_letter",
    "signing",
    "deposit",
    "evaluation",
    "renewal",
    "termination",
];

fn json_of(status: u16, body: &str, wanted: u16, what: &str) -> Value {
    assert_eq!(status, wanted, "{what}: {body}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body}"))
}

/// Two regions and `AGREEMENTS` agreements between them; their ids in key order.
fn agreements(server: &Server) -> Vec<i64> {
    let agreements: Vec<Value> = (0..AGREEMENTS)
        .map(|n| {
            json!({"key": format!("agreement-{n:03}"), "title": format!("Agreement {n}"),
            "kind": "sister_province", "status": "negotiating", "parties": ["ID-JB", "MA-09"]})
        })
        .collect();
    let document = json!({
        "regions": [
            {"key": "ID-JB", "name": "West Java", "kind": "province", "country_code": "ID", "subdivision_code": "ID-JB"},
            {"key": "MA-09", "name": "Souss-Massa", "kind": "region", "country_code": "MA", "subdivision_code": "MA-09"}
        ],
        "sectors": [{"key": "trade", "code": "trade", "name": "Trade"}],
        "agreements": agreements,
    });
    let (status, body) =
        server.request("POST", "/api/v1/import", Some(&document.to_string())).expect("import");
    json_of(status, &body, 200, "the setup import");
    let mut ids: Vec<(String, i64)> = every(server, "/api/v1/agreements")
        .iter()
        .map(|agreement| {
            (agreement["key"].as_str().unwrap_or_default().to_owned(), agreement["id"].as_i64().unwrap_or(0))
        })
        .collect();
    ids.sort();
    ids.into_iter().map(|(_, id)| id).collect()
}

/// Every record of a list, page by page (`limit=100`, in id order).
fn every(server: &Server, path: &str) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut records = Vec::new();
    loop {
        let page_path = format!("{path}{separator}sort=id&limit=100&offset={}", records.len());
        let (status, body) = server.request("GET", &page_path, None).expect("a page");
        let page = json_of(status, &body, 200, &page_path);
        let items = page["items"].as_array().cloned().unwrap_or_default();
        let total = page["total"].as_u64().unwrap_or(0) as usize;
        records.extend(items);
        if records.len() >= total {
            assert_eq!(records.len(), total, "{path}: the pages hold as many records as the total says");
            return records;
        }
    }
}

/// Runs `client(n, server, together)` on `CLIENTS` threads at once, client `n` on process
/// `n % PROCESSES`; `together.wait()` holds each client until every one has reached it, so
/// that their next requests are sent at the same moment.
fn at_once(servers: &[Server], client: impl Fn(usize, &str, &Barrier) + Send + Sync + 'static) {
    let client = Arc::new(client);
    let together = Arc::new(Barrier::new(CLIENTS));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|n| {
            let (client, together, address) =
                (Arc::clone(&client), Arc::clone(&together), servers[n % PROCESSES].address.clone());
            std::thread::spawn(move || {
                together.wait();
                client(n, &address, &together);
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a client ended without a panic");
    }
}

fn created(address: &str, path: &str, body: &Value) -> Value {
    let (status, answer) = request(address, "POST", path, Some(&body.to_string())).expect("a create");
    json_of(status, &answer, 201, path)
}

#[test]
fn stages_and_their_counts_match_the_milestones_after_concurrent_writers_in_several_processes() {
    let database = FreshDatabase::new();
    let servers: Vec<Server> = (0..PROCESSES).map(|_| Server::start(&database.url)).collect();
    let agreements = Arc::new(agreements(&servers[0]));

    // Every client adds a done step to every agreement, all of them to one agreement at the
    // same moment, through three processes: half of them the deposit, half the signing before
    // it. On every other agreement they then change their steps, again all at once: the deposits
    // become pending and a quarter of the signings are deleted, so that the stage must fall back
    // to the signing that the remaining quarter keep done.
    let written = Arc::clone(&agreements);
    at_once(&servers, move |client, address, together| {
        let stage = if client % 2 == 0 { "deposit" } else { "signing" };
        for (n, agreement) in written.iter().enumerate() {
            together.wait();
            let milestone = created(
                address,
                "/api/v1/milestones",
                &json!({"agreement_id": agreement, "stage": stage, "status": "done"}),
            );
            if n % 2 == 0 {
                continue;
            }
            together.wait();
            let path = format!("/api/v1/milestones/{}", milestone["id"]);
            if client % 2 == 0 {
                let (status, body) =
                    request(address, "PATCH", &path, Some(r#"{"status": "pending"}"#)).expect("a patch");
                assert_eq!(status, 200, "{body}");
            } else if client % 4 == 1 {
                let (status, body) = request(address, "DELETE", &path, None).expect("a delete");
                assert_eq!(status, 204, "{body}");
            }
        }
    });

    // What the records say: the last stage in procedure order among each agreement's done steps.
    let rank = |stage: &str| PROCEDURE.iter().position(|known| *known == stage);
    let mut expected: HashMap<i64, Option<String>> = agreements.iter().map(|id| (*id, None)).collect();
    for milestone in every(&servers[1], "/api/v1/milestones?status=done") {
        let stage = milestone["stage"].as_str().unwrap_or_default().to_owned();
        let current = expected.entry(milestone["agreement_id"].as_i64().unwrap_or(0)).or_default();
        if current.as_deref().and_then(rank) < rank(&stage) {
            *current = Some(stage);
        }
    }
    let mut wrong = Vec::new();
    for agreement in every(&servers[2], "/api/v1/agreements") {
        let id = agreement["id"].as_i64().unwrap_or(0);
        let shown = agreement["stage"].as_str().map(str::to_owned);
        if shown != expected[&id] {
            wrong.push(format!("agreement {id}: stage {shown:?}, its milestones say {:?}", expected[&id]));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {AGREEMENTS} agreements disagree with their milestones:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    let mut by_stage: BTreeMap<String, u64> = BTreeMap::new();
    for stage in expected.values() {
        *by_stage.entry(stage.clone().unwrap_or_else(|| "none".to_owned())).or_default() += 1;
    }
    let (status, body) = servers[0].request("GET", "/api/v1/reports/overview", None).expect("the overview");
    let overview = json_of(status, &body, 200, "the overview");
    for stage in PROCEDURE.iter().copied().chain(["none"]) {
        let counted = by_stage.get(stage).copied().unwrap_or(0);
        assert_eq!(
            overview["by_stage"][stage].as_u64(),
            Some(counted),
            "overview by_stage.{stage}: {}",
            overview["by_stage"]
        );
        if stage != "none" {
            let path = format!("/api/v1/agreements?stage={stage}&limit=1");
            let (status, body) = servers[1].request("GET", &path, None).expect("a filtered list");
            assert_eq!(json_of(status, &body, 200, &path)["total"].as_u64(), Some(counted), "{path}");
        }
    }
    // Half the agreements keep a done deposit, the other half fell back to the signing.
    assert_eq!(by_stage.get("deposit").copied(), Some(AGREEMENTS as u64 / 2), "{by_stage:?}");
    assert_eq!(by_stage.get("signing").copied(), Some(AGREEMENTS as u64 / 2), "{by_stage:?}");
}

#[test]
fn plan_counts_match_the_plans_after_concurrent_writers_and_an_import_in_several_processes() {
    const STATUSES: [&str; 4] = ["planned", "in_progress", "implemented", "cancelled"];
    let database = FreshDatabase::new();
    let servers: Vec<Server> = (0..PROCESSES).map(|_| Server::start(&database.url)).collect();
    let agreements = Arc::new(agreements(&servers[0]));

    // Clients create plans, move them between statuses, years and agreements, and delete some,
    // while one of them imports a thousand plans at once (an import that large recounts the
    // counts at its end instead of keeping them plan by plan).
    let written = Arc::clone(&agreements);
    at_once(&servers, move |client, address, _| {
        if client == 0 {
            let plans: Vec<Value> = (0..1_000)
                .map(|n| json!({"key": format!("imported-{n}"), "agreement": format!("agreement-{:03}", n % AGREEMENTS),
                    "title": format!("Imported plan {n}"), "status": STATUSES[n % 4], "year": 2015 + (n % 6) as i64}))
                .collect();
            let (status, body) =
                request(address, "POST", "/api/v1/import", Some(&json!({"action_plans": plans}).to_string()))
                    .expect("the import");
            assert_eq!(status, 200, "{body}");
            return;
        }
        for (n, agreement) in written.iter().enumerate() {
            let plan = created(
                address,
                "/api/v1/action-plans",
                &json!({"agreement_id": agreement, "title": format!("Plan {client}-{n}"),
                    "status": STATUSES[(client + n) % 4], "year": 2015 + ((client * n) % 6) as i64}),
            );
            let path = format!("/api/v1/action-plans/{}", plan["id"]);
            match (client + n) % 5 {
                0 => {
                    let (status, body) = request(address, "DELETE", &path, None).expect("a delete");
                    assert_eq!(status, 204, "{body}");
                }
                1 => {
                    let moved = json!({"status": STATUSES[(client + n + 1) % 4], "year": 2015 + (n % 6) as i64,
                        "agreement_id": written[(n + 1) % AGREEMENTS]});
                    let (status, body) =
                        request(address, "PATCH", &path, Some(&moved.to_string())).expect("a patch");
                    assert_eq!(status, 200, "{body}");
                }
                2 => {
                    let (status, body) =
                        request(address, "PATCH", &path, Some(r#"{"year": null}"#)).expect("a patch");
                    assert_eq!(status, 200, "{body}");
                }
                _ => {}
            }
        }
    });

    let plans = every(&servers[1], "/api/v1/action-plans");
    assert!(plans.len() > 1_000, "the import and the clients' plans are there: {}", plans.len());
    // By status: the overview reads the counts per agreement and status.
    let (status, body) = servers[2].request("GET", "/api/v1/reports/overview", None).expect("the overview");
    let overview = json_of(status, &body, 200, "the overview");
    assert_eq!(overview["action_plans"]["total"].as_u64(), Some(plans.len() as u64));
    for status in STATUSES {
        let counted = plans.iter().filter(|plan| plan["status"] == status).count() as u64;
        assert_eq!(
            overview["action_plans"]["by_status"][status].as_u64(),
            Some(counted),
            "overview by_status.{status}"
        );
    }
    // By status and year: a list filtered by them alone counts its total from those counts.
    for status in STATUSES {
        for year in 2015..2021 {
            let counted =
                plans.iter().filter(|plan| plan["status"] == status && plan["year"] == year).count() as u64;
            let path = format!("/api/v1/action-plans?status={status}&year={year}&limit=1");
            let (code, body) = servers[0].request("GET", &path, None).expect("a filtered list");
            assert_eq!(json_of(code, &body, 200, &path)["total"].as_u64(), Some(counted), "{path}");
        }
    }
    // By range of ids: a page far into the list in id order is found from those counts.
    let ids: Vec<i64> = plans.iter().map(|plan| plan["id"].as_i64().unwrap_or(0)).collect();
    for offset in [0, ids.len() / 3, ids.len() / 2, ids.len() - 1] {
        let path = format!("/api/v1/action-plans?offset={offset}&limit=1");
        let (code, body) = servers[1].request("GET", &path, None).expect("a deep page");
        let page = json_of(code, &body, 200, &path);
        assert_eq!(page["items"][0]["id"].as_i64(), Some(ids[offset]), "{path}");
        assert_eq!(page["total"].as_u64(), Some(ids.len() as u64), "{path}");
    }
}

#[test]
fn processes_started_at_once_on_a_new_database_all_start_and_migrate_it_once() {
    const STARTING: usize = 4;
    let database = FreshDatabase::new();
    let start = Arc::new(Barrier::new(STARTING));
    let starts: Vec<_> = (0..STARTING)
        .map(|_| {
            let (url, start) = (database.url.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                Server::try_start(&url, &["--demo"], &[])
            })
        })
        .collect();
    let servers: Vec<Server> = starts
        .into_iter()
        .map(|thread| {
            thread
                .join()
                .expect("a start")
                .unwrap_or_else(|printed| panic!("a process did not start:\n{printed}"))
        })
        .collect();
    for server in &servers {
        let (status, body) = server.request("GET", "/api/v1/agreements?limit=1", None).expect("a list");
        let page = json_of(status, &body, 200, "the agreements");
        assert!(page["total"].as_u64().unwrap_or(0) > 0, "the demo data set was loaded once: {page}");
    }
    let keys: Vec<String> = every(&servers[0], "/api/v1/regions")
        .iter()
        .map(|region| region["key"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut distinct = keys.clone();
    distinct.dedup();
    assert_eq!(keys, distinct, "each demo record once");
}
