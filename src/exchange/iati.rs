//! An agreement as an IATI 2.03 activity file (API.md section 8): one `iati-activity` per
//! action plan, with its parties and agencies, sectors, budgets and transactions, documents and
//! results, valid against the IATI activity schema (the tests check it with `xmllint`).
//!
//! IATI's schema fixes the order of an activity's elements; this module writes them in that
//! order. Codes come from IATI's code lists: ActivityStatus, ActivityDateType,
//! OrganisationRole, OrganisationType, TransactionType, DocumentCategory, IndicatorMeasure and
//! ResultType (<https://iatistandard.org/en/iati-standard/203/codelists/>).

use std::collections::HashMap;
use std::io;

use actix_web::{HttpResponse, get, web};
use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::auth::Reader;
use crate::config::IatiSettings;
use crate::db::schema::{
    action_plan_agencies, action_plan_sectors, action_plans, agencies, agreement_organizations,
    agreement_parties, agreements, documents, indicators, organizations, regions, sectors, transactions,
};
use crate::db::{self, DbConnection};
use crate::domain::{
    ActionPlanStatus, DocumentCategory, IndicatorMeasure, OrganizationKind, TransactionKind,
};
use crate::error::{ApiError, Result};
use crate::http::AppState;
use crate::resources::action_plans::ActionPlanRecord;
use crate::resources::indicators::Indicator;
use crate::resources::transactions::Transaction;

/// The language of `title` and `description` (the API's texts are in English; the parties'
/// own language is in `local_title` and `local_description`, marked with `local_language`).
const DEFAULT_LANGUAGE: &str = "en";

/// Everything the file says, read from one snapshot.
struct AgreementFacts {
    key: String,
    local_language: Option<String>,
    /// The regions that are parties, by id: name.
    regions: Vec<(i64, String)>,
    /// The organizations that are parties: name and kind.
    organizations: Vec<(String, OrganizationKind)>,
    plans: Vec<ActionPlanRecord>,
    /// By action plan.
    sectors: HashMap<i64, Vec<(String, String)>>,
    agencies: HashMap<i64, Vec<(String, Option<i64>)>>,
    transactions: HashMap<i64, Vec<Transaction>>,
    indicators: HashMap<i64, Vec<Indicator>>,
    /// Documents with a URL: those of each plan, and (under `None`) the agreement's own, which
    /// every activity links to.
    documents: HashMap<Option<i64>, Vec<DocumentLink>>,
}

struct DocumentLink {
    title: String,
    url: String,
    category: DocumentCategory,
    language: Option<String>,
    issued_on: Option<NaiveDate>,
    media_type: Option<String>,
}

type DocumentRow = (
    Option<i64>,
    String,
    Option<String>,
    DocumentCategory,
    Option<String>,
    Option<NaiveDate>,
    Option<String>,
);

fn grouped<K: std::hash::Hash + Eq, V>(rows: impl IntoIterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut groups: HashMap<K, Vec<V>> = HashMap::new();
    for (key, value) in rows {
        groups.entry(key).or_default().push(value);
    }
    groups
}

fn read_facts(conn: &mut DbConnection, id: i64) -> Result<AgreementFacts> {
    let (key, local_language): (String, Option<String>) = agreements::table
        .find(id)
        .select((agreements::key, agreements::local_language))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("agreement", id))?;
    let regions = agreement_parties::table
        .inner_join(regions::table)
        .filter(agreement_parties::agreement_id.eq(id))
        .order(agreement_parties::position)
        .select((regions::id, regions::name))
        .load(conn)?;
    let organizations = agreement_organizations::table
        .inner_join(organizations::table)
        .filter(agreement_organizations::agreement_id.eq(id))
        .order(agreement_organizations::position)
        .select((organizations::name, organizations::kind))
        .load(conn)?;
    let plans: Vec<ActionPlanRecord> = action_plans::table
        .filter(action_plans::agreement_id.eq(id))
        .order((action_plans::key, action_plans::id))
        .load(conn)?;
    let of_agreement = action_plans::table.filter(action_plans::agreement_id.eq(id)).select(action_plans::id);
    let sectors: Vec<(i64, (String, String))> = action_plan_sectors::table
        .inner_join(sectors::table)
        .filter(action_plan_sectors::action_plan_id.eq_any(of_agreement))
        .order((action_plan_sectors::action_plan_id, action_plan_sectors::position))
        .select((action_plan_sectors::action_plan_id, (sectors::code, sectors::name)))
        .load(conn)?;
    let agencies: Vec<(i64, (String, Option<i64>))> = action_plan_agencies::table
        .inner_join(agencies::table)
        .filter(action_plan_agencies::action_plan_id.eq_any(of_agreement))
        .order((action_plan_agencies::action_plan_id, action_plan_agencies::position))
        .select((action_plan_agencies::action_plan_id, (agencies::name, agencies::region_id)))
        .load(conn)?;
    let transactions: Vec<Transaction> = transactions::table
        .filter(transactions::action_plan_id.eq_any(of_agreement))
        .order((transactions::value_date, transactions::id))
        .load(conn)?;
    let indicators: Vec<Indicator> = indicators::table
        .filter(indicators::action_plan_id.eq_any(of_agreement))
        .order(indicators::id)
        .load(conn)?;
    let documents: Vec<DocumentRow> = documents::table
        .filter(documents::agreement_id.eq(id))
        .filter(documents::url.is_not_null())
        .order((documents::issued_on, documents::id))
        .select((
            documents::action_plan_id,
            documents::title,
            documents::url,
            documents::category,
            documents::language,
            documents::issued_on,
            documents::file_media_type,
        ))
        .load(conn)?;
    Ok(AgreementFacts {
        key,
        local_language,
        regions,
        organizations,
        plans,
        sectors: grouped(sectors),
        agencies: grouped(agencies),
        transactions: grouped(transactions.into_iter().map(|t| (t.action_plan_id, t))),
        indicators: grouped(indicators.into_iter().map(|i| (i.action_plan_id, i))),
        documents: grouped(documents.into_iter().filter_map(
            |(plan, title, url, category, language, issued_on, media_type)| {
                Some((plan, DocumentLink { title, url: url?, category, language, issued_on, media_type }))
            },
        )),
    })
}

/// ActivityStatus.
fn activity_status(status: ActionPlanStatus) -> &'static str {
    match status {
        ActionPlanStatus::Planned => "1",
        ActionPlanStatus::InProgress => "2",
        ActionPlanStatus::Implemented => "3",
        ActionPlanStatus::Cancelled => "5",
        ActionPlanStatus::Suspended => "6",
    }
}

/// TransactionType; a contribution in kind has none (IATI records money) and a budget is a
/// `budget` element, not a transaction.
fn transaction_type(kind: TransactionKind) -> Option<&'static str> {
    match kind {
        TransactionKind::Commitment => Some("2"),
        TransactionKind::Disbursement => Some("3"),
        TransactionKind::Expenditure => Some("4"),
        TransactionKind::Budget | TransactionKind::InKind => None,
    }
}

/// OrganisationType of an organization that is a party.
fn organisation_type(kind: OrganizationKind) -> &'static str {
    match kind {
        OrganizationKind::GovernmentAgency => "10",
        OrganizationKind::Ngo => "22",
        OrganizationKind::InternationalOrganization => "40",
        OrganizationKind::BusinessAssociation => "70",
        OrganizationKind::University => "80",
        OrganizationKind::Network | OrganizationKind::Other => "90",
    }
}

/// DocumentCategory (activity level, `A..`): the nearest for each category of document.
fn document_category(category: DocumentCategory) -> &'static str {
    match category {
        // A09: memorandum of understanding, agreed by all parties.
        DocumentCategory::LetterOfIntent | DocumentCategory::MemorandumOfUnderstanding => "A09",
        // A11: contract.
        DocumentCategory::CooperationAgreement => "A11",
        // A02: objectives / purpose of activity.
        DocumentCategory::WorkPlan => "A02",
        // A04: conditions (the approvals the activity depends on).
        DocumentCategory::DprdDecision | DocumentCategory::FullPowerLetter => "A04",
        // A07: review of project performance.
        DocumentCategory::Minutes | DocumentCategory::Correspondence => "A07",
        // A08: results, outcomes and outputs.
        DocumentCategory::Report => "A08",
        // A12: activity web page.
        DocumentCategory::Other => "A12",
    }
}

/// IndicatorMeasure: unit, percentage, qualitative.
fn indicator_measure(measure: IndicatorMeasure) -> &'static str {
    match measure {
        IndicatorMeasure::Number => "1",
        IndicatorMeasure::Percentage => "2",
        IndicatorMeasure::Qualitative => "5",
    }
}

/// A document link's media type: its file's when one is stored, else read from the link.
fn media_type(link: &DocumentLink) -> &str {
    if let Some(media_type) = &link.media_type {
        return media_type;
    }
    let path = link.url.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    if path.ends_with(".pdf") { "application/pdf" } else { "text/html" }
}

/// Text content with `<`, `>` and `&` escaped (quotes need no escaping outside attributes),
/// and any character XML forbids, which text stored before such text was refused may hold,
/// replaced by U+FFFD: no escape makes U+0001 legal in XML 1.0.
fn text_of(text: &str) -> BytesText<'static> {
    BytesText::from_escaped(
        quick_xml::escape::partial_escape(crate::domain::xml_safe(text).as_ref()).into_owned(),
    )
}

fn first_day(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 1, 1)
}

fn last_day(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Whether `date` can be written as the schema's `xsd:date` with four digits of year. Dates are
/// refused outside the years 1000 to 9999 on the way in (`domain::Date`); one stored before
/// that rule is left out of the file rather than written as a date the schema refuses.
fn writable(date: &NaiveDate) -> bool {
    (1000..=9999).contains(&date.year())
}

/// Writes the IATI file of an agreement's action plans.
struct IatiWriter<'a> {
    settings: &'a IatiSettings,
}

impl<'a> IatiWriter<'a> {
    fn narrative(xml: &mut Writer<Vec<u8>>, text: &str, lang: Option<&str>) -> io::Result<()> {
        let element = xml.create_element("narrative");
        let element = match lang {
            Some(lang) => element.with_attribute(("xml:lang", lang)),
            None => element,
        };
        element.write_text_content(text_of(text))?;
        Ok(())
    }

    /// An element holding narratives: the text, and the local text marked with its language
    /// when it is known.
    fn narratives(
        xml: &mut Writer<Vec<u8>>,
        name: &str,
        attributes: &[(&str, &str)],
        text: &str,
        local: Option<(&str, &str)>,
    ) -> io::Result<()> {
        xml.create_element(name).with_attributes(attributes.iter().copied()).write_inner_content(|xml| {
            Self::narrative(xml, text, None)?;
            if let Some((local, lang)) = local {
                Self::narrative(xml, local, Some(lang))?;
            }
            Ok(())
        })?;
        Ok(())
    }

    fn document(&self, facts: &AgreementFacts, generated: &str) -> io::Result<Vec<u8>> {
        let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
        xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        xml.create_element("iati-activities")
            .with_attributes([("version", "2.03"), ("generated-datetime", generated)])
            .write_inner_content(|xml| {
                for plan in &facts.plans {
                    self.activity(xml, facts, plan)?;
                }
                Ok(())
            })?;
        let mut bytes = xml.into_inner();
        bytes.push(b'\n');
        Ok(bytes)
    }

    fn activity(
        &self,
        xml: &mut Writer<Vec<u8>>,
        facts: &AgreementFacts,
        plan: &ActionPlanRecord,
    ) -> io::Result<()> {
        let updated = plan.updated_at.0.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let local_language = facts.local_language.as_deref();
        xml.create_element("iati-activity")
            .with_attributes([("last-updated-datetime", updated.as_str()), ("xml:lang", DEFAULT_LANGUAGE)])
            .write_inner_content(|xml| {
                let identifier = format!("{}-{}-{}", self.settings.prefix, facts.key, plan.key);
                xml.create_element("iati-identifier").write_text_content(text_of(&identifier))?;
                let org_type = self.settings.org_type.to_string();
                Self::narratives(
                    xml,
                    "reporting-org",
                    &[("ref", &self.settings.org_ref), ("type", &org_type)],
                    &self.settings.org_name,
                    None,
                )?;
                Self::narratives(
                    xml,
                    "title",
                    &[],
                    &plan.title,
                    plan.local_title.as_deref().zip(local_language),
                )?;
                // A description is required: the plan's, else its outcome, else its title.
                let description =
                    plan.description.as_deref().or(plan.outcome.as_deref()).unwrap_or(plan.title.as_str());
                let local_description = plan.local_description.as_deref().zip(local_language);
                Self::narratives(xml, "description", &[("type", "1")], description, local_description)?;
                if let Some(outcome) = plan.outcome.as_deref().filter(|_| plan.description.is_some()) {
                    // Type 4, other: IATI's description types (general, objectives, target
                    // groups) have none for what the plan achieved.
                    Self::narratives(xml, "description", &[("type", "4")], outcome, None)?;
                }
                self.participants(xml, facts, plan.id)?;
                xml.create_element("activity-status")
                    .with_attribute(("code", activity_status(plan.status)))
                    .write_empty()?;
                Self::activity_dates(xml, plan)?;
                for (code, name) in facts.sectors.get(&plan.id).into_iter().flatten() {
                    Self::narratives(xml, "sector", &[("vocabulary", "99"), ("code", code)], name, None)?;
                }
                let transactions = facts.transactions.get(&plan.id).map_or(&[][..], Vec::as_slice);
                Self::budgets(xml, transactions)?;
                Self::transactions(xml, facts, transactions)?;
                let own = facts.documents.get(&Some(plan.id)).into_iter().flatten();
                for link in own.chain(facts.documents.get(&None).into_iter().flatten()) {
                    Self::document_link(xml, link)?;
                }
                if let Some(indicators) = facts.indicators.get(&plan.id) {
                    Self::result(xml, plan, indicators)?;
                }
                Ok(())
            })?;
        Ok(())
    }

    /// The parties (regions, then organizations) and the plan's agencies, all implementing
    /// (role 4).
    fn participants(&self, xml: &mut Writer<Vec<u8>>, facts: &AgreementFacts, plan: i64) -> io::Result<()> {
        for (_, name) in &facts.regions {
            // 11: local government.
            Self::narratives(xml, "participating-org", &[("role", "4"), ("type", "11")], name, None)?;
        }
        for (name, kind) in &facts.organizations {
            Self::narratives(
                xml,
                "participating-org",
                &[("role", "4"), ("type", organisation_type(*kind))],
                name,
                None,
            )?;
        }
        for (name, region) in facts.agencies.get(&plan).into_iter().flatten() {
            // A region's agency is local government (11), another a national one (10).
            let org_type = if region.is_some() { "11" } else { "10" };
            Self::narratives(xml, "participating-org", &[("role", "4"), ("type", org_type)], name, None)?;
        }
        Ok(())
    }

    /// At least one date is required. Dates given are actual once the plan has started
    /// (types 2 and 4) and planned before (1 and 3); a plan known only by its years starts on
    /// January 1 of `year` and ends on December 31 of `end_year` (or `year`), as planned.
    fn activity_dates(xml: &mut Writer<Vec<u8>>, plan: &ActionPlanRecord) -> io::Result<()> {
        let started = matches!(
            plan.status,
            ActionPlanStatus::InProgress | ActionPlanStatus::Implemented | ActionPlanStatus::Suspended
        );
        let ended = plan.status == ActionPlanStatus::Implemented;
        let mut dates = Vec::new();
        match (plan.start_date, plan.year) {
            (Some(start), _) => dates.push((if started { "2" } else { "1" }, start)),
            (None, Some(year)) => dates.extend(first_day(year).map(|day| ("1", day))),
            (None, None) => {}
        }
        match (plan.end_date, plan.end_year.or(plan.year)) {
            (Some(end), _) => dates.push((if ended { "4" } else { "3" }, end)),
            (None, Some(year)) => dates.extend(last_day(year).map(|day| ("3", day))),
            (None, None) => {}
        }
        dates.retain(|(_, date)| writable(date));
        if dates.is_empty() {
            // Nothing known of its dates: the day it was recorded, as a planned start, is the
            // one date the schema's required element can honestly carry.
            dates.push(("1", plan.created_at.0.date()));
        }
        for (kind, date) in dates {
            xml.create_element("activity-date")
                .with_attributes([("type", kind), ("iso-date", iso(date).as_str())])
                .write_empty()?;
        }
        Ok(())
    }

    /// Budgets, each for the calendar year of its value date (IATI budgets cover at most a
    /// year).
    fn budgets(xml: &mut Writer<Vec<u8>>, transactions: &[Transaction]) -> io::Result<()> {
        for budget in
            transactions.iter().filter(|t| t.kind == TransactionKind::Budget && writable(&t.value_date))
        {
            let year = budget.value_date.year();
            let (Some(start), Some(end)) = (first_day(year), last_day(year)) else { continue };
            xml.create_element("budget").write_inner_content(|xml| {
                xml.create_element("period-start")
                    .with_attribute(("iso-date", iso(start).as_str()))
                    .write_empty()?;
                xml.create_element("period-end")
                    .with_attribute(("iso-date", iso(end).as_str()))
                    .write_empty()?;
                Self::value(xml, budget)
            })?;
        }
        Ok(())
    }

    fn value(xml: &mut Writer<Vec<u8>>, transaction: &Transaction) -> io::Result<()> {
        xml.create_element("value")
            .with_attributes([
                ("currency", transaction.currency.as_str()),
                ("value-date", iso(transaction.value_date).as_str()),
            ])
            .write_text_content(text_of(&transaction.amount))?;
        Ok(())
    }

    fn transactions(
        xml: &mut Writer<Vec<u8>>,
        facts: &AgreementFacts,
        transactions: &[Transaction],
    ) -> io::Result<()> {
        for transaction in transactions.iter().filter(|t| writable(&t.value_date)) {
            let Some(code) = transaction_type(transaction.kind) else { continue };
            xml.create_element("transaction").write_inner_content(|xml| {
                xml.create_element("transaction-type").with_attribute(("code", code)).write_empty()?;
                xml.create_element("transaction-date")
                    .with_attribute(("iso-date", iso(transaction.value_date).as_str()))
                    .write_empty()?;
                Self::value(xml, transaction)?;
                if let Some(description) = &transaction.description {
                    Self::narratives(xml, "description", &[], description, None)?;
                }
                let payer = transaction
                    .party_region_id
                    .and_then(|region| facts.regions.iter().find(|(id, _)| *id == region));
                if let Some((_, name)) = payer {
                    Self::narratives(xml, "provider-org", &[("type", "11")], name, None)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    fn document_link(xml: &mut Writer<Vec<u8>>, link: &DocumentLink) -> io::Result<()> {
        xml.create_element("document-link")
            .with_attributes([("url", link.url.as_str()), ("format", media_type(link))])
            .write_inner_content(|xml| {
                Self::narratives(xml, "title", &[], &link.title, None)?;
                xml.create_element("category")
                    .with_attribute(("code", document_category(link.category)))
                    .write_empty()?;
                // IATI names languages by ISO 639-1: the tag's primary language, when it is one.
                let language =
                    link.language.as_deref().and_then(|tag| tag.split('-').next()).filter(|l| l.len() == 2);
                if let Some(language) = language {
                    xml.create_element("language")
                        .with_attribute(("code", language.to_ascii_lowercase().as_str()))
                        .write_empty()?;
                }
                if let Some(issued_on) = link.issued_on.filter(writable) {
                    xml.create_element("document-date")
                        .with_attribute(("iso-date", iso(issued_on).as_str()))
                        .write_empty()?;
                }
                Ok(())
            })?;
        Ok(())
    }

    /// The plan's indicators as one result (type 2, outcome) titled by the plan.
    fn result(
        xml: &mut Writer<Vec<u8>>,
        plan: &ActionPlanRecord,
        indicators: &[Indicator],
    ) -> io::Result<()> {
        xml.create_element("result").with_attribute(("type", "2")).write_inner_content(|xml| {
            Self::narratives(xml, "title", &[], &plan.title, None)?;
            for indicator in indicators {
                Self::indicator(xml, indicator)?;
            }
            Ok(())
        })?;
        Ok(())
    }

    fn indicator(xml: &mut Writer<Vec<u8>>, indicator: &Indicator) -> io::Result<()> {
        let ascending = if indicator.ascending { "1" } else { "0" };
        xml.create_element("indicator")
            .with_attributes([("measure", indicator_measure(indicator.measure)), ("ascending", ascending)])
            .write_inner_content(|xml| {
                Self::narratives(xml, "title", &[], &indicator.title, None)?;
                if let Some(notes) = &indicator.notes {
                    Self::narratives(xml, "description", &[], notes, None)?;
                }
                // IATI needs a baseline's year.
                if let Some(year) = indicator.baseline_year {
                    let year = year.to_string();
                    let mut attributes = vec![("year", year.as_str())];
                    attributes.extend(indicator.baseline_value.as_deref().map(|value| ("value", value)));
                    xml.create_element("baseline").with_attributes(attributes).write_empty()?;
                }
                Self::period(xml, indicator)
            })?;
        Ok(())
    }

    /// One period from the baseline's year (else the target's, else the measurement's) to the
    /// end of the target year or the day of the measurement, whichever is later, holding the
    /// target and the actual value. Left out when no year is known.
    fn period(xml: &mut Writer<Vec<u8>>, indicator: &Indicator) -> io::Result<()> {
        let start_year = indicator
            .baseline_year
            .or(indicator.target_year)
            .or(indicator.actual_on.filter(writable).map(|day| day.year()));
        let end = [indicator.target_year.and_then(last_day), indicator.actual_on.filter(writable)]
            .into_iter()
            .flatten()
            .max();
        let (Some(start), Some(end)) = (start_year.and_then(first_day), end) else { return Ok(()) };
        if indicator.target_value.is_none() && indicator.actual_value.is_none() {
            return Ok(());
        }
        xml.create_element("period").write_inner_content(|xml| {
            xml.create_element("period-start")
                .with_attribute(("iso-date", iso(start).as_str()))
                .write_empty()?;
            xml.create_element("period-end")
                .with_attribute(("iso-date", iso(end.max(start)).as_str()))
                .write_empty()?;
            if let Some(target) = &indicator.target_value {
                xml.create_element("target").with_attribute(("value", target.as_str())).write_empty()?;
            }
            if let Some(actual) = &indicator.actual_value {
                xml.create_element("actual").with_attribute(("value", actual.as_str())).write_empty()?;
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// The IATI file of agreement `id`.
pub fn iati_document(
    conn: &mut DbConnection,
    id: i64,
    settings: &IatiSettings,
    generated: &str,
) -> Result<Vec<u8>> {
    let facts = db::read_snapshot(conn, |conn| read_facts(conn, id))?;
    if facts.plans.is_empty() {
        // The schema wants at least one activity, and the plans are the activities.
        return Err(ApiError::Conflict {
            detail: format!(
                "agreement {id} has no action plans: its IATI file holds one activity per action plan, and a file without one is not valid IATI"
            ),
            errors: Vec::new(),
        });
    }
    IatiWriter { settings }
        .document(&facts, generated)
        .map_err(|e| ApiError::Internal(format!("cannot write the IATI file: {e}")))
}

/// The agreement's action plans as an IATI 2.03 activity file (`application/xml`), valid
/// against the IATI activity schema: one `iati-activity` per action plan, identified as
/// `{JALIN_IATI_PREFIX}-{agreement key}-{plan key}` and reported by `JALIN_IATI_ORG_REF` /
/// `JALIN_IATI_ORG_NAME`. Budgets and transactions come from the plan's transactions (a
/// contribution in kind has no IATI transaction type and is left out), results from its
/// indicators, document links from its documents and the agreement's that have a `url`. An
/// agreement without action plans has no activity to publish: `409`.
#[utoipa::path(
    tag = "reports",
    operation_id = "agreement_iati",
    params(("id" = i64, Path, description = "The agreement's id")),
    responses(
        (status = 200, description = "The IATI activity file", content_type = "application/xml", body = String),
        (status = 404, description = "No agreement has this id", body = crate::error::Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "The agreement has no action plans, hence no activity to publish",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/agreements/{id}/iati")]
pub async fn agreement_iati(
    _reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let settings = state.settings.iati.clone();
    let generated = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let document = db::run(&state.pool, move |conn| iati_document(conn, id, &settings, &generated)).await?;
    Ok(HttpResponse::Ok().content_type("application/xml; charset=utf-8").body(document))
}
