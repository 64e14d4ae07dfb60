//! Indicators: what an action plan is meant to achieve, measured from a baseline towards a
//! target, with the value reached so far and the progress that follows (API.md section 8).

mod model;
mod routes;

pub use model::{Indicator, IndicatorFilter, IndicatorInput, IndicatorValues};


use crate::db::DbConnection;
use crate::db::schema::indicators;
use crate::error::Result;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Nested, Reference, Resource};
use crate::resources::action_plans::ActionPlans;

/// Indicators as a resource: `indicators` in documents, where `action_plan` names a key.
pub struct Indicators;

impl Resource for Indicators {
    const KIND: &'static Kind = &Kind {
        name: "indicator",
        plural: "indicators",
        table: "indicators",
        resource_type: "indicator",
        path: "/api/v1/indicators",
        description: "What an action plan is meant to achieve: baseline, target, actual value and progress",
    };
    const REFERENCES: &'static [Reference] = &[Reference::one("action_plan", "action_plan_id", ActionPlans::KIND)];
    const SOURCED: bool = true;
    type Record = Indicator;
    type Input = IndicatorInput;
    type Values = IndicatorValues;

    crate::row_resource!(indicators);
}

impl Listed for Indicators {
    type Filter = IndicatorFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "action_plan_id",
        "title",
        "measure",
        "unit",
        "ascending",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_year",
        "actual_value",
        "actual_on",
        "progress",
        "notes",
        "source",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &IndicatorFilter) -> Result<(i64, Vec<Indicator>)> {
        model::page(conn, list, filter)
    }
}

/// `/action-plans/{id}/indicators`.
impl Nested<ActionPlans> for Indicators {
    fn parent(filter: &mut IndicatorFilter) -> &mut Option<i64> {
        &mut filter.action_plan_id
    }
}

