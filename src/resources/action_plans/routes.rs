//! The HTTP operations on action plans.

use super::{ActionPlan, ActionPlanFilter, ActionPlanInput, ActionPlans};
use crate::resources::agreements::Agreements;

crate::resource_routes! {
    resource: ActionPlans, record: ActionPlan, input: ActionPlanInput, filter: ActionPlanFilter,
    tag: "action plans", one: "action plan", many: "action plans",
    paths: "/action-plans", "/action-plans/{id}", "/action-plans/{id}/history";

    /// Lists action plans.
    ///
    /// Sortable fields: `id`, `key`, `agreement_id`, `title`, `status`, `year`, `start_date`,
    /// `end_date`, `created_at`, `updated_at`. `q` searches `title`, `description` and `outcome`.
    list: list_action_plans;
    /// Reads one action plan.
    get: get_action_plan;
    /// Creates an action plan with its sectors and agencies.
    create: create_action_plan;
    /// Changes an action plan (JSON merge patch); `sector_ids` and `agency_ids` replace the lists
    /// when given.
    update: update_action_plan;
    /// Deletes an action plan with its sector and agency links; one that still has obstacles is
    /// kept (`409`).
    delete: delete_action_plan;
    /// The action plan's history: every write to it, newest first (deleted ones included).
    history: action_plan_history;
    /// Lists the action plans of one agreement, with the parameters of the action plan list.
    within Agreements ("agreements", "agreement"): list_agreement_action_plans "/agreements/{id}/action-plans";
}

