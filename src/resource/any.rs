//! Every resource behind one object-safe trait, for the code that goes through all of them
//! in turn without naming them: the router mounts each one's routes, an import validates and
//! writes each record of a document, an export reads each list in batches.

use std::marker::PhantomData;

use serde_json::{Map, Value};

use super::{Kind, Listed, Reference, Resource, Routed, Validate, store};
use crate::audit::Trail;
use crate::db::DbConnection;
use crate::error::{ApiError, FieldError, Result};
use crate::input::{Checker, read_body};
use crate::listing::{FromQuery, ListParams, QueryParams};

/// What became of one imported record.
#[derive(Debug)]
pub enum Imported {
    Created(i64),
    /// Valid and new; written with others of its kind, at the latest by [`Importer::finish`].
    Gathered,
    Updated,
    Unchanged,
    /// Nothing was written: these fields (as the API names them) are wrong.
    Invalid(Vec<FieldError>),
}

/// A resource, whatever its type.
pub trait AnyResource: Sync {
    fn kind(&self) -> &'static Kind;
    fn references(&self) -> &'static [Reference];
    /// [`Resource::PERSONAL`].
    fn personal(&self) -> bool;
    /// [`Resource::SOURCED`].
    fn sourced(&self) -> bool;
    /// Mounts its routes.
    fn configure(&self, config: &mut utoipa_actix_web::service_config::ServiceConfig);
    /// What imports the records of this kind in a document, one after the other.
    fn importer(&self) -> Box<dyn Importer>;
    /// The writable fields of the records with these ids (at most a batch), in this order.
    fn export(&self, conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<Map<String, Value>>>;
}

/// Imports the records of one kind; the caller holds the transaction, `checker` goes on from
/// record to record (it remembers what it found), `trail` takes the audit events.
pub trait Importer {
    /// Validates `fields` (named as the API names them) like the API would, then creates the
    /// record `key` or updates the record `id`.
    fn import(
        &mut self,
        conn: &mut DbConnection,
        key: &str,
        fields: Value,
        id: Option<i64>,
        checker: &mut Checker,
        trail: &mut Trail,
    ) -> Result<Imported>;
    /// Writes the records still gathered; the key and id of each record written together
    /// (those created one by one were [`Imported::Created`] at once).
    fn finish(&mut self, conn: &mut DbConnection, trail: &mut Trail) -> Result<Vec<(String, i64)>>;
}

/// New records written together hold at most this many: few statements, bounded memory.
const INSERTED_PER_BATCH: usize = 1_000;

/// The [`Importer`] of `R`.
struct Importing<R: Resource> {
    /// Keys and values of new records not yet written ([`Resource::INSERTED_TOGETHER`]).
    gathered: Vec<(String, R::Values)>,
    /// Keys and ids of the records written together so far.
    written: Vec<(String, i64)>,
}

impl<R: Resource> Importing<R> {
    fn write_gathered(&mut self, conn: &mut DbConnection, trail: &mut Trail) -> Result<()> {
        let (keys, values): (Vec<String>, Vec<R::Values>) =
            std::mem::take(&mut self.gathered).into_iter().unzip();
        let records = store::insert_many::<R>(conn, values, trail)?;
        self.written.extend(keys.into_iter().zip(records.iter().map(R::id)));
        Ok(())
    }
}

impl<R: Resource> Importer for Importing<R> {
    fn import(
        &mut self,
        conn: &mut DbConnection,
        key: &str,
        fields: Value,
        id: Option<i64>,
        checker: &mut Checker,
        trail: &mut Trail,
    ) -> Result<Imported> {
        let mut fields = fields;
        if let Value::Object(object) = &mut fields {
            object.retain(|name, _| !R::IMPORT_IGNORES.contains(&name.as_str()));
        }
        let input: R::Input = read_body(fields, checker)?;
        let values = input.validate(checker, conn, id);
        let errors = checker.take_errors();
        let values = values?;
        let Some(values) = values.filter(|_| errors.is_empty()) else {
            return Ok(Imported::Invalid(errors));
        };
        Ok(match id {
            None if R::INSERTED_TOGETHER => {
                self.gathered.push((key.to_owned(), values));
                if self.gathered.len() == INSERTED_PER_BATCH {
                    self.write_gathered(conn, trail)?;
                }
                Imported::Gathered
            }
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

    fn finish(&mut self, conn: &mut DbConnection, trail: &mut Trail) -> Result<Vec<(String, i64)>> {
        if !self.gathered.is_empty() {
            self.write_gathered(conn, trail)?;
        }
        Ok(std::mem::take(&mut self.written))
    }
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

    fn personal(&self) -> bool {
        R::PERSONAL
    }

    fn sourced(&self) -> bool {
        R::SOURCED
    }

    fn configure(&self, config: &mut utoipa_actix_web::service_config::ServiceConfig) {
        R::mount(config);
    }

    fn importer(&self) -> Box<dyn Importer> {
        Box::new(Importing::<R> { gathered: Vec::new(), written: Vec::new() })
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
                R::exported_fields(&record)
            })
            .collect()
    }
}
