//! An action plan's fields, their rules, its links, and the queries of the action plan list.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{action_plans, agreements, obstacles};
use crate::db::{Backend, DbConnection, load_on_backend};
use crate::domain::{ActionPlanStatus, Date, Key, Timestamp};
use crate::error::{ApiError, Result};
use crate::input::{Checker, Field, Mode, NAME_MAX, SOURCE_MAX, TEXT_MAX};
use crate::links::{self, AgencyRef, SectorRef, check_ids};
use crate::listing::{AnyOf, ListParams};
use crate::resource::{Validate, Validated};

/// The stored columns of an action plan.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct ActionPlanRecord {
    pub id: i64,
    /// Stable identifier other systems use for this action plan.
    pub key: String,
    /// The agreement it is carried out under.
    pub agreement_id: i64,
    pub title: String,
    /// The title in the party's own language (the text of the source, often).
    pub local_title: Option<String>,
    /// The description in the party's own language.
    pub local_description: Option<String>,
    pub description: Option<String>,
    pub status: ActionPlanStatus,
    /// The year it is (or was) carried out, or starts; `null` means "to be determined".
    pub year: Option<i32>,
    /// The last year of a plan that runs over several years; `null` for a single year.
    pub end_year: Option<i32>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// What it achieved.
    pub outcome: Option<String>,
    /// Where the fact comes from.
    pub source: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An activity under an agreement, with its sectors and responsible agencies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionPlan {
    #[serde(flatten)]
    pub record: ActionPlanRecord,
    pub sectors: Vec<SectorRef>,
    /// The agencies responsible, in the order given.
    pub agencies: Vec<AgencyRef>,
}

/// The writable fields of an action plan. On `PATCH` every field is optional (JSON merge
/// patch); `sector_ids` and `agency_ids`, when given, replace the lists as a whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "agreement_id": 1, "title": "Two-way tourism promotion between West Java and Souss-Massa",
    "status": "implemented", "year": 2019, "sector_ids": [2], "agency_ids": [3],
    "outcome": "Promotion of maritime and halal tourism"
}))]
pub struct ActionPlanInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    /// An existing agreement.
    #[schema(value_type = i64, minimum = 1)]
    agreement_id: Field<i64>,
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    title: Field<String>,
    /// The title in the party's own language (the text of the source, often); searched by `q`.
    #[schema(value_type = Option<String>, max_length = 300)]
    local_title: Field<String>,
    /// The description in the party's own language; searched by `q`.
    #[schema(value_type = Option<String>, max_length = 10000)]
    local_description: Field<String>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    description: Field<String>,
    #[schema(value_type = ActionPlanStatus)]
    status: Field<ActionPlanStatus>,
    /// `null` or absent: to be determined.
    #[schema(value_type = Option<i32>, minimum = 1000, maximum = 9999)]
    year: Field<i32>,
    /// The last year of a plan that runs over several years: not before `year`, which it
    /// needs. `year=2027` then finds a plan of 2026-2028.
    #[schema(value_type = Option<i32>, minimum = 1000, maximum = 9999)]
    end_year: Field<i32>,
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    start_date: Field<Date>,
    /// Not before `start_date`.
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    end_date: Field<Date>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    outcome: Field<String>,
    /// Where the fact comes from (a document, an article, a meeting), up to 1,000 characters.
    #[schema(value_type = Option<String>, max_length = 1000)]
    source: Field<String>,
    /// Existing sectors, each once.
    #[schema(value_type = Option<Vec<i64>>)]
    sector_ids: Field<Vec<i64>>,
    /// Existing agencies, each once.
    #[schema(value_type = Option<Vec<i64>>)]
    agency_ids: Field<Vec<i64>>,
}

/// The stored columns of a validated action plan.
#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = action_plans, treat_none_as_null = true)]
pub struct ActionPlanColumns {
    key: String,
    agreement_id: i64,
    title: String,
    local_title: Option<String>,
    local_description: Option<String>,
    description: Option<String>,
    status: ActionPlanStatus,
    year: Option<i32>,
    end_year: Option<i32>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    outcome: Option<String>,
    source: Option<String>,
}

/// A validated action plan: its columns and its links, named as in the API.
#[derive(Debug, Serialize)]
pub struct ActionPlanValues {
    #[serde(flatten)]
    pub(super) columns: ActionPlanColumns,
    pub(super) sector_ids: Vec<i64>,
    pub(super) agency_ids: Vec<i64>,
    /// The linked records, as validation found them: what a written record shows.
    #[serde(skip)]
    pub(super) sectors: Vec<SectorRef>,
    #[serde(skip)]
    pub(super) agencies: Vec<AgencyRef>,
}

impl Validate for ActionPlanInput {
    type Values = ActionPlanValues;

    /// Checks every field and rule; `id` is the plan's own on update.
    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let agreement_id = checker.required("agreement_id", self.agreement_id);
        let title = checker.required_text("title", self.title, NAME_MAX);
        let local_title = checker.optional_text("local_title", self.local_title, NAME_MAX);
        let local_description = checker.optional_text("local_description", self.local_description, TEXT_MAX);
        let description = checker.optional_text("description", self.description, TEXT_MAX);
        let status = checker.required("status", self.status);
        let year = checker.optional("year", self.year);
        if year.is_some_and(|year| !(1000..=9999).contains(&year)) {
            checker.error("year", "must be a year between 1000 and 9999");
        }
        let end_year = checker.optional("end_year", self.end_year);
        match (year, end_year) {
            (_, Some(end)) if !(1000..=9999).contains(&end) => {
                checker.error("end_year", "must be a year between 1000 and 9999");
            }
            (None, Some(_)) if !checker.has_error_under("year") => {
                checker.error("end_year", "needs year, the first year of the span");
            }
            (Some(start), Some(end)) if end < start => {
                checker.error("end_year", format!("must not be before year ({start})"));
            }
            _ => {}
        }
        let start_date = checker.optional("start_date", self.start_date).map(|d| d.0);
        let end_date = checker.optional("end_date", self.end_date).map(|d| d.0);
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            checker.error("end_date", "must not be before start_date");
        }
        let outcome = checker.optional_text("outcome", self.outcome, TEXT_MAX);
        let source = checker.optional_text("source", self.source, SOURCE_MAX);
        let sector_ids = checker.optional("sector_ids", self.sector_ids).unwrap_or_default();
        let agency_ids = checker.optional("agency_ids", self.agency_ids).unwrap_or_default();
        if let Some(agreement_id) = agreement_id
            && !checker.exists(conn, "agreements", agreement_id, |conn| {
                let found = crate::db::first_on_backend(
                    conn,
                    diesel::select(diesel::dsl::exists(agreements::table.find(agreement_id))),
                )?;
                Ok(found.unwrap_or(false))
            })?
        {
            checker.error("agreement_id", format!("no agreement has id {agreement_id}"));
        }
        if let (Some(id), Some(agreement_id)) = (id, agreement_id) {
            // An obstacle of the plan belongs to the plan's agreement: moving the plan would
            // leave its obstacles on the wrong agreement.
            let moved: i64 = action_plans::table
                .filter(action_plans::id.eq(id).and(action_plans::agreement_id.ne(agreement_id)))
                .count()
                .get_result(conn)?;
            let obstacles: i64 =
                obstacles::table.filter(obstacles::action_plan_id.eq(id)).count().get_result(conn)?;
            if moved > 0 && obstacles > 0 {
                checker.error(
                    "agreement_id",
                    "cannot move an action plan that has obstacles to another agreement",
                );
            }
            if moved > 0 && !checker.has_error("agreement_id") {
                let stranded = crate::rules::paid_by_non_parties(
                    conn,
                    agreement_id,
                    crate::rules::PartyChange::PlanMoved(id),
                )?;
                if !stranded.is_empty() {
                    checker.error(
                        "agreement_id",
                        format!(
                            "transactions {} of the plan are paid by regions that are not parties of agreement {agreement_id}",
                            crate::rules::id_list(&stranded)
                        ),
                    );
                }
            }
        }
        let sectors = check_ids::<SectorRef>(conn, checker, "sector_ids", &sector_ids)?;
        let agencies = check_ids::<AgencyRef>(conn, checker, "agency_ids", &agency_ids)?;
        let columns = (|| {
            Some(ActionPlanColumns {
                key: key?,
                agreement_id: agreement_id?,
                title: title?,
                local_title,
                local_description,
                description,
                status: status?,
                year,
                end_year,
                start_date,
                end_date,
                outcome,
                source,
            })
        })();
        Ok(columns.map(|columns| ActionPlanValues { columns, sector_ids, agency_ids, sectors, agencies }))
    }
}

/// Embeds sectors and agencies into action plan records: two queries whatever their number.
pub(super) fn with_links(conn: &mut DbConnection, records: Vec<ActionPlanRecord>) -> QueryResult<Vec<ActionPlan>> {
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let mut sectors = links::action_plan_sectors::linked(conn, &ids)?;
    let mut agencies = links::action_plan_agencies::linked(conn, &ids)?;
    Ok(records
        .into_iter()
        .map(|record| ActionPlan {
            sectors: sectors.remove(&record.id).unwrap_or_default(),
            agencies: agencies.remove(&record.id).unwrap_or_default(),
            record,
        })
        .collect())
}

crate::filters! {
    /// Filters of the action plan list.
    pub struct ActionPlanFilter {
        /// Action plans of this agreement.
        agreement_id: Option<i64>,
        status: Option<AnyOf<ActionPlanStatus>>,
        /// Action plans carried out in this year: of this year, or running over it (a plan of
        /// 2026-2028 is found by 2027).
        year: Option<i32>,
        /// Action plans running in this year or later.
        year_from: Option<i32>,
        /// Action plans starting in this year or earlier.
        year_to: Option<i32>,
        /// `true`: only those whose year is to be determined; `false`: only those with a year.
        year_undetermined: Option<bool>,
        /// Action plans in this sector.
        sector_id: Option<i64>,
        /// Action plans this agency is responsible for.
        agency_id: Option<i64>,
    }
}

crate::sortable!(SORTABLE, sort_action_plans, action_plans::BoxedQuery<'static, Backend>, action_plans::id, {
    "id" => action_plans::id,
    "key" => action_plans::key,
    "agreement_id" => action_plans::agreement_id,
    "title" => action_plans::title,
    "status" => action_plans::status,
    "year" => action_plans::year,
    "end_year" => action_plans::end_year,
    "start_date" => action_plans::start_date,
    "end_date" => action_plans::end_date,
    "created_at" => action_plans::created_at,
    "updated_at" => action_plans::updated_at,
});

crate::listed!(action_plans, search: title, local_title, description, local_description, outcome);

/// Plans that run over several years and began before a year the filters ask for. Such plans
/// are few: their ids are read first, by their own index, so that `year=` stays an equality
/// that walks the `(status, year, id)` index in id order and stops at the page (an `OR` of
/// two ranges would sort every match first).
#[derive(Debug, Default)]
struct Spanning {
    /// Into `year`.
    into_year: RunningInto,
    /// Into `year_from`.
    into_year_from: RunningInto,
}

/// The plans that began before a year and run into it.
#[derive(Debug, Default)]
enum RunningInto {
    /// None, or the filter does not ask.
    #[default]
    None,
    Ids(Vec<i64>),
    /// More than [`SPANNING_READ_AHEAD`]: the filter says it in SQL instead.
    Many,
}

/// The most spanning plans whose ids a filter binds.
const SPANNING_READ_AHEAD: usize = 1_000;

impl Spanning {
    fn read(conn: &mut DbConnection, filter: &ActionPlanFilter) -> QueryResult<Self> {
        let into = |conn: &mut DbConnection, year: Option<i32>| -> QueryResult<RunningInto> {
            let Some(year) = year else { return Ok(RunningInto::None) };
            // On the backend's own connection: a statement found in its cache by type, not by
            // its SQL written out and hashed, as every filtered page pays it.
            let ids: Vec<i64> = load_on_backend(
                conn,
                action_plans::table
                    .filter(action_plans::end_year.ge(year).and(action_plans::year.lt(year)))
                    .select(action_plans::id)
                    .limit(SPANNING_READ_AHEAD as i64 + 1),
            )?;
            Ok(match ids.len() {
                0 => RunningInto::None,
                n if n > SPANNING_READ_AHEAD => RunningInto::Many,
                _ => RunningInto::Ids(ids),
            })
        };
        Ok(Self { into_year: into(conn, filter.year)?, into_year_from: into(conn, filter.year_from)? })
    }
}

type PlanCondition = Box<dyn BoxableExpression<action_plans::table, Backend, SqlType = diesel::sql_types::Bool>>;

/// `starts`, or one of the plans that began before `year` and run into it.
fn or_running_into(starts: PlanCondition, year: i32, running: &RunningInto) -> PlanCondition {
    match running {
        RunningInto::None => starts,
        RunningInto::Ids(ids) => Box::new(starts.or(action_plans::id.eq_any(ids.clone()))),
        RunningInto::Many => {
            Box::new(starts.or(action_plans::year.lt(year).and(action_plans::end_year.ge(year)).assume_not_null()))
        }
    }
}

fn filtered(
    list: &ListParams,
    filter: &ActionPlanFilter,
    spanning: &Spanning,
) -> action_plans::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(agreement_id) = filter.agreement_id {
        query = query.filter(action_plans::agreement_id.eq(agreement_id));
    }
    if let Some(status) = &filter.status {
        query = query.filter(status.condition(action_plans::status));
    }
    // A plan runs from `year` to `end_year` (never before `year`), or over `year` alone.
    if let Some(year) = filter.year {
        let starts: PlanCondition = Box::new(action_plans::year.eq(year).assume_not_null());
        query = query.filter(or_running_into(starts, year, &spanning.into_year));
    }
    if let Some(from) = filter.year_from {
        let starts: PlanCondition = Box::new(action_plans::year.ge(from).assume_not_null());
        query = query.filter(or_running_into(starts, from, &spanning.into_year_from));
    }
    if let Some(to) = filter.year_to {
        query = query.filter(action_plans::year.le(to));
    }
    match filter.year_undetermined {
        Some(true) => query = query.filter(action_plans::year.is_null()),
        Some(false) => query = query.filter(action_plans::year.is_not_null()),
        None => {}
    }
    if let Some(sector_id) = filter.sector_id {
        query = query.filter(action_plans::id.eq_any(links::action_plan_sectors::owners_of(sector_id)));
    }
    if let Some(agency_id) = filter.agency_id {
        query = query.filter(action_plans::id.eq_any(links::action_plan_agencies::owners_of(agency_id)));
    }
    query
}

pub(super) fn page(
    conn: &mut DbConnection,
    list: &ListParams,
    filter: &ActionPlanFilter,
) -> Result<(i64, Vec<ActionPlan>)> {
    // Every plan is counted from the agreements' tallies (migration 000006): counting the rows
    // takes PostgreSQL tens of milliseconds at a million plans, on every page. Plans filtered
    // by status and year alone are counted from the counts per status and year (000018).
    let tallied = list.counted && selects_every_plan(list, filter);
    let spanning = Spanning::read(conn, filter)?;
    let by_status_and_year = list.counted && !tallied && counted_by_status_and_year(list, filter, &spanning);
    let uncounted;
    let paged = if tallied || by_status_and_year {
        uncounted = ListParams { counted: false, ..list.clone() };
        &uncounted
    } else {
        list
    };
    let from_block;
    let paged = match tallied.then(|| from_its_block(conn, paged)).transpose()?.flatten() {
        Some(list) => {
            from_block = list;
            &from_block
        }
        None => paged,
    };
    let (mut total, records) = crate::listing::page_of::<Sorted, _>(conn, paged, |list| filtered(list, filter, &spanning))?;
    if tallied {
        total = crate::db::count_sql(
            conn,
            "SELECT CAST(COALESCE(SUM(plans), 0) AS BIGINT) AS count FROM action_plan_tallies",
        )?;
    } else if by_status_and_year {
        total = total_by_status_and_year(conn, filter)?;
    }
    Ok((total, with_links(conn, records)?))
}

/// The ids of action plans are counted by ranges of this many (migration 000017).
const ID_BLOCK: i64 = 2_048;

/// How many plans a range of ids holds.
#[derive(QueryableByName)]
struct IdBlock {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    block: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    plans: i64,
}

/// A page of every plan in id order that starts past the first [`ID_BLOCK`] plans, asked
/// again as the page that starts at the range of ids it falls in (`after_id`) and skips only
/// that range's plans before it: the ranges' counts (a few hundred rows at a million plans)
/// are added up instead of every plan being stepped over. `None` for a page near the start or
/// in another order, which the list reads as asked.
fn from_its_block(conn: &mut DbConnection, list: &ListParams) -> QueryResult<Option<ListParams>> {
    let in_id_order = match list.sort.as_slice() {
        [] => true,
        [key] => key.field == "id" && !key.descending,
        _ => false,
    };
    if !in_id_order || list.after_id.is_some() || list.offset < ID_BLOCK {
        return Ok(None);
    }
    let blocks: Vec<IdBlock> = diesel::sql_query(
        "SELECT block, CAST(SUM(plans) AS BIGINT) AS plans FROM action_plan_id_blocks \
         GROUP BY block ORDER BY block",
    )
    .load(conn)?;
    let mut skipped = list.offset;
    for IdBlock { block, plans } in blocks {
        if skipped < plans {
            return Ok(Some(ListParams { after_id: Some(block * ID_BLOCK - 1), offset: skipped, ..list.clone() }));
        }
        skipped -= plans;
    }
    // Past the last plan: an empty page, without stepping over every plan to find it so.
    Ok(Some(ListParams { after_id: Some(i64::MAX), offset: 0, ..list.clone() }))
}

/// Whether the list selects every action plan: no filter, no search, no key.
fn selects_every_plan(list: &ListParams, filter: &ActionPlanFilter) -> bool {
    names_only_status_and_years(list, filter)
        && filter.status.is_none()
        && filter.year.is_none()
        && filter.year_from.is_none()
        && filter.year_to.is_none()
        && filter.year_undetermined.is_none()
}

/// Whether a list selects plans by nothing but their status and years (or not at all).
fn names_only_status_and_years(list: &ListParams, filter: &ActionPlanFilter) -> bool {
    // Every field named, so that a new filter cannot be forgotten here.
    let ActionPlanFilter {
        agreement_id,
        status: _,
        year: _,
        year_from: _,
        year_to: _,
        year_undetermined: _,
        sector_id,
        agency_id,
    } = filter;
    list.search_pattern.is_none()
        && list.key.is_none()
        && list.ids.is_none()
        && agreement_id.is_none()
        && sector_id.is_none()
        && agency_id.is_none()
}

/// Whether a list's `total` is the sum of counts per status and year (migration 000018): its
/// filters name nothing but status and years, and no plan runs into a year they name from an
/// earlier one (such plans match without their first year matching: they are counted with the
/// rest, by the list's own count).
fn counted_by_status_and_year(list: &ListParams, filter: &ActionPlanFilter, spanning: &Spanning) -> bool {
    names_only_status_and_years(list, filter)
        && matches!(spanning.into_year, RunningInto::None)
        && matches!(spanning.into_year_from, RunningInto::None)
}

/// The number of plans a filter on status and years alone selects, from the counts per status
/// and year: the conditions of [`filtered`] on the counts' columns (a plan without a year is
/// `dated = 0`, and matches no condition on its year).
fn total_by_status_and_year(conn: &mut DbConnection, filter: &ActionPlanFilter) -> QueryResult<i64> {
    use crate::db::schema::action_plan_status_years as counts;
    let mut query = counts::table
        .select(crate::db::TotalOf(counts::plans))
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(status.condition(counts::status));
    }
    if let Some(year) = filter.year {
        query = query.filter(counts::year.eq(year));
    }
    if let Some(from) = filter.year_from {
        query = query.filter(counts::year.ge(from));
    }
    if let Some(to) = filter.year_to {
        query = query.filter(counts::year.le(to));
    }
    // A condition on the year holds for dated plans only, whatever `year` an undated one has.
    let on_the_year = filter.year.is_some() || filter.year_from.is_some() || filter.year_to.is_some();
    if on_the_year || filter.year_undetermined == Some(false) {
        query = query.filter(counts::dated.eq(1));
    }
    if filter.year_undetermined == Some(true) {
        query = query.filter(counts::dated.eq(0));
    }
    query.get_result(conn)
}

/// Plans one statement inserts: fifteen values each, within either backend's limit of bound
/// values.
const PLANS_PER_STATEMENT: usize = 1_000;

/// Inserts new plans and their links, a statement per [`PLANS_PER_STATEMENT`] plans and per
/// link table: what an import of thousands of plans waits for is round trips.
pub(super) fn insert_many(conn: &mut DbConnection, values: Vec<ActionPlanValues>) -> Result<Vec<ActionPlan>> {
    let now = crate::domain::now();
    let mut written: HashMap<String, ActionPlanRecord> = HashMap::with_capacity(values.len());
    for batch in values.chunks(PLANS_PER_STATEMENT) {
        let rows: Vec<_> = batch
            .iter()
            .map(|plan| (&plan.columns, action_plans::created_at.eq(now), action_plans::updated_at.eq(now)))
            .collect();
        let records: Vec<ActionPlanRecord> = load_on_backend(
            conn,
            diesel::insert_into(action_plans::table).values(rows).returning(action_plans::all_columns),
        )?;
        written.extend(records.into_iter().map(|record| (record.key.clone(), record)));
    }
    // The rows come back in no promised order (SQLite says so): their keys, unique, tell them
    // apart.
    let records = values
        .iter()
        .map(|plan| {
            written.remove(&plan.columns.key).ok_or_else(|| {
                ApiError::Internal(format!("action plan {} was not returned by its insert", plan.columns.key))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let links = |list: fn(&ActionPlanValues) -> &[i64]| -> Vec<(i64, &[i64])> {
        records.iter().zip(&values).map(|(record, plan)| (record.id, list(plan))).collect()
    };
    links::action_plan_sectors::insert_new(conn, &links(|plan| &plan.sector_ids))?;
    links::action_plan_agencies::insert_new(conn, &links(|plan| &plan.agency_ids))?;
    Ok(records
        .into_iter()
        .zip(values)
        .map(|(record, plan)| ActionPlan { record, sectors: plan.sectors, agencies: plan.agencies })
        .collect())
}

/// Stores the plan's links and makes the record that shows them; `fresh` for a plan just
/// created (it has no links yet).
pub(super) fn with_written_links(
    conn: &mut DbConnection,
    record: ActionPlanRecord,
    values: ActionPlanValues,
    fresh: bool,
) -> Result<ActionPlan> {
    links::action_plan_sectors::replace(conn, record.id, &values.sector_ids, fresh)?;
    links::action_plan_agencies::replace(conn, record.id, &values.agency_ids, fresh)?;
    Ok(ActionPlan { record, sectors: values.sectors, agencies: values.agencies })
}

