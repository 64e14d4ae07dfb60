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
use crate::domain::{ActionPlanStatus, AgreementKind, AgreementStatus, DocumentCategory, Instrument};
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

/// What the checks look at, read once.
struct Facts {
    kind: AgreementKind,
    status: AgreementStatus,
    signed_on: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
    letter_ref: Option<String>,
    letter_issued_on: Option<NaiveDate>,
    document_url: Option<String>,
    /// The agreement's documents of its instrument's category with a stored file.
    filed_documents: i64,
    /// The parties' countries.
    countries: Vec<String>,
    /// Action plans that are not cancelled: all of them, those without a year, those without
    /// an agency.
    plans: i64,
    unscheduled: i64,
    unassigned: i64,
}

impl Facts {
    fn read(conn: &mut DbConnection, id: i64) -> Result<Self> {
        type Columns = (
            AgreementKind,
            AgreementStatus,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<String>,
            Option<NaiveDate>,
            Option<String>,
            Option<Instrument>,
        );
        let (kind, status, signed_on, expires_on, letter_ref, letter_issued_on, document_url, instrument): Columns =
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
                    agreements::instrument,
                ))
                .first(conn)
                .optional()?
                .ok_or_else(|| ApiError::not_found("agreement", id))?;
        let countries = agreement_parties::table
            .inner_join(regions::table)
            .filter(agreement_parties::agreement_id.eq(id))
            .select(regions::country_code)
            .load(conn)?;
        let plans = || {
            action_plans::table
                .filter(action_plans::agreement_id.eq(id))
                .filter(action_plans::status.ne(ActionPlanStatus::Cancelled))
        };
        let filed_documents = match instrument {
            Some(instrument) => crate::resources::documents::filed_in_category(
                conn,
                id,
                DocumentCategory::of_instrument(instrument).as_str(),
            )?,
            None => 0,
        };
        let assigned = action_plan_agencies::table.select(action_plan_agencies::action_plan_id);
        Ok(Self {
            kind,
            status,
            signed_on,
            expires_on,
            letter_ref,
            letter_issued_on,
            document_url,
            filed_documents,
            countries,
            plans: plans().count().get_result(conn)?,
            unscheduled: plans().filter(action_plans::year.is_null()).count().get_result(conn)?,
            unassigned: plans().filter(action_plans::id.ne_all(assigned)).count().get_result(conn)?,
        })
    }

    /// Signed, active, expired or terminated: concluded, whatever happened since.
    fn concluded(&self) -> bool {
        matches!(
            self.status,
            AgreementStatus::Signed
                | AgreementStatus::Active
                | AgreementStatus::Expired
                | AgreementStatus::Terminated
        )
    }
}

pub fn compliance(conn: &mut DbConnection, id: i64, today: NaiveDate) -> Result<Compliance> {
    let facts = Facts::read(conn, id)?;
    let checks = vec![
        parties_in_different_countries(&facts),
        full_power_letter(&facts),
        signed_on_recorded(&facts),
        document_recorded(&facts),
        not_expired(&facts, today),
        action_plans_scheduled(&facts),
        action_plans_assigned(&facts),
    ];
    let passed = checks.iter().all(|c| c.status != CheckStatus::Fail);
    Ok(Compliance { agreement_id: id, passed, checks })
}

/// A sister relationship joins two countries.
fn parties_in_different_countries(facts: &Facts) -> Check {
    const CODE: &str = "parties_in_different_countries";
    if !facts.kind.is_sister() {
        return check(CODE, CheckStatus::NotApplicable, "not a sister relationship");
    }
    let mut distinct = facts.countries.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if facts.countries.len() == 2 && distinct.len() == 2 {
        check(CODE, CheckStatus::Pass, format!("the two parties are in {}", facts.countries.join(" and ")))
    } else {
        check(
            CODE,
            CheckStatus::Fail,
            format!("a {} relationship joins two regions of two countries", facts.kind),
        )
    }
}

/// A concluded agreement with an Indonesian party has the central government's Full Power
/// Letter, issued no later than the signature.
fn full_power_letter(facts: &Facts) -> Check {
    const CODE: &str = "full_power_letter";
    let indonesian = facts.countries.iter().any(|c| c == "ID");
    if !(indonesian && facts.concluded()) {
        return check(
            CODE,
            CheckStatus::NotApplicable,
            "only for signed agreements with an Indonesian party",
        );
    }
    match (&facts.letter_ref, facts.letter_issued_on) {
        (Some(_), Some(issued)) if facts.signed_on.is_some_and(|signed| issued > signed) => {
            check(CODE, CheckStatus::Fail, "the Full Power Letter was issued after the agreement was signed")
        }
        (Some(reference), Some(issued)) => {
            check(CODE, CheckStatus::Pass, format!("Full Power Letter {reference} issued on {issued}"))
        }
        _ => check(
            CODE,
            CheckStatus::Fail,
            "an agreement with an Indonesian party needs the central government's Full Power Letter: \
             record full_power_letter_ref and full_power_letter_issued_on",
        ),
    }
}

/// A concluded agreement records when it was signed.
fn signed_on_recorded(facts: &Facts) -> Check {
    const CODE: &str = "signed_on_recorded";
    match (facts.concluded(), facts.signed_on) {
        (false, _) => check(CODE, CheckStatus::NotApplicable, format!("the agreement is {}", facts.status)),
        (true, Some(date)) => check(CODE, CheckStatus::Pass, format!("signed on {date}")),
        (true, None) => {
            check(CODE, CheckStatus::Fail, format!("a {} agreement must record signed_on", facts.status))
        }
    }
}

/// A concluded agreement's document is on file: a document of its instrument's category with
/// its file, or a `document_url` (a warning only).
fn document_recorded(facts: &Facts) -> Check {
    const CODE: &str = "document_recorded";
    match (facts.concluded(), facts.filed_documents > 0, &facts.document_url) {
        (false, ..) => check(CODE, CheckStatus::NotApplicable, format!("the agreement is {}", facts.status)),
        (true, true, _) => check(CODE, CheckStatus::Pass, "the signed document is filed, with its file"),
        (true, false, Some(_)) => {
            check(CODE, CheckStatus::Pass, "the signed document is on file (document_url)")
        }
        (true, false, None) => check(
            CODE,
            CheckStatus::Warn,
            "neither a document of the agreement's instrument with its file nor a document_url: the signed document is not on file",
        ),
    }
}

/// An active agreement has not expired, and warns when it soon will.
fn not_expired(facts: &Facts, today: NaiveDate) -> Check {
    const CODE: &str = "not_expired";
    match (facts.status, facts.expires_on) {
        (AgreementStatus::Active, Some(expiry)) => {
            let days = (expiry - today).num_days();
            if days < 0 {
                check(CODE, CheckStatus::Fail, format!("active, but it expired on {expiry}"))
            } else if days <= EXPIRY_WARNING_DAYS {
                check(CODE, CheckStatus::Warn, format!("expires on {expiry}, in {days} days"))
            } else {
                check(CODE, CheckStatus::Pass, format!("expires on {expiry}"))
            }
        }
        (AgreementStatus::Active, None) => check(CODE, CheckStatus::Pass, "no expiry date is recorded"),
        (status, _) => check(CODE, CheckStatus::NotApplicable, format!("the agreement is {status}")),
    }
}

/// Every action plan that is not cancelled has a year.
fn action_plans_scheduled(facts: &Facts) -> Check {
    const CODE: &str = "action_plans_scheduled";
    match (facts.plans, facts.unscheduled) {
        (0, _) => check(CODE, CheckStatus::NotApplicable, "no action plans"),
        (_, 0) => check(CODE, CheckStatus::Pass, "every action plan has a year"),
        (_, n) => check(CODE, CheckStatus::Warn, format!("{n} action plan(s) have no year")),
    }
}

/// Every action plan that is not cancelled has an agency.
fn action_plans_assigned(facts: &Facts) -> Check {
    const CODE: &str = "action_plans_assigned";
    match (facts.plans, facts.unassigned) {
        (0, _) => check(CODE, CheckStatus::NotApplicable, "no action plans"),
        (_, 0) => check(CODE, CheckStatus::Pass, "every action plan has an agency"),
        (_, n) => check(CODE, CheckStatus::Warn, format!("{n} action plan(s) have no agency")),
    }
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
