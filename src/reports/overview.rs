//! The overview a coordination meeting asks for: agreements, action plans and obstacles
//! counted by the database over the agreements that match the filters, the partner countries,
//! and what expires soon.
//!
//! The queries are SQL text shared by both backends. The only values written into them are
//! integers and validated country codes (two upper-case letters), never client text.

use actix_web::{HttpRequest, get, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use serde::Serialize;
use utoipa::ToSchema;

use super::{CountMap, count_map, implementation_rate};
use crate::auth::Reader;
use crate::db::{self, DbConnection};
use crate::domain::{
    ActionPlanStatus, AgreementKind, AgreementStatus, CountryCode, ObstacleCategory, ObstacleStatus,
};
use crate::error::Result;
use crate::http::AppState;
use crate::listing::{FromQuery, QueryParams, QueryValue};

/// Default window of `expiring`, in days.
pub const DEFAULT_EXPIRING_WITHIN_DAYS: i64 = 180;

/// A number of days for the window of `expiring`: 0 to 100 years.
#[derive(Debug, Clone, Copy)]
pub struct Days(pub i64);

impl QueryValue for Days {
    fn parse_query(text: &str) -> std::result::Result<Self, String> {
        match i64::parse_query(text)? {
            days @ 0..=36_500 => Ok(Self(days)),
            _ => Err("must be between 0 and 36500".to_owned()),
        }
    }
}

crate::filters! {
    /// Filters of the overview.
    pub struct OverviewFilter {
        /// Agreements with a party in this country.
        country_code: Option<CountryCode>,
        /// Agreements this region is a party to; `partners` are then its partners' countries.
        region_id: Option<i64>,
        /// Agreements linked to this sector, directly or through an action plan; action plans in it.
        sector_id: Option<i64>,
        /// The window of `expiring`, in days (default 180).
        #[param(value_type = Option<i64>, minimum = 0, maximum = 36500)]
        expiring_within_days: Option<Days>,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementCounts {
    pub total: i64,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_status: CountMap,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_kind: CountMap,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanCounts {
    pub total: i64,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_status: CountMap,
    /// `implemented / (total - cancelled)`; `null` when that is 0.
    pub implementation_rate: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewObstacles {
    pub total: i64,
    pub open: i64,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_category: CountMap,
}

/// A partner country: how many of the matching agreements have a party there, with their
/// action plans.
#[derive(Debug, Serialize, ToSchema, QueryableByName)]
pub struct Partner {
    #[diesel(sql_type = Text)]
    #[schema(value_type = CountryCode)]
    pub country_code: String,
    #[diesel(sql_type = BigInt)]
    pub agreements: i64,
    #[diesel(sql_type = BigInt)]
    pub action_plans: i64,
    #[diesel(sql_type = BigInt)]
    pub implemented: i64,
}

/// A signed or active agreement whose expiry falls within the window.
#[derive(Debug, Serialize, ToSchema, QueryableByName)]
pub struct Expiring {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub status: AgreementStatus,
    #[diesel(sql_type = Date)]
    pub expires_on: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub days_until_expiry: i64,
}

/// The state of the registry, or of the part the filters select.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    pub agreements: AgreementCounts,
    pub action_plans: PlanCounts,
    pub obstacles: OverviewObstacles,
    /// Per partner country, most agreements first; with `region_id` (or `country_code`), the
    /// countries of that region's (country's) partners.
    pub partners: Vec<Partner>,
    /// Signed or active agreements expiring within `expiring_within_days`, soonest first.
    pub expiring: Vec<Expiring>,
}

#[derive(QueryableByName)]
struct ValueCount {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// The agreements the filters select, for `IN (...)`: a subquery, or, with a sector, the ids
/// it selects, written out. (A subquery that looks into the action plans of each agreement
/// would be run again for each row of the queries that use it: minutes at a million plans.)
fn selected(conn: &mut DbConnection, filter: &OverviewFilter) -> QueryResult<String> {
    if filter.sector_id.is_none() {
        return Ok(matched(filter));
    }
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let ids: Vec<Id> = diesel::sql_query(matched(filter)).load(conn)?;
    if ids.is_empty() {
        return Ok("NULL".to_owned());
    }
    Ok(ids.iter().map(|row| row.id.to_string()).collect::<Vec<_>>().join(", "))
}

/// The ids of the agreements the filters select, as a subquery.
fn matched(filter: &OverviewFilter) -> String {
    let mut sql = String::from("SELECT a.id FROM agreements a WHERE 1 = 1");
    if let Some(region) = filter.region_id {
        sql += &format!(
            " AND EXISTS (SELECT 1 FROM agreement_parties p WHERE p.agreement_id = a.id AND p.region_id = {region})"
        );
    }
    if let Some(country) = &filter.country_code {
        sql += &format!(
            " AND EXISTS (SELECT 1 FROM agreement_parties p JOIN regions r ON r.id = p.region_id \
             WHERE p.agreement_id = a.id AND r.country_code = '{}')",
            country.as_str()
        );
    }
    if let Some(sector) = filter.sector_id {
        sql += &format!(
            " AND (EXISTS (SELECT 1 FROM agreement_sectors s WHERE s.agreement_id = a.id AND s.sector_id = {sector}) \
             OR a.id IN (SELECT ap.agreement_id FROM action_plan_sectors aps \
             JOIN action_plans ap ON ap.id = aps.action_plan_id WHERE aps.sector_id = {sector}))"
        );
    }
    sql
}

/// The condition on action plans `ap`: of a matching agreement, and in the sector if one is
/// asked for.
fn matched_plans(filter: &OverviewFilter, agreements: &str) -> String {
    let mut sql = format!("ap.agreement_id IN ({agreements})");
    if let Some(sector) = filter.sector_id {
        sql += &format!(
            " AND ap.id IN (SELECT action_plan_id FROM action_plan_sectors WHERE sector_id = {sector})"
        );
    }
    sql
}

fn counts(conn: &mut DbConnection, sql: String) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<ValueCount> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.into_iter().filter_map(|row| Some((row.value?, row.count))).collect())
}

pub fn overview(conn: &mut DbConnection, filter: &OverviewFilter, today: NaiveDate) -> Result<Overview> {
    let agreements = selected(conn, filter)?;
    Ok(Overview {
        agreements: agreement_counts(conn, &agreements)?,
        action_plans: plan_counts(conn, filter, &agreements)?,
        obstacles: obstacle_counts(conn, &agreements)?,
        partners: partners(conn, filter, &agreements)?,
        expiring: expiring(conn, filter, &agreements, today)?,
    })
}

fn agreement_counts(conn: &mut DbConnection, agreements: &str) -> Result<AgreementCounts> {
    let by_status = counts(
        conn,
        format!(
            "SELECT status AS value, COUNT(*) AS count FROM agreements WHERE id IN ({agreements}) GROUP BY status"
        ),
    )?;
    let by_kind = counts(
        conn,
        format!(
            "SELECT kind AS value, COUNT(*) AS count FROM agreements WHERE id IN ({agreements}) GROUP BY kind"
        ),
    )?;
    let by_status = count_map::<AgreementStatus>(&by_status);
    Ok(AgreementCounts {
        total: by_status.values().sum(),
        by_status,
        by_kind: count_map::<AgreementKind>(&by_kind),
    })
}

fn plan_counts(conn: &mut DbConnection, filter: &OverviewFilter, agreements: &str) -> Result<PlanCounts> {
    let sql = match filter.sector_id {
        // The plans of a sector are counted one by one; the others from the agreements'
        // tallies (migration 000006), a few rows per agreement however many plans there are.
        Some(_) => format!(
            "SELECT ap.status AS value, COUNT(*) AS count FROM action_plans ap WHERE {} GROUP BY ap.status",
            matched_plans(filter, agreements)
        ),
        None => format!(
            "SELECT status AS value, CAST(SUM(plans) AS BIGINT) AS count FROM action_plan_tallies \
             WHERE agreement_id IN ({agreements}) GROUP BY status"
        ),
    };
    let by_status = counts(conn, sql)?;
    let by_status = count_map::<ActionPlanStatus>(&by_status);
    let total = by_status.values().sum();
    Ok(PlanCounts { total, implementation_rate: implementation_rate(&by_status), by_status })
}

fn obstacle_counts(conn: &mut DbConnection, agreements: &str) -> Result<OverviewObstacles> {
    let categories = counts(
        conn,
        format!(
            "SELECT category AS value, COUNT(*) AS count FROM obstacles WHERE agreement_id IN ({agreements}) \
             GROUP BY category"
        ),
    )?;
    let open = counts(
        conn,
        format!(
            "SELECT status AS value, COUNT(*) AS count FROM obstacles WHERE agreement_id IN ({agreements}) \
             AND status = '{}' GROUP BY status",
            ObstacleStatus::Open.as_str()
        ),
    )?;
    let by_category = count_map::<ObstacleCategory>(&categories);
    Ok(OverviewObstacles {
        total: by_category.values().sum(),
        open: open.iter().map(|(_, count)| count).sum(),
        by_category,
    })
}

/// Per partner country, most agreements first. The partners of the region (or country) asked
/// for are the other parties.
fn partners(conn: &mut DbConnection, filter: &OverviewFilter, agreements: &str) -> Result<Vec<Partner>> {
    let plans = matched_plans(filter, agreements);
    let mut not_self = String::new();
    if let Some(region) = filter.region_id {
        not_self += &format!(" AND p.region_id <> {region}");
    } else if let Some(country) = &filter.country_code {
        not_self += &format!(" AND r.country_code <> '{}'", country.as_str());
    }
    let implemented = ActionPlanStatus::Implemented.as_str();
    // The plans and implemented plans of each agreement: from the tallies, or, for the plans
    // of one sector, counted.
    let per_agreement = match filter.sector_id {
        Some(_) => format!(
            "SELECT ap.agreement_id, COUNT(*) AS plans, \
             SUM(CASE WHEN ap.status = '{implemented}' THEN 1 ELSE 0 END) AS implemented \
             FROM action_plans ap WHERE {plans} GROUP BY ap.agreement_id"
        ),
        None => format!(
            "SELECT agreement_id, SUM(plans) AS plans, \
             SUM(CASE WHEN status = '{implemented}' THEN plans ELSE 0 END) AS implemented \
             FROM action_plan_tallies WHERE agreement_id IN ({agreements}) GROUP BY agreement_id"
        ),
    };
    // Each plan belongs to one agreement: the plans of a country's agreements are the sum of
    // those agreements' counts, each agreement counted once per country.
    let sql = format!(
        "SELECT c.country_code AS country_code, COUNT(*) AS agreements, \
         CAST(COALESCE(SUM(t.plans), 0) AS BIGINT) AS action_plans, \
         CAST(COALESCE(SUM(t.implemented), 0) AS BIGINT) AS implemented \
         FROM (SELECT DISTINCT r.country_code, p.agreement_id \
               FROM agreement_parties p JOIN regions r ON r.id = p.region_id \
               WHERE p.agreement_id IN ({agreements}){not_self}) c \
         LEFT JOIN ({per_agreement}) t ON t.agreement_id = c.agreement_id \
         GROUP BY c.country_code"
    );
    let mut partners: Vec<Partner> = diesel::sql_query(sql).load(conn)?;
    partners
        .sort_by(|a, b| b.agreements.cmp(&a.agreements).then_with(|| a.country_code.cmp(&b.country_code)));
    Ok(partners)
}

/// Signed or active agreements whose expiry falls within the window, soonest first.
fn expiring(
    conn: &mut DbConnection,
    filter: &OverviewFilter,
    agreements: &str,
    today: NaiveDate,
) -> Result<Vec<Expiring>> {
    let window = filter.expiring_within_days.map_or(DEFAULT_EXPIRING_WITHIN_DAYS, |days| days.0);
    let until = today + chrono::Duration::days(window);
    let statuses = format!("'{}', '{}'", AgreementStatus::Signed.as_str(), AgreementStatus::Active.as_str());
    let mut expiring: Vec<Expiring> = diesel::sql_query(format!(
        "SELECT id, key, title, status, expires_on, CAST(0 AS BIGINT) AS days_until_expiry FROM agreements \
         WHERE id IN ({agreements}) AND status IN ({statuses}) AND expires_on IS NOT NULL \
         AND expires_on >= '{today}' AND expires_on <= '{until}' ORDER BY expires_on, id"
    ))
    .load(conn)?;
    for agreement in &mut expiring {
        agreement.days_until_expiry = (agreement.expires_on - today).num_days();
    }
    Ok(expiring)
}

/// The overview of the registry, or of the agreements the filters select.
#[utoipa::path(
    tag = "reports",
    operation_id = "overview",
    params(OverviewFilter),
    responses((status = 200, description = "The overview", body = Overview))
)]
#[get("/reports/overview")]
pub async fn report_overview(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<web::Json<Overview>> {
    let mut params = QueryParams::parse(request.query_string())?;
    let filter = OverviewFilter::from_query(&mut params);
    params.finish()?;
    let today = chrono::Utc::now().date_naive();
    Ok(web::Json(db::run(&state.pool, move |conn| overview(conn, &filter, today)).await?))
}
