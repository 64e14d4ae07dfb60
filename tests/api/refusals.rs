//! What the service refuses, and how it says so (API.md section 12): text XML cannot hold,
//! dates outside the years 1000 to 9999.

use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn text_holding_a_character_xml_forbids_is_422_naming_each_field_in_bodies_and_imports() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    for forbidden in ['\u{0}', '\u{1}', '\u{B}', '\u{C}', '\u{1F}', '\u{FFFE}', '\u{FFFF}'] {
        let problem = app
            .post(
                "/api/v1/action-plans",
                &json!({"agreement_id": case.agreement, "title": format!("Business{forbidden} matching"),
                    "description": format!("{forbidden}"), "outcome": "fine\ttext\r\nwith tabs and lines",
                    "status": "planned", "colour": "red"}),
            )
            .await
            .assert_problem(422, &["title", "description", "colour"]);
        let errors = problem["errors"].as_array().cloned().unwrap_or_default();
        let title = errors.iter().find(|error| error["field"] == "title").cloned().unwrap_or_default();
        let message = title["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(&format!("U+{:04X}", u32::from(forbidden))), "{message}");
    }
    // In a list of texts by its place, and in a patch; the record is left as it was.
    app.post(
        "/api/v1/contacts",
        &json!({"name": "Siti", "agency_id": case.disperindag, "languages": ["id", "e\u{1}n"]}),
    )
    .await
    .assert_problem(422, &["languages[1]"]);
    let path = format!("/api/v1/regions/{}", case.west_java);
    app.patch(&path, &json!({"name": "West\u{B}Java"})).await.assert_problem(422, &["name"]);
    assert_eq!(app.get(&path).await.json()["name"], "West Java");
    app.post(
        "/api/v1/import",
        &json!({"action_plans": [
            {"key": "fine", "agreement": "jabar-souss-massa-2017", "title": "Fine", "status": "planned"},
            {"key": "bad", "agreement": "jabar-souss-massa-2017", "title": "Bad", "status": "planned",
             "outcome": "\u{FFFF}"}]}),
    )
    .await
    .assert_problem(422, &["action_plans[1].outcome"]);
    assert_eq!(app.total("/api/v1/action-plans").await, 0, "nothing of the import was written");
    // Tab, line feed and carriage return are text like any other.
    app.create(
        "/api/v1/action-plans",
        json!({"agreement_id": case.agreement, "title": "Tabs\tand\nlines", "status": "planned"}),
    )
    .await;
}

#[actix_web::test]
async fn dates_take_the_years_1000_to_9999_in_bodies_filters_and_imports() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    for date in ["0000-01-01", "0999-12-31", "-001-01-01", "+2019-01-01"] {
        app.post(
            "/api/v1/milestones",
            &json!({"agreement_id": case.agreement, "stage": "signing", "status": "done", "date": date}),
        )
        .await
        .assert_problem(422, &["date"]);
        app.get(&format!("/api/v1/milestones?date_from={date}")).await.assert_problem(400, &["date_from"]);
    }
    for date in ["1000-01-01", "9999-12-31"] {
        app.create(
            "/api/v1/milestones",
            json!({"agreement_id": case.agreement, "stage": "other", "status": "done", "date": date}),
        )
        .await;
    }
    app.post(
        "/api/v1/import",
        &json!({"documents": [{"key": "charter", "agreement": "jabar-souss-massa-2017", "title": "Charter",
            "category": "memorandum_of_understanding", "issued_on": "0960-01-01"}]}),
    )
    .await
    .assert_problem(422, &["documents[0].issued_on"]);
}

#[actix_web::test]
async fn a_caller_who_may_not_write_is_refused_before_the_body_is_read() {
    use actix_web::test::TestRequest;

    use crate::helpers::with_token;

    let app = TestApp::new().await;
    // Bodies that would each be refused for what they are, were they read.
    type Headers = &'static [(&'static str, &'static str)];
    let bodies: [(&str, Headers, &[u8]); 5] = [
        ("not JSON", &[("content-type", "text/plain")], b"hello"),
        (
            "declared too large",
            &[("content-type", "application/json"), ("content-length", "999999999")],
            b"{}",
        ),
        (
            "broken brotli",
            &[("content-type", "application/json"), ("content-encoding", "br")],
            b"\xff\xfe\xfd",
        ),
        (
            "in a coding not taken",
            &[("content-type", "application/json"), ("content-encoding", "zstd")],
            b"{}",
        ),
        ("broken JSON", &[("content-type", "application/json")], b"{\"name\": "),
    ];
    for (what, headers, body) in bodies {
        for (path, token, status) in [
            ("/api/v1/regions", Some(&app.viewer_token), 403),
            ("/api/v1/regions", None, 401),
            ("/api/v1/import", Some(&app.viewer_token), 403),
            ("/api/v1/tokens", Some(&app.editor_token), 403),
        ] {
            let mut request = TestRequest::post().uri(path).set_payload(body.to_vec());
            for (name, value) in headers {
                request = request.insert_header((*name, *value));
            }
            if let Some(token) = token {
                request = with_token(request, token);
            }
            let response = app.send(request).await;
            assert_eq!(response.status.as_u16(), status, "{what} on {path}");
            response.assert_problem(status, &[]);
        }
    }
    assert_eq!(app.total("/api/v1/regions").await, 0);
}

#[actix_web::test]
async fn an_upload_is_read_only_for_an_editor_and_only_as_it_is_sent() {
    use actix_web::test::TestRequest;

    use crate::helpers::with_token;

    let app = TestApp::new().await;
    let path = document_file(&app).await;
    let upload = |token: &str, encoding: Option<&str>| {
        let request = TestRequest::put().uri(&path).insert_header(("content-type", "text/plain"));
        let request = match encoding {
            Some(encoding) => request.insert_header(("content-encoding", encoding)),
            None => request,
        };
        with_token(request.set_payload(&b"\xff\xfe not text"[..]), token)
    };
    app.send(upload(&app.viewer_token, None)).await.assert_problem(403, &[]);
    // A file is stored as it is sent: a compressed one would be stored compressed, so it is
    // refused rather than decoded.
    for encoding in ["gzip", "br", "deflate"] {
        app.send(upload(&app.editor_token, Some(encoding))).await.assert_problem(415, &[]);
    }
    assert_eq!(app.get(path.trim_end_matches("/file")).await.json()["file"], json!(null));
}

/// A document to upload to, and the path of its file.
async fn document_file(app: &TestApp) -> String {
    let case = app.founding_case().await;
    let document = app
        .create(
            "/api/v1/documents",
            json!({"agreement_id": case.agreement, "category": "memorandum_of_understanding", "title": "MoU"}),
        )
        .await;
    format!("/api/v1/documents/{}/file", document["id"])
}

/// An upload of plain text whose body is `payload`, which the test feeds by hand.
fn upload_fed_by_hand(app: &TestApp, path: &str, payload: actix_http::h1::Payload) -> actix_http::Request {
    use actix_web::test::TestRequest;
    let request = app
        .as_editor(TestRequest::put().uri(path))
        .insert_header(("content-type", "text/plain"))
        .to_request();
    request.replace_payload(actix_http::Payload::from(payload)).0
}

#[actix_web::test]
async fn an_upload_that_trickles_in_is_408_once_the_upload_timeout_has_passed() {
    let settings = jalin::config::Settings {
        upload_timeout: std::time::Duration::from_millis(500),
        ..Default::default()
    };
    let app = TestApp::with_settings(settings).await;
    let path = document_file(&app).await;
    let (mut sender, payload) = actix_http::h1::Payload::create(false);
    let request = upload_fed_by_hand(&app, &path, payload);
    // A byte every 20 ms: never a pause as long as the body timeout (30 s), never the end.
    let trickle = actix_web::rt::spawn(async move {
        let mut every = actix_web::rt::time::interval(std::time::Duration::from_millis(20));
        loop {
            every.tick().await;
            sender.feed_data(actix_web::web::Bytes::from_static(b"a"));
        }
    });
    let started = std::time::Instant::now();
    app.send_request(request).await.assert_problem(408, &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "it ended at the upload timeout");
    trickle.abort();
    let document = path.trim_end_matches("/file");
    assert_eq!(app.get(document).await.json()["file"], json!(null));
}

#[actix_web::test]
async fn uploads_beyond_the_concurrent_limit_are_503_with_retry_after_while_the_others_are_received() {
    let settings = jalin::config::Settings {
        max_concurrent_uploads: 1,
        upload_timeout: std::time::Duration::from_millis(500),
        ..Default::default()
    };
    let app = TestApp::with_settings(settings).await;
    let path = document_file(&app).await;
    // Two uploads at once whose bodies never come: whichever takes the one slot first holds
    // it until it is given up on (408); the other is refused at once (503).
    let (first_sender, payload) = actix_http::h1::Payload::create(false);
    let first = upload_fed_by_hand(&app, &path, payload);
    let (second_sender, payload) = actix_http::h1::Payload::create(false);
    let second = upload_fed_by_hand(&app, &path, payload);
    let (first, second) = futures_util::future::join(app.send_request(first), app.send_request(second)).await;
    let (mut statuses, refused) = (vec![first.status.as_u16(), second.status.as_u16()], [&first, &second]);
    statuses.sort_unstable();
    assert_eq!(statuses, [408, 503]);
    let refused = refused.into_iter().find(|response| response.status == 503).expect("a 503");
    refused.assert_problem(503, &[]);
    assert_eq!(refused.header("retry-after"), Some("5"));
    drop((first_sender, second_sender));
    // Once it is given up on, the slot is free again.
    let stored = app
        .send(
            app.as_editor(actix_web::test::TestRequest::put().uri(&path))
                .insert_header(("content-type", "text/plain"))
                .set_payload("the minutes of the meeting"),
        )
        .await;
    assert_eq!(stored.status, 200, "{}", String::from_utf8_lossy(&stored.body));
}
