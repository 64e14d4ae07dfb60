//! The HTTP operations on transactions.

use super::Transactions;
use crate::resource::routes::Operations;
use crate::resource::Routed;
use crate::resources::action_plans::ActionPlans;

impl Routed for Transactions {
    fn mount(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
        Operations::<Self>::standard().within::<ActionPlans>().mount(config);
    }
}
