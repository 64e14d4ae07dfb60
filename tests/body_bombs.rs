//! Compressed request bodies that decode to far more than their limit (decompression bombs),
//! sent to a real `jalin serve`: each is `413`, and the server's peak memory (its resident
//! high-water mark, `VmHWM`) grows by no more than the largest limit plus the decoders' own
//! buffers, where decoding a body whole before checking it took 2 GB for a 1.6 KB brotli body.
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
