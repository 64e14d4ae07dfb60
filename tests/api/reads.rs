//! GETs of records sent at once. Those of a kind that arrive while its read runs are read
//! together next, by one statement; each still gets its own record, exactly as a GET alone
//! shows it, its own `404`, and every write acknowledged before it was sent.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[actix_web::test]
async fn gets_sent_at_once_each_get_their_own_record_as_a_get_alone_shows_it() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let mut paths = vec![
        format!("/api/v1/agreements/{}", case.agreement),
        format!("/api/v1/sectors/{}", case.trade),
        format!("/api/v1/sectors/{}", case.tourism),
        format!("/api/v1/agencies/{}", case.disperindag),
        format!("/api/v1/regions/{}", case.west_java),
    ];
    for i in 0..6 {
        let plan = app
            .action_plan(
                case.agreement,
                json!({"title": format!("Plan {i}"), "status": "planned",
                       "sector_ids": if i % 2 == 0 { json!([case.tourism, case.trade]) } else { json!([]) },
                       "agency_ids": [case.disparbud]}),
            )
            .await;
        paths.push(format!("/api/v1/action-plans/{}", plan["id"]));
    }
    // Each record, read alone.
    let mut alone = Vec::new();
    for path in &paths {
        let response = app.get(path).await;
        assert_eq!(response.status, 200, "{path}");
        alone.push((response.json(), response.header("etag").map(str::to_owned)));
    }

    // Every record three times over, and records that do not exist, all at once.
    let missing = ["/api/v1/action-plans/999999", "/api/v1/agreements/999999", "/api/v1/sectors/999999"];
    let asked: Vec<&str> = (0..3).flat_map(|_| paths.iter().map(String::as_str).chain(missing)).collect();
    let responses = join_all(asked.iter().map(|path| app.get(path))).await;
    for (path, response) in asked.iter().zip(&responses) {
        match paths.iter().position(|p| p == path) {
            Some(index) => {
                assert_eq!(response.status, 200, "{path}");
                let (body, etag) = &alone[index];
                assert_eq!(&response.json(), body, "{path}");
                assert_eq!(response.header("etag"), etag.as_deref(), "{path}");
                assert_eq!(response.header("content-type"), Some("application/json"), "{path}");
            }
            None => {
                let problem = response.assert_problem(404, &[]);
                assert!(
                    problem["detail"].as_str().is_some_and(|d| d.contains("999999")),
                    "{path}: {problem}"
                );
            }
        }
    }
}

#[actix_web::test]
async fn a_get_shows_the_write_acknowledged_before_it_while_others_read_the_record() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan = app.action_plan(case.agreement, json!({"title": "Version 0", "status": "planned"})).await;
    let path = format!("/api/v1/action-plans/{}", plan["id"]);

    let writes = async {
        for version in 1..=15 {
            let title = format!("Version {version}");
            let written = app.patch(&path, &json!({"title": title})).await;
            assert_eq!(written.status, 200, "{}", String::from_utf8_lossy(&written.body));
            let read = app.get(&path).await;
            assert_eq!(read.json()["title"], json!(title), "the GET sent after the write was acknowledged");
            assert_eq!(read.header("etag"), Some(format!("\"{}\"", version + 1).as_str()));
        }
    };
    let readers = async {
        for _ in 0..15 {
            let responses = join_all((0..8).map(|_| app.get(&path))).await;
            assert!(responses.iter().all(|r| r.status == 200));
            let titles: Vec<Value> = responses.iter().map(|r| r.json()["title"].clone()).collect();
            assert!(titles.iter().all(|t| t.as_str().is_some_and(|t| t.starts_with("Version "))));
        }
    };
    futures_util::future::join(writes, readers).await;
}
