//! The HTTP operations on milestones.

use super::Milestones;
use crate::resource::routes::Operations;
use crate::resource::Routed;
use crate::resources::agreements::Agreements;

impl Routed for Milestones {
    fn mount(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
        Operations::<Self>::standard().within::<Agreements>().mount(config);
    }
}
