//! Export: the data as a document (see `import`) that imports into an empty database to the
//! same data. Records refer to each other by key, lists are ordered by key, and ids, versions
//! and timestamps are left out, so exporting, importing elsewhere and exporting again gives
//! the same document.

use std::collections::{BTreeSet, HashMap};

use actix_web::{HttpRequest, get, web};
use serde_json::{Map, Value};

use crate::auth::Reader;
use crate::db::{self, DbConnection};
use crate::error::{ApiError, Result};
use crate::http::AppState;
use crate::import::{Document, Target};
use crate::listing::{ListParams, QueryParams};
use crate::resource::{Listed, writable_fields};

/// Keys by id, of every kind of record.
type Keys = HashMap<Target, HashMap<i64, String>>;

/// The whole database as a document; with `agreement`, that agreement with everything its
/// records refer to.
pub fn export(conn: &mut DbConnection, agreement: Option<i64>) -> Result<Document> {
    let mut keys = Keys::new();
    for target in [Target::Region, Target::Sector, Target::Agency, Target::Agreement, Target::ActionPlan] {
        keys.insert(target, target.keys(conn)?);
    }
    let document = Document {
        about: None,
        source: None,
        regions: records::<crate::regions::Regions>(conn, &keys)?,
        sectors: records::<crate::sectors::Sectors>(conn, &keys)?,
        agencies: records::<crate::agencies::Agencies>(conn, &keys)?,
        agreements: records::<crate::agreements::Agreements>(conn, &keys)?,
        action_plans: records::<crate::action_plans::ActionPlans>(conn, &keys)?,
        obstacles: records::<crate::obstacles::Obstacles>(conn, &keys)?,
    };
    match agreement {
        None => Ok(document),
        Some(id) => {
            let key = keys
                .get(&Target::Agreement)
                .and_then(|keys| keys.get(&id))
                .ok_or_else(|| ApiError::not_found("agreement", id))?;
            Ok(only_agreement(document, key))
        }
    }
}

/// Every record of `R`, ordered by key, as document records.
fn records<R: Listed>(conn: &mut DbConnection, keys: &Keys) -> Result<Vec<Value>> {
    let filter = R::take_filter(&mut QueryParams::parse("")?);
    let (_, records) = R::page(conn, &ListParams::everything_by_key(), &filter)?;
    let mut records =
        records.iter().map(|record| document_record::<R>(record, keys)).collect::<Result<Vec<_>>>()?;
    // By the bytes of the key, whatever the database's collation.
    records.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
    Ok(records)
}

/// A record's writable fields, references turned from ids into keys, empty fields left out.
fn document_record<R: Listed>(record: &R::Record, keys: &Keys) -> Result<Value> {
    let key_of = |target: Target, id: &Value| -> Result<Value> {
        id.as_i64()
            .and_then(|id| keys.get(&target)?.get(&id))
            .map(|key| Value::String(key.clone()))
            .ok_or_else(|| ApiError::Internal(format!("a {} reference has no key", target.resource_type())))
    };
    let mut fields = Map::new();
    for (name, value) in writable_fields::<R>(record)? {
        if value.is_null() || value.as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        match R::REFERENCES.iter().find(|r| r.api == name) {
            Some(reference) if reference.many => {
                let ids = value.as_array().cloned().unwrap_or_default();
                let keys = ids.iter().map(|id| key_of(reference.target, id)).collect::<Result<Vec<_>>>()?;
                fields.insert(reference.document.to_owned(), Value::Array(keys));
            }
            Some(reference) => {
                fields.insert(reference.document.to_owned(), key_of(reference.target, &value)?);
            }
            None => {
                fields.insert(name, value);
            }
        }
    }
    Ok(Value::Object(fields))
}

/// The document cut down to one agreement: the agreements it renews, its action plans and
/// obstacles, and the regions, sectors and agencies they refer to.
fn only_agreement(document: Document, key: &str) -> Document {
    let text = |record: &Value, field: &str| record.get(field).and_then(Value::as_str).map(str::to_owned);
    let list = |record: &Value, field: &str| -> Vec<String> {
        record
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let by_key: HashMap<String, &Value> =
        document.agreements.iter().filter_map(|a| Some((text(a, "key")?, a))).collect();
    let mut agreements = BTreeSet::new();
    let mut next = Some(key.to_owned());
    while let Some(key) = next.take() {
        if agreements.insert(key.clone()) {
            next = by_key.get(&key).and_then(|a| text(a, "renews"));
        }
    }
    let keep = |records: Vec<Value>, keep: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        records.into_iter().filter(|r| keep(r)).collect()
    };
    let agreement_records =
        keep(document.agreements, &|a| text(a, "key").is_some_and(|k| agreements.contains(&k)));
    let plans = keep(document.action_plans, &|p| text(p, "agreement").as_deref() == Some(key));
    let obstacles = keep(document.obstacles, &|o| text(o, "agreement").as_deref() == Some(key));
    let sectors: BTreeSet<String> =
        agreement_records.iter().chain(&plans).flat_map(|record| list(record, "sectors")).collect();
    let agency_keys: BTreeSet<String> = plans.iter().flat_map(|plan| list(plan, "agencies")).collect();
    let agencies = keep(document.agencies, &|a| text(a, "key").is_some_and(|k| agency_keys.contains(&k)));
    let regions: BTreeSet<String> = agreement_records
        .iter()
        .flat_map(|a| list(a, "parties"))
        .chain(agencies.iter().filter_map(|a| text(a, "region")))
        .collect();
    Document {
        about: None,
        source: None,
        regions: keep(document.regions, &|r| text(r, "key").is_some_and(|k| regions.contains(&k))),
        sectors: keep(document.sectors, &|s| text(s, "key").is_some_and(|k| sectors.contains(&k))),
        agencies,
        agreements: agreement_records,
        action_plans: plans,
        obstacles,
    }
}

/// Documentation of the export's filter.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ExportFilterDoc {
    /// Only this agreement, with the agreements it renews and everything its records refer to.
    agreement_id: Option<i64>,
}

/// Exports the data as a document that imports into an empty database to the same data.
#[utoipa::path(
    tag = "import",
    operation_id = "export_document",
    params(ExportFilterDoc),
    responses(
        (status = 200, description = "The document, lists ordered by key", body = Document),
        (status = 404, description = "`agreement_id` names no agreement", body = crate::error::Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/export")]
pub async fn export_document(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<web::Json<Document>> {
    let mut params = QueryParams::parse(request.query_string())?;
    let agreement: Option<i64> = params.take("agreement_id");
    params.finish()?;
    Ok(web::Json(db::run(&state.pool, move |conn| export(conn, agreement)).await?))
}
