//! Reports computed by the database from the current data: an agreement's summary and its
//! compliance checks, and the overview of the registry. Every enumeration value appears in a
//! count map, `0` where nothing matches.

pub mod compliance;
pub mod overview;
pub mod relationships;
pub mod summary;

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use serde::Serialize;

use crate::db::{self, DbConnection};
use crate::domain::{ActionPlanStatus, Enumeration};
use crate::error::{ApiError, Result};
use crate::http::AppState;

/// Counts by every value of an enumeration.
pub type CountMap = BTreeMap<&'static str, i64>;

/// Every value of `E` with its count from `rows` (wire name, count), `0` where absent.
fn count_map<E: Enumeration>(rows: &[(impl AsRef<str>, i64)]) -> CountMap {
    E::ALL
        .iter()
        .map(|value| {
            let name = value.as_str();
            (name, rows.iter().find(|(v, _)| v.as_ref() == name).map_or(0, |(_, count)| *count))
        })
        .collect()
}

/// Counts by a value that may be missing, the missing one counted as `unassessed`.
fn unassessed_as_such<E: Enumeration>(rows: &[(Option<E>, i64)]) -> Vec<(&'static str, i64)> {
    rows.iter().map(|(value, count)| (value.map_or("unassessed", E::as_str), *count)).collect()
}

/// `implemented / (total - cancelled)` of action plans counted by status; `None` when
/// nothing counts.
fn implementation_rate(by_status: &CountMap) -> Option<f64> {
    let count = |status: ActionPlanStatus| by_status.get(status.as_str()).copied().unwrap_or(0);
    let counted = by_status.values().sum::<i64>() - count(ActionPlanStatus::Cancelled);
    (counted > 0).then(|| count(ActionPlanStatus::Implemented) as f64 / counted as f64)
}

/// A report as JSON, computed once for the identical requests (the same `key`) that arrive
/// while it is computed: dashboards ask for the same report at once, and each computation
/// costs the database the same work. Never an answer computed before the request arrived
/// (see [`Coalescer`](crate::http::Coalescer)).
async fn shared_report<T, F>(state: &AppState, key: String, compute: F) -> Result<HttpResponse>
where
    F: Fn(&mut DbConnection) -> Result<T> + Clone + Send + 'static,
    T: Serialize + Send + 'static,
{
    let pool = state.pool.clone();
    let body = state
        .reports
        .run(key, move || {
            let (pool, compute) = (pool.clone(), compute.clone());
            async move {
                let report = db::run(&pool, compute).await?;
                serde_json::to_vec(&report)
                    .map(Bytes::from)
                    .map_err(|e| ApiError::Internal(format!("cannot serialize the report: {e}")))
            }
        })
        .await?;
    Ok(HttpResponse::Ok().content_type(ContentType::json()).body(body))
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(summary::agreement_summary)
        .service(compliance::agreement_compliance)
        .service(overview::report_overview)
        .service(relationships::list_relationships);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;

    #[test]
    fn the_implementation_rate_leaves_cancelled_plans_out() {
        let rate = |planned, implemented, cancelled| {
            implementation_rate(&count_map::<ActionPlanStatus>(&[
                ("planned", planned),
                ("implemented", implemented),
                ("cancelled", cancelled),
            ]))
        };
        assert_eq!(rate(7, 3, 0), Some(0.3));
        assert_eq!(rate(2, 2, 1), Some(0.5));
        assert_eq!(rate(0, 0, 2), None);
        assert_eq!(rate(0, 0, 0), None);
    }

    #[test]
    fn count_maps_name_every_value() {
        let map = count_map::<Severity>(&[("medium", 9)]);
        assert_eq!(map.into_iter().collect::<Vec<_>>(), [("high", 0), ("low", 0), ("medium", 9)]);
    }
}
