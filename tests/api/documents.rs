use actix_web::test::TestRequest;
use serde_json::{Value, json};
use sha2::Digest;

use crate::helpers::{TestApp, TestResponse, ids, with_token};

/// A small PDF: its signature, then bytes of every value.
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(5000));
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

async fn mou(app: &TestApp, agreement: i64) -> Value {
    app.create(
        "/api/v1/documents",
        json!({"key": "jabar-souss-massa-mou", "agreement_id": agreement, "category": "memorandum_of_understanding",
               "title": "MoU between West Java and Souss-Massa", "language": "id", "issued_on": "2017-11-03"}),
    )
    .await
}

async fn upload(app: &TestApp, id: &Value, media_type: &str, bytes: Vec<u8>) -> TestResponse {
    app.send(
        app.as_editor(
            TestRequest::put()
                .uri(&format!("/api/v1/documents/{id}/file"))
                .insert_header(("content-type", media_type))
                .set_payload(bytes),
        ),
    )
    .await
}

#[actix_web::test]
async fn a_document_is_registered_with_every_field_and_no_file() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan = app.action_plan(case.agreement, json!({"title": "Trade mission", "status": "planned"})).await;
    let body = json!({"key": "minutes-2019", "agreement_id": case.agreement, "action_plan_id": plan["id"],
        "category": "minutes", "title": "Minutes of the 2019 meeting", "issued_on": "2019-05-02",
        "language": "fr-MA", "reference": "PV/2019/07", "url": "https://example.org/pv.pdf", "notes": "Signed by both."});
    let created = app.create("/api/v1/documents", body.clone()).await;
    for (field, value) in body.as_object().unwrap() {
        assert_eq!(&created[field], value, "{field}");
    }
    assert_eq!((created["file"].clone(), created["version"].clone()), (Value::Null, json!(1)));
    let nested = app.get(&format!("/api/v1/agreements/{}/documents", case.agreement)).await.json();
    assert_eq!(ids(&nested), [created["id"].as_i64().unwrap()]);
    assert_eq!(app.total("/api/v1/documents?language=FR-ma").await, 1);
    assert_eq!(app.total("/api/v1/documents?category=minutes&has_file=false").await, 1);
    assert_eq!(app.total("/api/v1/documents?has_file=true").await, 0);
    assert_eq!(app.total(&format!("/api/v1/documents?action_plan_id={}", plan["id"])).await, 1);
    app.get("/api/v1/documents?language=not%20a%20tag").await.assert_problem(400, &["language"]);
    // The agreement and the plan are not deleted under it.
    let problem = app.delete(&format!("/api/v1/action-plans/{}", plan["id"])).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("documents (1)"), "{problem}");
    let problem =
        app.delete(&format!("/api/v1/agreements/{}", case.agreement)).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("documents (1)"), "{problem}");
}

#[actix_web::test]
async fn every_bad_document_field_is_named_at_once() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    app.post(
        "/api/v1/documents",
        &json!({"agreement_id": 999, "action_plan_id": 999, "category": "treaty", "title": " ",
                "issued_on": "2017-02-30", "language": "english!", "url": "ftp://x", "file": null}),
    )
    .await
    .assert_problem(
        422,
        &["file", "agreement_id", "action_plan_id", "category", "title", "issued_on", "language", "url"],
    );
    // A plan of another agreement.
    let other = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Another", "kind": "other", "status": "proposed",
            "party_region_ids": [case.west_java, case.souss_massa]}),
        )
        .await;
    let plan = app
        .action_plan(other["id"].as_i64().unwrap(), json!({"title": "Elsewhere", "status": "planned"}))
        .await;
    let problem = app
        .post(
            "/api/v1/documents",
            &json!({"agreement_id": case.agreement, "action_plan_id": plan["id"],
            "category": "report", "title": "A report"}),
        )
        .await
        .assert_problem(422, &["action_plan_id"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("belongs to agreement"), "{problem}");
    assert_eq!(app.total("/api/v1/documents").await, 0);
}

#[actix_web::test]
async fn a_file_is_stored_and_read_back_exactly_with_its_sha256_etag() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let document = mou(&app, case.agreement).await;
    let bytes = pdf();
    let uploaded = upload(&app, &document["id"], "application/pdf", bytes.clone()).await;
    assert_eq!(uploaded.status, 200, "{}", String::from_utf8_lossy(&uploaded.body));
    assert_eq!(uploaded.header("etag"), Some("\"2\""));
    let uploaded = uploaded.json();
    assert_eq!(uploaded["version"], 2);
    assert_eq!(uploaded["file"]["media_type"], "application/pdf");
    assert_eq!(uploaded["file"]["size"], bytes.len());
    assert_eq!(uploaded["file"]["sha256"], sha256(&bytes));
    assert!(uploaded["file"]["uploaded_at"].is_string());

    let path = format!("/api/v1/documents/{}/file", document["id"]);
    let read = app.get(&path).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, bytes);
    assert_eq!(read.header("content-type"), Some("application/pdf"));
    assert_eq!(read.header("etag"), Some(format!("\"{}\"", sha256(&bytes)).as_str()));
    assert_eq!(
        read.header("content-disposition"),
        Some("attachment; filename=\"jabar-souss-massa-mou.pdf\"")
    );
    let cached = app
        .send(
            TestRequest::get().uri(&path).insert_header(("if-none-match", format!("\"{}\"", sha256(&bytes)))),
        )
        .await;
    assert_eq!((cached.status.as_u16(), cached.body.len()), (304, 0));
    let stale = app.digest(TestRequest::get().uri(&path).insert_header(("if-none-match", "\"abc\""))).await;
    assert_eq!(
        (stale.status.as_u16(), stale.declared_length, stale.sha256),
        (200, Some(bytes.len() as u64), sha256(&bytes))
    );

    // The list shows the file, never its bytes; the same bytes again change nothing.
    let listed = app.get("/api/v1/documents?has_file=true").await.json();
    assert_eq!(listed["items"][0]["file"], uploaded["file"]);
    let again = upload(&app, &document["id"], "application/pdf", bytes.clone()).await.json();
    assert_eq!(again["version"], 2);
    // The audit trail follows the file by its SHA-256.
    let history = app.get(&format!("/api/v1/documents/{}/history", document["id"])).await.json();
    assert_eq!(history["total"], 2);
    assert_eq!(history["items"][0]["changes"], json!({"file.sha256": [null, sha256(&bytes)]}));

    // A new file replaces it.
    let text = "Nota kesepahaman — Jawa Barat dan Souss-Massa\n".as_bytes().to_vec();
    let replaced = upload(&app, &document["id"], "text/plain; charset=UTF-8", text.clone()).await.json();
    assert_eq!(
        (replaced["version"].clone(), replaced["file"]["media_type"].clone()),
        (json!(3), json!("text/plain; charset=utf-8"))
    );
    let read = app.get(&path).await;
    assert_eq!(
        (read.body.clone(), read.header("content-type")),
        (text.clone(), Some("text/plain; charset=utf-8"))
    );
    let history = app.get(&format!("/api/v1/documents/{}/history", document["id"])).await.json();
    assert_eq!(history["items"][0]["changes"], json!({"file.sha256": [sha256(&bytes), sha256(&text)]}));
}

#[actix_web::test]
async fn uploads_honour_if_match_and_deleting_a_file_keeps_the_document() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let document = mou(&app, case.agreement).await;
    let path = format!("/api/v1/documents/{}/file", document["id"]);
    let stale = app
        .send(
            app.as_editor(
                TestRequest::put()
                    .uri(&path)
                    .insert_header(("content-type", "application/pdf"))
                    .insert_header(("if-match", "\"7\""))
                    .set_payload(pdf()),
            ),
        )
        .await;
    stale.assert_problem(412, &[]);
    let current = app
        .send(
            app.as_editor(
                TestRequest::put()
                    .uri(&path)
                    .insert_header(("content-type", "application/pdf"))
                    .insert_header(("if-match", "\"1\""))
                    .set_payload(pdf()),
            ),
        )
        .await;
    assert_eq!(current.status, 200);
    // Deleting: If-Match too, then 204, the document stays without a file.
    let stale =
        app.send(app.as_editor(TestRequest::delete().uri(&path).insert_header(("if-match", "\"1\"")))).await;
    stale.assert_problem(412, &[]);
    assert_eq!(app.delete(&path).await.status, 204);
    let document_path = format!("/api/v1/documents/{}", document["id"]);
    let read = app.get(&document_path).await.json();
    assert_eq!((read["file"].clone(), read["version"].clone()), (Value::Null, json!(3)));
    app.get(&path).await.assert_problem(404, &[]);
    app.delete(&path).await.assert_problem(404, &[]);
    let history = app.get(&format!("{document_path}/history")).await.json();
    assert_eq!(history["items"][0]["changes"], json!({"file.sha256": [sha256(&pdf()), null]}));
    // A document with a file is deleted with it.
    upload(&app, &document["id"], "application/pdf", pdf()).await;
    assert_eq!(app.delete(&document_path).await.status, 204);
    app.get(&path).await.assert_problem(404, &[]);
    upload(&app, &document["id"], "application/pdf", pdf()).await.assert_problem(404, &[]);
}

#[actix_web::test]
async fn files_of_other_types_or_with_contradicting_bytes_are_refused() {
    let settings = jalin::config::Settings { max_file_bytes: 4096, ..Default::default() };
    let app = TestApp::with_settings(settings).await;
    let case = app.founding_case().await;
    let document = mou(&app, case.agreement).await;
    let id = &document["id"];
    let problem = upload(&app, id, "application/zip", b"PK\x03\x04".to_vec()).await.assert_problem(415, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("application/pdf"), "{problem}");
    let untyped = app
        .send(
            app.as_editor(TestRequest::put().uri(&format!("/api/v1/documents/{id}/file")).set_payload(pdf())),
        )
        .await;
    untyped.assert_problem(415, &[]);
    for (media_type, bytes) in [
        ("application/pdf", b"<html>not a pdf</html>".to_vec()),
        ("image/png", b"\xff\xd8\xff\xe0 a jpeg".to_vec()),
        ("image/jpeg", b"\x89PNG\r\n\x1a\n a png".to_vec()),
        ("image/tiff", b"%PDF-1.4".to_vec()),
        ("application/msword", b"PK\x03\x04 a zip".to_vec()),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"%PDF-1.4".to_vec()),
        ("application/vnd.oasis.opendocument.text", b"PK\x03\x04 a zip that names no type".to_vec()),
        ("text/plain", b"text with a \0 NUL".to_vec()),
        ("text/plain", b"caf\xe9 au lait".to_vec()),
        ("application/pdf", Vec::new()),
    ] {
        let problem = upload(&app, id, media_type, bytes).await;
        assert_eq!(problem.status, 422, "{media_type}: {}", String::from_utf8_lossy(&problem.body));
        problem.assert_problem(422, &["file"]);
    }
    // Declared in another charset, Latin-1 text is taken as it is.
    let latin = upload(&app, id, "text/plain; charset=ISO-8859-1", b"caf\xe9 au lait".to_vec()).await;
    assert_eq!(latin.status, 200, "{}", String::from_utf8_lossy(&latin.body));
    // Accepted signatures of each binary type.
    let mut odt = b"PK\x03\x04".to_vec();
    odt.extend([0u8; 26]);
    odt.extend(b"mimetypeapplication/vnd.oasis.opendocument.text");
    for (media_type, bytes) in [
        ("image/png", b"\x89PNG\r\n\x1a\n....".to_vec()),
        ("image/jpeg", b"\xff\xd8\xff\xe0....".to_vec()),
        ("image/tiff", b"MM\0*....".to_vec()),
        ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....".to_vec()),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            b"PK\x03\x04....".to_vec(),
        ),
        ("application/vnd.oasis.opendocument.text", odt),
    ] {
        let stored = upload(&app, id, media_type, bytes).await;
        assert_eq!(stored.status, 200, "{media_type}: {}", String::from_utf8_lossy(&stored.body));
    }
    // Larger than JALIN_MAX_FILE_BYTES: 413, and the stored file is left as it was.
    let before = app.get(&format!("/api/v1/documents/{id}")).await.json();
    let mut large = pdf();
    large.resize(4097, b' ');
    upload(&app, id, "application/pdf", large).await.assert_problem(413, &[]);
    assert_eq!(app.get(&format!("/api/v1/documents/{id}")).await.json(), before);
}

#[actix_web::test]
async fn a_file_larger_than_the_limit_is_refused_before_its_end_arrives() {
    let settings = jalin::config::Settings { max_file_bytes: 1000, ..Default::default() };
    let app = TestApp::with_settings(settings).await;
    let case = app.founding_case().await;
    let document = mou(&app, case.agreement).await;
    // The body never ends: only its first 2,000 bytes are sent, with no Content-Length.
    let (mut sender, payload) = actix_http::h1::Payload::create(false);
    let mut start = pdf();
    start.truncate(2000);
    sender.feed_data(actix_web::web::Bytes::from(start));
    let request = app
        .as_editor(TestRequest::put().uri(&format!("/api/v1/documents/{}/file", document["id"])))
        .insert_header(("content-type", "application/pdf"))
        .to_request();
    let (request, _) = request.replace_payload(actix_http::Payload::from(payload));
    let problem = app.send_request(request).await.assert_problem(413, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("1000"), "{problem}");
    drop(sender);
}

#[actix_web::test]
async fn only_editors_upload_and_readers_download() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let document = mou(&app, case.agreement).await;
    let path = format!("/api/v1/documents/{}/file", document["id"]);
    let put = || {
        TestRequest::put().uri(&path).insert_header(("content-type", "application/pdf")).set_payload(pdf())
    };
    app.send(put()).await.assert_problem(401, &[]);
    app.send(with_token(put(), &app.viewer_token)).await.assert_problem(403, &[]);
    app.send(with_token(TestRequest::delete().uri(&path), &app.viewer_token)).await.assert_problem(403, &[]);
    upload(&app, &Value::from(999), "application/pdf", pdf()).await.assert_problem(404, &[]);
    app.get("/api/v1/documents/999/file").await.assert_problem(404, &[]);
    assert_eq!(app.get(&format!("/api/v1/documents/{}", document["id"])).await.json()["version"], 1);
}

#[actix_web::test]
async fn the_signed_mou_with_its_file_records_the_document_for_compliance() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let compliance = format!("/api/v1/agreements/{}/compliance", case.agreement);
    let recorded = |report: &Value| {
        report["checks"].as_array().unwrap().iter().find(|c| c["code"] == "document_recorded").unwrap()["status"].clone()
    };
    assert_eq!(recorded(&app.get(&compliance).await.json()), "warn");
    // Registered without its file, or of another category: still not on file.
    let document = mou(&app, case.agreement).await;
    let minutes = app
        .create(
            "/api/v1/documents",
            json!({"agreement_id": case.agreement, "category": "minutes", "title": "Minutes"}),
        )
        .await;
    upload(&app, &minutes["id"], "application/pdf", pdf()).await;
    assert_eq!(recorded(&app.get(&compliance).await.json()), "warn");
    upload(&app, &document["id"], "application/pdf", pdf()).await;
    assert_eq!(recorded(&app.get(&compliance).await.json()), "pass");
}

#[actix_web::test]
async fn a_milestone_names_a_document_of_its_own_agreement() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let document = mou(&app, case.agreement).await;
    let other = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Another", "kind": "other", "status": "proposed",
            "party_region_ids": [case.west_java, case.souss_massa]}),
        )
        .await;
    let signing = app
        .create(
            "/api/v1/milestones",
            json!({"agreement_id": case.agreement, "stage": "signing", "status": "done",
            "document_id": document["id"]}),
        )
        .await;
    assert_eq!(signing["document_id"], document["id"]);
    app.post(
        "/api/v1/milestones",
        &json!({"agreement_id": other["id"], "stage": "signing", "status": "done",
            "document_id": document["id"]}),
    )
    .await
    .assert_problem(422, &["document_id"]);
    app.post(
        "/api/v1/milestones",
        &json!({"agreement_id": other["id"], "stage": "signing", "status": "done",
            "document_id": 999}),
    )
    .await
    .assert_problem(422, &["document_id"]);
    // The document stays with its agreement and is not deleted while the milestone names it.
    let document_path = format!("/api/v1/documents/{}", document["id"]);
    app.patch(&document_path, &json!({"agreement_id": other["id"]}))
        .await
        .assert_problem(422, &["agreement_id"]);
    let problem = app.delete(&document_path).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap().contains("milestones (1)"), "{problem}");
    app.patch(&format!("/api/v1/milestones/{}", signing["id"]), &json!({"document_id": null})).await;
    assert_eq!(app.delete(&document_path).await.status, 204);
}

#[actix_web::test]
async fn exports_describe_files_and_imports_take_the_description_as_information() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let document = mou(&app, case.agreement).await;
    app.create(
        "/api/v1/milestones",
        json!({"key": "signing", "agreement_id": case.agreement, "stage": "signing",
        "status": "done", "document_id": document["id"]}),
    )
    .await;
    upload(&app, &document["id"], "application/pdf", pdf()).await;
    let export = app.get("/api/v1/export").await.json();
    assert_eq!(
        export["documents"],
        json!([{"key": "jabar-souss-massa-mou", "agreement": "jabar-souss-massa-2017",
                "category": "memorandum_of_understanding", "title": "MoU between West Java and Souss-Massa",
                "language": "id", "issued_on": "2017-11-03",
                "file": {"media_type": "application/pdf", "size": pdf().len(), "sha256": sha256(&pdf())}}])
    );
    assert_eq!(export["milestones"][0]["document"], "jabar-souss-massa-mou");
    // Imported elsewhere: the register without the bytes; the same bytes uploaded, the same export.
    let elsewhere = TestApp::new().await;
    let imported = elsewhere.post("/api/v1/import", &export).await;
    assert_eq!(imported.status, 200, "{}", imported.json());
    assert_eq!(imported.json()["documents"]["created"], 1);
    let copy = elsewhere.get("/api/v1/documents?key=jabar-souss-massa-mou").await.json();
    assert_eq!(copy["items"][0]["file"], Value::Null);
    upload(&elsewhere, &copy["items"][0]["id"], "application/pdf", pdf()).await;
    assert_eq!(elsewhere.get("/api/v1/export").await.json(), export);
    // Importing the export again changes nothing.
    assert_eq!(app.post("/api/v1/import", &export).await.json()["documents"]["unchanged"], 1);
    // CSV shows the file by its description.
    let csv = app.get("/api/v1/documents?format=csv").await;
    assert!(String::from_utf8_lossy(&csv.body).contains(&sha256(&pdf())));
}

#[actix_web::test]
async fn a_20_mib_pdf_goes_in_and_comes_out_byte_for_byte() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let document = mou(&app, case.agreement).await;
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    bytes.extend((0..20 * 1024 * 1024).map(|_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u8
    }));
    let expected = sha256(&bytes);
    let length = bytes.len();
    let stored = upload(&app, &document["id"], "application/pdf", bytes).await;
    assert_eq!(stored.status, 200, "{}", String::from_utf8_lossy(&stored.body));
    assert_eq!(stored.json()["file"]["sha256"], expected);
    let read =
        app.digest(TestRequest::get().uri(&format!("/api/v1/documents/{}/file", document["id"]))).await;
    assert_eq!(read.status, 200);
    assert_eq!((read.length, read.sha256), (length as u64, expected));
    assert_eq!(read.declared_length, Some(length as u64), "sent with Content-Length");
    assert_eq!(read.headers.get("content-type").unwrap(), "application/pdf");
}
