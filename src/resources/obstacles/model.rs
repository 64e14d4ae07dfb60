//! An obstacle's fields, their rules, and the queries of the obstacle list.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::obstacles;
use crate::db::{Backend, DbConnection};
use crate::domain::{
    Date, Key, ObstacleCategory, ObstacleStatus, ObstacleStatusFilter, Severity, SeverityFilter, Timestamp,
};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, SOURCE_MAX, TEXT_MAX};
use crate::listing::{AnyOf, ListParams};
use crate::resource::{Resource, Validate, Validated};
use crate::resources::action_plans::ActionPlans;
use crate::resources::agreements::{Agreements, check_of_agreement};

/// Something that blocks or threatens an agreement or one of its action plans.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "ob-06", "agreement_id": 1, "action_plan_id": 9, "category": "data_security",
    "description": "Data security and privacy are a main concern in sharing knowledge on the smart province project.",
    "severity": null, "status": null, "mitigation": null, "identified_on": null,
    "source": "Paradiplomasi Jawa Barat - Souss-Massa, table of obstacles", "version": 1,
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
    pub category: ObstacleCategory,
    pub description: String,
    /// `null`: not assessed.
    pub severity: Option<Severity>,
    /// `null`: not assessed.
    pub status: Option<ObstacleStatus>,
    /// What is done about it.
    pub mitigation: Option<String>,
    pub identified_on: Option<NaiveDate>,
    /// Where the fact comes from.
    pub source: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
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
    /// Left out or `null`: not assessed (no default is invented).
    #[schema(value_type = Option<Severity>)]
    severity: Field<Severity>,
    /// Left out or `null`: not assessed (no default is invented).
    #[schema(value_type = Option<ObstacleStatus>)]
    status: Field<ObstacleStatus>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    mitigation: Field<String>,
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    identified_on: Field<Date>,
    /// Where the fact comes from (a document, an article, a meeting), up to 1,000 characters.
    #[schema(value_type = Option<String>, max_length = 1000)]
    source: Field<String>,
}

#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = obstacles, treat_none_as_null = true)]
pub struct ObstacleValues {
    key: String,
    agreement_id: i64,
    action_plan_id: Option<i64>,
    category: ObstacleCategory,
    description: String,
    severity: Option<Severity>,
    status: Option<ObstacleStatus>,
    mitigation: Option<String>,
    identified_on: Option<NaiveDate>,
    source: Option<String>,
}

impl Validate for ObstacleInput {
    type Values = ObstacleValues;

    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let given_agreement = checker.optional("agreement_id", self.agreement_id);
        let action_plan_id = checker.optional("action_plan_id", self.action_plan_id);
        let category = checker.required("category", self.category);
        let description = checker.required_text("description", self.description, TEXT_MAX);
        let severity = checker.optional("severity", self.severity);
        let status = checker.optional("status", self.status);
        let mitigation = checker.optional_text("mitigation", self.mitigation, TEXT_MAX);
        let identified_on = checker.optional("identified_on", self.identified_on).map(|d| d.0);
        let source = checker.optional_text("source", self.source, SOURCE_MAX);

        if let Some(agreement_id) = given_agreement {
            Agreements::KIND.check_reference(conn, checker, "agreement_id", agreement_id)?;
        }
        let plan_agreement = match action_plan_id {
            Some(plan) => {
                check_of_agreement(conn, checker, "action_plan_id", ActionPlans::KIND, plan, given_agreement)?
            }
            None => None,
        };
        if given_agreement.is_none() && action_plan_id.is_none() && !checker.has_error_under("agreement_id") {
            checker.error("agreement_id", "give agreement_id, action_plan_id or both");
        }
        let agreement_id = given_agreement.or(plan_agreement);
        Ok((|| {
            Some(ObstacleValues {
                key: key?,
                agreement_id: agreement_id?,
                action_plan_id,
                category: category?,
                description: description?,
                severity,
                status,
                mitigation,
                identified_on,
                source,
            })
        })())
    }
}

crate::filters! {
    /// Filters of the obstacle list.
    pub struct ObstacleFilter {
        /// Obstacles of this agreement (its action plans' included).
        agreement_id: Option<i64>,
        /// Obstacles of this action plan.
        action_plan_id: Option<i64>,
        category: Option<AnyOf<ObstacleCategory>>,
        /// `unassessed` lists the obstacles without a severity.
        severity: Option<AnyOf<SeverityFilter>>,
        /// `unassessed` lists the obstacles without a status.
        status: Option<AnyOf<ObstacleStatusFilter>>,
    }
}

crate::sortable!(SORTABLE, sort_obstacles, obstacles::BoxedQuery<'static, Backend>, obstacles::id, {
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

crate::listed!(obstacles, search: description, mitigation);

fn filtered(list: &ListParams, filter: &ObstacleFilter) -> obstacles::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(agreement_id) = filter.agreement_id {
        query = query.filter(obstacles::agreement_id.eq(agreement_id));
    }
    if let Some(plan) = filter.action_plan_id {
        query = query.filter(obstacles::action_plan_id.eq(plan));
    }
    if let Some(category) = &filter.category {
        query = query.filter(category.condition(obstacles::category));
    }
    if let Some(severity) = &filter.severity {
        query = query.filter(severity.condition_or_null(obstacles::severity, SeverityFilter::assessed));
    }
    if let Some(status) = &filter.status {
        query = query.filter(status.condition_or_null(obstacles::status, ObstacleStatusFilter::assessed));
    }
    query
}

pub(super) fn page(conn: &mut DbConnection, list: &ListParams, filter: &ObstacleFilter) -> Result<(i64, Vec<Obstacle>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}
