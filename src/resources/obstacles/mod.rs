//! Obstacles: what blocks or threatens an agreement or one of its action plans.

mod model;
mod routes;

pub use model::{Obstacle, ObstacleFilter, ObstacleInput, ObstacleValues};

use crate::db::DbConnection;
use crate::db::schema::obstacles;
use crate::error::Result;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Nested, Reference, Resource};
use crate::resources::action_plans::ActionPlans;
use crate::resources::agreements::Agreements;

/// Obstacles as a resource: `obstacles` in documents, where `agreement` and `action_plan`
/// name keys.
pub struct Obstacles;

impl Resource for Obstacles {
    const KIND: &'static Kind = &Kind {
        name: "obstacle",
        plural: "obstacles",
        table: "obstacles",
        resource_type: "obstacle",
        path: "/api/v1/obstacles",
        description: "What blocks or threatens an agreement or its action plans",
    };
    const REFERENCES: &'static [Reference] = &[
        Reference::one("agreement", "agreement_id", Agreements::KIND),
        Reference::one("action_plan", "action_plan_id", ActionPlans::KIND),
    ];
    const SOURCED: bool = true;
    type Record = Obstacle;
    type Input = ObstacleInput;
    type Values = ObstacleValues;

    crate::row_resource!(obstacles);

}

impl Listed for Obstacles {
    type Filter = ObstacleFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "agreement_id",
        "action_plan_id",
        "category",
        "description",
        "severity",
        "status",
        "mitigation",
        "identified_on",
        "source",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &ObstacleFilter) -> Result<(i64, Vec<Obstacle>)> {
        model::page(conn, list, filter)
    }
}

/// `/agreements/{id}/obstacles`: those of the agreement, its action plans' included.
impl Nested<Agreements> for Obstacles {
    fn parent(filter: &mut ObstacleFilter) -> &mut Option<i64> {
        &mut filter.agreement_id
    }
}
