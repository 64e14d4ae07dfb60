//! The checks an agreement's record should pass, as a small rule engine: each check applies
//! one rule, named with its citation, and a rule of law binds only the agreements signed on or
//! after the day it came into force (`not_applicable` before it). Where a fact a check needs is
//! missing, the outcome is `unknown`, never a guess.
//!
//! The rules and their days are data, below. A day is written only where it is established
//! (the date a law was enacted); where it is not, the rule applies to every agreement and its
//! message says so, rather than inventing a cut-off.

use actix_web::{get, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Reader;
use crate::db::schema::{
    action_plan_agencies, action_plans, agreement_parties, agreements, milestones, regions,
};
use crate::db::{self, DbConnection};
use crate::domain::{
    ActionPlanStatus, AgreementKind, AgreementStatus, DatePrecision, DocumentCategory, Instrument,
    MilestoneStage, MilestoneStatus,
};
use crate::error::{ApiError, Result};
use crate::http::AppState;

/// How far ahead an active agreement's expiry warns.
pub const EXPIRY_WARNING_DAYS: i64 = 180;

crate::domain::string_enum! {
    /// The outcome of one check: `unknown` when a fact it needs is not recorded (or not
    /// precise enough to tell), `not_applicable` when its rule does not bind the agreement.
    CheckStatus {
        Pass = "pass",
        Warn = "warn",
        Fail = "fail",
        NotApplicable = "not_applicable",
        Unknown = "unknown",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Check {
    /// `parties_in_different_countries`, `full_power_letter`, `dprd_approval_recorded`,
    /// `central_government_review_recorded`, `signed_on_recorded`, `document_recorded`,
    /// `not_expired`, `expiry_recorded`, `action_plans_scheduled`, `action_plans_assigned`.
    pub code: &'static str,
    pub status: CheckStatus,
    /// The rule applied: a citation of the law, or the registry's own rule.
    #[schema(example = "Law 24/2000 on International Agreements, art. 7 (Full Powers)")]
    pub rule: &'static str,
    /// The day the rule came into force, where it is established: agreements signed before
    /// it are `not_applicable`. `null` for a rule of the registry, or of law whose day is not
    /// established here (its message says so).
    pub in_force_from: Option<NaiveDate>,
    pub message: String,
}

/// The checks of an agreement; `passed` is false when any check fails (`unknown` does not).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"agreement_id": 1, "passed": false, "checks": [
    {"code": "signed_on_recorded", "status": "fail", "rule": "Jalin registry: a concluded agreement records when it was signed",
     "in_force_from": null, "message": "an active agreement must record signed_on"}]}))]
pub struct Compliance {
    pub agreement_id: i64,
    pub passed: bool,
    pub checks: Vec<Check>,
}

/// When a rule binds an agreement.
#[derive(Debug, Clone, Copy)]
enum InForce {
    /// From this day: agreements signed before it are not bound.
    Since(NaiveDate),
    /// A rule of law whose day of entry into force is not established here: it binds every
    /// agreement, and the check's message says so.
    NotEstablished,
    /// A rule of the registry itself, about keeping records useful: it binds every record.
    Registry,
}

/// One rule and the check that applies it.
struct Rule {
    code: &'static str,
    citation: &'static str,
    in_force: InForce,
    check: fn(&Facts, NaiveDate) -> Outcome,
}

type Outcome = (CheckStatus, String);

/// A day written in the code, checked when compiling.
const fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("not a day"),
    }
}

/// The rules, in the order of the checks.
///
/// Days: Law 24/2000 on International Agreements was enacted on 23 October 2000. The DPRD's
/// approval and the central government's review of a region's foreign cooperation have been
/// required by successive laws and regulations (Law 32/2004 and Law 23/2014 on Regional
/// Government, PP 28/2018, Permendagri 3/2008 then 25/2020), but the day each requirement
/// first bound a region is not established here: those rules bind every agreement.
const RULES: &[Rule] = &[
    Rule {
        code: "parties_in_different_countries",
        citation: "Jalin registry: a sister relationship joins two regions of two countries",
        in_force: InForce::Registry,
        check: parties_in_different_countries,
    },
    Rule {
        code: "full_power_letter",
        citation: "Law 24/2000 on International Agreements, art. 7 (Full Powers: Surat Kuasa)",
        in_force: InForce::Since(day(2000, 10, 23)),
        check: full_power_letter,
    },
    Rule {
        code: "dprd_approval_recorded",
        citation: "Approval by the regional parliament (DPRD) of a region's cooperation with a foreign party \
                   (Law 23/2014 on Regional Government; PP 28/2018 on Regional Cooperation)",
        in_force: InForce::NotEstablished,
        check: dprd_approval_recorded,
    },
    Rule {
        code: "central_government_review_recorded",
        citation: "Review of a region's foreign cooperation by the central government (Ministry of Home Affairs \
                   and Ministry of Foreign Affairs): Law 37/1999 on Foreign Relations; Permendagri 25/2020",
        in_force: InForce::NotEstablished,
        check: central_government_review_recorded,
    },
    Rule {
        code: "signed_on_recorded",
        citation: "Jalin registry: a concluded agreement records when it was signed",
        in_force: InForce::Registry,
        check: signed_on_recorded,
    },
    Rule {
        code: "document_recorded",
        citation: "Jalin registry: a concluded agreement's signed document is on file",
        in_force: InForce::Registry,
        check: document_recorded,
    },
    Rule {
        code: "not_expired",
        citation: "Jalin registry: an active agreement is within its term",
        in_force: InForce::Registry,
        check: not_expired,
    },
    Rule {
        code: "expiry_recorded",
        citation: "Jalin registry: a concluded agreement records when it expires",
        in_force: InForce::Registry,
        check: expiry_recorded,
    },
    Rule {
        code: "action_plans_scheduled",
        citation: "Jalin registry: every action plan has a year",
        in_force: InForce::Registry,
        check: action_plans_scheduled,
    },
    Rule {
        code: "action_plans_assigned",
        citation: "Jalin registry: every action plan has a responsible agency",
        in_force: InForce::Registry,
        check: action_plans_assigned,
    },
];

impl Rule {
    /// The check's outcome, once the rule's day is weighed against the signing.
    fn apply(&self, facts: &Facts, today: NaiveDate) -> Check {
        let (status, message) = match (self.check)(facts, today) {
            outcome @ (CheckStatus::NotApplicable, _) => outcome,
            outcome => self.bound(facts, outcome),
        };
        let in_force_from = match self.in_force {
            InForce::Since(day) => Some(day),
            InForce::NotEstablished | InForce::Registry => None,
        };
        Check { code: self.code, status, rule: self.citation, in_force_from, message }
    }

    /// `outcome`, unless the agreement was signed before the rule came into force (or may
    /// have been: a signing known to the year that holds the day).
    fn bound(&self, facts: &Facts, (status, message): Outcome) -> Outcome {
        match self.in_force {
            InForce::Registry => (status, message),
            InForce::NotEstablished => (
                status,
                format!(
                    "{message} (the day this rule came into force is not established: it is checked for every agreement)"
                ),
            ),
            InForce::Since(from) => match facts.signed() {
                Some((_, last)) if last < from => (
                    CheckStatus::NotApplicable,
                    format!("signed {}, before the rule came into force on {from}", facts.signing_date()),
                ),
                Some((first, _)) if first < from => (
                    CheckStatus::Unknown,
                    format!(
                        "signed {}, the period in which the rule came into force on {from}: whether it binds the agreement cannot be told",
                        facts.signing_date()
                    ),
                ),
                None if facts.concluded() => (
                    CheckStatus::Unknown,
                    format!(
                        "signed_on is not recorded: whether the rule, in force since {from}, binds the agreement cannot be told"
                    ),
                ),
                _ => (status, message),
            },
        }
    }
}

/// A procedure step recorded as a milestone.
#[derive(Debug, Queryable)]
struct Step {
    stage: MilestoneStage,
    status: MilestoneStatus,
    date: Option<NaiveDate>,
    precision: DatePrecision,
}

/// The agreement's own columns the checks read.
#[derive(Debug, Queryable)]
struct Recorded {
    kind: AgreementKind,
    status: AgreementStatus,
    signed_on: Option<NaiveDate>,
    signed_on_precision: DatePrecision,
    expires_on: Option<NaiveDate>,
    letter_ref: Option<String>,
    letter_issued_on: Option<NaiveDate>,
    document_url: Option<String>,
    instrument: Option<Instrument>,
}

/// What the checks look at, read once.
struct Facts {
    agreement: Recorded,
    /// The agreement's documents of its instrument's category with a stored file.
    filed_documents: i64,
    /// The parties' countries.
    countries: Vec<String>,
    /// Its DPRD approval and central government review milestones.
    steps: Vec<Step>,
    /// Action plans that are not cancelled: all of them, those without a year, those without
    /// an agency.
    plans: i64,
    unscheduled: i64,
    unassigned: i64,
}

impl Facts {
    fn read(conn: &mut DbConnection, id: i64) -> Result<Self> {
        let agreement: Recorded = agreements::table
            .find(id)
            .select((
                agreements::kind,
                agreements::status,
                agreements::signed_on,
                agreements::signed_on_precision,
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
        let steps = milestones::table
            .filter(milestones::agreement_id.eq(id))
            .filter(
                milestones::stage
                    .eq(MilestoneStage::DprdApproval)
                    .or(milestones::stage.eq(MilestoneStage::CentralGovernmentReview)),
            )
            .select((milestones::stage, milestones::status, milestones::date, milestones::date_precision))
            .load(conn)?;
        let plans = || {
            action_plans::table
                .filter(action_plans::agreement_id.eq(id))
                .filter(action_plans::status.ne(ActionPlanStatus::Cancelled))
        };
        let filed_documents = match agreement.instrument {
            Some(instrument) => crate::resources::documents::filed_in_category(
                conn,
                id,
                DocumentCategory::of_instrument(instrument).as_str(),
            )?,
            None => 0,
        };
        let assigned = action_plan_agencies::table.select(action_plan_agencies::action_plan_id);
        Ok(Self {
            agreement,
            filed_documents,
            countries,
            steps,
            plans: plans().count().get_result(conn)?,
            unscheduled: plans().filter(action_plans::year.is_null()).count().get_result(conn)?,
            unassigned: plans().filter(action_plans::id.ne_all(assigned)).count().get_result(conn)?,
        })
    }

    /// Signed, active, expired or terminated: concluded, whatever happened since.
    fn concluded(&self) -> bool {
        matches!(
            self.agreement.status,
            AgreementStatus::Signed
                | AgreementStatus::Active
                | AgreementStatus::Expired
                | AgreementStatus::Terminated
        )
    }

    fn indonesian(&self) -> bool {
        self.countries.iter().any(|c| c == "ID")
    }

    /// The first and last day the signing may have been, as far as it is known.
    fn signed(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.agreement.signed_on.map(|date| self.agreement.signed_on_precision.span(date))
    }

    /// "on 2017-11-03", "in 2017-11" or "in 2017", as much as is known.
    fn signing_date(&self) -> String {
        self.agreement.signed_on.map_or_else(
            || "on a day not recorded".to_owned(),
            |date| dated(date, self.agreement.signed_on_precision),
        )
    }
}

/// A date as much as it is known: "on 2017-11-03", "in 2017-11", "in 2017".
fn dated(date: NaiveDate, precision: DatePrecision) -> String {
    match precision {
        DatePrecision::Day => format!("on {date}"),
        DatePrecision::Month => format!("in {}", date.format("%Y-%m")),
        DatePrecision::Year => format!("in {}", date.format("%Y")),
    }
}

pub fn compliance(conn: &mut DbConnection, id: i64, today: NaiveDate) -> Result<Compliance> {
    let facts = Facts::read(conn, id)?;
    let checks: Vec<Check> = RULES.iter().map(|rule| rule.apply(&facts, today)).collect();
    let passed = checks.iter().all(|c| c.status != CheckStatus::Fail);
    Ok(Compliance { agreement_id: id, passed, checks })
}

fn outcome(status: CheckStatus, message: impl Into<String>) -> Outcome {
    (status, message.into())
}

/// A sister relationship joins two countries.
fn parties_in_different_countries(facts: &Facts, _today: NaiveDate) -> Outcome {
    if !facts.agreement.kind.is_sister() {
        return outcome(CheckStatus::NotApplicable, "not a sister relationship");
    }
    let mut distinct = facts.countries.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if facts.countries.len() == 2 && distinct.len() == 2 {
        outcome(CheckStatus::Pass, format!("the two parties are in {}", facts.countries.join(" and ")))
    } else {
        outcome(
            CheckStatus::Fail,
            format!("a {} relationship joins two regions of two countries", facts.agreement.kind),
        )
    }
}

/// A concluded agreement with an Indonesian party has the central government's Full Power
/// Letter, issued no later than the signature.
fn full_power_letter(facts: &Facts, _today: NaiveDate) -> Outcome {
    if !(facts.indonesian() && facts.concluded()) {
        return outcome(CheckStatus::NotApplicable, "only for signed agreements with an Indonesian party");
    }
    match (&facts.agreement.letter_ref, facts.agreement.letter_issued_on, facts.signed()) {
        (None, ..) => outcome(
            CheckStatus::Fail,
            "an agreement with an Indonesian party needs the central government's Full Power Letter: \
             record full_power_letter_ref and full_power_letter_issued_on",
        ),
        (Some(reference), None, _) => outcome(
            CheckStatus::Unknown,
            format!(
                "Full Power Letter {reference} is recorded without full_power_letter_issued_on: whether it came before the signature cannot be told"
            ),
        ),
        (Some(reference), Some(issued), None) => outcome(
            CheckStatus::Unknown,
            format!(
                "Full Power Letter {reference} issued on {issued}, but signed_on is not recorded: whether it came first cannot be told"
            ),
        ),
        (Some(_), Some(issued), Some((_, last))) if issued > last => outcome(
            CheckStatus::Fail,
            format!(
                "the Full Power Letter was issued on {issued}, after the agreement was signed {}",
                facts.signing_date()
            ),
        ),
        (Some(reference), Some(issued), Some((first, _))) if issued > first => outcome(
            CheckStatus::Unknown,
            format!(
                "Full Power Letter {reference} issued on {issued}; the agreement was signed {}: which came first cannot be told",
                facts.signing_date()
            ),
        ),
        (Some(reference), Some(issued), Some(_)) => {
            outcome(CheckStatus::Pass, format!("Full Power Letter {reference} issued on {issued}"))
        }
    }
}

/// The DPRD approved a concluded agreement with an Indonesian party before it was signed.
fn dprd_approval_recorded(facts: &Facts, _today: NaiveDate) -> Outcome {
    step_before_signing(facts, MilestoneStage::DprdApproval, "the DPRD's approval")
}

/// The central government reviewed a concluded agreement with an Indonesian party before it
/// was signed.
fn central_government_review_recorded(facts: &Facts, _today: NaiveDate) -> Outcome {
    step_before_signing(facts, MilestoneStage::CentralGovernmentReview, "the central government's review")
}

/// A `done` milestone of `stage` dated before the signing; `what` names the step.
fn step_before_signing(facts: &Facts, stage: MilestoneStage, what: &str) -> Outcome {
    if !(facts.indonesian() && facts.concluded()) {
        return outcome(CheckStatus::NotApplicable, "only for signed agreements with an Indonesian party");
    }
    let steps: Vec<&Step> = facts.steps.iter().filter(|step| step.stage == stage).collect();
    let done: Vec<&Step> =
        steps.iter().copied().filter(|step| step.status == MilestoneStatus::Done).collect();
    if done.is_empty() {
        return if steps.iter().any(|step| step.status == MilestoneStatus::NotRequired) {
            outcome(
                CheckStatus::NotApplicable,
                format!("{what} is recorded as not required (a {stage} milestone)"),
            )
        } else {
            outcome(CheckStatus::Fail, format!("{what} is not recorded: no {stage} milestone is done"))
        };
    }
    let Some((signed_first, signed_last)) = facts.signed() else {
        return outcome(
            CheckStatus::Unknown,
            format!(
                "{what} is recorded, but signed_on is not: whether it came before the signing cannot be told"
            ),
        );
    };
    let spans: Vec<(NaiveDate, NaiveDate, String)> = done
        .iter()
        .filter_map(|step| {
            step.date.map(|date| {
                let (first, last) = step.precision.span(date);
                (first, last, dated(date, step.precision))
            })
        })
        .collect();
    if let Some((_, _, when)) = spans.iter().find(|(_, last, _)| *last <= signed_first) {
        return outcome(CheckStatus::Pass, format!("{what} is recorded {when}, before the signing"));
    }
    if spans.len() == done.len()
        && let Some((_, _, when)) = spans.iter().find(|(first, _, _)| *first > signed_last)
    {
        return outcome(
            CheckStatus::Fail,
            format!("{what} is recorded {when}, after the agreement was signed {}", facts.signing_date()),
        );
    }
    outcome(
        CheckStatus::Unknown,
        format!(
            "{what} is recorded, but its date does not tell whether it came before the signing {}",
            facts.signing_date()
        ),
    )
}

/// A concluded agreement records when it was signed.
fn signed_on_recorded(facts: &Facts, _today: NaiveDate) -> Outcome {
    match (facts.concluded(), facts.agreement.signed_on) {
        (false, _) => {
            outcome(CheckStatus::NotApplicable, format!("the agreement is {}", facts.agreement.status))
        }
        (true, Some(_)) => outcome(CheckStatus::Pass, format!("signed {}", facts.signing_date())),
        (true, None) => outcome(
            CheckStatus::Fail,
            format!("a {} agreement must record signed_on", facts.agreement.status),
        ),
    }
}

/// A concluded agreement's document is on file: a document of its instrument's category with
/// its file, or a `document_url` (a warning only).
fn document_recorded(facts: &Facts, _today: NaiveDate) -> Outcome {
    match (facts.concluded(), facts.filed_documents > 0, &facts.agreement.document_url) {
        (false, ..) => {
            outcome(CheckStatus::NotApplicable, format!("the agreement is {}", facts.agreement.status))
        }
        (true, true, _) => outcome(CheckStatus::Pass, "the signed document is filed, with its file"),
        (true, false, Some(_)) => outcome(CheckStatus::Pass, "the signed document is on file (document_url)"),
        (true, false, None) => outcome(
            CheckStatus::Warn,
            "neither a document of the agreement's instrument with its file nor a document_url: the signed document is not on file",
        ),
    }
}

/// An active agreement has not expired, and warns when it soon will.
fn not_expired(facts: &Facts, today: NaiveDate) -> Outcome {
    match (facts.agreement.status, facts.agreement.expires_on) {
        (AgreementStatus::Active, Some(expiry)) => {
            let days = (expiry - today).num_days();
            if days < 0 {
                outcome(CheckStatus::Fail, format!("active, but it expired on {expiry}"))
            } else if days <= EXPIRY_WARNING_DAYS {
                outcome(CheckStatus::Warn, format!("expires on {expiry}, in {days} days"))
            } else {
                outcome(CheckStatus::Pass, format!("expires on {expiry}"))
            }
        }
        (AgreementStatus::Active, None) => outcome(
            CheckStatus::Unknown,
            "no expiry date is recorded: whether the agreement is still within its term cannot be told",
        ),
        (status, _) => outcome(CheckStatus::NotApplicable, format!("the agreement is {status}")),
    }
}

/// A concluded agreement records its expiry (a warning only).
fn expiry_recorded(facts: &Facts, _today: NaiveDate) -> Outcome {
    match (facts.concluded(), facts.agreement.expires_on) {
        (false, _) => {
            outcome(CheckStatus::NotApplicable, format!("the agreement is {}", facts.agreement.status))
        }
        (true, Some(expiry)) => outcome(CheckStatus::Pass, format!("expires on {expiry}")),
        (true, None) => outcome(
            CheckStatus::Warn,
            "no expires_on is recorded: renewals cannot be planned nor the term watched",
        ),
    }
}

/// Every action plan that is not cancelled has a year.
fn action_plans_scheduled(facts: &Facts, _today: NaiveDate) -> Outcome {
    match (facts.plans, facts.unscheduled) {
        (0, _) => outcome(CheckStatus::NotApplicable, "no action plans"),
        (_, 0) => outcome(CheckStatus::Pass, "every action plan has a year"),
        (_, n) => outcome(CheckStatus::Warn, format!("{n} action plan(s) have no year")),
    }
}

/// Every action plan that is not cancelled has an agency.
fn action_plans_assigned(facts: &Facts, _today: NaiveDate) -> Outcome {
    match (facts.plans, facts.unassigned) {
        (0, _) => outcome(CheckStatus::NotApplicable, "no action plans"),
        (_, 0) => outcome(CheckStatus::Pass, "every action plan has an agency"),
        (_, n) => outcome(CheckStatus::Warn, format!("{n} action plan(s) have no agency")),
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
