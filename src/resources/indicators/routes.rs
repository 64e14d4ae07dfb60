//! The HTTP operations on indicators.

use super::{Indicator, IndicatorFilter, IndicatorInput, Indicators};
use crate::resources::action_plans::ActionPlans;

crate::resource_routes! {
    resource: Indicators, record: Indicator, input: IndicatorInput, filter: IndicatorFilter,
    paths: "/indicators", "/indicators/{id}", "/indicators/{id}/history", csv "/indicators.csv";
    handlers: list_indicators, get_indicator, create_indicator, update_indicator, delete_indicator, indicator_history;
    within ActionPlans: list_action_plan_indicators "/action-plans/{id}/indicators", csv "/action-plans/{id}/indicators.csv";
}
