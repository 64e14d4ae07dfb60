//! The application: the one function that mounts every route, and the OpenAPI document of
//! those routes. `main` and the tests both build the service with [`build`].

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, web};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

use crate::http::fallback::{self, RouteTable};
use crate::http::{AppState, middleware};
use crate::openapi;
use crate::resources::RESOURCES;

/// Every route of the API: the router and the OpenAPI document both come from here.
fn api(config: &mut ServiceConfig) {
    config.service(crate::health::healthz);
    // The resources' paths are whole (`Kind::path`), as their operations are built in code.
    for resource in RESOURCES {
        resource.configure(config);
    }
    config.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(crate::exchange::configure)
            .configure(crate::reports::configure)
            .configure(crate::tokens::configure)
            .service(crate::audit::list_audit_events),
    );
}

/// The OpenAPI document of the mounted routes, as served at `/api-docs/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, document) =
        App::new().into_utoipa_app().openapi(openapi::base()).configure(api).split_for_parts();
    openapi::finish(document)
}

/// The document as committed in `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut text = openapi_document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
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
    // What deletes ask of every kind: whether any record still refers to the one deleted.
    let references = web::Data::new(crate::resource::AllReferences::new(
        RESOURCES.iter().map(|resource| (resource.kind(), resource.references())),
    ));
    let routes = RouteTable::from_openapi(&document);
    let cors = middleware::cors(&state.settings.cors_origins);
    app.app_data(web::Data::new(state))
        .app_data(web::Data::new(routes))
        .app_data(references)
        .app_data(fallback::path_config())
        // The token entered in Swagger UI survives a reload of the page (kept in the browser).
        .service(
            SwaggerUi::new("/swagger-ui/{_:.*}")
                .url("/api-docs/openapi.json", document)
                .config(utoipa_swagger_ui::Config::default().persist_authorization(true)),
        )
        .route(
            "/swagger-ui",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect().insert_header(("Location", "/swagger-ui/")).finish()
            }),
        )
        .default_service(web::to(fallback::unmatched))
        .wrap(from_fn(middleware::merge_slashes))
        .wrap(cors)
        // Outside CORS, so that a refused preflight is a problem too.
        .wrap(ErrorHandlers::new().default_handler(fallback::problem_for_framework_errors))
        .wrap(from_fn(middleware::request_id))
        // Responses of 1 KiB or more, encoded as the client accepts (gzip, br).
        .wrap(from_fn(middleware::mark_small_bodies))
        .wrap(Compress::default())
        .wrap(from_fn(middleware::unmark_small_bodies))
        .wrap(from_fn(middleware::access_log))
}
