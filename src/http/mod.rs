//! HTTP plumbing shared by every endpoint: the application state, strict request bodies,
//! entity tags, streamed responses, the middleware of every response, and the answers for
//! what no handler takes.

pub mod batch;
pub mod body;
pub mod connection;
pub mod fallback;
pub mod middleware;
mod precondition;
mod slots;
mod state;
pub mod streaming;

pub use batch::{Coalescer, RecordBatches, Shown};
pub use body::JsonBody;
pub use precondition::precondition;
pub use slots::Slots;
pub use state::{AppState, HEALTH_CHECK_TIMEOUT};
