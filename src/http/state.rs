//! What every handler can reach: the database pools, the settings, and the slots for
//! streamed responses.

use std::time::Duration;

use crate::config::Settings;
use crate::db::{DatabaseTarget, Pool, Writer, lazy_pool};
use crate::http::Coalescer;
use crate::http::Slots;

/// How long the database has to answer the health check before the service is reported
/// unavailable.
pub const HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// Where write transactions run.
    pub writer: Writer,
    /// A pool of its own for `/healthz`, so that the health check never waits behind requests.
    pub health_pool: Pool,
    pub settings: Settings,
    /// Responses that may stream at once, each holding a connection: half the pool.
    pub streams: Slots,
    /// Uploads being received at once, each spooled to a temporary file
    /// (`JALIN_MAX_CONCURRENT_UPLOADS`).
    pub uploads: Slots,
    /// Identical report requests that arrive together, computed once.
    pub reports: Coalescer,
    /// GETs of records that arrive together, read by one statement.
    pub reads: crate::http::RecordBatches,
}

impl AppState {
    /// The state of a service on `pool`, which connects to `target`; an error when the
    /// SQLite writer's thread cannot be started.
    pub fn new(pool: Pool, target: &DatabaseTarget, settings: Settings) -> std::io::Result<Self> {
        let health_pool = lazy_pool(target, 1, HEALTH_CHECK_TIMEOUT);
        let streams = Slots::new(
            pool.max_size() as usize / 2,
            "every slot for streamed responses (CSV lists, exports, files) is taken: try again shortly",
        );
        let uploads = Slots::new(
            settings.max_concurrent_uploads,
            "as many files as JALIN_MAX_CONCURRENT_UPLOADS allows are being received: try again shortly",
        );
        let writer = Writer::new(pool.clone(), target)?;
        Ok(Self {
            pool,
            writer,
            health_pool,
            settings,
            streams,
            uploads,
            reports: Coalescer::default(),
            reads: crate::http::RecordBatches::new(1),
        })
    }
}
