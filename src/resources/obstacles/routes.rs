//! The HTTP operations on obstacles.

use super::Obstacles;
use crate::resource::routes::Operations;
use crate::resource::Routed;
use crate::resources::agreements::Agreements;

impl Routed for Obstacles {
    fn mount(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
        Operations::<Self>::standard().within::<Agreements>().mount(config);
    }
}
