//! Responses written while they are read from the database (CSV lists, exports), so that
//! their size never sits in memory.
//!
//! A thread of its own reads batches on one pooled connection and hands each chunk to the
//! response through a channel of [`CHANNEL_CAPACITY`] chunks: a slow client slows the reading
//! down instead of letting chunks pile up. A client that takes nothing for [`STALL_TIMEOUT`]
//! is given up on, so that it cannot hold a database connection for ever; and at most half
//! the pool's connections serve streamed responses at once, so that the others serve
//! everyone else (`503` with `Retry-After` beyond that). A failure after the first bytes
//! cannot change the status any more: the response is cut off, never ended as if complete.

use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, HttpResponseBuilder};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::middleware::RequestId;
use crate::db::{DbConnection, Pool};
use crate::error::ApiError;

/// Chunks waiting for a slow client before the database thread waits too.
const CHANNEL_CAPACITY: usize = 4;
/// How long a client may take nothing before its response is abandoned.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether the caller of a request may still be answered: put in the request's extensions by
/// whoever authenticated it (`auth`), asked again before each chunk of a streamed response, on
/// a connection of its own (the producer's reads one snapshot, which would not see a
/// revocation). A `401` or `503` ends the response.
#[derive(Clone)]
pub struct StillAllowed(pub std::sync::Arc<Check>);

/// A check on a connection of its own: `Ok` to go on.
pub type Check = dyn Fn(&mut DbConnection) -> Result<(), ApiError> + Send + Sync;

/// Where a producer writes its chunks.
pub struct Sink {
    sender: mpsc::Sender<Result<Bytes, ApiError>>,
    runtime: tokio::runtime::Handle,
    /// The caller's check, with a pool to run it on.
    still_allowed: Option<(Pool, StillAllowed)>,
}

impl Sink {
    /// Hands a chunk to the response; `false` when the client has gone or stalled, or its
    /// token has been revoked since the response began (the response then ends cut off), and
    /// the producer should stop.
    pub fn send(&mut self, chunk: Vec<u8>) -> bool {
        if let Some(revoked) = self.revoked_token() {
            let _ = self.runtime.block_on(self.sender.send(Err(revoked)));
            return false;
        }
        let sent = self.sender.send(Ok(Bytes::from(chunk)));
        // The timer is made inside the runtime's context: this thread is not one of its own.
        let within_time = async { actix_web::rt::time::timeout(STALL_TIMEOUT, sent).await };
        matches!(self.runtime.block_on(within_time), Ok(Ok(())))
    }

    /// The error that ends the response when the caller may no longer be answered (or that
    /// cannot be checked).
    fn revoked_token(&self) -> Option<ApiError> {
        let (pool, StillAllowed(check)) = self.still_allowed.as_ref()?;
        pool.get()
            .map_err(|e| ApiError::Unavailable(e.to_string()))
            .and_then(|mut conn| check(&mut conn))
            .err()
    }
}

/// A `200` whose body `produce` writes on a thread of its own with its own connection, taken
/// before answering (so that a database that does not answer is still a `503`).
/// `response` carries the headers (content type, disposition).
pub async fn respond<F>(
    pool: &Pool,
    slots: &super::Slots,
    request: &HttpRequest,
    mut response: HttpResponseBuilder,
    produce: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConnection, &mut Sink) -> Result<(), ApiError> + Send + 'static,
{
    let body = open(pool, slots, request, produce).await?;
    Ok(response.streaming(body.map(|chunk| chunk.map_err(actix_web::Error::from))))
}

/// [`respond`] for a body whose length is known before it is read (a stored file): sent with
/// `Content-Length`, not in chunks.
pub async fn respond_sized<F>(
    pool: &Pool,
    slots: &super::Slots,
    request: &HttpRequest,
    mut response: HttpResponseBuilder,
    length: u64,
    produce: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConnection, &mut Sink) -> Result<(), ApiError> + Send + 'static,
{
    let body = open(pool, slots, request, produce).await?;
    Ok(response.body(actix_web::body::SizedStream::new(length, body)))
}

/// Starts `produce` on a thread of its own with a pooled connection; the chunks it sends.
async fn open<F>(
    pool: &Pool,
    slots: &super::Slots,
    request: &HttpRequest,
    produce: F,
) -> Result<impl futures_util::Stream<Item = Result<Bytes, ApiError>> + use<F>, ApiError>
where
    F: FnOnce(&mut DbConnection, &mut Sink) -> Result<(), ApiError> + Send + 'static,
{
    let permit = slots.take()?;
    let pooled = pool.clone();
    let mut conn = actix_web::web::block(move || pooled.get())
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let (sender, receiver) = mpsc::channel::<Result<Bytes, ApiError>>(CHANNEL_CAPACITY);
    let request_id = request.extensions().get::<RequestId>().map_or_else(String::new, |id| id.0.clone());
    let described = format!("{} {}", request.method(), request.path());
    let failures = sender.clone();
    let still_allowed = request.extensions().get::<StillAllowed>().map(|check| (pool.clone(), check.clone()));
    let sink = Sink { sender, runtime: tokio::runtime::Handle::current(), still_allowed };
    let (outcome, finished) = tokio::sync::oneshot::channel();
    // A thread of its own, not one of the worker's blocking threads: a stream holds its thread
    // as long as the client reads, and the blocking threads are counted for short reads (as
    // many as pooled connections).
    std::thread::Builder::new()
        .name("jalin-stream".to_owned())
        .spawn(move || {
            let _permit = permit;
            let mut sink = sink;
            let _ = outcome.send(produce(&mut conn, &mut sink));
        })
        .map_err(|e| ApiError::Unavailable(format!("cannot start a streaming thread: {e}")))?;
    actix_web::rt::spawn(async move {
        let result = finished
            .await
            .unwrap_or_else(|_| Err(ApiError::Internal("the streaming thread stopped".to_owned())));
        if let Err(error) = result {
            // A server fault is an error; a conflict the client can retry (a file replaced
            // while it was sent) is not.
            if actix_web::ResponseError::status_code(&error).is_server_error() {
                log::error!("{described} stopped streaming (request {request_id}): {error:?}");
            } else {
                log::warn!("{described} stopped streaming (request {request_id}): {error}");
            }
            // The response ends with an error, so the client sees a cut-off transfer.
            let _ = actix_web::rt::time::timeout(STALL_TIMEOUT, failures.send(Err(error))).await;
        }
    });
    Ok(futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    }))
}
