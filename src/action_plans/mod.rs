//! Action plans: what is carried out (or to be carried out) under an agreement, by which
//! agencies, in which sectors, and how far it has got.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::audit::AuditEvent;
use crate::auth::{Editor, Reader};
use crate::db::schema::{action_plans, agreements, obstacles};
use crate::db::{Backend, DbConnection};
use crate::domain::{ActionPlanStatus, Date, Key, rfc3339};
use crate::error::Result;
use crate::http::AppState;
use crate::import::{Reference, Target};
use crate::input::{Checker, Field, Mode, NAME_MAX, TEXT_MAX, record_fields};
use crate::links::{self, AgencyRef, SectorRef, check_ids, embed};
use crate::listing::{ListParams, Page, QueryParams, lower, lower_nullable};
use crate::resource::{self, Listed, Resource};
use crate::sortable;

/// The stored columns of an action plan.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct ActionPlanRecord {
    pub id: i64,
    /// Stable identifier other systems use for this action plan.
    pub key: String,
    /// The agreement it is carried out under.
    pub agreement_id: i64,
    pub title: String,
    pub description: Option<String>,
    #[schema(value_type = ActionPlanStatus)]
    pub status: String,
    /// The year it is (or was) carried out; `null` means "to be determined".
    pub year: Option<i32>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// What it achieved.
    pub outcome: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
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
    #[schema(value_type = Option<String>, max_length = 10000)]
    description: Field<String>,
    #[schema(value_type = ActionPlanStatus)]
    status: Field<ActionPlanStatus>,
    /// `null` or absent: to be determined.
    #[schema(value_type = Option<i32>, minimum = 1000, maximum = 9999)]
    year: Field<i32>,
    #[schema(value_type = Option<String>, format = Date)]
    start_date: Field<Date>,
    /// Not before `start_date`.
    #[schema(value_type = Option<String>, format = Date)]
    end_date: Field<Date>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    outcome: Field<String>,
    /// Existing sectors, each once.
    #[schema(value_type = Option<Vec<i64>>)]
    sector_ids: Field<Vec<i64>>,
    /// Existing agencies, each once.
    #[schema(value_type = Option<Vec<i64>>)]
    agency_ids: Field<Vec<i64>>,
}

#[derive(Debug, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = action_plans, treat_none_as_null = true)]
pub struct ActionPlanColumns {
    key: String,
    agreement_id: i64,
    title: String,
    description: Option<String>,
    status: String,
    year: Option<i32>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    outcome: Option<String>,
}

#[derive(Debug, PartialEq)]
pub struct ActionPlanValues {
    columns: ActionPlanColumns,
    sector_ids: Vec<i64>,
    agency_ids: Vec<i64>,
}

impl ActionPlanInput {
    /// Checks every field and rule; `id` is the plan's own on update.
    fn validate(
        self,
        mode: Mode,
        checker: &mut Checker,
        conn: &mut DbConnection,
        id: Option<i64>,
    ) -> Result<Option<ActionPlanValues>> {
        let key = checker.key(self.key, mode);
        let agreement_id = checker.required("agreement_id", self.agreement_id);
        let title = checker.required_text("title", self.title, NAME_MAX);
        let description = checker.optional_text("description", self.description, TEXT_MAX);
        let status = checker.required("status", self.status);
        let year = checker.optional("year", self.year);
        if year.is_some_and(|year| !(1000..=9999).contains(&year)) {
            checker.error("year", "must be a year between 1000 and 9999");
        }
        let start_date = checker.optional("start_date", self.start_date).map(|d| d.0);
        let end_date = checker.optional("end_date", self.end_date).map(|d| d.0);
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            checker.error("end_date", "must not be before start_date");
        }
        let outcome = checker.optional_text("outcome", self.outcome, TEXT_MAX);
        let sector_ids = checker.optional("sector_ids", self.sector_ids).unwrap_or_default();
        let agency_ids = checker.optional("agency_ids", self.agency_ids).unwrap_or_default();
        if let Some(agreement_id) = agreement_id {
            let exists: bool =
                diesel::select(diesel::dsl::exists(agreements::table.find(agreement_id))).get_result(conn)?;
            if !exists {
                checker.error("agreement_id", format!("no agreement has id {agreement_id}"));
            }
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
        }
        check_ids::<SectorRef>(conn, checker, "sector_ids", &sector_ids)?;
        check_ids::<AgencyRef>(conn, checker, "agency_ids", &agency_ids)?;
        let columns = (|| {
            Some(ActionPlanColumns {
                key: key?,
                agreement_id: agreement_id?,
                title: title?,
                description,
                status: status?.as_str().to_owned(),
                year,
                start_date,
                end_date,
                outcome,
            })
        })();
        Ok(columns.map(|columns| ActionPlanValues { columns, sector_ids, agency_ids }))
    }
}

/// Embeds sectors and agencies into action plan records: four queries whatever their number.
fn with_links(conn: &mut DbConnection, records: Vec<ActionPlanRecord>) -> QueryResult<Vec<ActionPlan>> {
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let sector_links = links::action_plan_sectors::of(conn, &ids)?;
    let agency_links = links::action_plan_agencies::of(conn, &ids)?;
    let mut sectors: HashMap<i64, Vec<SectorRef>> = embed(conn, &sector_links)?;
    let mut agencies: HashMap<i64, Vec<AgencyRef>> = embed(conn, &agency_links)?;
    Ok(records
        .into_iter()
        .map(|record| ActionPlan {
            sectors: sectors.remove(&record.id).unwrap_or_default(),
            agencies: agencies.remove(&record.id).unwrap_or_default(),
            record,
        })
        .collect())
}

/// Filters of the action plan list.
#[derive(Debug, Default)]
pub struct ActionPlanFilter {
    agreement_id: Option<i64>,
    status: Option<ActionPlanStatus>,
    year: Option<i32>,
    year_from: Option<i32>,
    year_to: Option<i32>,
    year_undetermined: Option<bool>,
    sector_id: Option<i64>,
    agency_id: Option<i64>,
}

/// Documentation of the action plan list's own filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ActionPlanFilterDoc {
    /// Action plans of this agreement.
    agreement_id: Option<i64>,
    status: Option<ActionPlanStatus>,
    /// Action plans of this year.
    year: Option<i32>,
    /// Action plans of this year or later.
    year_from: Option<i32>,
    /// Action plans of this year or earlier.
    year_to: Option<i32>,
    /// `true`: only those whose year is to be determined; `false`: only those with a year.
    year_undetermined: Option<bool>,
    /// Action plans in this sector.
    sector_id: Option<i64>,
    /// Action plans this agency is responsible for.
    agency_id: Option<i64>,
}

sortable!(SORTABLE, sort_action_plans, action_plans::BoxedQuery<'static, Backend>, action_plans::id, {
    "id" => action_plans::id,
    "key" => action_plans::key,
    "agreement_id" => action_plans::agreement_id,
    "title" => action_plans::title,
    "status" => action_plans::status,
    "year" => action_plans::year,
    "start_date" => action_plans::start_date,
    "end_date" => action_plans::end_date,
    "created_at" => action_plans::created_at,
    "updated_at" => action_plans::updated_at,
});

fn filtered(list: &ListParams, filter: &ActionPlanFilter) -> action_plans::BoxedQuery<'static, Backend> {
    let mut query = action_plans::table.into_boxed();
    if let Some(after) = list.after_id {
        query = query.filter(action_plans::id.gt(after));
    }
    if let Some(ids) = &list.ids {
        query = query.filter(action_plans::id.eq_any(ids.clone()));
    }
    if let Some(key) = &list.key {
        query = query.filter(action_plans::key.eq(key.clone()));
    }
    if let Some(agreement_id) = filter.agreement_id {
        query = query.filter(action_plans::agreement_id.eq(agreement_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(action_plans::status.eq(status.as_str()));
    }
    if let Some(year) = filter.year {
        query = query.filter(action_plans::year.eq(year));
    }
    if let Some(from) = filter.year_from {
        query = query.filter(action_plans::year.ge(from));
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
    if let Some(pattern) = &list.search_pattern {
        query = query.filter(
            lower(action_plans::title)
                .like(pattern.clone())
                .escape('\\')
                .nullable()
                .or(lower_nullable(action_plans::description).like(pattern.clone()).escape('\\'))
                .or(lower_nullable(action_plans::outcome).like(pattern.clone()).escape('\\')),
        );
    }
    query
}

/// Action plans as a resource: `action_plans` in documents, where `agreement`, `sectors` and
/// `agencies` name keys.
pub struct ActionPlans;

impl Resource for ActionPlans {
    const NAME: &'static str = "action plan";
    const PATH: &'static str = "/api/v1/action-plans";
    const LIST: &'static str = "action_plans";
    const TARGET: Target = Target::ActionPlan;
    const REFERENCES: &'static [Reference] = &[
        Reference::one("agreement", "agreement_id", Target::Agreement),
        Reference::many("sectors", "sector_ids", Target::Sector, links::action_plan_sectors::STORAGE),
        Reference::many("agencies", "agency_ids", Target::Agency, links::action_plan_agencies::STORAGE),
    ];
    type Record = ActionPlan;
    type Input = ActionPlanInput;
    type Values = ActionPlanValues;

    fn id(record: &ActionPlan) -> i64 {
        record.record.id
    }

    fn version(record: &ActionPlan) -> i32 {
        record.record.version
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<ActionPlan>> {
        let record: Option<ActionPlanRecord> = action_plans::table.find(id).first(conn).optional()?;
        Ok(match record {
            Some(record) => with_links(conn, vec![record])?.pop(),
            None => None,
        })
    }

    fn validate(
        input: ActionPlanInput,
        mode: Mode,
        checker: &mut Checker,
        conn: &mut DbConnection,
        id: Option<i64>,
    ) -> Result<Option<ActionPlanValues>> {
        input.validate(mode, checker, conn, id)
    }

    /// The links are written as id lists, as a client sends them.
    fn input_fields(plan: &ActionPlan) -> Result<Value> {
        let mut fields = record_fields(plan)?;
        if let Value::Object(object) = &mut fields {
            object.insert("sector_ids".into(), plan.sectors.iter().map(|s| s.id).collect());
            object.insert("agency_ids".into(), plan.agencies.iter().map(|a| a.id).collect());
        }
        Ok(fields)
    }

    fn insert(conn: &mut DbConnection, values: ActionPlanValues) -> Result<ActionPlan> {
        let now = crate::domain::now();
        let id: i64 = diesel::insert_into(action_plans::table)
            .values((&values.columns, action_plans::created_at.eq(now), action_plans::updated_at.eq(now)))
            .returning(action_plans::id)
            .get_result(conn)?;
        write_links(conn, id, &values)?;
        resource::find::<Self>(conn, id)
    }

    fn update(conn: &mut DbConnection, id: i64, values: ActionPlanValues) -> Result<ActionPlan> {
        diesel::update(action_plans::table.find(id))
            .set((
                &values.columns,
                action_plans::updated_at.eq(crate::domain::now()),
                action_plans::version.eq(action_plans::version + 1),
            ))
            .execute(conn)?;
        write_links(conn, id, &values)?;
        resource::find::<Self>(conn, id)
    }

    fn referrers(conn: &mut DbConnection, id: i64) -> Result<Vec<(&'static str, i64)>> {
        Ok(vec![(
            "obstacles",
            obstacles::table.filter(obstacles::action_plan_id.eq(id)).count().get_result(conn)?,
        )])
    }

    fn delete(conn: &mut DbConnection, id: i64) -> Result<()> {
        diesel::delete(action_plans::table.find(id)).execute(conn)?;
        Ok(())
    }
}

fn write_links(conn: &mut DbConnection, id: i64, values: &ActionPlanValues) -> Result<()> {
    links::action_plan_sectors::replace(conn, id, &values.sector_ids)?;
    links::action_plan_agencies::replace(conn, id, &values.agency_ids)?;
    Ok(())
}

impl Listed for ActionPlans {
    type Filter = ActionPlanFilter;
    const SORTABLE: &'static [&'static str] = SORTABLE;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "agreement_id",
        "title",
        "description",
        "status",
        "year",
        "start_date",
        "end_date",
        "sectors",
        "agencies",
        "outcome",
        "version",
        "created_at",
        "updated_at",
    ];

    fn take_filter(params: &mut QueryParams) -> ActionPlanFilter {
        ActionPlanFilter {
            agreement_id: params.take("agreement_id"),
            status: params.take("status"),
            year: params.take("year"),
            year_from: params.take("year_from"),
            year_to: params.take("year_to"),
            year_undetermined: params.take("year_undetermined"),
            sector_id: params.take("sector_id"),
            agency_id: params.take("agency_id"),
        }
    }

    fn page(
        conn: &mut DbConnection,
        list: &ListParams,
        filter: &ActionPlanFilter,
    ) -> Result<(i64, Vec<ActionPlan>)> {
        let total = filtered(list, filter).count().get_result(conn)?;
        let records = sort_action_plans(filtered(list, filter), &list.sort)
            .limit(list.limit)
            .offset(list.offset)
            .load(conn)?;
        Ok((total, with_links(conn, records)?))
    }

    fn within_agreement(filter: &mut ActionPlanFilter, agreement: i64) -> bool {
        let consistent = filter.agreement_id.is_none_or(|given| given == agreement);
        filter.agreement_id = Some(agreement);
        consistent
    }
}

/// Lists action plans.
///
/// Sortable fields: `id`, `key`, `agreement_id`, `title`, `status`, `year`, `start_date`,
/// `end_date`, `created_at`, `updated_at`. `q` searches `title`, `description` and `outcome`.
#[utoipa::path(
    tag = "action plans",
    operation_id = "list_action_plans",
    params(crate::listing::ListQueryDoc, ActionPlanFilterDoc),
    responses((status = 200, description = "A page of action plans", body = Page<ActionPlan>))
)]
#[get("/action-plans")]
pub async fn list_action_plans(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    resource::list::<ActionPlans>(&state, &request, None).await
}

/// Lists the action plans of one agreement, with the parameters of the action plan list.
#[utoipa::path(
    tag = "agreements",
    operation_id = "list_agreement_action_plans",
    params(("id" = i64, Path, description = "The agreement's id"), crate::listing::ListQueryDoc, ActionPlanFilterDoc),
    responses((status = 200, description = "A page of the agreement's action plans", body = Page<ActionPlan>))
)]
#[get("/agreements/{id}/action-plans")]
pub async fn list_agreement_action_plans(
    _reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    resource::list::<ActionPlans>(&state, &request, Some(id.into_inner())).await
}

/// Reads one action plan.
#[utoipa::path(
    tag = "action plans",
    operation_id = "get_action_plan",
    params(("id" = i64, Path, description = "The action plan's id")),
    responses((status = 200, description = "The action plan", body = ActionPlan))
)]
#[get("/action-plans/{id}")]
pub async fn get_action_plan(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::read::<ActionPlans>(&state, &request, id.into_inner()).await
}

/// Creates an action plan with its sectors and agencies.
#[utoipa::path(
    tag = "action plans",
    operation_id = "create_action_plan",
    request_body = ActionPlanInput,
    responses((status = 201, description = "The new action plan", body = ActionPlan,
        headers(("Location" = String, description = "The new action plan's path"))))
)]
#[post("/action-plans")]
pub async fn create_action_plan(
    editor: Editor,
    state: web::Data<AppState>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::create_one::<ActionPlans>(&state, editor.0, body.into_inner()).await
}

/// Changes an action plan (JSON merge patch); `sector_ids` and `agency_ids` replace the lists
/// when given.
#[utoipa::path(
    tag = "action plans",
    operation_id = "update_action_plan",
    params(("id" = i64, Path, description = "The action plan's id")),
    request_body = ActionPlanInput,
    responses((status = 200, description = "The updated action plan", body = ActionPlan))
)]
#[patch("/action-plans/{id}")]
pub async fn update_action_plan(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::update_one::<ActionPlans>(&state, editor.0, &request, id.into_inner(), body.into_inner()).await
}

/// Deletes an action plan with its sector and agency links; one that still has obstacles is
/// kept (`409`).
#[utoipa::path(
    tag = "action plans",
    operation_id = "delete_action_plan",
    params(("id" = i64, Path, description = "The action plan's id")),
    responses((status = 204, description = "The action plan is deleted"))
)]
#[delete("/action-plans/{id}")]
pub async fn delete_action_plan(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::delete_one::<ActionPlans>(&state, editor.0, &request, id.into_inner()).await
}

/// The action plan's history: every write to it, newest first (deleted ones included).
#[utoipa::path(
    tag = "action plans",
    operation_id = "action_plan_history",
    params(("id" = i64, Path, description = "The action plan's id"), crate::listing::PagingDoc),
    responses((status = 200, description = "A page of the action plan's audit events", body = Page<AuditEvent>))
)]
#[get("/action-plans/{id}/history")]
pub async fn action_plan_history(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::history::<ActionPlans>(&state, &request, id.into_inner()).await
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(list_action_plans)
        .service(create_action_plan)
        .service(get_action_plan)
        .service(update_action_plan)
        .service(delete_action_plan)
        .service(action_plan_history)
        .service(list_agreement_action_plans);
}
