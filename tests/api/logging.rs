//! `JALIN_LOG_FORMAT=json`, through the binary: every line of standard error is a JSON object,
//! and the access line of a request carries the request as fields.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{TestApp, jalin};

/// A log line as JSON, with the members every line has.
#[track_caller]
fn parsed(line: &str) -> Value {
    let object: Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
    let time = object["time"].as_str().unwrap_or_default();
    assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok() && time.ends_with('Z'), "{line}");
    for member in ["level", "target", "message"] {
        assert!(object[member].is_string(), "{member} in {line}");
    }
    object
}

#[actix_web::test]
async fn json_log_lines_parse_and_the_access_line_carries_the_request() {
    let app = TestApp::new().await;
    let mut server = Command::new(env!("CARGO_BIN_EXE_jalin"))
        .args(["serve", "--bind", "127.0.0.1:0", "--workers", "1", "--database-url", &app.database_url])
        .env_clear()
        .env("RUST_LOG", "info")
        .env("JALIN_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("jalin starts");
    let stderr = server.stderr.take().expect("standard error");
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let next_line = || received.recv_timeout(Duration::from_secs(30)).expect("a log line within 30 s");

    let address = loop {
        let line = parsed(&next_line());
        let message = line["message"].as_str().unwrap_or_default();
        if let Some(rest) = message.split("serving on http://").nth(1) {
            break rest.split('/').next().unwrap_or_default().to_owned();
        }
    };
    let mut stream = TcpStream::connect(&address).expect("the server listens");
    write!(
        stream,
        "GET /api/v1/sectors?limit=1 HTTP/1.1\r\nHost: {address}\r\nX-Request-Id: json-log-probe\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let access = loop {
        let line = parsed(&next_line());
        if line["request_id"] == "json-log-probe" {
            break line;
        }
    };
    server.kill().ok();
    server.wait().ok();
    assert_eq!(access["level"], "INFO");
    assert_eq!(access["method"], "GET");
    assert_eq!(access["path"], "/api/v1/sectors", "the path without its query");
    assert_eq!(access["status"], 200);
    assert!(access["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{access}");
    let message = access["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(r#"json-log-probe 127.0.0.1 "GET /api/v1/sectors?limit=1 HTTP/1.1" 200 "#),
        "{message}"
    );
}

#[actix_web::test]
async fn every_command_logs_json_lines_when_asked_even_its_failure() {
    let app = TestApp::new().await;
    let url = app.database_url.as_str();
    let migrated = jalin(&["migrate", "--database-url", url, "--log-format", "json"], &[]);
    assert_eq!(migrated.code, Some(0), "{}", migrated.stderr);
    let lines: Vec<Value> = migrated.stderr.lines().map(parsed).collect();
    assert!(lines.iter().any(|line| line["message"].as_str().is_some_and(|m| m.starts_with("database: "))));

    let failed =
        jalin(&["token", "revoke", "987654", "--database-url", url], &[("JALIN_LOG_FORMAT", "json")]);
    assert_eq!(failed.code, Some(1));
    let lines: Vec<Value> = failed.stderr.lines().map(parsed).collect();
    let error = lines.iter().find(|line| line["level"] == "ERROR").expect("the error, as a JSON line");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("no token has id 987654")), "{error}");

    // Text stays the default, as env_logger writes it.
    let text = jalin(&["migrate", "--database-url", url], &[]);
    assert!(text.stderr.lines().all(|line| line.starts_with('[')), "{}", text.stderr);
}
