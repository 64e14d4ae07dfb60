//! What a real `jalin serve` refuses before a request reaches a handler, through its socket:
//! compressed bodies that decode to far more than their limit (decompression bombs) are `413`
//! while the server's peak memory (its resident high-water mark, `VmHWM`) grows by no more
//! than the limit plus the decoders' own buffers, where decoding a body whole before checking
//! it took 2 GB for a 1.6 KB brotli body; codings it does not take; request heads it cannot
//! take (a URL too long, headers too large, a malformed head), each a problem.
//! On the backend `TEST_DATABASE_URL` names, like every test.

#[path = "support/process.rs"]
mod process;

use std::io::Write;

use process::{FreshDatabase, Server, send};

const MIB: u64 = 1024 * 1024;
/// `JALIN_MAX_IMPORT_BYTES` for this server: the largest limit a body has here.
const IMPORT_LIMIT: u64 = 8 * MIB;
/// What each bomb decodes to: 32 times the import limit.
const DECODED: usize = 256 * 1024 * 1024;
/// Beyond the limit: brotli's window (4 MiB for these bombs, up to 16 MiB), the decoders'
/// output buffers, the compressed body as it arrives, the allocator's and the blocking
/// threads' slack (measured: +6 and +12 MiB for brotli, +4 and +16 MiB for gzip, on limits of
/// 1 and 8 MiB).
const BUFFERS: u64 = 16 * MIB;

/// `DECODED` bytes of a JSON-looking text, written into `compress`, which is handed back.
fn bomb<W: Write>(mut compress: W) -> W {
    let line = vec![b' '; 1024 * 1024];
    compress.write_all(b"{\"regions\": [").expect("compressed");
    for _ in 0..DECODED / line.len() {
        compress.write_all(&line).expect("compressed");
    }
    compress
}

fn brotli_bomb() -> Vec<u8> {
    bomb(brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 5, 22)).into_inner()
}

fn gzip_bomb() -> Vec<u8> {
    bomb(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()))
        .finish()
        .expect("a gzip stream")
}

/// A small body in `coding`.
fn compressed(coding: &str, text: &[u8]) -> Vec<u8> {
    match coding {
        "br" => {
            let mut writer = brotli::CompressorWriter::new(Vec::new(), 4096, 5, 22);
            writer.write_all(text).expect("compressed");
            writer.into_inner()
        }
        _ => {
            let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gzip.write_all(text).expect("compressed");
            gzip.finish().expect("a gzip stream")
        }
    }
}

#[test]
fn brotli_and_gzip_bombs_are_413_before_the_server_holds_more_than_the_limit_and_a_buffer() {
    let bombs = [("br", brotli_bomb()), ("gzip", gzip_bomb())];
    for (coding, bomb) in &bombs {
        for (path, limit) in [("/api/v1/regions", MIB), ("/api/v1/import", IMPORT_LIMIT)] {
            // A server of its own for each bomb: its peak memory says what that one cost.
            let database = FreshDatabase::new();
            let server =
                Server::start_with(&database.url, &[("JALIN_MAX_IMPORT_BYTES", &IMPORT_LIMIT.to_string())]);
            // Its working memory first, with a body of the same coding read whole.
            let small = compressed(coding, br#"{"code": "trade", "name": "Trade"}"#);
            let headers = [("Content-Type", "application/json"), ("Content-Encoding", *coding)];
            let answer =
                send(&server.address, "POST", "/api/v1/sectors", &headers, &small).expect("an answer");
            assert_eq!(answer.status, 201, "a small {coding} body is read: {}", answer.body);
            let before = server.peak_memory();
            let answer = send(&server.address, "POST", path, &headers, bomb).expect("an answer");
            assert_eq!(answer.status, 413, "{} bytes of {coding} on {path}: {}", bomb.len(), answer.body);
            assert!(answer.head.contains("content-type: application/problem+json"), "{}", answer.head);
            let grown = server.peak_memory().saturating_sub(before);
            println!(
                "{} bytes of {coding} decoding to {} MiB, on {path} (limit {} MiB): peak memory +{:.1} MiB",
                bomb.len(),
                DECODED as u64 / MIB,
                limit / MIB,
                grown as f64 / MIB as f64
            );
            assert!(grown <= limit + BUFFERS, "{coding} on {path}: the server grew by {} MiB", grown / MIB);
        }
    }
}

#[test]
fn a_body_in_a_coding_the_service_does_not_take_is_415_and_never_decoded() {
    let database = FreshDatabase::new();
    let server = Server::start(&database.url);
    for coding in ["deflate", "zstd", "gzip, br", "compress"] {
        let headers = [("Content-Type", "application/json"), ("Content-Encoding", coding)];
        let answer =
            send(&server.address, "POST", "/api/v1/sectors", &headers, b"\x78\x9c").expect("an answer");
        assert_eq!(answer.status, 415, "{coding}: {}", answer.body);
    }
}

/// Writes `head` (a request head, whole or cut off) on a connection of its own; what the
/// server answers.
fn raw(server: &Server, head: &[u8]) -> process::Answer {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(&server.address).expect("the server listens");
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).expect("a timeout");
    // The server may answer and close before it has read everything.
    let _ = stream.write_all(head);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no answer: {text:?}"));
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    process::Answer { status, head: head.to_ascii_lowercase(), body: body.to_owned() }
}

#[test]
fn request_heads_the_server_cannot_take_are_problems_414_431_and_400() {
    let database = FreshDatabase::new();
    let server = Server::start(&database.url);
    let url = |length: usize| format!("/api/v1/regions?q={}", "a".repeat(length));
    for (what, head, status) in [
        ("an 80 KB URL", format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", url(80_000)), 414),
        ("a 200 KB URL", format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", url(200_000)), 414),
        (
            "140 KB of headers",
            format!("GET /api/v1/regions HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(140_000)),
            431,
        ),
        ("a malformed method", "G@T /api/v1/regions HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(), 400),
        ("a header without a colon", "GET /api/v1/regions HTTP/1.1\r\nHost x\r\n\r\n".to_owned(), 400),
    ] {
        let answer = raw(&server, head.as_bytes());
        assert_eq!(answer.status, status, "{what}: {}\n{}", answer.head, answer.body);
        assert!(answer.head.contains("content-type: application/problem+json"), "{what}: {}", answer.head);
        let problem: serde_json::Value =
            serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("{what}: {e}: {}", answer.body));
        assert_eq!(problem["status"], status, "{what}");
        assert!(problem["detail"].as_str().is_some_and(|detail| !detail.is_empty()), "{what}: {problem}");
    }
    // A request line within the limit reaches the application, on a connection kept alive.
    let answer = raw(
        &server,
        format!("GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", url(30_000)).as_bytes(),
    );
    assert!(answer.head.contains("x-request-id"), "answered by the application: {}", answer.head);
    let (status, _) = server.request("GET", "/api/v1/regions", None).expect("the server still answers");
    assert_eq!(status, 200);
}
