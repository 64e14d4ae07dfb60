//! Reports computed by the database from the current data: an agreement's summary and its
//! compliance checks, and the overview of the registry. Every enumeration value appears in a
//! count map, `0` where nothing matches.

pub mod compliance;
pub mod overview;
pub mod summary;

use std::collections::BTreeMap;

use crate::domain::Enumeration;

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

/// `implemented / (total - cancelled)`; `None` when nothing counts.
fn implementation_rate(total: i64, implemented: i64, cancelled: i64) -> Option<f64> {
    let counted = total - cancelled;
    (counted > 0).then(|| implemented as f64 / counted as f64)
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(summary::agreement_summary)
        .service(compliance::agreement_compliance)
        .service(overview::report_overview);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;

    #[test]
    fn the_implementation_rate_leaves_cancelled_plans_out() {
        assert_eq!(implementation_rate(10, 3, 0), Some(0.3));
        assert_eq!(implementation_rate(5, 2, 1), Some(0.5));
        assert_eq!(implementation_rate(2, 0, 2), None);
        assert_eq!(implementation_rate(0, 0, 0), None);
    }

    #[test]
    fn count_maps_name_every_value() {
        let map = count_map::<Severity>(&[("medium", 9)]);
        assert_eq!(map.into_iter().collect::<Vec<_>>(), [("high", 0), ("low", 0), ("medium", 9)]);
    }
}
