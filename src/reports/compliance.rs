//! The checks an agreement's record should pass: what Indonesian rules require of a signed
//! agreement (Permendagri 25/2020: no signature without the central government's Full Power
//! Letter), and what keeps the registry useful (documents on file, expiry watched, plans
//! scheduled and assigned).

use actix_web::{get, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Reader;
use crate::db::schema::{action_plan_agencies, action_plans, agreement_parties, agreements, regions};
use crate::db::{self, DbConnection};
use crate::domain::{ActionPlanStatus, AgreementKind, AgreementStatus};
use crate::error::{ApiError, Result};
use crate::http::AppState;

/// How far ahead an active agreement's expiry warns.
pub const EXPIRY_WARNING_DAYS: i64 = 180;

crate::domain::string_enum! {
    /// The outcome of one check.
    CheckStatus {
        Pass = "pass",
        Warn = "warn",
        Fail = "fail",
        NotApplicable = "not_applicable",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Check {
    /// `parties_in_different_countries`, `full_power_letter`, `signed_on_recorded`,
    /// `document_recorded`, `not_expired`, `action_plans_scheduled`, `action_plans_assigned`.
    pub code: &'static str,
    pub status: CheckStatus,
    pub message: String,
}

/// The checks of an agreement; `passed` is false when any check fails.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"agreement_id": 1, "passed": false, "checks": [
    {"code": "signed_on_recorded", "status": "fail", "message": "an active agreement must record signed_on"}]}))]
pub struct Compliance {
    pub agreement_id: i64,
    pub passed: bool,
    pub checks: Vec<Check>,
}

fn check(code: &'static str, status: CheckStatus, message: impl Into<String>) -> Check {
    Check { code, status, message: message.into() }
}

type AgreementFacts =
    (String, String, Option<NaiveDate>, Option<NaiveDate>, Option<String>, Option<NaiveDate>, Option<String>);

pub fn compliance(conn: &mut DbConnection, id: i64, today: NaiveDate) -> Result<Compliance> {
    let (kind, status, signed_on, expires_on, letter_ref, letter_issued_on, document_url): AgreementFacts =
        agreements::table
            .find(id)
            .select((
                agreements::kind,
                agreements::status,
                agreements::signed_on,
                agreements::expires_on,
                agreements::full_power_letter_ref,
                agreements::full_power_letter_issued_on,
                agreements::document_url,
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::not_found("agreement", id))?;
    let countries: Vec<String> = agreement_parties::table
        .inner_join(regions::table)
        .filter(agreement_parties::agreement_id.eq(id))
        .select(regions::country_code)
        .load(conn)?;
    let plans = || {
        action_plans::table
            .filter(action_plans::agreement_id.eq(id))
            .filter(action_plans::status.ne(ActionPlanStatus::Cancelled.as_str()))
    };
    let plan_count: i64 = plans().count().get_result(conn)?;
    let unscheduled: i64 = plans().filter(action_plans::year.is_null()).count().get_result(conn)?;
    let assigned = action_plan_agencies::table.select(action_plan_agencies::action_plan_id);
    let unassigned: i64 = plans().filter(action_plans::id.ne_all(assigned)).count().get_result(conn)?;

    let kind: Option<AgreementKind> = kind.parse().ok();
    let status: Option<AgreementStatus> = status.parse().ok();
    let concluded = status.is_some_and(|s| {
        matches!(
            s,
            AgreementStatus::Signed
                | AgreementStatus::Active
                | AgreementStatus::Expired
                | AgreementStatus::Terminated
        )
    });
    let status_name = status.map_or("unknown", AgreementStatus::as_str);
    let mut checks = Vec::new();

    checks.push(match kind {
        Some(kind) if kind.is_sister() => {
            let distinct = {
                let mut c = countries.clone();
                c.sort_unstable();
                c.dedup();
                c.len()
            };
            if countries.len() == 2 && distinct == 2 {
                check(
                    "parties_in_different_countries",
                    CheckStatus::Pass,
                    format!("the two parties are in {}", countries.join(" and ")),
                )
            } else {
                check(
                    "parties_in_different_countries",
                    CheckStatus::Fail,
                    format!("a {kind} relationship joins two regions of two countries"),
                )
            }
        }
        _ => check("parties_in_different_countries", CheckStatus::NotApplicable, "not a sister relationship"),
    });

    let indonesian = countries.iter().any(|c| c == "ID");
    checks.push(if !(indonesian && concluded) {
        check(
            "full_power_letter",
            CheckStatus::NotApplicable,
            "only for signed agreements with an Indonesian party",
        )
    } else {
        match (&letter_ref, letter_issued_on) {
            (Some(_), Some(issued)) if signed_on.is_some_and(|signed| issued > signed) => check(
                "full_power_letter",
                CheckStatus::Fail,
                "the Full Power Letter was issued after the agreement was signed",
            ),
            (Some(reference), Some(issued)) => check(
                "full_power_letter",
                CheckStatus::Pass,
                format!("Full Power Letter {reference} issued on {issued}"),
            ),
            _ => check(
                "full_power_letter",
                CheckStatus::Fail,
                "an agreement with an Indonesian party needs the central government's Full Power Letter: \
                 record full_power_letter_ref and full_power_letter_issued_on",
            ),
        }
    });

    checks.push(match (concluded, signed_on) {
        (false, _) => {
            check("signed_on_recorded", CheckStatus::NotApplicable, format!("the agreement is {status_name}"))
        }
        (true, Some(date)) => check("signed_on_recorded", CheckStatus::Pass, format!("signed on {date}")),
        (true, None) => check(
            "signed_on_recorded",
            CheckStatus::Fail,
            format!("a {status_name} agreement must record signed_on"),
        ),
    });

    checks.push(match (concluded, &document_url) {
        (false, _) => {
            check("document_recorded", CheckStatus::NotApplicable, format!("the agreement is {status_name}"))
        }
        (true, Some(_)) => check("document_recorded", CheckStatus::Pass, "the signed document is on file"),
        (true, None) => check(
            "document_recorded",
            CheckStatus::Warn,
            "no document_url: the signed document is not on file",
        ),
    });

    checks.push(match (status, expires_on) {
        (Some(AgreementStatus::Active), Some(expiry)) => {
            let days = (expiry - today).num_days();
            if days < 0 {
                check("not_expired", CheckStatus::Fail, format!("active, but it expired on {expiry}"))
            } else if days <= EXPIRY_WARNING_DAYS {
                check("not_expired", CheckStatus::Warn, format!("expires on {expiry}, in {days} days"))
            } else {
                check("not_expired", CheckStatus::Pass, format!("expires on {expiry}"))
            }
        }
        (Some(AgreementStatus::Active), None) => {
            check("not_expired", CheckStatus::Pass, "no expiry date is recorded")
        }
        _ => check("not_expired", CheckStatus::NotApplicable, format!("the agreement is {status_name}")),
    });

    checks.push(match (plan_count, unscheduled) {
        (0, _) => check("action_plans_scheduled", CheckStatus::NotApplicable, "no action plans"),
        (_, 0) => check("action_plans_scheduled", CheckStatus::Pass, "every action plan has a year"),
        (_, n) => {
            check("action_plans_scheduled", CheckStatus::Warn, format!("{n} action plan(s) have no year"))
        }
    });

    checks.push(match (plan_count, unassigned) {
        (0, _) => check("action_plans_assigned", CheckStatus::NotApplicable, "no action plans"),
        (_, 0) => check("action_plans_assigned", CheckStatus::Pass, "every action plan has an agency"),
        (_, n) => {
            check("action_plans_assigned", CheckStatus::Warn, format!("{n} action plan(s) have no agency"))
        }
    });

    let passed = checks.iter().all(|c| c.status != CheckStatus::Fail);
    Ok(Compliance { agreement_id: id, passed, checks })
}

/// The compliance checks of an agreement.
#[utoipa::path(
    tag = "reports",
    operation_id = "agreement_compliance",
    params(("id" = i64, Path, description = "The agreement's id")),
    responses((status = 200, description = "The agreement's checks", body = Compliance))
)]
#[get("/agreements/{id}/compliance")]
pub async fn agreement_compliance(
    _reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<Compliance>> {
    let id = id.into_inner();
    let today = chrono::Utc::now().date_naive();
    Ok(web::Json(db::run(&state.pool, move |conn| compliance(conn, id, today)).await?))
}
