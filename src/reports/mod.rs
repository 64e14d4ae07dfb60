//! Reports computed by the database from the current data: an agreement's summary and its
//! compliance checks. Every enumeration value appears in a count map, `0` where nothing
//! matches.

pub mod compliance;
pub mod overview;

use std::collections::BTreeMap;

use actix_web::{get, web};
use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Reader;
use crate::db::schema::{
    action_plan_agencies, action_plan_sectors, action_plans, agencies, agreements, obstacles, sectors,
};
use crate::db::{self, DbConnection};
use crate::domain::{ActionPlanStatus, ObstacleCategory, ObstacleStatus, Severity};
use crate::error::{ApiError, Result};
use crate::http::AppState;
use crate::links::{AgencyRef, SectorRef};

/// Counts by every value of an enumeration, in its order.
pub type CountMap = BTreeMap<&'static str, i64>;

/// Every value of an enumeration with its count from `rows` (value, count), `0` where absent.
fn count_map(all: impl IntoIterator<Item = &'static str>, rows: &[(String, i64)]) -> CountMap {
    all.into_iter()
        .map(|value| (value, rows.iter().find(|(v, _)| v == value).map_or(0, |(_, count)| *count)))
        .collect()
}

/// `implemented / (total - cancelled)`; `None` when nothing counts.
fn implementation_rate(total: i64, implemented: i64, cancelled: i64) -> Option<f64> {
    let counted = total - cancelled;
    (counted > 0).then(|| implemented as f64 / counted as f64)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YearCount {
    /// `null`: to be determined.
    pub year: Option<i32>,
    pub total: i64,
    pub implemented: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectorCount {
    pub sector: SectorRef,
    pub total: i64,
    pub implemented: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyCount {
    pub agency: AgencyRef,
    pub total: i64,
    pub implemented: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionPlanCounts {
    pub total: i64,
    /// Every status, `0` where none.
    #[schema(value_type = BTreeMap<String, i64>, example = json!({"planned": 7, "in_progress": 0, "implemented": 3, "suspended": 0, "cancelled": 0}))]
    pub by_status: CountMap,
    /// `implemented / (total - cancelled)`; `null` when that is 0.
    pub implementation_rate: Option<f64>,
    /// How many have no year yet.
    pub year_undetermined: i64,
    /// By year, undetermined last.
    pub by_year: Vec<YearCount>,
    /// An action plan with two sectors counts once under each. Most plans first.
    pub by_sector: Vec<SectorCount>,
    /// An action plan with two agencies counts once under each. Most plans first.
    pub by_agency: Vec<AgencyCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObstacleCounts {
    pub total: i64,
    pub open: i64,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_category: CountMap,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_severity: CountMap,
}

/// What has been done under an agreement and what blocks it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementSummary {
    pub agreement_id: i64,
    pub action_plans: ActionPlanCounts,
    pub obstacles: ObstacleCounts,
    /// Days from today to `expires_on`; negative when it has passed, `null` without one.
    pub days_until_expiry: Option<i64>,
}

/// A sector's id, code and name, as grouped by.
type SectorColumns = (i64, String, String);
/// An agency's id, name and acronym, as grouped by.
type AgencyColumns = (i64, String, Option<String>);

/// Counts per group (`key`, all plans) and implemented per group, merged.
fn with_implemented<K: Ord + Clone>(totals: Vec<(K, i64)>, implemented: Vec<(K, i64)>) -> Vec<(K, i64, i64)> {
    let implemented: BTreeMap<K, i64> = implemented.into_iter().collect();
    totals
        .into_iter()
        .map(|(key, total)| {
            let done = implemented.get(&key).copied().unwrap_or(0);
            (key, total, done)
        })
        .collect()
}

pub fn summary(conn: &mut DbConnection, id: i64, today: NaiveDate) -> Result<AgreementSummary> {
    let expires_on: Option<NaiveDate> = agreements::table
        .find(id)
        .select(agreements::expires_on)
        .first::<Option<NaiveDate>>(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("agreement", id))?;
    let plans = || action_plans::table.filter(action_plans::agreement_id.eq(id));
    let implemented = ActionPlanStatus::Implemented.as_str();

    let by_status: Vec<(String, i64)> =
        plans().group_by(action_plans::status).select((action_plans::status, count_star())).load(conn)?;
    let by_status = count_map(ActionPlanStatus::ALL.iter().map(|s| s.as_str()), &by_status);
    let total = by_status.values().sum();

    let years: Vec<(Option<i32>, i64)> =
        plans().group_by(action_plans::year).select((action_plans::year, count_star())).load(conn)?;
    let years_done: Vec<(Option<i32>, i64)> = plans()
        .filter(action_plans::status.eq(implemented))
        .group_by(action_plans::year)
        .select((action_plans::year, count_star()))
        .load(conn)?;
    let mut by_year: Vec<YearCount> = with_implemented(years, years_done)
        .into_iter()
        .map(|(year, total, implemented)| YearCount { year, total, implemented })
        .collect();
    by_year.sort_by_key(|y| (y.year.is_none(), y.year));
    let year_undetermined = by_year.iter().filter(|y| y.year.is_none()).map(|y| y.total).sum();

    let sector_plans = || {
        action_plan_sectors::table
            .inner_join(action_plans::table)
            .inner_join(sectors::table)
            .filter(action_plans::agreement_id.eq(id))
    };
    let sector_totals: Vec<(SectorColumns, i64)> = sector_plans()
        .group_by((sectors::id, sectors::code, sectors::name))
        .select(((sectors::id, sectors::code, sectors::name), count_star()))
        .load(conn)?;
    let sector_done: Vec<(SectorColumns, i64)> = sector_plans()
        .filter(action_plans::status.eq(implemented))
        .group_by((sectors::id, sectors::code, sectors::name))
        .select(((sectors::id, sectors::code, sectors::name), count_star()))
        .load(conn)?;
    let mut by_sector: Vec<SectorCount> = with_implemented(sector_totals, sector_done)
        .into_iter()
        .map(|((id, code, name), total, implemented)| SectorCount {
            sector: SectorRef { id, code, name },
            total,
            implemented,
        })
        .collect();

    let agency_plans = || {
        action_plan_agencies::table
            .inner_join(action_plans::table)
            .inner_join(agencies::table)
            .filter(action_plans::agreement_id.eq(id))
    };
    let agency_totals: Vec<(AgencyColumns, i64)> = agency_plans()
        .group_by((agencies::id, agencies::name, agencies::acronym))
        .select(((agencies::id, agencies::name, agencies::acronym), count_star()))
        .load(conn)?;
    let agency_done: Vec<(AgencyColumns, i64)> = agency_plans()
        .filter(action_plans::status.eq(implemented))
        .group_by((agencies::id, agencies::name, agencies::acronym))
        .select(((agencies::id, agencies::name, agencies::acronym), count_star()))
        .load(conn)?;
    let mut by_agency: Vec<AgencyCount> = with_implemented(agency_totals, agency_done)
        .into_iter()
        .map(|((id, name, acronym), total, implemented)| AgencyCount {
            agency: AgencyRef { id, name, acronym },
            total,
            implemented,
        })
        .collect();

    // Most action plans first, so that a dashboard can take the head of the list.
    by_sector.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.sector.code.cmp(&b.sector.code)));
    by_agency.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.agency.name.cmp(&b.agency.name)));

    let obstacles_of = || obstacles::table.filter(obstacles::agreement_id.eq(id));
    let by_category: Vec<(String, i64)> = obstacles_of()
        .group_by(obstacles::category)
        .select((obstacles::category, count_star()))
        .load(conn)?;
    let by_severity: Vec<(String, i64)> = obstacles_of()
        .group_by(obstacles::severity)
        .select((obstacles::severity, count_star()))
        .load(conn)?;
    let open: i64 = obstacles_of()
        .filter(obstacles::status.eq(ObstacleStatus::Open.as_str()))
        .count()
        .get_result(conn)?;
    let by_category = count_map(ObstacleCategory::ALL.iter().map(|c| c.as_str()), &by_category);

    Ok(AgreementSummary {
        agreement_id: id,
        action_plans: ActionPlanCounts {
            total,
            implementation_rate: implementation_rate(
                total,
                by_status[ActionPlanStatus::Implemented.as_str()],
                by_status[ActionPlanStatus::Cancelled.as_str()],
            ),
            by_status,
            year_undetermined,
            by_year,
            by_sector,
            by_agency,
        },
        obstacles: ObstacleCounts {
            total: by_category.values().sum(),
            open,
            by_category,
            by_severity: count_map(Severity::ALL.iter().map(|s| s.as_str()), &by_severity),
        },
        days_until_expiry: expires_on.map(|date| (date - today).num_days()),
    })
}

/// The summary of an agreement: its action plans by status, year, sector and agency, the
/// implementation rate, and its obstacles by category and severity.
#[utoipa::path(
    tag = "reports",
    operation_id = "agreement_summary",
    params(("id" = i64, Path, description = "The agreement's id")),
    responses((status = 200, description = "The agreement's summary", body = AgreementSummary))
)]
#[get("/agreements/{id}/summary")]
pub async fn agreement_summary(
    _reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<AgreementSummary>> {
    let id = id.into_inner();
    let today = chrono::Utc::now().date_naive();
    Ok(web::Json(db::run(&state.pool, move |conn| summary(conn, id, today)).await?))
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(agreement_summary)
        .service(compliance::agreement_compliance)
        .service(overview::report_overview);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_implementation_rate_leaves_cancelled_plans_out() {
        assert_eq!(implementation_rate(10, 3, 0), Some(0.3));
        assert_eq!(implementation_rate(5, 2, 1), Some(0.5));
        assert_eq!(implementation_rate(2, 0, 2), None);
        assert_eq!(implementation_rate(0, 0, 0), None);
    }

    #[test]
    fn count_maps_name_every_value() {
        let map = count_map(["low", "medium", "high"], &[("medium".to_owned(), 9)]);
        assert_eq!(map.into_iter().collect::<Vec<_>>(), [("high", 0), ("low", 0), ("medium", 9)]);
    }
}
