//! The HTTP operations on indicators.

use super::Indicators;
use crate::resource::routes::Operations;
use crate::resource::Routed;
use crate::resources::action_plans::ActionPlans;

impl Routed for Indicators {
    fn mount(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
        Operations::<Self>::standard().within::<ActionPlans>().mount(config);
    }
}
