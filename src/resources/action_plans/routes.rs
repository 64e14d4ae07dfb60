//! The HTTP operations on action plans.

use super::{ActionPlan, ActionPlanFilter, ActionPlanInput, ActionPlans};
use crate::resources::agreements::Agreements;

crate::resource_routes! {
    resource: ActionPlans, record: ActionPlan, input: ActionPlanInput, filter: ActionPlanFilter,
    paths: "/action-plans", "/action-plans/{id}", "/action-plans/{id}/history", csv "/action-plans.csv";
    handlers: list_action_plans, get_action_plan, create_action_plan, update_action_plan, delete_action_plan, action_plan_history;
    within Agreements: list_agreement_action_plans "/agreements/{id}/action-plans", csv "/agreements/{id}/action-plans.csv";
}
