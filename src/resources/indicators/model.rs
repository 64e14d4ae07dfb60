//! An indicator's fields, their rules, its progress, and the queries of the indicator list.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{action_plans, indicators};
use crate::db::{Backend, DbConnection};
use crate::domain::money::progress;
use crate::domain::{Date, DecimalText, IndicatorMeasure, Key, Timestamp};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX, SOURCE_MAX, TEXT_MAX};
use crate::listing::{AnyOf, ListParams};
use crate::resource::{Resource, Validate, Validated};
use crate::resources::action_plans::ActionPlans;

/// An indicator's row as stored.
#[derive(Queryable)]
pub struct IndicatorRow {
    id: i64,
    key: String,
    action_plan_id: i64,
    title: String,
    measure: IndicatorMeasure,
    unit: Option<String>,
    ascending: bool,
    baseline_value: Option<String>,
    baseline_year: Option<i32>,
    target_value: Option<String>,
    target_year: Option<i32>,
    actual_value: Option<String>,
    actual_on: Option<NaiveDate>,
    notes: Option<String>,
    source: Option<String>,
    version: i32,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// What an action plan is meant to achieve, and how far it has got.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "ap-05-exchange-students", "action_plan_id": 5,
    "title": "Students exchanged between the two regions' universities", "measure": "number",
    "unit": "students", "ascending": true, "baseline_value": "0", "baseline_year": 2017,
    "target_value": "40", "target_year": 2022, "actual_value": "12", "actual_on": "2020-12-31",
    "progress": 0.3, "notes": null, "source": null, "version": 1,
    "created_at": "2026-11-28T01:00:00Z", "updated_at": "2026-11-28T01:00:00Z"
}))]
pub struct Indicator {
    pub id: i64,
    /// Stable identifier other systems use for this indicator.
    pub key: String,
    pub action_plan_id: i64,
    pub title: String,
    pub measure: IndicatorMeasure,
    /// What is counted (`students`, `tonnes`); a percentage needs none.
    pub unit: Option<String>,
    /// `true` when higher is better.
    pub ascending: bool,
    /// Exact decimals, as written (`"85.50"`); `null` for a qualitative indicator.
    #[schema(pattern = "^-?[0-9]+(\\.[0-9]+)?$")]
    pub baseline_value: Option<String>,
    pub baseline_year: Option<i32>,
    #[schema(pattern = "^-?[0-9]+(\\.[0-9]+)?$")]
    pub target_value: Option<String>,
    pub target_year: Option<i32>,
    /// The value reached, as last measured on `actual_on`.
    #[schema(pattern = "^-?[0-9]+(\\.[0-9]+)?$")]
    pub actual_value: Option<String>,
    pub actual_on: Option<NaiveDate>,
    /// `(actual - baseline) / (target - baseline)`, rounded to 4 decimals: 0 at the baseline,
    /// 1 at the target, above 1 past it, below 0 when it went the wrong way. `null` when one of
    /// the three values is missing or the target equals the baseline.
    pub progress: Option<f64>,
    pub notes: Option<String>,
    /// Where the fact comes from.
    pub source: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<IndicatorRow> for Indicator {
    fn from(row: IndicatorRow) -> Self {
        let progress =
            progress(row.baseline_value.as_deref(), row.target_value.as_deref(), row.actual_value.as_deref());
        Self {
            id: row.id,
            key: row.key,
            action_plan_id: row.action_plan_id,
            title: row.title,
            measure: row.measure,
            unit: row.unit,
            ascending: row.ascending,
            baseline_value: row.baseline_value,
            baseline_year: row.baseline_year,
            target_value: row.target_value,
            target_year: row.target_year,
            actual_value: row.actual_value,
            actual_on: row.actual_on,
            progress,
            notes: row.notes,
            source: row.source,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

crate::queryable_through_row!(Indicator, IndicatorRow);

/// The writable fields of an indicator. On `PATCH` every field is optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "action_plan_id": 5, "title": "Students exchanged between the two regions' universities",
    "measure": "number", "unit": "students", "baseline_value": "0", "baseline_year": 2017,
    "target_value": "40", "target_year": 2022, "actual_value": "12", "actual_on": "2020-12-31"
}))]
pub struct IndicatorInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    /// An existing action plan.
    #[schema(value_type = i64, minimum = 1)]
    action_plan_id: Field<i64>,
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    title: Field<String>,
    /// `qualitative`: described in words (`notes`), with no values.
    #[schema(value_type = IndicatorMeasure)]
    measure: Field<IndicatorMeasure>,
    #[schema(value_type = Option<String>, max_length = 300)]
    unit: Field<String>,
    /// Default `true`: higher is better.
    #[schema(value_type = Option<bool>)]
    ascending: Field<bool>,
    /// A decimal in a string (`"0"`, `"85.5"`), at most 18 significant digits; not for a
    /// qualitative indicator.
    #[schema(value_type = Option<String>, pattern = "^-?[0-9]+(\\.[0-9]+)?$")]
    baseline_value: Field<DecimalText>,
    #[schema(value_type = Option<i32>, minimum = 1000, maximum = 9999)]
    baseline_year: Field<i32>,
    /// Like `baseline_value`.
    #[schema(value_type = Option<String>, pattern = "^-?[0-9]+(\\.[0-9]+)?$")]
    target_value: Field<DecimalText>,
    /// Not before `baseline_year`.
    #[schema(value_type = Option<i32>, minimum = 1000, maximum = 9999)]
    target_year: Field<i32>,
    /// Like `baseline_value`: the value reached, as measured on `actual_on`.
    #[schema(value_type = Option<String>, pattern = "^-?[0-9]+(\\.[0-9]+)?$")]
    actual_value: Field<DecimalText>,
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    actual_on: Field<Date>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    notes: Field<String>,
    /// Where the fact comes from (a report, an evaluation), up to 1,000 characters.
    #[schema(value_type = Option<String>, max_length = 1000)]
    source: Field<String>,
}

#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = indicators, treat_none_as_null = true)]
pub struct IndicatorValues {
    key: String,
    action_plan_id: i64,
    title: String,
    measure: IndicatorMeasure,
    unit: Option<String>,
    ascending: bool,
    baseline_value: Option<String>,
    baseline_year: Option<i32>,
    target_value: Option<String>,
    target_year: Option<i32>,
    actual_value: Option<String>,
    actual_on: Option<NaiveDate>,
    notes: Option<String>,
    source: Option<String>,
}

impl Validate for IndicatorInput {
    type Values = IndicatorValues;

    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let action_plan_id = checker.required("action_plan_id", self.action_plan_id);
        let title = checker.required_text("title", self.title, NAME_MAX);
        let measure = checker.required("measure", self.measure);
        let unit = checker.optional_text("unit", self.unit, NAME_MAX);
        let ascending = checker.optional("ascending", self.ascending).unwrap_or(true);
        let mut baseline_value = checker.optional("baseline_value", self.baseline_value);
        let mut target_value = checker.optional("target_value", self.target_value);
        let mut actual_value = checker.optional("actual_value", self.actual_value);
        if measure == Some(IndicatorMeasure::Qualitative) {
            for (field, value) in [
                ("baseline_value", &mut baseline_value),
                ("target_value", &mut target_value),
                ("actual_value", &mut actual_value),
            ] {
                if value.take().is_some() {
                    checker.error(field, "a qualitative indicator has no values: describe what was reached in notes");
                }
            }
        }
        let baseline_year = checker.optional("baseline_year", self.baseline_year);
        let target_year = checker.optional("target_year", self.target_year);
        for (field, year) in [("baseline_year", baseline_year), ("target_year", target_year)] {
            if year.is_some_and(|year| !(1000..=9999).contains(&year)) {
                checker.error(field, "must be a year between 1000 and 9999");
            }
        }
        if let (Some(baseline), Some(target)) = (baseline_year, target_year)
            && target < baseline
            && !checker.has_error("baseline_year")
        {
            checker.error("target_year", format!("must not be before baseline_year ({baseline})"));
        }
        let actual_on = checker.optional("actual_on", self.actual_on).map(|d| d.0);
        let notes = checker.optional_text("notes", self.notes, TEXT_MAX);
        let source = checker.optional_text("source", self.source, SOURCE_MAX);
        if let Some(plan) = action_plan_id {
            ActionPlans::KIND.check_reference(conn, checker, "action_plan_id", plan)?;
        }
        Ok((|| {
            Some(IndicatorValues {
                key: key?,
                action_plan_id: action_plan_id?,
                title: title?,
                measure: measure?,
                unit,
                ascending,
                baseline_value: baseline_value.map(|v| v.to_string()),
                baseline_year,
                target_value: target_value.map(|v| v.to_string()),
                target_year,
                actual_value: actual_value.map(|v| v.to_string()),
                actual_on,
                notes,
                source,
            })
        })())
    }
}

crate::filters! {
    /// Filters of the indicator list.
    pub struct IndicatorFilter {
        /// Indicators of this action plan.
        action_plan_id: Option<i64>,
        /// Indicators of the action plans of this agreement.
        agreement_id: Option<i64>,
        measure: Option<AnyOf<IndicatorMeasure>>,
    }
}

crate::sortable!(SORTABLE, sort_indicators, indicators::BoxedQuery<'static, Backend>, indicators::id, {
    "id" => indicators::id,
    "key" => indicators::key,
    "action_plan_id" => indicators::action_plan_id,
    "title" => indicators::title,
    "measure" => indicators::measure,
    "target_year" => indicators::target_year,
    "actual_on" => indicators::actual_on,
    "created_at" => indicators::created_at,
    "updated_at" => indicators::updated_at,
});

crate::listed!(indicators, search: title, unit, notes);

fn filtered(list: &ListParams, filter: &IndicatorFilter) -> indicators::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(plan) = filter.action_plan_id {
        query = query.filter(indicators::action_plan_id.eq(plan));
    }
    if let Some(agreement) = filter.agreement_id {
        query = query.filter(
            indicators::action_plan_id
                .eq_any(action_plans::table.filter(action_plans::agreement_id.eq(agreement)).select(action_plans::id)),
        );
    }
    if let Some(measure) = &filter.measure {
        query = query.filter(measure.condition(indicators::measure));
    }
    query
}

pub(super) fn page(conn: &mut DbConnection, list: &ListParams, filter: &IndicatorFilter) -> Result<(i64, Vec<Indicator>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}
