//! The overview a coordination meeting asks for: agreements, action plans and obstacles
//! counted by the database over the agreements that match the filters, the partner countries,
//! and what expires soon.
//!
//! The queries are SQL text shared by both backends. The only values written into them are
//! integers and validated country codes (two upper-case letters), never client text.

use std::collections::{BTreeMap, HashMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use serde::Serialize;
use utoipa::ToSchema;

use super::{CountMap, count_map, implementation_rate};
use crate::auth::Reader;
use crate::db::{self, DbConnection};
use crate::domain::{
    ActionPlanStatus, AgreementKind, AgreementStatus, CountryCode, MilestoneStage, MilestoneStatus,
    ObstacleCategory, ObstacleStatus, ObstacleStatusFilter,
};
use crate::error::Result;
use crate::http::AppState;
use crate::listing::{FromQuery, QueryParams, QueryValue};
use crate::resources::regions::within_region;

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
        /// Agreements this region, or a region within it at any depth, is a party to (West
        /// Java's and Bandung's); `partners` are then their partners' countries.
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
    /// By status, `unassessed` counting those without one.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_status: CountMap,
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
    /// Agreements by the stage of their procedure (see an agreement's `stage`): every stage,
    /// and `none` for those with no step done.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_stage: CountMap,
    /// Pending milestones of the selected agreements dated before today.
    pub overdue_milestones: i64,
}

/// The agreements the filters select, as a condition on a column holding agreement ids:
/// none (every agreement), a subquery, or, with a sector, the ids it selects, written out.
/// (A subquery that looks into the action plans of each agreement would be run again for each
/// row of the queries that use it: minutes at a million plans.)
#[derive(Debug)]
enum Agreements {
    Every,
    Matching(String),
}

impl Agreements {
    fn select(conn: &mut DbConnection, filter: &OverviewFilter) -> QueryResult<Self> {
        if filter.region_id.is_none() && filter.country_code.is_none() && filter.sector_id.is_none() {
            return Ok(Self::Every);
        }
        if filter.sector_id.is_none() {
            return Ok(Self::Matching(matched(filter)));
        }
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = BigInt)]
            id: i64,
        }
        let ids: Vec<Id> = diesel::sql_query(matched(filter)).load(conn)?;
        if ids.is_empty() {
            return Ok(Self::Matching("NULL".to_owned()));
        }
        Ok(Self::Matching(ids.iter().map(|row| row.id.to_string()).collect::<Vec<_>>().join(", ")))
    }

    /// `column` holds one of them.
    fn condition(&self, column: &str) -> String {
        match self {
            Self::Every => "1 = 1".to_owned(),
            Self::Matching(agreements) => format!("{column} IN ({agreements})"),
        }
    }
}

/// The ids of the agreements the filters select, as a subquery.
fn matched(filter: &OverviewFilter) -> String {
    let mut sql = String::from("SELECT a.id FROM agreements a WHERE 1 = 1");
    if let Some(region) = filter.region_id {
        sql += &format!(
            " AND EXISTS (SELECT 1 FROM agreement_parties p WHERE p.agreement_id = a.id AND p.region_id IN ({}))",
            within_region(region)
        );
    }
    if let Some(country) = &filter.country_code {
        let country = country.as_str();
        sql += &format!(
            " AND (EXISTS (SELECT 1 FROM agreement_parties p JOIN regions r ON r.id = p.region_id \
             WHERE p.agreement_id = a.id AND r.country_code = '{country}') \
             OR EXISTS (SELECT 1 FROM agreement_organizations p JOIN organizations o ON o.id = p.organization_id \
             WHERE p.agreement_id = a.id AND o.country_code = '{country}'))"
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

/// Counts of two values together, `(first, second, count)`, from SQL that names them
/// `first`, `second` and `count`.
#[derive(QueryableByName)]
struct PairCount {
    #[diesel(sql_type = Text)]
    first: String,
    #[diesel(sql_type = Text)]
    second: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// How many rows of `table` that meet `condition` have each pair of values of two columns.
fn pair_counts(
    conn: &mut DbConnection,
    first: &str,
    second: &str,
    table: &str,
    condition: &str,
) -> QueryResult<Vec<PairCount>> {
    diesel::sql_query(format!(
        "SELECT {first} AS first, {second} AS second, COUNT(*) AS count FROM {table} WHERE {condition} \
         GROUP BY {first}, {second}"
    ))
    .load(conn)
}

/// The counts of each value of one side of the pairs.
fn totals<'a>(pairs: impl Iterator<Item = (&'a str, i64)>) -> Vec<(&'a str, i64)> {
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    for (value, count) in pairs {
        *totals.entry(value).or_default() += count;
    }
    totals.into_iter().collect()
}

pub fn overview(conn: &mut DbConnection, filter: &OverviewFilter, today: NaiveDate) -> Result<Overview> {
    let agreements = Agreements::select(conn, filter)?;
    let plans = plan_tallies(conn, filter, &agreements)?;
    Ok(Overview {
        agreements: agreement_counts(conn, &agreements)?,
        action_plans: plan_counts(&plans),
        obstacles: obstacle_counts(conn, &agreements)?,
        partners: partners(conn, filter, &agreements, &plans)?,
        expiring: expiring(conn, &agreements, filter, today)?,
        by_stage: stage_counts(conn, &agreements)?,
        overdue_milestones: db::count_sql(
            conn,
            &format!(
                "SELECT COUNT(*) AS count FROM milestones WHERE {} AND status = '{}' AND date < '{}'",
                agreements.condition("agreement_id"),
                MilestoneStatus::Pending.as_str(),
                today.format("%Y-%m-%d"),
            ),
        )?,
    })
}

/// The selected agreements by stage, `none` for those without one.
fn stage_counts(conn: &mut DbConnection, agreements: &Agreements) -> Result<CountMap> {
    #[derive(QueryableByName)]
    struct StageCount {
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        stage: Option<String>,
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let rows: Vec<StageCount> = diesel::sql_query(format!(
        "SELECT stage, COUNT(*) AS count FROM agreements WHERE {} GROUP BY stage",
        agreements.condition("id")
    ))
    .load(conn)?;
    let staged: Vec<(&str, i64)> =
        rows.iter().filter_map(|row| Some((row.stage.as_deref()?, row.count))).collect();
    let mut by_stage = count_map::<MilestoneStage>(&staged);
    by_stage.insert("none", rows.iter().filter(|row| row.stage.is_none()).map(|row| row.count).sum());
    Ok(by_stage)
}

fn agreement_counts(conn: &mut DbConnection, agreements: &Agreements) -> Result<AgreementCounts> {
    let rows = pair_counts(conn, "status", "kind", "agreements", &agreements.condition("id"))?;
    let by_status = count_map::<AgreementStatus>(&totals(rows.iter().map(|r| (r.first.as_str(), r.count))));
    Ok(AgreementCounts {
        total: by_status.values().sum(),
        by_status,
        by_kind: count_map::<AgreementKind>(&totals(rows.iter().map(|r| (r.second.as_str(), r.count)))),
    })
}

/// How many of the selected action plans each agreement has in each status.
#[derive(QueryableByName)]
struct PlanTally {
    #[diesel(sql_type = BigInt)]
    agreement_id: i64,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    plans: i64,
}

/// The tallies of the selected plans: from the agreements' tallies (migration 000006), a few
/// rows per agreement however many plans there are, or, for the plans of one sector, counted.
/// Both the counts by status and the partners' counts are summed from them.
fn plan_tallies(
    conn: &mut DbConnection,
    filter: &OverviewFilter,
    agreements: &Agreements,
) -> QueryResult<Vec<PlanTally>> {
    let sql = match filter.sector_id {
        Some(sector) => format!(
            "SELECT ap.agreement_id, ap.status, COUNT(*) AS plans FROM action_plans ap WHERE {} \
             AND ap.id IN (SELECT action_plan_id FROM action_plan_sectors WHERE sector_id = {sector}) \
             GROUP BY ap.agreement_id, ap.status",
            agreements.condition("ap.agreement_id")
        ),
        None => format!(
            "SELECT agreement_id, status, plans FROM action_plan_tallies WHERE {} AND plans > 0",
            agreements.condition("agreement_id")
        ),
    };
    diesel::sql_query(sql).load(conn)
}

fn plan_counts(plans: &[PlanTally]) -> PlanCounts {
    let by_status =
        count_map::<ActionPlanStatus>(&totals(plans.iter().map(|t| (t.status.as_str(), t.plans))));
    let total = by_status.values().sum();
    PlanCounts { total, implementation_rate: implementation_rate(&by_status), by_status }
}

fn obstacle_counts(conn: &mut DbConnection, agreements: &Agreements) -> Result<OverviewObstacles> {
    let unassessed = ObstacleStatusFilter::Unassessed.as_str();
    let rows = pair_counts(
        conn,
        "category",
        &format!("COALESCE(status, '{unassessed}')"),
        "obstacles",
        &agreements.condition("agreement_id"),
    )?;
    let by_category =
        count_map::<ObstacleCategory>(&totals(rows.iter().map(|r| (r.first.as_str(), r.count))));
    let by_status =
        count_map::<ObstacleStatusFilter>(&totals(rows.iter().map(|r| (r.second.as_str(), r.count))));
    Ok(OverviewObstacles {
        total: by_category.values().sum(),
        open: by_status.get(ObstacleStatus::Open.as_str()).copied().unwrap_or(0),
        by_category,
        by_status,
    })
}

/// Per partner country, most agreements first. The partners of the region (or country) asked
/// for are the other parties. Each agreement counts once per country, with its plans: summed
/// here from the parties' countries and the plans' tallies (a join and two groupings in SQL
/// cost SQLite tens of milliseconds for a few thousand agreements).
fn partners(
    conn: &mut DbConnection,
    filter: &OverviewFilter,
    agreements: &Agreements,
    plans: &[PlanTally],
) -> Result<Vec<Partner>> {
    #[derive(QueryableByName)]
    struct Party {
        #[diesel(sql_type = BigInt)]
        agreement_id: i64,
        #[diesel(sql_type = Text)]
        country_code: String,
    }
    // Organizations count under their country; one of no country (a network) under none.
    let (mut regions_not_self, mut organizations_not_self) = (String::new(), String::new());
    if let Some(region) = filter.region_id {
        regions_not_self += &format!(" AND p.region_id NOT IN ({})", within_region(region));
    } else if let Some(country) = &filter.country_code {
        regions_not_self += &format!(" AND r.country_code <> '{}'", country.as_str());
        organizations_not_self += &format!(" AND o.country_code <> '{}'", country.as_str());
    }
    let parties: Vec<Party> = diesel::sql_query(format!(
        "SELECT p.agreement_id, r.country_code FROM agreement_parties p JOIN regions r ON r.id = p.region_id \
         WHERE {}{regions_not_self} \
         UNION ALL SELECT p.agreement_id, o.country_code FROM agreement_organizations p \
         JOIN organizations o ON o.id = p.organization_id \
         WHERE {} AND o.country_code IS NOT NULL{organizations_not_self}",
        agreements.condition("p.agreement_id"),
        agreements.condition("p.agreement_id"),
    ))
    .load(conn)?;
    let implemented = ActionPlanStatus::Implemented.as_str();
    let mut per_agreement: HashMap<i64, (i64, i64)> = HashMap::new();
    for tally in plans {
        let counts = per_agreement.entry(tally.agreement_id).or_default();
        counts.0 += tally.plans;
        if tally.status == implemented {
            counts.1 += tally.plans;
        }
    }
    let mut counted: HashSet<(i64, &str)> = HashSet::with_capacity(parties.len());
    let mut by_country: HashMap<&str, Partner> = HashMap::new();
    for party in &parties {
        if !counted.insert((party.agreement_id, party.country_code.as_str())) {
            continue;
        }
        let (plans, implemented) = per_agreement.get(&party.agreement_id).copied().unwrap_or_default();
        let partner = by_country.entry(party.country_code.as_str()).or_insert_with(|| Partner {
            country_code: party.country_code.clone(),
            agreements: 0,
            action_plans: 0,
            implemented: 0,
        });
        partner.agreements += 1;
        partner.action_plans += plans;
        partner.implemented += implemented;
    }
    let mut partners: Vec<Partner> = by_country.into_values().collect();
    partners
        .sort_by(|a, b| b.agreements.cmp(&a.agreements).then_with(|| a.country_code.cmp(&b.country_code)));
    Ok(partners)
}

/// Signed or active agreements whose expiry falls within the window, soonest first.
fn expiring(
    conn: &mut DbConnection,
    agreements: &Agreements,
    filter: &OverviewFilter,
    today: NaiveDate,
) -> Result<Vec<Expiring>> {
    let window = filter.expiring_within_days.map_or(DEFAULT_EXPIRING_WITHIN_DAYS, |days| days.0);
    let until = today + chrono::Duration::days(window);
    let statuses = format!("'{}', '{}'", AgreementStatus::Signed.as_str(), AgreementStatus::Active.as_str());
    let selected = agreements.condition("id");
    let mut expiring: Vec<Expiring> = diesel::sql_query(format!(
        "SELECT id, key, title, status, expires_on, CAST(0 AS BIGINT) AS days_until_expiry FROM agreements \
         WHERE {selected} AND status IN ({statuses}) AND expires_on IS NOT NULL \
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
) -> Result<HttpResponse> {
    let mut params = QueryParams::parse(request.query_string())?;
    let filter = OverviewFilter::from_query(&mut params);
    params.finish()?;
    let today = chrono::Utc::now().date_naive();
    let key = format!("overview {today} {}", request.query_string());
    super::shared_report(&state, key, move |conn| overview(conn, &filter, today)).await
}
