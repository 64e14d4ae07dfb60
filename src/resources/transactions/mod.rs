//! Transactions: the money of an action plan, budgeted, committed, paid out or spent, and the
//! value of contributions in kind, each in its own currency (API.md section 8).

mod model;
mod routes;

pub use model::{Transaction, TransactionFilter, TransactionInput, TransactionValues};


use crate::db::DbConnection;
use crate::db::schema::transactions;
use crate::error::Result;
use crate::listing::{ListParams, SortKey};
use crate::resource::{Kind, Listed, Nested, Reference, Resource};
use crate::resources::action_plans::ActionPlans;
use crate::resources::regions::Regions;

/// Transactions as a resource: `transactions` in documents, where `action_plan` and
/// `party_region` name keys.
pub struct Transactions;

impl Resource for Transactions {
    const KIND: &'static Kind = &Kind {
        name: "transaction",
        plural: "transactions",
        table: "transactions",
        resource_type: "transaction",
        path: "/api/v1/transactions",
        description: "The money of an action plan: budgets, commitments, disbursements, expenditures and contributions in kind",
    };
    const REFERENCES: &'static [Reference] = &[
        Reference::one("action_plan", "action_plan_id", ActionPlans::KIND),
        Reference::one("party_region", "party_region_id", Regions::KIND).referred_to_by("transactions it pays"),
    ];
    const SOURCED: bool = true;
    type Record = Transaction;
    type Input = TransactionInput;
    type Values = TransactionValues;

    crate::row_resource!(transactions);
}

impl Listed for Transactions {
    type Filter = TransactionFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "action_plan_id",
        "kind",
        "amount",
        "currency",
        "value_date",
        "party_region_id",
        "funding_source",
        "reference",
        "description",
        "source",
        "version",
        "created_at",
        "updated_at",
    ];
    /// In the order they happened.
    const DEFAULT_SORT: &'static [SortKey] = &[SortKey::ascending("value_date")];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &TransactionFilter) -> Result<(i64, Vec<Transaction>)> {
        model::page(conn, list, filter)
    }
}

/// `/action-plans/{id}/transactions`.
impl Nested<ActionPlans> for Transactions {
    fn parent(filter: &mut TransactionFilter) -> &mut Option<i64> {
        &mut filter.action_plan_id
    }
}

