//! The HTTP operations on milestones.

use super::{Milestone, MilestoneFilter, MilestoneInput, Milestones};
use crate::resources::agreements::Agreements;

crate::resource_routes! {
    resource: Milestones, record: Milestone, input: MilestoneInput, filter: MilestoneFilter,
    paths: "/milestones", "/milestones/{id}", "/milestones/{id}/history", csv "/milestones.csv";
    handlers: list_milestones, get_milestone, create_milestone, update_milestone, delete_milestone, milestone_history;
    within Agreements: list_agreement_milestones "/agreements/{id}/milestones", csv "/agreements/{id}/milestones.csv";
}
