//! The application: state, and the one function that mounts every route. `main` and the tests
//! both build the service with [`build`].

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{ErrorHandlers, Logger, NormalizePath, TrailingSlash, from_fn};
use actix_web::{App, HttpResponse, web};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

use crate::http::{self, AppState, RouteTable};
use crate::openapi;

/// Every route of the API: the router and the OpenAPI document both come from here.
fn api(config: &mut ServiceConfig) {
    config.service(crate::health::healthz).service(
        utoipa_actix_web::scope("/api/v1")
            .configure(crate::regions::configure)
            .configure(crate::sectors::configure)
            .configure(crate::agencies::configure)
            .configure(crate::agreements::configure)
            .configure(crate::action_plans::configure)
            .configure(crate::obstacles::configure)
            .service(crate::import::import_document)
            .service(crate::export::export_document)
            .configure(crate::reports::configure)
            .configure(crate::tokens::configure)
            .service(crate::audit::list_audit_events),
    );
}

/// The OpenAPI document of the mounted routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, document) =
        App::new().into_utoipa_app().openapi(openapi::base()).configure(api).split_for_parts();
    openapi::finish(document)
}

/// The whole service on the given state.
pub fn build(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, document) =
        App::new().into_utoipa_app().openapi(openapi::base()).configure(api).split_for_parts();
    let document = openapi::finish(document);
    let routes = RouteTable::from_openapi(&document);
    let cors = crate::middleware::cors(&state.settings.cors_origins);
    app.app_data(web::Data::new(state))
        .app_data(web::Data::new(routes))
        .app_data(http::path_config())
        .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", document))
        .route(
            "/swagger-ui",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect().insert_header(("Location", "/swagger-ui/")).finish()
            }),
        )
        .default_service(web::to(http::unmatched))
        .wrap(NormalizePath::new(TrailingSlash::MergeOnly))
        .wrap(cors)
        // Outside CORS, so that a refused preflight is a problem too.
        .wrap(ErrorHandlers::new().default_handler(http::problem_for_framework_errors))
        .wrap(from_fn(crate::middleware::request_id))
        .wrap(Logger::new(r#"%{x-request-id}o %a "%r" %s %b %Dms"#))
}
