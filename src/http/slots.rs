//! A bounded number of things at once (responses streaming, uploads being received): each
//! holds a slot while it runs, and one that finds none free is answered `503` with
//! `Retry-After` at once, rather than queued behind the others.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// A number of slots, and what a caller who finds none free is told.
#[derive(Debug, Clone)]
pub struct Slots {
    semaphore: Arc<Semaphore>,
    when_taken: &'static str,
}

impl Slots {
    /// `count` slots (at least one); `when_taken` is the `503`'s detail.
    pub fn new(count: usize, when_taken: &'static str) -> Self {
        Self { semaphore: Arc::new(Semaphore::new(count.max(1))), when_taken }
    }

    /// A free slot, held until the permit is dropped; `503` when every one is taken.
    pub fn take(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.semaphore).try_acquire_owned().map_err(|_| ApiError::Busy(self.when_taken))
    }
}
