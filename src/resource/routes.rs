//! [`resource_routes!`](crate::resource_routes): a resource's HTTP operations, written once.

/// Writes a resource's handlers (list, read, create, change, delete, history, and lists under
/// a parent), each annotated for the OpenAPI document with the resource's own types and
/// words, and implements [`Routed`](crate::resource::Routed) to mount them. Each handler
/// checks who calls and hands over to [`handlers`](crate::resource::handlers); the doc comment
/// above each name is the operation's summary and description, and the name its
/// `operationId`.
///
/// ```ignore
/// crate::resource_routes! {
///     resource: Regions, record: Region, input: RegionInput, filter: RegionFilter,
///     tag: "regions", one: "region", many: "regions",
///     paths: "/regions", "/regions/{id}", "/regions/{id}/history";
///     /// Lists regions.
///     list: list_regions;
///     /// Reads one region.
///     get: get_region;
///     // ... create, update, delete, history; then any number of
///     /// Lists the action plans of one agreement.
///     within Agreements ("agreements", "agreement"): list_agreement_action_plans "/agreements/{id}/action-plans";
/// }
/// ```
#[macro_export]
macro_rules! resource_routes {
    (
        resource: $resource:ty, record: $record:ident, input: $input:ident, filter: $filter:ident,
        tag: $tag:tt, one: $one:tt, many: $many:tt,
        paths: $collection:tt, $item:tt, $history_path:tt;
        $(#[doc = $list_doc:tt])* list: $list:ident;
        $(#[doc = $get_doc:tt])* get: $get:ident;
        $(#[doc = $create_doc:tt])* create: $create:ident;
        $(#[doc = $update_doc:tt])* update: $update:ident;
        $(#[doc = $delete_doc:tt])* delete: $delete:ident;
        $(#[doc = $history_doc:tt])* history: $history:ident;
        $(
            $(#[doc = $nested_doc:tt])*
            within $parent:ident ($parent_tag:tt, $parent_one:tt): $nested:ident $nested_path:tt;
        )*
    ) => {
        use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

        use $crate::auth::{Editor, Reader};
        use $crate::http::JsonBody;
        use $crate::error::Result;
        use $crate::http::AppState;
        use $crate::listing::Page;
        use $crate::resource::handlers;

        $(#[doc = $list_doc])*
        #[utoipa::path(
            tag = $tag,
            params($crate::listing::ListQueryDoc, $filter),
            responses((status = 200, description = concat!("A page of ", $many), body = Page<$record>))
        )]
        #[get($collection)]
        pub async fn $list(_reader: Reader, state: web::Data<AppState>, request: HttpRequest) -> Result<HttpResponse> {
            handlers::list::<$resource>(&state, &request).await
        }

        $(#[doc = $get_doc])*
        #[utoipa::path(
            tag = $tag,
            params(("id" = i64, Path, description = concat!("The ", $one, "'s id"))),
            responses((status = 200, description = concat!("The ", $one), body = $record))
        )]
        #[get($item)]
        pub async fn $get(
            _reader: Reader,
            state: web::Data<AppState>,
            request: HttpRequest,
            id: web::Path<i64>,
        ) -> Result<HttpResponse> {
            handlers::read::<$resource>(&state, &request, id.into_inner()).await
        }

        $(#[doc = $create_doc])*
        #[utoipa::path(
            tag = $tag,
            request_body = $input,
            responses((status = 201, description = concat!("The new ", $one), body = $record,
                headers(("Location" = String, description = "The new record's path"))))
        )]
        #[post($collection)]
        pub async fn $create(editor: Editor, state: web::Data<AppState>, body: JsonBody) -> Result<HttpResponse> {
            handlers::create::<$resource>(&state, editor.0, body.into_inner()).await
        }

        $(#[doc = $update_doc])*
        #[utoipa::path(
            tag = $tag,
            params(("id" = i64, Path, description = concat!("The ", $one, "'s id"))),
            request_body = $input,
            responses((status = 200, description = concat!("The updated ", $one), body = $record))
        )]
        #[patch($item)]
        pub async fn $update(
            editor: Editor,
            state: web::Data<AppState>,
            request: HttpRequest,
            id: web::Path<i64>,
            body: JsonBody,
        ) -> Result<HttpResponse> {
            handlers::update::<$resource>(&state, editor.0, &request, id.into_inner(), body.into_inner()).await
        }

        $(#[doc = $delete_doc])*
        #[utoipa::path(
            tag = $tag,
            params(("id" = i64, Path, description = concat!("The ", $one, "'s id"))),
            responses((status = 204, description = concat!("The ", $one, " is deleted")))
        )]
        #[delete($item)]
        pub async fn $delete(
            editor: Editor,
            state: web::Data<AppState>,
            request: HttpRequest,
            id: web::Path<i64>,
        ) -> Result<HttpResponse> {
            handlers::delete::<$resource>(&state, editor.0, &request, id.into_inner()).await
        }

        $(#[doc = $history_doc])*
        #[utoipa::path(
            tag = $tag,
            params(("id" = i64, Path, description = concat!("The ", $one, "'s id")), $crate::listing::PagingDoc),
            responses((status = 200, description = concat!("A page of the ", $one, "'s audit events"),
                body = Page<$crate::audit::AuditEvent>))
        )]
        #[get($history_path)]
        pub async fn $history(
            _reader: Reader,
            state: web::Data<AppState>,
            request: HttpRequest,
            id: web::Path<i64>,
        ) -> Result<HttpResponse> {
            handlers::history::<$resource>(&state, &request, id.into_inner()).await
        }

        $(
            $(#[doc = $nested_doc])*
            #[utoipa::path(
                tag = $parent_tag,
                params(("id" = i64, Path, description = concat!("The ", $parent_one, "'s id")),
                    $crate::listing::ListQueryDoc, $filter),
                responses((status = 200, description = concat!("A page of the ", $parent_one, "'s ", $many),
                    body = Page<$record>))
            )]
            #[get($nested_path)]
            pub async fn $nested(
                _reader: Reader,
                state: web::Data<AppState>,
                request: HttpRequest,
                id: web::Path<i64>,
            ) -> Result<HttpResponse> {
                handlers::list_within::<$resource, $parent>(&state, &request, id.into_inner()).await
            }
        )*

        impl $crate::resource::Routed for $resource {
            fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
                config
                    .service($list)
                    .service($create)
                    .service($get)
                    .service($update)
                    .service($delete)
                    .service($history)
                    $(.service($nested))*;
            }
        }
    };
}
