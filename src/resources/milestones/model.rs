//! A milestone's fields, their rules, and the queries of the milestone list.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::milestones;
use crate::db::{Backend, DbConnection};
use crate::domain::{Date, DatePrecision, Key, MilestoneStage, MilestoneStatus, Timestamp};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX, SOURCE_MAX, TEXT_MAX};
use crate::listing::{AnyOf, ListParams};
use crate::resource::{Resource, Validate, Validated};
use crate::resources::agreements::{Agreements, check_of_agreement};
use crate::resources::documents::Documents;

/// A step of an agreement's legal procedure.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "jabar-souss-massa-signing", "agreement_id": 1, "stage": "signing",
    "status": "done", "date": "2017-01-01", "date_precision": "year", "reference": null,
    "authority": null, "notes": "The MoU was signed in 2017.", "source": null, "document_id": null, "version": 1,
    "created_at": "2026-11-28T01:00:00Z", "updated_at": "2026-11-28T01:00:00Z"
}))]
pub struct Milestone {
    pub id: i64,
    /// Stable identifier other systems use for this milestone.
    pub key: String,
    pub agreement_id: i64,
    pub stage: MilestoneStage,
    pub status: MilestoneStatus,
    /// When it happened, or is due while pending.
    pub date: Option<NaiveDate>,
    /// How much of `date` is known: a year-only fact is January 1 with precision `year`.
    pub date_precision: DatePrecision,
    /// The letter or decree number.
    pub reference: Option<String>,
    /// Who decided ("DPRD Provinsi Jawa Barat").
    pub authority: Option<String>,
    pub notes: Option<String>,
    /// Where the fact comes from.
    pub source: Option<String>,
    /// The paper this step produced: a document of the same agreement.
    pub document_id: Option<i64>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The writable fields of a milestone. On `PATCH` every field is optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "agreement_id": 1, "stage": "dprd_approval", "status": "done", "date": "2017-09-14",
    "reference": "27/B/DPRD/2017", "authority": "DPRD Provinsi Jawa Barat"
}))]
pub struct MilestoneInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    /// An existing agreement.
    #[schema(value_type = i64, minimum = 1)]
    agreement_id: Field<i64>,
    #[schema(value_type = MilestoneStage)]
    stage: Field<MilestoneStage>,
    #[schema(value_type = MilestoneStatus)]
    status: Field<MilestoneStatus>,
    /// When it happened, or is due while pending. With precision `year`, January 1 of the
    /// year; with `month`, the first of the month.
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    date: Field<Date>,
    /// Default `day`; another precision needs a `date`.
    #[schema(value_type = Option<DatePrecision>)]
    date_precision: Field<DatePrecision>,
    #[schema(value_type = Option<String>, max_length = 300)]
    reference: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    authority: Field<String>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    notes: Field<String>,
    /// Where the fact comes from (a document, an article, a meeting), up to 1,000 characters.
    #[schema(value_type = Option<String>, max_length = 1000)]
    source: Field<String>,
    /// A document of the same agreement (the decision, the letter, the signed MoU).
    #[schema(value_type = Option<i64>, minimum = 1)]
    document_id: Field<i64>,
}

#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = milestones, treat_none_as_null = true)]
pub struct MilestoneValues {
    key: String,
    agreement_id: i64,
    stage: MilestoneStage,
    status: MilestoneStatus,
    date: Option<NaiveDate>,
    date_precision: DatePrecision,
    reference: Option<String>,
    authority: Option<String>,
    notes: Option<String>,
    source: Option<String>,
    document_id: Option<i64>,
}

impl Validate for MilestoneInput {
    type Values = MilestoneValues;

    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let agreement_id = checker.required("agreement_id", self.agreement_id);
        let stage = checker.required("stage", self.stage);
        let status = checker.required("status", self.status);
        let date = checker.optional("date", self.date).map(|d| d.0);
        let date_precision = checker.optional("date_precision", self.date_precision).unwrap_or(DatePrecision::Day);
        let reference = checker.optional_text("reference", self.reference, NAME_MAX);
        let authority = checker.optional_text("authority", self.authority, NAME_MAX);
        let notes = checker.optional_text("notes", self.notes, TEXT_MAX);
        let source = checker.optional_text("source", self.source, SOURCE_MAX);
        let document_id = checker.optional("document_id", self.document_id);

        if let Some(agreement_id) = agreement_id {
            Agreements::KIND.check_reference(conn, checker, "agreement_id", agreement_id)?;
        }
        checker.date_precision(("date", date), ("date_precision", date_precision));
        if let Some(document) = document_id {
            check_of_agreement(conn, checker, "document_id", Documents::KIND, document, agreement_id)?;
        }
        Ok((|| {
            Some(MilestoneValues {
                key: key?,
                agreement_id: agreement_id?,
                stage: stage?,
                status: status?,
                date,
                date_precision,
                reference,
                authority,
                notes,
                source,
                document_id,
            })
        })())
    }
}

crate::filters! {
    /// Filters of the milestone list.
    pub struct MilestoneFilter {
        /// Milestones of this agreement.
        agreement_id: Option<i64>,
        stage: Option<AnyOf<MilestoneStage>>,
        status: Option<AnyOf<MilestoneStatus>>,
        /// Dated on or after this date.
        #[param(value_type = Option<crate::domain::DateOfRecord>)]
        date_from: Option<Date>,
        /// Dated on or before this date.
        #[param(value_type = Option<crate::domain::DateOfRecord>)]
        date_to: Option<Date>,
        /// `true`: pending with a date before today (UTC); `false`: every other milestone.
        overdue: Option<bool>,
    }
}

/// The stages' procedure order, for sorting (`other` last).
fn procedure_order() -> diesel::expression::SqlLiteral<diesel::sql_types::Integer> {
    let cases: String = MilestoneStage::ALL
        .iter()
        .enumerate()
        .map(|(order, stage)| format!(" WHEN '{stage}' THEN {order}"))
        .collect();
    diesel::dsl::sql(&format!("(CASE milestones.stage{cases} END)"))
}

crate::sortable!(SORTABLE, sort_milestones, milestones::BoxedQuery<'static, Backend>, milestones::id, {
    "id" => milestones::id,
    "key" => milestones::key,
    "agreement_id" => milestones::agreement_id,
    "stage" => procedure_order(),
    "status" => milestones::status,
    "date" => milestones::date,
    "created_at" => milestones::created_at,
    "updated_at" => milestones::updated_at,
});

crate::listed!(milestones, search: reference, authority, notes);

fn filtered(list: &ListParams, filter: &MilestoneFilter) -> milestones::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(agreement_id) = filter.agreement_id {
        query = query.filter(milestones::agreement_id.eq(agreement_id));
    }
    if let Some(stage) = &filter.stage {
        query = query.filter(stage.condition(milestones::stage));
    }
    if let Some(status) = &filter.status {
        query = query.filter(status.condition(milestones::status));
    }
    if let Some(from) = filter.date_from {
        query = query.filter(milestones::date.ge(from.0));
    }
    if let Some(to) = filter.date_to {
        query = query.filter(milestones::date.le(to.0));
    }
    if let Some(overdue) = filter.overdue {
        let today = crate::domain::now().0.date();
        let pending = MilestoneStatus::Pending.as_str();
        query = if overdue {
            query.filter(milestones::status.eq(pending).and(milestones::date.lt(today)))
        } else {
            query.filter(
                milestones::status.ne(pending).or(milestones::date.is_null()).or(milestones::date.ge(today)),
            )
        };
    }
    query
}

pub(super) fn page(conn: &mut DbConnection, list: &ListParams, filter: &MilestoneFilter) -> Result<(i64, Vec<Milestone>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}

