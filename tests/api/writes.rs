//! Writes sent at once. On SQLite they are committed together in batches, each in a savepoint
//! of its own; on PostgreSQL they run side by side. Either way each write keeps its own
//! outcome: one that fails takes nothing of the others with it, and one that succeeds is
//! there, with its audit event, when its answer arrives.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::helpers::{TestApp, with_token};

#[actix_web::test]
async fn writes_at_once_each_keep_their_own_outcome() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    // Of every four plans: one reuses the key `shared` (one of those wins), one names an
    // agreement that does not exist, one a sector that does not exist, one is fine.
    let bodies: Vec<Value> = (0..48)
        .map(|i| {
            let mut body = json!({"agreement_id": case.agreement, "title": format!("Plan {i}"),
                                  "status": "planned", "year": 2020, "sector_ids": [case.tourism]});
            match i % 4 {
                0 => body["key"] = json!("shared"),
                1 => body["agreement_id"] = json!(999_999),
                2 => body["sector_ids"] = json!([case.tourism, 999_999]),
                _ => {}
            }
            body
        })
        .collect();
    let responses =
        futures_util::future::join_all(bodies.iter().map(|body| app.post("/api/v1/action-plans", body)))
            .await;

    let mut created = Vec::new();
    for (i, response) in responses.iter().enumerate() {
        let body = String::from_utf8_lossy(&response.body);
        match i % 4 {
            0 if response.status == 201 => created.push(response.json()),
            0 => {
                response.assert_problem(409, &["key"]);
            }
            1 => {
                response.assert_problem(422, &["agreement_id"]);
            }
            2 => {
                response.assert_problem(422, &["sector_ids[1]"]);
            }
            _ => {
                assert_eq!(response.status, 201, "plan {i}: {body}");
                created.push(response.json());
            }
        }
    }
    assert_eq!(created.len(), 12 + 1, "every valid plan and one of those sharing a key");

    // Each answer is what is stored, links included, and has its one audit event.
    for plan in &created {
        let stored = app.get(&format!("/api/v1/action-plans/{}", plan["id"])).await.json();
        assert_eq!(&stored, plan);
        assert_eq!(stored["sectors"][0]["id"], json!(case.tourism));
    }
    assert_eq!(app.total("/api/v1/action-plans").await, 13);
    let events = app
        .send(with_token(TestRequest::get().uri("/api/v1/audit?resource_type=action_plan"), &app.admin_token))
        .await
        .json();
    assert_eq!(events["total"], 13, "one event per plan created, none for those refused");
}

#[actix_web::test]
async fn a_write_that_fails_late_leaves_nothing_while_others_land() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan =
        app.action_plan(case.agreement, json!({"title": "Has an obstacle", "status": "planned"})).await;
    app.create(
        "/api/v1/obstacles",
        json!({"action_plan_id": plan["id"], "category": "financial", "description": "Funds"}),
    )
    .await;
    // Deleting the plan fails after it was read and locked (an obstacle refers to it), while
    // other writes of the same moment succeed.
    let path = format!("/api/v1/action-plans/{}", plan["id"]);
    let title_change = json!({"title": "Renamed"});
    let others: Vec<Value> = (0..8)
        .map(|i| json!({"agreement_id": case.agreement, "title": format!("Other {i}"), "status": "planned"}))
        .collect();
    let (deleted, renamed, created) = futures_util::future::join3(
        app.delete(&path),
        app.patch(&path, &title_change),
        futures_util::future::join_all(others.iter().map(|body| app.post("/api/v1/action-plans", body))),
    )
    .await;
    deleted.assert_problem(409, &[]);
    assert_eq!(renamed.status, 200, "{}", String::from_utf8_lossy(&renamed.body));
    assert!(created.iter().all(|r| r.status == 201));
    let stored = app.get(&path).await.json();
    assert_eq!(stored["title"], "Renamed");
    assert_eq!(stored["version"], 2);
    assert_eq!(app.total("/api/v1/action-plans").await, 9);
}
