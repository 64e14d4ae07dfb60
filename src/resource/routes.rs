//! A resource's HTTP operations ([`Operations`]): the generic handlers of
//! [`handlers`](super::handlers) at the resource's paths, with their OpenAPI operations built in
//! code, and the words of their documentation, made from what the resource declares (its names,
//! sortable and searched fields, links), so that they cannot drift from it.

use std::marker::PhantomData;

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::http::Method;
use actix_web::{Route, guard, web};
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{
    HttpMethod, Operation as OperationDoc, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
    PathItem,
};
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{
    ContentBuilder, Paths, PathsBuilder, Ref, RefOr, Required, Response, ResponseBuilder, Responses,
    ResponsesBuilder,
};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_actix_web::OpenApiFactory;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Kind, Listed, Nested, Resource, handlers};
use crate::listing::Page;

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

/// One HTTP operation: a generic handler of [`handlers`](super::handlers) at its path, and
/// the OpenAPI operation that documents it, built here from what the resource declares. It is
/// mounted where actix and the OpenAPI document both see it (`ServiceConfig::service`).
pub struct Operation {
    path: String,
    method: HttpMethod,
    route: Route,
    doc: OperationDoc,
    schemas: Schemas,
}

type Schemas = Vec<(String, RefOr<Schema>)>;

impl HttpServiceFactory for Operation {
    fn register(self, config: &mut AppService) {
        let method = match self.method {
            HttpMethod::Get => Method::GET,
            HttpMethod::Post => Method::POST,
            HttpMethod::Patch => Method::PATCH,
            HttpMethod::Delete => Method::DELETE,
            HttpMethod::Put => Method::PUT,
            HttpMethod::Head => Method::HEAD,
            HttpMethod::Options => Method::OPTIONS,
            HttpMethod::Trace => Method::TRACE,
        };
        // Guarded by its method at the resource, as actix's `#[get]` mounts: another method on
        // the same path goes on to the resource that takes it.
        web::resource(self.path).guard(guard::Method(method)).route(self.route).register(config)
    }
}

impl OpenApiFactory for Operation {
    fn paths(&self) -> Paths {
        PathsBuilder::new()
            .path(self.path.clone(), PathItem::new(self.method.clone(), self.doc.clone()))
            .build()
    }

    fn schemas(&self, schemas: &mut Schemas) {
        schemas.extend(self.schemas.iter().cloned());
    }
}

/// The operations of a resource `R`: read, list, create, change, delete, history, its lists
/// under parents, each list's CSV twin, and operations of its own. The `operationId` of each
/// is made from the resource's names (`create_action_plan`, `list_agreement_action_plans`).
///
/// ```ignore
/// Operations::<ActionPlans>::standard().within::<Agreements>().mount(config);
/// ```
pub struct Operations<R> {
    json: Vec<Operation>,
    csv: Vec<Operation>,
    resource: PhantomData<fn() -> R>,
}

impl<R: Listed> Operations<R> {
    /// The operations every resource has.
    pub fn standard() -> Self {
        let kind = R::KIND;
        let item = format!("{}/{{id}}", kind.path);
        let page = page_schema::<R::Record>();
        let input = schema_of::<R::Input>();
        let record = schema_of::<R::Record>();
        let json = vec![
            Operation {
                path: kind.path.to_owned(),
                method: HttpMethod::Get,
                route: web::route().to(handlers::list::<R>),
                doc: operation(kind, format!("list_{}", snake(kind.plural)), words::list::<R>())
                    .description(Some(words::list_details::<R>()))
                    .parameters(Some(list_parameters::<R>(None, false)))
                    .responses(responses("200", json_response(words::page(kind), &page.0)))
                    .build(),
                schemas: page.1.clone(),
            },
            Operation {
                path: kind.path.to_owned(),
                method: HttpMethod::Post,
                route: web::route().to(handlers::create::<R>),
                doc: operation(kind, format!("create_{}", snake(kind.name)), words::create::<R>())
                    .request_body(Some(json_body(&input.0)))
                    .responses(responses(
                        "201",
                        ResponseBuilder::from(json_response(format!("The new {}", kind.name), &record.0))
                            // Said of each resource's own path by `openapi::finish`.
                            .header("Location", text_header("The new record's path"))
                            .build(),
                    ))
                    .build(),
                schemas: [input.1.clone(), record.1.clone()].concat(),
            },
            Operation {
                path: item.clone(),
                method: HttpMethod::Get,
                route: web::route().to(handlers::read::<R>),
                doc: operation(kind, format!("get_{}", snake(kind.name)), words::get::<R>())
                    .parameters(Some(vec![id_parameter(kind)]))
                    .responses(responses("200", json_response(format!("The {}", kind.name), &record.0)))
                    .build(),
                schemas: record.1.clone(),
            },
            Operation {
                path: item.clone(),
                method: HttpMethod::Patch,
                route: web::route().to(handlers::update::<R>),
                doc: operation(kind, format!("update_{}", snake(kind.name)), words::update::<R>())
                    .parameters(Some(vec![id_parameter(kind)]))
                    .request_body(Some(json_body(&input.0)))
                    .responses(responses(
                        "200",
                        json_response(format!("The updated {}", kind.name), &record.0),
                    ))
                    .build(),
                schemas: [input.1, record.1].concat(),
            },
            Operation {
                path: item.clone(),
                method: HttpMethod::Delete,
                route: web::route().to(handlers::delete::<R>),
                doc: operation(kind, format!("delete_{}", snake(kind.name)), words::delete::<R>())
                    .parameters(Some(vec![id_parameter(kind)]))
                    .responses(responses(
                        "204",
                        ResponseBuilder::new().description(format!("The {} is deleted", kind.name)).build(),
                    ))
                    .build(),
                schemas: Vec::new(),
            },
            {
                let events = page_schema::<crate::audit::AuditEvent>();
                let mut parameters = vec![id_parameter(kind)];
                parameters.extend(query::<crate::listing::PagingDoc>());
                parameters.extend(query::<crate::listing::SortDoc<crate::audit::AuditEvents>>());
                Operation {
                    path: format!("{item}/history"),
                    method: HttpMethod::Get,
                    route: web::route().to(handlers::history::<R>),
                    doc: operation(kind, format!("{}_history", snake(kind.name)), words::history::<R>())
                        .parameters(Some(parameters))
                        .responses(responses(
                            "200",
                            json_response(format!("A page of the {}'s audit events", kind.name), &events.0),
                        ))
                        .build(),
                    schemas: events.1,
                }
            },
        ];
        let csv = vec![Operation {
            path: format!("{}.csv", kind.path),
            method: HttpMethod::Get,
            route: web::route().to(handlers::list_csv::<R>),
            doc: operation(kind, format!("list_{}_csv", snake(kind.plural)), words::list_csv::<R>())
                .description(Some(words::list_csv_details::<R>()))
                .parameters(Some(list_parameters::<R>(None, true)))
                .responses(responses("200", csv_response(kind)))
                .build(),
            schemas: Vec::new(),
        }];
        Self { json, csv, resource: PhantomData }
    }

    /// The list of the records of one `P`, `/parents/{id}/things`, and its CSV twin.
    pub fn within<P: Resource>(mut self) -> Self
    where
        R: Nested<P>,
    {
        let (kind, parent) = (R::KIND, P::KIND);
        let path = format!("{}/{{id}}{}", parent.path, kind.path.trim_start_matches(API_PREFIX));
        let operation_id = format!("list_{}_{}", snake(parent.name), snake(kind.plural));
        let page = page_schema::<R::Record>();
        self.json.push(Operation {
            path: path.clone(),
            method: HttpMethod::Get,
            route: web::route().to(handlers::list_within::<R, P>),
            doc: operation(parent, operation_id.clone(), words::within::<R>(parent))
                .parameters(Some(list_parameters::<R>(Some(parent), false)))
                .responses(responses(
                    "200",
                    json_response(format!("A page of the {}'s {}", parent.name, kind.plural), &page.0),
                ))
                .build(),
            schemas: page.1,
        });
        self.csv.push(Operation {
            path: format!("{path}.csv"),
            method: HttpMethod::Get,
            route: web::route().to(handlers::list_within_csv::<R, P>),
            doc: operation(parent, format!("{operation_id}_csv"), words::within_csv::<R>(parent))
                .description(Some(words::list_csv_details::<R>()))
                .parameters(Some(list_parameters::<R>(Some(parent), true)))
                .responses(responses("200", csv_response(kind)))
                .build(),
            schemas: Vec::new(),
        });
        self
    }

    /// Mounts the operations: the JSON ones, then the CSV twins.
    pub fn mount(self, config: &mut ServiceConfig) {
        for operation in self.json.into_iter().chain(self.csv) {
            config.service(operation);
        }
    }
}

/// The prefix of every path of the API.
const API_PREFIX: &str = "/api/v1";

/// `action plans` as `action_plans`.
fn snake(words: &str) -> String {
    words.replace([' ', '-'], "_")
}

/// An operation of `kind`'s tag.
fn operation(kind: &Kind, operation_id: String, summary: String) -> OperationBuilder {
    OperationBuilder::new().tag(kind.plural).summary(Some(summary)).operation_id(Some(operation_id))
}

/// A reference to `T`'s schema, with the schemas it needs.
fn schema_of<T: ToSchema>() -> (RefOr<Schema>, Schemas) {
    let mut schemas = vec![(T::name().into_owned(), T::schema())];
    T::schemas(&mut schemas);
    (Ref::from_schema_name(T::name()).into(), schemas)
}

/// A reference to the schema of a page of `T` (`Page_ActionPlan`), with the schemas it needs.
fn page_schema<T: ToSchema>() -> (RefOr<Schema>, Schemas) {
    let name = format!("{}_{}", <Page<T> as ToSchema>::name(), T::name());
    let mut schemas = vec![(name.clone(), <Page<T> as PartialSchema>::schema())];
    <Page<T> as ToSchema>::schemas(&mut schemas);
    (Ref::from_schema_name(name).into(), schemas)
}

/// The query parameters `T` documents.
fn query<T: IntoParams>() -> Vec<Parameter> {
    T::into_params(|| Some(ParameterIn::Query))
}

/// The parameters of a list: the parent's id when under one, paging and search, the sort, CSV's
/// own when it is the CSV twin, and the resource's filters.
fn list_parameters<R: Listed>(parent: Option<&Kind>, csv: bool) -> Vec<Parameter> {
    let mut parameters: Vec<Parameter> = parent.map(id_parameter).into_iter().collect();
    parameters.extend(query::<crate::listing::ListQueryDoc>());
    parameters.extend(query::<crate::listing::SortDoc<R>>());
    if csv {
        parameters.extend(query::<crate::csv::CsvDoc>());
    }
    parameters.extend(query::<R::Filter>());
    parameters
}

/// `{id}`, the id of a record of `kind`.
fn id_parameter(kind: &Kind) -> Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .description(Some(words::id(kind)))
        .required(Required::True)
        .schema(Some(i64::schema()))
        .build()
}

fn responses(status: &str, response: Response) -> Responses {
    ResponsesBuilder::new().response(status, response).build()
}

fn json_response(description: String, schema: &RefOr<Schema>) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(schema.clone())).build())
        .build()
}

fn csv_response(kind: &Kind) -> Response {
    ResponseBuilder::new()
        .description(words::csv(kind))
        .content("text/csv", ContentBuilder::new().schema(Some(String::schema())).build())
        .build()
}

fn json_body(schema: &RefOr<Schema>) -> RequestBody {
    RequestBodyBuilder::new()
        .content("application/json", ContentBuilder::new().schema(Some(schema.clone())).build())
        .required(Some(Required::True))
        .build()
}

fn text_header(description: &str) -> Header {
    HeaderBuilder::new().schema(Some(String::schema())).description(Some(description)).build()
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
