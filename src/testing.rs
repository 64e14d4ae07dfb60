//! What the project's own tests reach inside the crate, and nothing else: built only with the
//! feature `testing`, which `cargo test` turns on (the crate is its own dev-dependency with it)
//! and the binary never does. The public API of the library is `app`, `config`, `server` and
//! `logging`; everything else is the crate's own.

pub use crate::auth::{generate_token, hash_token, register};
pub use crate::db::{
    ConnectionManager, DatabaseTarget, DbConnection, Pool, PooledConnection, count_sql, folds_every_letter,
    lazy_pool, run_migrations, run_migrations_up_to,
};
pub use crate::domain::{Role, forbidden_in_xml};
pub use crate::exchange::demo::{DEMO_DOCUMENT, load_demo};
pub use crate::http::AppState;
pub use crate::resources::RESOURCES;
pub use crate::tokens::register_admin_token;
