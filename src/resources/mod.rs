//! The resources of the API, one module each, and the one list of them that the router, the
//! OpenAPI document, imports, exports and the audit trail all follow.
//!
//! Adding a resource: its module here (see `ARCHITECTURE.md`), its migrations, its tables in
//! `db/schema.rs`, and one line below.

use crate::resource::any::{AnyResource, Registered};

/// Declares the resource modules and lists their resources in [`RESOURCES`], in one line
/// each: `module::Resource`.
macro_rules! resources {
    ($($module:ident :: $resource:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Every resource, in the order documents list them and import them: each refers only
        /// to resources before it, or to itself.
        pub static RESOURCES: &[&dyn AnyResource] = &[$(&Registered::<$module::$resource>::ENTRY),+];
    };
}

resources! {
    regions::Regions,
    sectors::Sectors,
    agencies::Agencies,
    organizations::Organizations,
    contacts::Contacts,
    agreements::Agreements,
    action_plans::ActionPlans,
    obstacles::Obstacles,
    documents::Documents,
    milestones::Milestones,
    transactions::Transactions,
    indicators::Indicators,
}
