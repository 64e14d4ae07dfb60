//! Identical expensive reads that arrive together, computed once for all of them.
//!
//! A dashboard's report is asked for by many clients at once, and each answer costs the
//! database the same work. Requests for one key queue while the answer is computed; when it
//! is done, the requests that queued meanwhile share the next computation. Every answer is
//! computed after its request arrived, so it shows every write acknowledged before the
//! request was sent: sharing never serves an answer older than the request.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use actix_web::web::Bytes;
use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::error::ApiError;

/// An answer, as every request that waited for it gets it.
type Shared = Result<Bytes, Arc<ApiError>>;

/// The requests of each key that wait for the next computation.
#[derive(Clone, Default)]
pub struct Coalescer {
    batches: Arc<Mutex<HashMap<String, Batch>>>,
}

#[derive(Default)]
struct Batch {
    /// Whether a task is computing answers for this key.
    running: bool,
    /// The requests that arrived since the current computation began.
    waiting: Vec<oneshot::Sender<Shared>>,
}

impl Coalescer {
    /// The answer of `compute` for `key`, computed after this call began; the calls for the
    /// same key that arrive meanwhile get the same computation's answer.
    pub async fn run<F, Fut>(&self, key: String, compute: F) -> Result<Bytes, ApiError>
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<Bytes, ApiError>> + 'static,
    {
        let (sender, receiver) = oneshot::channel();
        let start = {
            let mut batches = self.batches.lock();
            let batch = batches.entry(key.clone()).or_default();
            batch.waiting.push(sender);
            !std::mem::replace(&mut batch.running, true)
        };
        if start {
            actix_web::rt::spawn(serve(Arc::clone(&self.batches), key, compute));
        }
        match receiver.await {
            Ok(Ok(body)) => Ok(body),
            Ok(Err(error)) => Err(error.copy_for_another_request()),
            Err(_) => Err(ApiError::Internal("the shared computation ended without an answer".into())),
        }
    }
}

/// Computes answers for `key` until no request waits, one computation per batch.
async fn serve<F, Fut>(batches: Arc<Mutex<HashMap<String, Batch>>>, key: String, compute: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Bytes, ApiError>>,
{
    // Should this task end early (the runtime shutting down), the key is released and its
    // waiting requests get an error rather than wait for ever.
    let release = Release { batches: &batches, key: &key };
    loop {
        let waiting = {
            let mut batches = batches.lock();
            match batches.get_mut(&key) {
                Some(batch) if !batch.waiting.is_empty() => std::mem::take(&mut batch.waiting),
                // Under the lock that requests queue under: one that comes next starts anew.
                _ => {
                    batches.remove(&key);
                    std::mem::forget(release);
                    return;
                }
            }
        };
        let answer: Shared = compute().await.map_err(Arc::new);
        for request in waiting {
            // A request whose client went away no longer listens.
            let _ = request.send(answer.clone());
        }
    }
}

/// Removes a key's batch, and with it the requests that wait, when its task ends early.
struct Release<'a> {
    batches: &'a Mutex<HashMap<String, Batch>>,
    key: &'a str,
}

impl Drop for Release<'_> {
    fn drop(&mut self) {
        self.batches.lock().remove(self.key);
    }
}
