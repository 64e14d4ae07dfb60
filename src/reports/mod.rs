//! Reports computed by the database from the current data: an agreement's summary and its
//! compliance checks, and the overview of the registry. Every enumeration value appears in a
//! count map, `0` where nothing matches.

pub mod compliance;
pub mod overview;
pub mod relationships;
pub mod summary;

use std::collections::BTreeMap;

use crate::domain::{ActionPlanStatus, Enumeration};

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
