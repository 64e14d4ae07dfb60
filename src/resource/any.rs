//! Every resource behind one object-safe trait, for the code that goes through all of them
//! in turn without naming them: the router mounts each one's routes, an import validates and
//! writes each record of a document, an export reads each list in batches.

use std::marker::PhantomData;

use serde_json::{Map, Value};

use super::{Kind, Listed, Reference, Routed, Validate, store};
use crate::audit::Trail;
use crate::db::DbConnection;
use crate::error::{ApiError, FieldError, Result};
use crate::input::{Checker, read_body};
use crate::listing::{FromQuery, ListParams, QueryParams};

/// What became of one imported record.
#[derive(Debug)]
pub enum Imported {
    Created(i64),
    Updated,
    Unchanged,
    /// Nothing was written: these fields (as the API names them) are wrong.
    Invalid(Vec<FieldError>),
}

/// A resource, whatever its type.
pub trait AnyResource: Sync {
    fn kind(&self) -> &'static Kind;
    fn references(&self) -> &'static [Reference];
    /// Mounts its routes.
    fn configure(&self, config: &mut utoipa_actix_web::service_config::ServiceConfig);
    /// Validates `fields` (named as the API names them) like the API would, then creates the
    /// record or updates the record `id`; the caller holds the transaction. `checker` goes on
    /// from record to record (it remembers what it found), `trail` takes the audit events.
    fn import(
        &self,
        conn: &mut DbConnection,
        fields: Value,
        id: Option<i64>,
        checker: &mut Checker,
        trail: &mut Trail,
    ) -> Result<Imported>;
    /// The writable fields of the records with these ids (at most a batch), in this order.
    fn export(&self, conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<Map<String, Value>>>;
}

/// The [`AnyResource`] of `R`.
pub struct Registered<R>(PhantomData<fn() -> R>);

impl<R> Registered<R> {
    pub const ENTRY: Self = Self(PhantomData);
}

impl<R: Listed + Routed> AnyResource for Registered<R> {
    fn kind(&self) -> &'static Kind {
        R::KIND
    }

    fn references(&self) -> &'static [Reference] {
        R::REFERENCES
    }

    fn configure(&self, config: &mut utoipa_actix_web::service_config::ServiceConfig) {
        R::configure(config);
    }

    fn import(
        &self,
        conn: &mut DbConnection,
        fields: Value,
        id: Option<i64>,
        checker: &mut Checker,
        trail: &mut Trail,
    ) -> Result<Imported> {
        let input: R::Input = read_body(fields, checker)?;
        let values = input.validate(checker, conn, id);
        let errors = checker.take_errors();
        let values = values?;
        let Some(values) = values.filter(|_| errors.is_empty()) else {
            return Ok(Imported::Invalid(errors));
        };
        Ok(match id {
            None => Imported::Created(R::id(&store::insert::<R>(conn, values, trail)?)),
            Some(id) => {
                let current = store::find::<R>(conn, id)?;
                match store::update::<R>(conn, current, values, trail)? {
                    (_, true) => Imported::Updated,
                    (_, false) => Imported::Unchanged,
                }
            }
        })
    }

    fn export(&self, conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<Map<String, Value>>> {
        let filter = R::Filter::from_query(&mut QueryParams::parse("")?);
        let (_, records) = R::page(conn, &ListParams::only_ids(ids.to_vec()), &filter)?;
        let mut by_id: std::collections::HashMap<i64, R::Record> =
            records.into_iter().map(|record| (R::id(&record), record)).collect();
        ids.iter()
            .map(|id| {
                let record = by_id.remove(id).ok_or_else(|| {
                    ApiError::Internal(format!("{} {id} vanished from its snapshot", R::KIND.name))
                })?;
                store::writable_fields::<R>(&record)
            })
            .collect()
    }
}
