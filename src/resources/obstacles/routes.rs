//! The HTTP operations on obstacles.

use super::{Obstacle, ObstacleFilter, ObstacleInput, Obstacles};
use crate::resources::agreements::Agreements;

crate::resource_routes! {
    resource: Obstacles, record: Obstacle, input: ObstacleInput, filter: ObstacleFilter,
    tag: "obstacles", one: "obstacle", many: "obstacles",
    paths: "/obstacles", "/obstacles/{id}", "/obstacles/{id}/history";

    /// Lists obstacles.
    ///
    /// Sortable fields: `id`, `key`, `agreement_id`, `action_plan_id`, `category`, `severity`,
    /// `status`, `identified_on`, `created_at`, `updated_at`. `q` searches `description` and
    /// `mitigation`.
    list: list_obstacles;
    /// Reads one obstacle.
    get: get_obstacle;
    /// Records an obstacle.
    create: create_obstacle;
    /// Changes an obstacle (JSON merge patch).
    update: update_obstacle;
    /// Deletes an obstacle.
    delete: delete_obstacle;
    /// The obstacle's history: every write to it, newest first (deleted ones included).
    history: obstacle_history;
    /// Lists the obstacles of one agreement (its action plans' included), with the parameters of
    /// the obstacle list.
    within Agreements ("agreements", "agreement"): list_agreement_obstacles "/agreements/{id}/obstacles";
}

