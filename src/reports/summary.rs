//! The summary of one agreement: its action plans by status, year, sector and agency, the
//! implementation rate, its obstacles by category and severity, and its money by currency.
//! One query per count.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{CountMap, count_map, implementation_rate, unassessed_as_such};
use crate::auth::Reader;
use crate::db::DbConnection;
use crate::db::schema::{
    action_plan_agencies, action_plan_sectors, action_plans, agencies, agreements, obstacles, sectors,
};
use crate::domain::money::format_minor_units;
use crate::domain::{
    ActionPlanStatus, CurrencyCode, ObstacleCategory, ObstacleStatus, ObstacleStatusFilter, Severity,
    SeverityFilter, TransactionKind,
};
use crate::error::{ApiError, Result};
use crate::http::AppState;
use crate::links::{AgencyRef, SectorRef};

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
    /// By the year a plan starts (`year`: a plan of 2026-2028 counts once, under 2026, so that
    /// the counts add up to the total), undetermined last.
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
    /// By severity, `unassessed` counting those without one.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_severity: CountMap,
    /// By status, `unassessed` counting those without one.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_status: CountMap,
}

/// The money of an agreement's action plans in one currency, by kind of transaction: exact
/// decimal strings with the currency's decimals, `"0"` where there is none.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "currency": "IDR", "budget": "1250000000.00", "commitment": "0", "disbursement": "0",
    "expenditure": "350000000.00", "in_kind": "0"
}))]
pub struct CurrencyTotals {
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
    pub budget: String,
    pub commitment: String,
    pub disbursement: String,
    pub expenditure: String,
    pub in_kind: String,
}

/// What has been done under an agreement, what blocks it, and what it cost.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementSummary {
    pub agreement_id: i64,
    pub action_plans: ActionPlanCounts,
    pub obstacles: ObstacleCounts,
    /// One entry per currency, by currency code; amounts of different currencies are never
    /// added up.
    pub finance: Vec<CurrencyTotals>,
    /// Days from today to `expires_on`; negative when it has passed, `null` without one.
    pub days_until_expiry: Option<i64>,
}

pub fn summary(conn: &mut DbConnection, id: i64, today: NaiveDate) -> Result<AgreementSummary> {
    let expires_on: Option<NaiveDate> = agreements::table
        .find(id)
        .select(agreements::expires_on)
        .first::<Option<NaiveDate>>(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("agreement", id))?;
    Ok(AgreementSummary {
        agreement_id: id,
        action_plans: plan_counts(conn, id)?,
        obstacles: obstacle_counts(conn, id)?,
        finance: finance(conn, id)?,
        days_until_expiry: expires_on.map(|date| (date - today).num_days()),
    })
}

/// The agreement's action plans, all of them and those implemented.
fn plans(
    id: i64,
) -> diesel::dsl::Filter<action_plans::table, diesel::dsl::Eq<action_plans::agreement_id, i64>> {
    action_plans::table.filter(action_plans::agreement_id.eq(id))
}

/// How many of a group's plans are implemented, counted in the same pass as all of them. (A
/// second query filtered on the status can be planned on the status index, which reads every
/// implemented plan of the registry: a quarter of a second at a million plans.)
macro_rules! implemented {
    () => {
        diesel::dsl::sum(
            diesel::dsl::case_when::<_, _, diesel::sql_types::Integer>(
                action_plans::status.eq(ActionPlanStatus::Implemented),
                1,
            )
            .otherwise(0),
        )
    };
}

fn plan_counts(conn: &mut DbConnection, id: i64) -> Result<ActionPlanCounts> {
    let by_status: Vec<(ActionPlanStatus, i64)> =
        plans(id).group_by(action_plans::status).select((action_plans::status, count_star())).load(conn)?;
    let by_status = count_map::<ActionPlanStatus>(&by_status);
    let total = by_status.values().sum();
    let by_year = by_year(conn, id)?;
    Ok(ActionPlanCounts {
        total,
        implementation_rate: implementation_rate(&by_status),
        by_status,
        year_undetermined: by_year.iter().filter(|y| y.year.is_none()).map(|y| y.total).sum(),
        by_year,
        by_sector: by_sector(conn, id)?,
        by_agency: by_agency(conn, id)?,
    })
}

/// By year, undetermined last.
fn by_year(conn: &mut DbConnection, id: i64) -> Result<Vec<YearCount>> {
    let years: Vec<(Option<i32>, i64, Option<i64>)> = plans(id)
        .group_by(action_plans::year)
        .select((action_plans::year, count_star(), implemented!()))
        .load(conn)?;
    let mut by_year: Vec<YearCount> = years
        .into_iter()
        .map(|(year, total, implemented)| YearCount { year, total, implemented: implemented.unwrap_or(0) })
        .collect();
    by_year.sort_by_key(|y| (y.year.is_none(), y.year));
    Ok(by_year)
}

/// A sector's id, code and name, as grouped by.
type SectorColumns = (i64, String, String);

/// Most action plans first, so that a dashboard can take the head of the list.
fn by_sector(conn: &mut DbConnection, id: i64) -> Result<Vec<SectorCount>> {
    let sectors: Vec<(SectorColumns, i64, Option<i64>)> = action_plan_sectors::table
        .inner_join(action_plans::table)
        .inner_join(sectors::table)
        .filter(action_plans::agreement_id.eq(id))
        .group_by((sectors::id, sectors::code, sectors::name))
        .select(((sectors::id, sectors::code, sectors::name), count_star(), implemented!()))
        .load(conn)?;
    let mut counts: Vec<SectorCount> = sectors
        .into_iter()
        .map(|((id, code, name), total, implemented)| SectorCount {
            sector: SectorRef { id, code, name },
            total,
            implemented: implemented.unwrap_or(0),
        })
        .collect();
    counts.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.sector.code.cmp(&b.sector.code)));
    Ok(counts)
}

/// An agency's id, name and acronym, as grouped by.
type AgencyColumns = (i64, String, Option<String>);

/// Most action plans first.
fn by_agency(conn: &mut DbConnection, id: i64) -> Result<Vec<AgencyCount>> {
    let agencies: Vec<(AgencyColumns, i64, Option<i64>)> = action_plan_agencies::table
        .inner_join(action_plans::table)
        .inner_join(agencies::table)
        .filter(action_plans::agreement_id.eq(id))
        .group_by((agencies::id, agencies::name, agencies::acronym))
        .select(((agencies::id, agencies::name, agencies::acronym), count_star(), implemented!()))
        .load(conn)?;
    let mut counts: Vec<AgencyCount> = agencies
        .into_iter()
        .map(|((id, name, acronym), total, implemented)| AgencyCount {
            agency: AgencyRef { id, name, acronym },
            total,
            implemented: implemented.unwrap_or(0),
        })
        .collect();
    counts.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.agency.name.cmp(&b.agency.name)));
    Ok(counts)
}

fn obstacle_counts(conn: &mut DbConnection, id: i64) -> Result<ObstacleCounts> {
    let of_agreement = || obstacles::table.filter(obstacles::agreement_id.eq(id));
    let by_category: Vec<(ObstacleCategory, i64)> = of_agreement()
        .group_by(obstacles::category)
        .select((obstacles::category, count_star()))
        .load(conn)?;
    let by_severity: Vec<(Option<Severity>, i64)> = of_agreement()
        .group_by(obstacles::severity)
        .select((obstacles::severity, count_star()))
        .load(conn)?;
    let by_status: Vec<(Option<ObstacleStatus>, i64)> =
        of_agreement().group_by(obstacles::status).select((obstacles::status, count_star())).load(conn)?;
    let by_category = count_map::<ObstacleCategory>(&by_category);
    let by_status = count_map::<ObstacleStatusFilter>(&unassessed_as_such(&by_status));
    Ok(ObstacleCounts {
        total: by_category.values().sum(),
        open: by_status.get(ObstacleStatus::Open.as_str()).copied().unwrap_or(0),
        by_category,
        by_severity: count_map::<SeverityFilter>(&unassessed_as_such(&by_severity)),
        by_status,
    })
}

/// Amounts are summed in minor units by the database, each split at this power of ten into a
/// high and a low part summed apart: the sums stay within 64-bit integers (SQLite stops a sum
/// that overflows; PostgreSQL's is a NUMERIC, cast back) for any number of 18-digit amounts,
/// and are joined exactly in 128-bit arithmetic.
const SPLIT: i64 = 1_000_000_000;

fn finance(conn: &mut DbConnection, id: i64) -> Result<Vec<CurrencyTotals>> {
    #[derive(QueryableByName)]
    struct Sum {
        #[diesel(sql_type = diesel::sql_types::Text)]
        currency: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        kind: TransactionKind,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        high: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        low: i64,
    }
    let sums: Vec<Sum> = diesel::sql_query(format!(
        "SELECT t.currency, t.kind, CAST(SUM(t.amount_minor / {SPLIT}) AS BIGINT) AS high, \
         CAST(SUM(t.amount_minor % {SPLIT}) AS BIGINT) AS low \
         FROM transactions t JOIN action_plans p ON p.id = t.action_plan_id \
         WHERE p.agreement_id = {id} GROUP BY t.currency, t.kind"
    ))
    .load(conn)?;
    // By currency code, then by kind in the order of `TransactionKind::ALL`.
    let mut by_currency: std::collections::BTreeMap<String, [i128; TransactionKind::ALL.len()]> =
        Default::default();
    for sum in sums {
        by_currency.entry(sum.currency).or_default()[sum.kind as usize] +=
            i128::from(sum.high) * i128::from(SPLIT) + i128::from(sum.low);
    }
    Ok(by_currency
        .into_iter()
        .map(|(currency, totals)| {
            let decimals = CurrencyCode::minor_unit_of(&currency);
            let written = |kind: TransactionKind| match totals[kind as usize] {
                0 => "0".to_owned(),
                total => format_minor_units(total, decimals),
            };
            CurrencyTotals {
                budget: written(TransactionKind::Budget),
                commitment: written(TransactionKind::Commitment),
                disbursement: written(TransactionKind::Disbursement),
                expenditure: written(TransactionKind::Expenditure),
                in_kind: written(TransactionKind::InKind),
                currency,
            }
        })
        .collect())
}

/// The summary of an agreement: its action plans by status, year, sector and agency, the
/// implementation rate, its obstacles by category and severity, and its money by currency.
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
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let today = chrono::Utc::now().date_naive();
    super::shared_report(&state, format!("summary {id} {today}"), move |conn| summary(conn, id, today)).await
}
