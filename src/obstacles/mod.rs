//! Obstacles: what blocks or threatens an agreement or one of its action plans.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditEvent;
use crate::auth::{Editor, Reader};
use crate::db::schema::{action_plans, agreements, obstacles};
use crate::db::{Backend, DbConnection};
use crate::domain::{Date, Key, ObstacleCategory, ObstacleStatus, Severity, rfc3339};
use crate::error::Result;
use crate::http::AppState;
use crate::import::{Reference, Target};
use crate::input::{Checker, Field, Mode, TEXT_MAX};
use crate::listing::{ListParams, Page, QueryParams, lower, lower_nullable};
use crate::resource::{self, Listed, Resource};
use crate::sortable;

/// Something that blocks or threatens an agreement or one of its action plans.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "ob-06", "agreement_id": 1, "action_plan_id": 9, "category": "data_security",
    "description": "Data security and privacy are a main concern in sharing knowledge on the smart province project.",
    "severity": "medium", "status": "open", "mitigation": null, "identified_on": null, "version": 1,
    "created_at": "2026-11-28T01:00:00Z", "updated_at": "2026-11-28T01:00:00Z"
}))]
pub struct Obstacle {
    pub id: i64,
    /// Stable identifier other systems use for this obstacle.
    pub key: String,
    /// The agreement it concerns (for an action plan's obstacle, the plan's agreement).
    pub agreement_id: i64,
    /// The action plan it concerns; `null` for the relationship as a whole.
    pub action_plan_id: Option<i64>,
    #[schema(value_type = ObstacleCategory)]
    pub category: String,
    pub description: String,
    #[schema(value_type = Severity)]
    pub severity: String,
    #[schema(value_type = ObstacleStatus)]
    pub status: String,
    /// What is done about it.
    pub mitigation: Option<String>,
    pub identified_on: Option<NaiveDate>,
    /// 1 when created, one more on every change.
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

/// The writable fields of an obstacle. Give `agreement_id`, `action_plan_id` or both (then the
/// action plan must belong to the agreement). On `PATCH` every field is optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "action_plan_id": 9, "category": "data_security", "severity": "high",
    "description": "Data security and privacy are a main concern in sharing knowledge on the smart province project."
}))]
pub struct ObstacleInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    /// An existing agreement; may be left out when `action_plan_id` is given.
    #[schema(value_type = Option<i64>, minimum = 1)]
    agreement_id: Field<i64>,
    /// An existing action plan (of `agreement_id`, when both are given).
    #[schema(value_type = Option<i64>, minimum = 1)]
    action_plan_id: Field<i64>,
    #[schema(value_type = ObstacleCategory)]
    category: Field<ObstacleCategory>,
    #[schema(value_type = String, min_length = 1, max_length = 10000, pattern = "\\S")]
    description: Field<String>,
    /// Default `medium`.
    #[schema(value_type = Option<Severity>)]
    severity: Field<Severity>,
    /// Default `open`.
    #[schema(value_type = Option<ObstacleStatus>)]
    status: Field<ObstacleStatus>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    mitigation: Field<String>,
    #[schema(value_type = Option<String>, format = Date)]
    identified_on: Field<Date>,
}

#[derive(Debug, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = obstacles, treat_none_as_null = true)]
pub struct ObstacleValues {
    key: String,
    agreement_id: i64,
    action_plan_id: Option<i64>,
    category: String,
    description: String,
    severity: String,
    status: String,
    mitigation: Option<String>,
    identified_on: Option<NaiveDate>,
}

impl ObstacleInput {
    fn validate(
        self,
        mode: Mode,
        checker: &mut Checker,
        conn: &mut DbConnection,
    ) -> Result<Option<ObstacleValues>> {
        let key = checker.key(self.key, mode);
        let given_agreement = checker.optional("agreement_id", self.agreement_id);
        let action_plan_id = checker.optional("action_plan_id", self.action_plan_id);
        let category = checker.required("category", self.category);
        let description = checker.required_text("description", self.description, TEXT_MAX);
        let severity = checker.optional("severity", self.severity).unwrap_or(Severity::Medium);
        let status = checker.optional("status", self.status).unwrap_or(ObstacleStatus::Open);
        let mitigation = checker.optional_text("mitigation", self.mitigation, TEXT_MAX);
        let identified_on = checker.optional("identified_on", self.identified_on).map(|d| d.0);

        if let Some(agreement_id) = given_agreement {
            let exists: bool =
                diesel::select(diesel::dsl::exists(agreements::table.find(agreement_id))).get_result(conn)?;
            if !exists {
                checker.error("agreement_id", format!("no agreement has id {agreement_id}"));
            }
        }
        let plan_agreement: Option<i64> = match action_plan_id {
            Some(plan) => {
                let found: Option<i64> = action_plans::table
                    .find(plan)
                    .select(action_plans::agreement_id)
                    .first(conn)
                    .optional()?;
                if found.is_none() {
                    checker.error("action_plan_id", format!("no action plan has id {plan}"));
                }
                found
            }
            None => None,
        };
        if let (Some(given), Some(of_plan)) = (given_agreement, plan_agreement)
            && given != of_plan
        {
            checker.error(
                "action_plan_id",
                format!("the action plan belongs to agreement {of_plan}, not {given}"),
            );
        }
        if given_agreement.is_none() && action_plan_id.is_none() && !checker.has_error_under("agreement_id") {
            checker.error("agreement_id", "give agreement_id, action_plan_id or both");
        }
        let agreement_id = given_agreement.or(plan_agreement);
        Ok((|| {
            Some(ObstacleValues {
                key: key?,
                agreement_id: agreement_id?,
                action_plan_id,
                category: category?.as_str().to_owned(),
                description: description?,
                severity: severity.as_str().to_owned(),
                status: status.as_str().to_owned(),
                mitigation,
                identified_on,
            })
        })())
    }
}

/// Filters of the obstacle list.
#[derive(Debug, Default)]
pub struct ObstacleFilter {
    agreement_id: Option<i64>,
    action_plan_id: Option<i64>,
    category: Option<ObstacleCategory>,
    severity: Option<Severity>,
    status: Option<ObstacleStatus>,
}

/// Documentation of the obstacle list's own filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ObstacleFilterDoc {
    /// Obstacles of this agreement (its action plans' included).
    agreement_id: Option<i64>,
    /// Obstacles of this action plan.
    action_plan_id: Option<i64>,
    category: Option<ObstacleCategory>,
    severity: Option<Severity>,
    status: Option<ObstacleStatus>,
}

sortable!(SORTABLE, sort_obstacles, obstacles::BoxedQuery<'static, Backend>, obstacles::id, {
    "id" => obstacles::id,
    "key" => obstacles::key,
    "agreement_id" => obstacles::agreement_id,
    "action_plan_id" => obstacles::action_plan_id,
    "category" => obstacles::category,
    "severity" => obstacles::severity,
    "status" => obstacles::status,
    "identified_on" => obstacles::identified_on,
    "created_at" => obstacles::created_at,
    "updated_at" => obstacles::updated_at,
});

fn filtered(list: &ListParams, filter: &ObstacleFilter) -> obstacles::BoxedQuery<'static, Backend> {
    let mut query = obstacles::table.into_boxed();
    if let Some(after) = list.after_id {
        query = query.filter(obstacles::id.gt(after));
    }
    if let Some(ids) = &list.ids {
        query = query.filter(obstacles::id.eq_any(ids.clone()));
    }
    if let Some(key) = &list.key {
        query = query.filter(obstacles::key.eq(key.clone()));
    }
    if let Some(agreement_id) = filter.agreement_id {
        query = query.filter(obstacles::agreement_id.eq(agreement_id));
    }
    if let Some(plan) = filter.action_plan_id {
        query = query.filter(obstacles::action_plan_id.eq(plan));
    }
    if let Some(category) = filter.category {
        query = query.filter(obstacles::category.eq(category.as_str()));
    }
    if let Some(severity) = filter.severity {
        query = query.filter(obstacles::severity.eq(severity.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(obstacles::status.eq(status.as_str()));
    }
    if let Some(pattern) = &list.search_pattern {
        query = query.filter(
            lower(obstacles::description).like(pattern.clone()).escape('\\').nullable().or(lower_nullable(
                obstacles::mitigation,
            )
            .like(pattern.clone())
            .escape('\\')),
        );
    }
    query
}

/// Obstacles as a resource: `obstacles` in documents, where `agreement` and `action_plan`
/// name keys.
pub struct Obstacles;

impl Resource for Obstacles {
    const NAME: &'static str = "obstacle";
    const PATH: &'static str = "/api/v1/obstacles";
    const LIST: &'static str = "obstacles";
    const TARGET: Target = Target::Obstacle;
    const REFERENCES: &'static [Reference] = &[
        Reference::one("agreement", "agreement_id", Target::Agreement),
        Reference::one("action_plan", "action_plan_id", Target::ActionPlan),
    ];
    type Record = Obstacle;
    type Input = ObstacleInput;
    type Values = ObstacleValues;

    fn id(record: &Obstacle) -> i64 {
        record.id
    }

    fn version(record: &Obstacle) -> i32 {
        record.version
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Obstacle>> {
        Ok(obstacles::table.find(id).first(conn).optional()?)
    }

    fn validate(
        input: ObstacleInput,
        mode: Mode,
        checker: &mut Checker,
        conn: &mut DbConnection,
        _: Option<i64>,
    ) -> Result<Option<ObstacleValues>> {
        input.validate(mode, checker, conn)
    }

    fn insert(conn: &mut DbConnection, values: ObstacleValues) -> Result<Obstacle> {
        let now = crate::domain::now();
        Ok(diesel::insert_into(obstacles::table)
            .values((&values, obstacles::created_at.eq(now), obstacles::updated_at.eq(now)))
            .returning(obstacles::all_columns)
            .get_result(conn)?)
    }

    fn update(conn: &mut DbConnection, id: i64, values: ObstacleValues) -> Result<Obstacle> {
        Ok(diesel::update(obstacles::table.find(id))
            .set((
                &values,
                obstacles::updated_at.eq(crate::domain::now()),
                obstacles::version.eq(obstacles::version + 1),
            ))
            .returning(obstacles::all_columns)
            .get_result(conn)?)
    }

    fn delete(conn: &mut DbConnection, id: i64) -> Result<()> {
        diesel::delete(obstacles::table.find(id)).execute(conn)?;
        Ok(())
    }
}

impl Listed for Obstacles {
    type Filter = ObstacleFilter;
    const SORTABLE: &'static [&'static str] = SORTABLE;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "agreement_id",
        "action_plan_id",
        "category",
        "description",
        "severity",
        "status",
        "mitigation",
        "identified_on",
        "version",
        "created_at",
        "updated_at",
    ];

    fn take_filter(params: &mut QueryParams) -> ObstacleFilter {
        ObstacleFilter {
            agreement_id: params.take("agreement_id"),
            action_plan_id: params.take("action_plan_id"),
            category: params.take("category"),
            severity: params.take("severity"),
            status: params.take("status"),
        }
    }

    fn page(
        conn: &mut DbConnection,
        list: &ListParams,
        filter: &ObstacleFilter,
    ) -> Result<(i64, Vec<Obstacle>)> {
        let total = filtered(list, filter).count().get_result(conn)?;
        let items = sort_obstacles(filtered(list, filter), &list.sort)
            .limit(list.limit)
            .offset(list.offset)
            .load(conn)?;
        Ok((total, items))
    }

    fn within_agreement(filter: &mut ObstacleFilter, agreement: i64) -> bool {
        let consistent = filter.agreement_id.is_none_or(|given| given == agreement);
        filter.agreement_id = Some(agreement);
        consistent
    }
}

/// Lists obstacles.
///
/// Sortable fields: `id`, `key`, `agreement_id`, `action_plan_id`, `category`, `severity`,
/// `status`, `identified_on`, `created_at`, `updated_at`. `q` searches `description` and
/// `mitigation`.
#[utoipa::path(
    tag = "obstacles",
    operation_id = "list_obstacles",
    params(crate::listing::ListQueryDoc, ObstacleFilterDoc),
    responses((status = 200, description = "A page of obstacles", body = Page<Obstacle>))
)]
#[get("/obstacles")]
pub async fn list_obstacles(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    resource::list::<Obstacles>(&state, &request, None).await
}

/// Lists the obstacles of one agreement (its action plans' included), with the parameters of
/// the obstacle list.
#[utoipa::path(
    tag = "agreements",
    operation_id = "list_agreement_obstacles",
    params(("id" = i64, Path, description = "The agreement's id"), crate::listing::ListQueryDoc, ObstacleFilterDoc),
    responses((status = 200, description = "A page of the agreement's obstacles", body = Page<Obstacle>))
)]
#[get("/agreements/{id}/obstacles")]
pub async fn list_agreement_obstacles(
    _reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    resource::list::<Obstacles>(&state, &request, Some(id.into_inner())).await
}

/// Reads one obstacle.
#[utoipa::path(
    tag = "obstacles",
    operation_id = "get_obstacle",
    params(("id" = i64, Path, description = "The obstacle's id")),
    responses((status = 200, description = "The obstacle", body = Obstacle))
)]
#[get("/obstacles/{id}")]
pub async fn get_obstacle(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::read::<Obstacles>(&state, &request, id.into_inner()).await
}

/// Records an obstacle.
#[utoipa::path(
    tag = "obstacles",
    operation_id = "create_obstacle",
    request_body = ObstacleInput,
    responses((status = 201, description = "The new obstacle", body = Obstacle,
        headers(("Location" = String, description = "The new obstacle's path"))))
)]
#[post("/obstacles")]
pub async fn create_obstacle(
    editor: Editor,
    state: web::Data<AppState>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::create_one::<Obstacles>(&state, editor.0, body.into_inner()).await
}

/// Changes an obstacle (JSON merge patch).
#[utoipa::path(
    tag = "obstacles",
    operation_id = "update_obstacle",
    params(("id" = i64, Path, description = "The obstacle's id")),
    request_body = ObstacleInput,
    responses((status = 200, description = "The updated obstacle", body = Obstacle))
)]
#[patch("/obstacles/{id}")]
pub async fn update_obstacle(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::update_one::<Obstacles>(&state, editor.0, &request, id.into_inner(), body.into_inner()).await
}

/// Deletes an obstacle.
#[utoipa::path(
    tag = "obstacles",
    operation_id = "delete_obstacle",
    params(("id" = i64, Path, description = "The obstacle's id")),
    responses((status = 204, description = "The obstacle is deleted"))
)]
#[delete("/obstacles/{id}")]
pub async fn delete_obstacle(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::delete_one::<Obstacles>(&state, editor.0, &request, id.into_inner()).await
}

/// The obstacle's history: every write to it, newest first (deleted ones included).
#[utoipa::path(
    tag = "obstacles",
    operation_id = "obstacle_history",
    params(("id" = i64, Path, description = "The obstacle's id"), crate::listing::PagingDoc),
    responses((status = 200, description = "A page of the obstacle's audit events", body = Page<AuditEvent>))
)]
#[get("/obstacles/{id}/history")]
pub async fn obstacle_history(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::history::<Obstacles>(&state, &request, id.into_inner()).await
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(list_obstacles)
        .service(create_obstacle)
        .service(get_obstacle)
        .service(update_obstacle)
        .service(delete_obstacle)
        .service(obstacle_history)
        .service(list_agreement_obstacles);
}
