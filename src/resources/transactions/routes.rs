//! The HTTP operations on transactions.

use super::{Transaction, TransactionFilter, TransactionInput, Transactions};
use crate::resources::action_plans::ActionPlans;

crate::resource_routes! {
    resource: Transactions, record: Transaction, input: TransactionInput, filter: TransactionFilter,
    paths: "/transactions", "/transactions/{id}", "/transactions/{id}/history", csv "/transactions.csv";
    handlers: list_transactions, get_transaction, create_transaction, update_transaction, delete_transaction, transaction_history;
    within ActionPlans: list_action_plan_transactions "/action-plans/{id}/transactions", csv "/action-plans/{id}/transactions.csv";
}
