//! The HTTP operations on obstacles.

use super::{Obstacle, ObstacleFilter, ObstacleInput, Obstacles};
use crate::resources::agreements::Agreements;

crate::resource_routes! {
    resource: Obstacles, record: Obstacle, input: ObstacleInput, filter: ObstacleFilter,
    paths: "/obstacles", "/obstacles/{id}", "/obstacles/{id}/history", csv "/obstacles.csv";
    handlers: list_obstacles, get_obstacle, create_obstacle, update_obstacle, delete_obstacle, obstacle_history;
    within Agreements: list_agreement_obstacles "/agreements/{id}/obstacles", csv "/agreements/{id}/obstacles.csv";
}
