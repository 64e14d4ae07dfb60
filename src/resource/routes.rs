//! [`resource_routes!`](crate::resource_routes): a resource's HTTP operations, written once,
//! and the words of their documentation, made from what the resource declares (its names,
//! sortable and searched fields, links), so that they cannot drift from it.

use super::{Kind, Listed, Resource};

/// "`a`, `b` and `c`".
fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The lists of links a record owns, as a document names them (`parties and sectors`), if any.
fn owned_links<R: Resource>() -> Option<String> {
    let names: Vec<&str> = R::REFERENCES.iter().filter(|r| r.is_list()).map(|r| r.document).collect();
    (!names.is_empty()).then(|| listed(&names).replace('`', ""))
}

/// The words of each operation, for the OpenAPI document.
pub mod words {
    use super::*;

    pub fn list<R: Listed>() -> String {
        format!("Lists {}.", R::KIND.plural)
    }

    pub fn list_details<R: Listed>() -> String {
        format!(
            "Sortable fields: {}. `q` searches {}. The same list as CSV: `{}.csv` (or `format=csv`, \
             or `Accept: text/csv`, here).",
            listed(R::SORTABLE),
            listed(R::SEARCHED),
            R::KIND.path
        )
    }

    pub fn list_csv<R: Listed>() -> String {
        format!("Lists {} as CSV.", R::KIND.plural)
    }

    pub fn list_csv_details<R: Listed>() -> String {
        format!(
            "RFC 4180 CSV, UTF-8: a header row (the columns {}), then one row per match of the same \
             filters and order as the JSON list, every match unless `limit` is given, streamed.",
            listed(R::COLUMNS)
        )
    }

    pub fn get<R: Resource>() -> String {
        format!("Reads one {}.", R::KIND.name)
    }

    pub fn create<R: Resource>() -> String {
        let with = owned_links::<R>().map(|links| format!(" with its {links}")).unwrap_or_default();
        format!("Creates {} {}{with}.", R::KIND.article(), R::KIND.name)
    }

    pub fn update<R: Resource>() -> String {
        let lists: Vec<&str> = R::REFERENCES.iter().filter(|r| r.is_list()).map(|r| r.api).collect();
        let replaced = if lists.is_empty() {
            String::new()
        } else {
            format!("; {} replace the lists when given", listed(&lists))
        };
        format!(
            "Changes {} {} (JSON merge patch: absent fields stay, `null` clears an optional field){replaced}.",
            R::KIND.article(),
            R::KIND.name
        )
    }

    pub fn delete<R: Resource>() -> String {
        let with =
            owned_links::<R>().map(|links| format!(", with its links to its {links}")).unwrap_or_default();
        format!(
            "Deletes {} {}{with}; one that other records still refer to is kept (`409` names them).",
            R::KIND.article(),
            R::KIND.name
        )
    }

    pub fn history<R: Resource>() -> String {
        format!(
            "The {}'s history: every write to it, newest first (deleted ones included). As CSV: \
             `format=csv` (or `Accept: text/csv`).",
            R::KIND.name
        )
    }

    pub fn within_csv<R: Listed>(parent: &Kind) -> String {
        format!("Lists the {} of one {} as CSV.", R::KIND.plural, parent.name)
    }

    pub fn within<R: Listed>(parent: &Kind) -> String {
        format!(
            "Lists the {} of one {}, with the parameters of the {} list.",
            R::KIND.plural,
            parent.name,
            R::KIND.name
        )
    }

    pub fn id(kind: &Kind) -> String {
        format!("The {}'s id", kind.name)
    }

    pub fn page(kind: &Kind) -> String {
        format!("A page of {}", kind.plural)
    }

    pub fn csv(kind: &Kind) -> String {
        format!("The {} as CSV", kind.plural)
    }
}

/// Writes a resource's handlers (list, read, create, change, delete, history, and its lists
/// under a parent), each annotated for the OpenAPI document with the resource's types and
/// words, and implements [`Routed`](crate::resource::Routed) to mount them. Each handler
/// checks who calls and hands over to [`handlers`](crate::resource::handlers); its name is
/// the `operationId`. The paths are written out, as actix wants literals.
///
/// ```ignore
/// crate::resource_routes! {
///     resource: ActionPlans, record: ActionPlan, input: ActionPlanInput, filter: ActionPlanFilter,
///     paths: "/action-plans", "/action-plans/{id}", "/action-plans/{id}/history", csv "/action-plans.csv";
///     handlers: list_action_plans, get_action_plan, create_action_plan, update_action_plan,
///         delete_action_plan, action_plan_history;
///     within Agreements: list_agreement_action_plans "/agreements/{id}/action-plans",
///         csv "/agreements/{id}/action-plans.csv";
/// }
/// ```
///
/// Each list has a CSV twin (`csv` paths), an operation of its own (`{list}_csv`, in the
/// module `as_csv`): a typed client then gets the page type from the JSON list and text from
/// the CSV one, where one operation answering both would type its answer as either.
///
/// The reads of a resource of personal data (`Resource::PERSONAL`) need a token.
#[macro_export]
macro_rules! resource_routes {
    (
        resource: $resource:ident, record: $record:ident, input: $input:ident, filter: $filter:ident,
        paths: $collection:tt, $item:tt, $history_path:tt, csv $csv_path:tt;
        handlers: $list:ident, $get:ident, $create:ident, $update:ident, $delete:ident, $history:ident;
        $(within $parent:ident: $nested:ident $nested_path:tt, csv $nested_csv_path:tt;)*
        $(also: $($extra:ident),+;)?
    ) => {
        use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

        use $crate::auth::{Editor, Reader};
        use $crate::error::Result;
        use $crate::http::{AppState, JsonBody};
        use $crate::listing::Page;
        use $crate::resource::handlers;
        use $crate::resource::routes::words;

        const KIND: &$crate::resource::Kind = <$resource as $crate::resource::Resource>::KIND;

        #[utoipa::path(
            tag = KIND.plural,
            summary = words::list::<$resource>(),
            description = words::list_details::<$resource>(),
            params($crate::listing::ListQueryDoc, $crate::listing::SortDoc<$resource>, $filter),
            responses((status = 200, description = words::page(KIND), body = Page<$record>))
        )]
        #[get($collection)]
        pub async fn $list(reader: Reader, state: web::Data<AppState>, request: HttpRequest) -> Result<HttpResponse> {
            $crate::resource::may_read::<$resource>(&reader)?;
            handlers::list::<$resource>(&state, &request).await
        }

        #[utoipa::path(
            tag = KIND.plural,
            summary = words::get::<$resource>(),
            params(("id" = i64, Path, description = words::id(KIND))),
            responses((status = 200, description = format!("The {}", KIND.name), body = $record))
        )]
        #[get($item)]
        pub async fn $get(
            reader: Reader,
            state: web::Data<AppState>,
            request: HttpRequest,
            id: web::Path<i64>,
        ) -> Result<HttpResponse> {
            $crate::resource::may_read::<$resource>(&reader)?;
            handlers::read::<$resource>(&state, &request, id.into_inner()).await
        }

        #[utoipa::path(
            tag = KIND.plural,
            summary = words::create::<$resource>(),
            request_body = $input,
            responses((status = 201, description = format!("The new {}", KIND.name), body = $record,
                // Said of each resource's own path by `openapi::finish`.
                headers(("Location" = String, description = "The new record's path"))))
        )]
        #[post($collection)]
        pub async fn $create(editor: Editor, state: web::Data<AppState>, body: JsonBody) -> Result<HttpResponse> {
            handlers::create::<$resource>(&state, editor.0, body.read().await?).await
        }

        #[utoipa::path(
            tag = KIND.plural,
            summary = words::update::<$resource>(),
            params(("id" = i64, Path, description = words::id(KIND))),
            request_body = $input,
            responses((status = 200, description = format!("The updated {}", KIND.name), body = $record))
        )]
        #[patch($item)]
        pub async fn $update(
            editor: Editor,
            state: web::Data<AppState>,
            request: HttpRequest,
            id: web::Path<i64>,
            body: JsonBody,
        ) -> Result<HttpResponse> {
            handlers::update::<$resource>(&state, editor.0, &request, id.into_inner(), body.read().await?).await
        }

        #[utoipa::path(
            tag = KIND.plural,
            summary = words::delete::<$resource>(),
            params(("id" = i64, Path, description = words::id(KIND))),
            responses((status = 204, description = format!("The {} is deleted", KIND.name)))
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

        #[utoipa::path(
            tag = KIND.plural,
            summary = words::history::<$resource>(),
            params(("id" = i64, Path, description = words::id(KIND)), $crate::listing::PagingDoc, $crate::listing::SortDoc<$crate::audit::AuditEvents>),
            responses((status = 200, description = format!("A page of the {}'s audit events", KIND.name),
                body = Page<$crate::audit::AuditEvent>))
        )]
        #[get($history_path)]
        pub async fn $history(
            reader: Reader,
            state: web::Data<AppState>,
            request: HttpRequest,
            id: web::Path<i64>,
        ) -> Result<HttpResponse> {
            $crate::resource::may_read::<$resource>(&reader)?;
            handlers::history::<$resource>(&state, &request, id.into_inner()).await
        }

        $(
            #[utoipa::path(
                tag = <$parent as $crate::resource::Resource>::KIND.plural,
                summary = words::within::<$resource>(<$parent as $crate::resource::Resource>::KIND),
                params(("id" = i64, Path, description = words::id(<$parent as $crate::resource::Resource>::KIND)),
                    $crate::listing::ListQueryDoc, $crate::listing::SortDoc<$resource>, $filter),
                responses((status = 200,
                    description = format!("A page of the {}'s {}",
                        <$parent as $crate::resource::Resource>::KIND.name, KIND.plural),
                    body = Page<$record>))
            )]
            #[get($nested_path)]
            pub async fn $nested(
                reader: Reader,
                state: web::Data<AppState>,
                request: HttpRequest,
                id: web::Path<i64>,
            ) -> Result<HttpResponse> {
                $crate::resource::may_read::<$resource>(&reader)?;
                handlers::list_within::<$resource, $parent>(&state, &request, id.into_inner()).await
            }
        )*

        /// The lists as CSV.
        pub mod as_csv {
            use super::*;

            #[utoipa::path(
                tag = KIND.plural,
                operation_id = concat!(stringify!($list), "_csv"),
                summary = words::list_csv::<$resource>(),
                description = words::list_csv_details::<$resource>(),
                params($crate::listing::ListQueryDoc, $crate::listing::SortDoc<$resource>, $crate::csv::CsvDoc, $filter),
                responses((status = 200, description = words::csv(KIND), content_type = "text/csv", body = String))
            )]
            #[get($csv_path)]
            pub async fn $list(reader: Reader, state: web::Data<AppState>, request: HttpRequest) -> Result<HttpResponse> {
                $crate::resource::may_read::<$resource>(&reader)?;
                handlers::list_csv::<$resource>(&state, &request).await
            }

            $(
                #[utoipa::path(
                    tag = <$parent as $crate::resource::Resource>::KIND.plural,
                    operation_id = concat!(stringify!($nested), "_csv"),
                    summary = words::within_csv::<$resource>(<$parent as $crate::resource::Resource>::KIND),
                    description = words::list_csv_details::<$resource>(),
                    params(("id" = i64, Path, description = words::id(<$parent as $crate::resource::Resource>::KIND)),
                        $crate::listing::ListQueryDoc, $crate::listing::SortDoc<$resource>, $crate::csv::CsvDoc, $filter),
                    responses((status = 200, description = words::csv(KIND), content_type = "text/csv", body = String))
                )]
                #[get($nested_csv_path)]
                pub async fn $nested(
                    reader: Reader,
                    state: web::Data<AppState>,
                    request: HttpRequest,
                    id: web::Path<i64>,
                ) -> Result<HttpResponse> {
                    $crate::resource::may_read::<$resource>(&reader)?;
                    handlers::list_within_csv::<$resource, $parent>(&state, &request, id.into_inner()).await
                }
            )*
        }

        impl $crate::resource::Routed for $resource {
            fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
                config
                    .service($list)
                    .service($create)
                    .service($get)
                    .service($update)
                    .service($delete)
                    .service($history)
                    $(.service($nested))*
                    .service(as_csv::$list)
                    $(.service(as_csv::$nested))*
                    $($(.service($extra))+)?;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_listed_as_a_sentence_says_them() {
        assert_eq!(listed(&["a"]), "`a`");
        assert_eq!(listed(&["a", "b"]), "`a` and `b`");
        assert_eq!(listed(&["a", "b", "c"]), "`a`, `b` and `c`");
    }
}
