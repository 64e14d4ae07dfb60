//! A 20 MiB upload and its download hold a bounded buffer, not the file: every Rust
//! allocation of this process (the server runs in it, on both backends as `TEST_DATABASE_URL`
//! says) is counted by the global allocator below, and the peak while the file goes in and
//! out stays far below its size. A binary of its own, so that no other test's allocations
//! count. (SQLite's and libpq's own buffers are C allocations, bounded by their settings.)

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::test::TestRequest;
use actix_web::web::Bytes;
use serde_json::json;
use sha2::Digest;

use helpers::TestApp;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                let now =
                    CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Starts counting a new peak from what is allocated now; returns that.
fn start_peak() -> usize {
    let now = CURRENT.load(Ordering::Relaxed);
    PEAK.store(now, Ordering::Relaxed);
    now
}

const SIZE: usize = 20 * 1024 * 1024;
const PIECE: usize = 64 * 1024;
/// A whole-file buffer would be 20 MiB; a bounded one is a few chunks of 256 KiB.
const BOUND: usize = 6 * 1024 * 1024;

/// The 20 MiB "PDF", made a piece at a time as it is sent: the same bytes every time.
fn pieces() -> impl Iterator<Item = Bytes> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut sent = 0;
    std::iter::from_fn(move || {
        if sent >= SIZE {
            return None;
        }
        let mut piece = Vec::with_capacity(PIECE);
        if sent == 0 {
            piece.extend_from_slice(b"%PDF-1.7\n");
        }
        while piece.len() < PIECE.min(SIZE - sent) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            piece.push(state as u8);
        }
        sent += piece.len();
        Some(Bytes::from(piece))
    })
}

#[actix_web::test]
async fn a_20_mib_file_passes_through_a_bounded_buffer_both_ways() {
    let app = TestApp::new().await;
    let west_java = app.west_java().await;
    let souss_massa = app.souss_massa().await;
    let agreement = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Sister provinces", "kind": "sister_province",
            "status": "active", "party_region_ids": [west_java["id"], souss_massa["id"]]}),
        )
        .await;
    let document = app
        .create(
            "/api/v1/documents",
            json!({"agreement_id": agreement["id"],
            "category": "memorandum_of_understanding", "title": "The signed MoU"}),
        )
        .await;
    let mut hasher = sha2::Sha256::new();
    pieces().for_each(|piece| hasher.update(&piece));
    let expected: String = hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect();

    let stream = futures_util::stream::iter(pieces().map(Ok::<_, actix_http::error::PayloadError>));
    let request = app
        .as_editor(TestRequest::put().uri(&format!("/api/v1/documents/{}/file", document["id"])))
        .insert_header(("content-type", "application/pdf"))
        .to_request();
    let boxed: actix_http::BoxedPayloadStream = Box::pin(stream);
    let (request, _) = request.replace_payload(actix_http::Payload::from(boxed));
    let before = start_peak();
    let stored = app.send_request(request).await;
    let upload_peak = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(stored.status, 200, "{}", String::from_utf8_lossy(&stored.body));
    assert_eq!(stored.json()["file"]["sha256"], expected);
    assert_eq!(stored.json()["file"]["size"], SIZE);
    assert!(upload_peak < BOUND, "the upload held {upload_peak} bytes at its peak");

    let before = start_peak();
    let read =
        app.digest(TestRequest::get().uri(&format!("/api/v1/documents/{}/file", document["id"]))).await;
    let download_peak = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(read.status, 200);
    assert_eq!((read.length, read.sha256), (SIZE as u64, expected));
    assert!(download_peak < BOUND, "the download held {download_peak} bytes at its peak");
    println!("peak heap above the start: upload {upload_peak} bytes, download {download_peak} bytes");
}
