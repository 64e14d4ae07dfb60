//! A transaction's fields, their rules, and the queries of the transaction list.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{action_plans, agreement_parties, transactions};
use crate::db::{Backend, DbConnection};
use crate::domain::money::{format_minor_units, to_minor_units};
use crate::domain::{CurrencyCode, Date, DecimalText, FundingSource, Key, Timestamp, TransactionKind};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX, SOURCE_MAX, TEXT_MAX};
use crate::listing::{AnyOf, ListParams};
use crate::resource::{Resource, Validate, Validated};
use crate::resources::action_plans::ActionPlans;
use crate::resources::agreements::check_of_agreement;
use crate::resources::regions::Regions;

/// A transaction's row as stored: its amount in minor units of its currency.
#[derive(Queryable)]
pub struct TransactionRow {
    id: i64,
    key: String,
    action_plan_id: i64,
    kind: TransactionKind,
    amount_minor: i64,
    currency: String,
    value_date: NaiveDate,
    party_region_id: Option<i64>,
    funding_source: Option<FundingSource>,
    reference: Option<String>,
    description: Option<String>,
    source: Option<String>,
    version: i32,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// Money of an action plan: planned, promised, paid out, spent, or given in kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "ap-01-budget-2019", "action_plan_id": 1, "kind": "budget",
    "amount": "1250000000.00", "currency": "IDR", "value_date": "2019-01-15", "party_region_id": 1,
    "funding_source": "regional_budget", "reference": "DPA 2019", "description": "Tourism promotion",
    "source": null, "version": 1, "created_at": "2026-11-28T01:00:00Z", "updated_at": "2026-11-28T01:00:00Z"
}))]
pub struct Transaction {
    pub id: i64,
    /// Stable identifier other systems use for this transaction.
    pub key: String,
    pub action_plan_id: i64,
    pub kind: TransactionKind,
    /// Exact, as a decimal string with as many decimals as the currency has (`"0.60"` MAD,
    /// `"1500"` JPY).
    #[schema(pattern = "^[0-9]+(\\.[0-9]+)?$", example = "1250000.00")]
    pub amount: String,
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
    /// When the money was budgeted, committed, paid or spent.
    pub value_date: NaiveDate,
    /// The side that pays: a party of the action plan's agreement.
    pub party_region_id: Option<i64>,
    pub funding_source: Option<FundingSource>,
    /// The budget line, contract or payment reference.
    pub reference: Option<String>,
    pub description: Option<String>,
    /// Where the fact comes from.
    pub source: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<TransactionRow> for Transaction {
    fn from(row: TransactionRow) -> Self {
        let decimals = CurrencyCode::minor_unit_of(&row.currency);
        Self {
            id: row.id,
            key: row.key,
            action_plan_id: row.action_plan_id,
            kind: row.kind,
            amount: format_minor_units(i128::from(row.amount_minor), decimals),
            currency: row.currency,
            value_date: row.value_date,
            party_region_id: row.party_region_id,
            funding_source: row.funding_source,
            reference: row.reference,
            description: row.description,
            source: row.source,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

crate::queryable_through_row!(Transaction, TransactionRow);

/// The writable fields of a transaction. On `PATCH` every field is optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "action_plan_id": 1, "kind": "expenditure", "amount": "350000000.00", "currency": "IDR",
    "value_date": "2019-06-30", "party_region_id": 1, "funding_source": "regional_budget"
}))]
pub struct TransactionInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    /// An existing action plan.
    #[schema(value_type = i64, minimum = 1)]
    action_plan_id: Field<i64>,
    #[schema(value_type = TransactionKind)]
    kind: Field<TransactionKind>,
    /// Greater than 0, as a string (`"1250000.00"`), with no more decimals than the
    /// currency's ISO 4217 minor unit (2 for IDR and MAD, 0 for JPY, 3 for KWD) and at most 18
    /// significant digits.
    #[schema(value_type = String, pattern = "^[0-9]+(\\.[0-9]+)?$", example = "1250000.00")]
    amount: Field<DecimalText>,
    #[schema(value_type = CurrencyCode)]
    currency: Field<CurrencyCode>,
    #[schema(value_type = crate::domain::DateOfRecord)]
    value_date: Field<Date>,
    /// The side that pays: a region that is a party of the action plan's agreement.
    #[schema(value_type = Option<i64>, minimum = 1)]
    party_region_id: Field<i64>,
    #[schema(value_type = Option<FundingSource>)]
    funding_source: Field<FundingSource>,
    /// The budget line, contract or payment reference.
    #[schema(value_type = Option<String>, max_length = 300)]
    reference: Field<String>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    description: Field<String>,
    /// Where the fact comes from (a budget document, a report), up to 1,000 characters.
    #[schema(value_type = Option<String>, max_length = 1000)]
    source: Field<String>,
}

/// A validated transaction: its columns, and its amount as the API writes it (what a stored
/// record is compared with).
#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = transactions, treat_none_as_null = true)]
pub struct TransactionValues {
    key: String,
    action_plan_id: i64,
    kind: TransactionKind,
    #[serde(skip)]
    amount_minor: i64,
    #[diesel(skip_insertion)]
    #[diesel(skip_update)]
    amount: String,
    currency: String,
    value_date: NaiveDate,
    party_region_id: Option<i64>,
    funding_source: Option<FundingSource>,
    reference: Option<String>,
    description: Option<String>,
    source: Option<String>,
}

impl Validate for TransactionInput {
    type Values = TransactionValues;

    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let action_plan_id = checker.required("action_plan_id", self.action_plan_id);
        let kind = checker.required("kind", self.kind);
        let amount = checker.required("amount", self.amount);
        let currency = checker.required("currency", self.currency);
        let value_date = checker.required("value_date", self.value_date).map(|d| d.0);
        let party_region_id = checker.optional("party_region_id", self.party_region_id);
        let funding_source = checker.optional("funding_source", self.funding_source);
        let reference = checker.optional_text("reference", self.reference, NAME_MAX);
        let description = checker.optional_text("description", self.description, TEXT_MAX);
        let source = checker.optional_text("source", self.source, SOURCE_MAX);

        // A withdrawn code (HRK) only for a payment made before its withdrawal.
        let currency = match (currency, value_date) {
            (Some(code), Some(day)) => match code.in_force_on(day) {
                Ok(()) => Some(code),
                Err(message) => {
                    checker.error("currency", message);
                    None
                }
            },
            (currency, _) => currency,
        };
        let amount_minor = match (amount, currency) {
            (Some(amount), Some(currency)) => match to_minor_units(amount, currency) {
                Ok(minor) => Some((minor, currency)),
                Err(message) => {
                    checker.error("amount", message);
                    None
                }
            },
            (Some(amount), None) if amount.value() <= rust_decimal::Decimal::ZERO => {
                checker.error("amount", "must be greater than 0");
                None
            }
            _ => None,
        };
        let agreement = match action_plan_id {
            Some(plan) => check_of_agreement(conn, checker, "action_plan_id", ActionPlans::KIND, plan, None)?,
            None => None,
        };
        if let Some(region) = party_region_id
            && Regions::KIND.check_reference(conn, checker, "party_region_id", region)?
            && let Some(agreement) = agreement
            && !is_party(conn, agreement, region)?
        {
            checker.error(
                "party_region_id",
                format!("region {region} is not a party of agreement {agreement}, which the action plan is carried out under"),
            );
        }
        Ok((|| {
            let (amount_minor, currency) = amount_minor?;
            Some(TransactionValues {
                key: key?,
                action_plan_id: action_plan_id?,
                kind: kind?,
                amount_minor,
                amount: format_minor_units(i128::from(amount_minor), currency.minor_unit()),
                currency: currency.as_str().to_owned(),
                value_date: value_date?,
                party_region_id,
                funding_source,
                reference,
                description,
                source,
            })
        })())
    }
}

/// Whether `region` is a party of `agreement`.
fn is_party(conn: &mut DbConnection, agreement: i64, region: i64) -> QueryResult<bool> {
    let count: i64 = agreement_parties::table
        .filter(agreement_parties::agreement_id.eq(agreement))
        .filter(agreement_parties::region_id.eq(region))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

crate::filters! {
    /// Filters of the transaction list.
    pub struct TransactionFilter {
        /// Transactions of this action plan.
        action_plan_id: Option<i64>,
        /// Transactions of the action plans of this agreement.
        agreement_id: Option<i64>,
        kind: Option<AnyOf<TransactionKind>>,
        #[param(value_type = Option<CurrencyCode>)]
        currency: Option<CurrencyCode>,
        /// Paid by this region.
        party_region_id: Option<i64>,
        /// Dated (`value_date`) on or after this date.
        #[param(value_type = Option<crate::domain::DateOfRecord>)]
        value_from: Option<Date>,
        /// Dated (`value_date`) on or before this date.
        #[param(value_type = Option<crate::domain::DateOfRecord>)]
        value_to: Option<Date>,
    }
}

// Not by amount: amounts of different currencies do not compare.
crate::sortable!(SORTABLE, sort_transactions, transactions::BoxedQuery<'static, Backend>, transactions::id, {
    "id" => transactions::id,
    "key" => transactions::key,
    "action_plan_id" => transactions::action_plan_id,
    "kind" => transactions::kind,
    "currency" => transactions::currency,
    "value_date" => transactions::value_date,
    "party_region_id" => transactions::party_region_id,
    "created_at" => transactions::created_at,
    "updated_at" => transactions::updated_at,
});

crate::listed!(transactions, search: reference, description);

fn filtered(list: &ListParams, filter: &TransactionFilter) -> transactions::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(plan) = filter.action_plan_id {
        query = query.filter(transactions::action_plan_id.eq(plan));
    }
    if let Some(agreement) = filter.agreement_id {
        query = query.filter(
            transactions::action_plan_id
                .eq_any(action_plans::table.filter(action_plans::agreement_id.eq(agreement)).select(action_plans::id)),
        );
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(kind.condition(transactions::kind));
    }
    if let Some(currency) = filter.currency {
        query = query.filter(transactions::currency.eq(currency.as_str()));
    }
    if let Some(region) = filter.party_region_id {
        query = query.filter(transactions::party_region_id.eq(region));
    }
    if let Some(from) = filter.value_from {
        query = query.filter(transactions::value_date.ge(from.0));
    }
    if let Some(to) = filter.value_to {
        query = query.filter(transactions::value_date.le(to.0));
    }
    query
}

pub(super) fn page(conn: &mut DbConnection, list: &ListParams, filter: &TransactionFilter) -> Result<(i64, Vec<Transaction>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}
