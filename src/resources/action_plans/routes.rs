//! The HTTP operations on action plans.

use super::ActionPlans;
use crate::resource::routes::Operations;
use crate::resource::Routed;
use crate::resources::agreements::Agreements;

impl Routed for ActionPlans {
    fn mount(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
        Operations::<Self>::standard().within::<Agreements>().mount(config);
    }
}
