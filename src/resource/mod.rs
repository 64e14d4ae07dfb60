//! The resource layer: what a kind of record is, and everything done the same way for every
//! kind.
//!
//! A resource module (under `crate::resources`) says only what is its own: its fields, rules,
//! queries and links, by implementing [`Resource`] and [`Listed`], and where its lists sit under
//! a parent, by implementing [`Routed`]. The rest is written once here:
//! - [`store`]: reading and writing records inside a transaction, with versions, the check
//!   that a write changes something, and the audit trail, for HTTP and imports alike;
//! - [`handlers`]: the HTTP side of it (ETags, `If-Match`, lists as JSON or CSV), as generic
//!   handlers, and [`routes`]: those handlers at each resource's paths with their OpenAPI
//!   operations;
//! - [`any`]: the same, behind one object-safe trait, for the code that goes through every
//!   kind in turn (import, export, the router);
//! - [`reads`]: the GETs of records asked for together, read by one statement.

pub mod any;
pub mod handlers;
mod kind;
pub mod reads;
pub mod routes;
pub mod store;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use kind::{AllReferences, Kind, Reference};

use crate::db::DbConnection;
use crate::error::Result;
use crate::input::{Checker, record_fields};
use crate::listing::{FromQuery, ListParams};

/// A kind of record: how it is read, checked and written.
pub trait Resource: Sized + 'static {
    const KIND: &'static Kind;
    /// Fields that refer to other records: by key in documents, by id in the API.
    const REFERENCES: &'static [Reference] = &[];
    /// Personal data: every endpoint needs a token, even where reads are public, and exports
    /// include it only for a caller with one.
    const PERSONAL: bool = false;
    /// Fields an export carries beside the writable ones ([`Resource::exported_fields`]) and an
    /// import therefore accepts, and leaves aside.
    const IMPORT_IGNORES: &'static [&'static str] = &[];
    /// Records carry `source`, where their facts come from: an import document's top-level
    /// `source` fills it on those that have none.
    const SOURCED: bool = false;

    /// The record as the API shows it.
    type Record: Serialize + utoipa::ToSchema + Send + 'static;
    /// The writable fields as a client sends them, and how they are checked.
    type Input: Validate<Values = Self::Values> + utoipa::ToSchema;
    /// Validated values, ready to store. Serialized, they name the input's fields, links as
    /// id lists, so that comparing them with a stored record needs no query.
    type Values: Serialize;

    fn id(record: &Self::Record) -> i64;
    /// 1 when created, one more on every change: the record's ETag.
    fn version(record: &Self::Record) -> i32;
    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Self::Record>>;
    /// The records of these ids that exist, in any order, by one statement: how the GETs that
    /// arrive together are read ([`reads::find`]).
    fn find_many(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<Self::Record>>;
    /// The record's writable fields as the input names them: what a merge patch applies to.
    fn input_fields(record: &Self::Record) -> Result<Value> {
        record_fields(record)
    }
    /// The record as an export writes it, references still as ids: its writable fields.
    fn exported_fields(record: &Self::Record) -> Result<serde_json::Map<String, Value>> {
        crate::resource::store::writable_fields::<Self>(record)
    }
    fn insert(conn: &mut DbConnection, values: Self::Values) -> Result<Self::Record>;
    /// Whether an import may create this kind's new records together, in statements of many
    /// rows ([`Resource::insert_many`]) once they are all validated: only when no rule of a
    /// record depends on another new record of its kind (a unique field other than `key`, a
    /// reference to its own kind), which validation would need written first.
    const INSERTED_TOGETHER: bool = false;
    /// Inserts validated records; the records come back in the order of `values`. By default
    /// one statement each; a resource that imports by the thousand writes them in a few.
    fn insert_many(conn: &mut DbConnection, values: Vec<Self::Values>) -> Result<Vec<Self::Record>> {
        values.into_iter().map(|values| Self::insert(conn, values)).collect()
    }
    fn update(conn: &mut DbConnection, id: i64, values: Self::Values) -> Result<Self::Record>;
    /// Deletes the record (its owned link rows go with it).
    fn delete(conn: &mut DbConnection, id: i64) -> Result<()>;
}

/// A client's fields, as read from a body: every field and rule is checked (those that query
/// the database too), every error is recorded in `checker`, and the values to store come out
/// when there is none.
pub trait Validate: DeserializeOwned {
    type Values;
    /// `id` is the record's own when it exists (an update), `None` for a new one.
    fn validate(
        self,
        checker: &mut Checker,
        conn: &mut DbConnection,
        id: Option<i64>,
    ) -> Validated<Self::Values>;
}

/// The values of a body that passed every check, `None` when it did not.
pub type Validated<V> = Result<Option<V>>;

/// A resource with a list: its filters and the query for one page.
pub trait Listed: Resource {
    /// The list's own filters, declared with [`filters!`](crate::filters).
    type Filter: FromQuery + utoipa::IntoParams + Send + 'static;
    /// The fields `sort` may name (declared with `sortable!`).
    const SORTABLE: &'static [&'static str];
    /// The text fields `q` searches (declared with `listed!`).
    const SEARCHED: &'static [&'static str];
    /// The columns of the CSV form, in order: fields of the record as JSON.
    const COLUMNS: &'static [&'static str];
    /// The order of a list that asks for none, before the tie-breaking `id`.
    const DEFAULT_SORT: &'static [crate::listing::SortKey] = &[];

    /// The number of all matches and the records of the page, links embedded.
    fn page(
        conn: &mut DbConnection,
        list: &ListParams,
        filter: &Self::Filter,
    ) -> Result<(i64, Vec<Self::Record>)>;
}

/// Whether `reader` may read records of `R`: personal data (`Resource::PERSONAL`) only with a
/// token, whatever the public-read setting.
pub fn may_read<R: Resource>(reader: &crate::auth::Reader) -> Result<()> {
    if R::PERSONAL && reader.0.is_none() {
        return Err(crate::error::ApiError::Unauthorized {
            detail: format!("{} are personal data: reading them needs a token", R::KIND.plural),
            token_given: false,
        });
    }
    Ok(())
}

/// A resource's list is sorted by the fields it declares: its `sort` parameter says them.
impl<R: Listed> crate::listing::SortableList for R {
    const SORTABLE: &'static [&'static str] = <R as Listed>::SORTABLE;
}

/// A resource also listed under a record of `P`: `/agreements/{id}/action-plans`.
pub trait Nested<P: Resource>: Listed {
    /// The filter that names the parent (`agreement_id`).
    fn parent(filter: &mut Self::Filter) -> &mut Option<i64>;

    /// Restricts the filter to the records of `parent`; `false` when it already asks for
    /// another parent's (an empty page).
    fn within(filter: &mut Self::Filter, parent: i64) -> bool {
        let named = Self::parent(filter);
        let consistent = named.is_none_or(|given| given == parent);
        *named = Some(parent);
        consistent
    }
}

/// A resource with HTTP operations, mounted by the registry (`app::api`): by default those of
/// every resource ([`routes::Operations::standard`]); a resource listed under a parent, or with
/// operations of its own, says so in its `routes.rs`.
pub trait Routed: Listed {
    fn mount(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
        routes::Operations::<Self>::standard().mount(config);
    }
}

/// The methods of [`Resource`] for a record that is one row of `$table`, all its columns in
/// order, with `id` and `version` fields, and whose values are its writable columns: `id`,
/// `version`, `find`, `insert` (stamping `created_at` and `updated_at`), `update` (stamping
/// `updated_at`, one more `version`) and `delete`. Written inside the `impl Resource`.
#[macro_export]
macro_rules! row_resource {
    ($table:ident) => {
        fn id(record: &Self::Record) -> i64 {
            record.id
        }

        fn version(record: &Self::Record) -> i32 {
            record.version
        }

        fn find(conn: &mut $crate::db::DbConnection, id: i64) -> $crate::error::Result<Option<Self::Record>> {
            use diesel::prelude::*;
            Ok($table::table.find(id).first(conn).optional()?)
        }

        fn find_many(
            conn: &mut $crate::db::DbConnection,
            ids: &[i64],
        ) -> $crate::error::Result<Vec<Self::Record>> {
            use diesel::prelude::*;
            Ok($crate::db::load_on_backend(
                conn,
                $table::table.filter($crate::db::AmongIds::new($table::id, ids)),
            )?)
        }

        fn insert(
            conn: &mut $crate::db::DbConnection,
            values: Self::Values,
        ) -> $crate::error::Result<Self::Record> {
            use diesel::prelude::*;
            let now = $crate::domain::now();
            Ok(diesel::insert_into($table::table)
                .values((&values, $table::created_at.eq(now), $table::updated_at.eq(now)))
                .returning($table::all_columns)
                .get_result(conn)?)
        }

        fn update(
            conn: &mut $crate::db::DbConnection,
            id: i64,
            values: Self::Values,
        ) -> $crate::error::Result<Self::Record> {
            use diesel::prelude::*;
            Ok(diesel::update($table::table.find(id))
                .set((
                    &values,
                    $table::updated_at.eq($crate::domain::now()),
                    $table::version.eq($table::version + 1),
                ))
                .returning($table::all_columns)
                .get_result(conn)?)
        }

        fn delete(conn: &mut $crate::db::DbConnection, id: i64) -> $crate::error::Result<()> {
            use diesel::prelude::*;
            diesel::delete($table::table.find(id)).execute(conn)?;
            Ok(())
        }
    };
}

/// `Queryable` for a record that shows more than its row (an amount as a decimal, a derived
/// `progress`): read as the row type `$row`, then converted by `From<$row>`, so that lists,
/// [`row_resource!`](crate::row_resource) and exports read it like any other record.
#[macro_export]
macro_rules! queryable_through_row {
    ($record:ty, $row:ty) => {
        impl<ST, DB> diesel::Queryable<ST, DB> for $record
        where
            DB: diesel::backend::Backend,
            $row: diesel::Queryable<ST, DB>,
        {
            type Row = <$row as diesel::Queryable<ST, DB>>::Row;

            fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
                Ok(<$row as diesel::Queryable<ST, DB>>::build(row)?.into())
            }
        }
    };
}
