//! The OpenAPI 3.1 document. Paths and schemas come from the handlers' annotations as they are
//! mounted (see `app::openapi_document`); this module adds what is the same for every
//! operation (the problem responses, access rules, versions, CSV, the `PATCH` bodies, which
//! are the create bodies with nothing required) and what follows from the registry of
//! resources (their tags, the audit trail's resource types).

use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{Content, OpenApi, RefOr};
use utoipa::{Modify, OpenApi as _};

use crate::error::{PROBLEM_JSON, Problem};
use crate::resources::RESOURCES;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Jalin",
        description = "A registry of paradiplomacy: the international cooperation of provinces, \
            states and cities. Regions, sectors and agencies are the reference records; \
            agreements (sister province, sister city) and their action plans and obstacles \
            refer to them.\n\n\
            Conventions: JSON in and out; lists are pages `{items, total, limit, offset}` \
            with `limit`, `offset`, `sort` and `q`, an RFC 8288 `Link` header to the other pages, \
            and a CSV twin (`/api/v1/regions.csv`); `PATCH` is JSON merge patch; every error is \
            an RFC 9457 problem (`application/problem+json`) whose `errors` names every bad \
            field or parameter. Responses of 1 KiB or more are compressed as `Accept-Encoding` \
            allows (gzip, br); request bodies may be sent with `Content-Encoding: gzip` or `br`. \
            `HEAD` answers every `GET`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "The server that serves this document")),
    // Enumerations that parameters refer to, which no body names.
    components(schemas(
        Problem,
        crate::error::FieldError,
        crate::domain::SeverityFilter,
        crate::domain::ObstacleStatusFilter
    )),
    // The resources' tags come first, from `crate::resources::RESOURCES` (see `base`).
    tags(
        (name = "import", description = "Documents that refer to records by key: import all at once, export"),
        (name = "reports", description = "Counts and checks computed by the database from the current data"),
        (name = "access", description = "Tokens and the audit trail (admin)"),
        (name = "operations", description = "Health of the service"),
    ),
)]
pub struct ApiDoc;

/// The document's skeleton, before the mounted handlers add their paths: the resources'
/// tags first, in the order of the registry.
pub fn base() -> OpenApi {
    let mut document = ApiDoc::openapi();
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let resource_tags = RESOURCES.iter().map(|resource| {
        let kind = resource.kind();
        TagBuilder::new().name(kind.plural).description(Some(kind.description)).build()
    });
    let mut tags: Vec<_> = resource_tags.collect();
    tags.extend(document.tags.take().unwrap_or_default());
    document.tags = Some(tags);
    document
}

/// The finished document of the mounted handlers.
pub fn finish(mut document: OpenApi) -> OpenApi {
    StandardResponses.modify(&mut document);
    refer_to_page_items(&mut document);
    flatten_tagged_unions(&mut document);
    refuse_what_xml_cannot_hold(&mut document);
    add_patch_bodies(&mut document);
    add_links_from_created_records(&mut document);
    add_links_from_stored_bodies(&mut document);
    list_audited_resource_types(&mut document);
    add_head_operations(&mut document);
    document
}

/// `HEAD` answers every `GET` path with the `GET`'s status and headers and no body: declared
/// as an operation of its own (`{get}_head`), so that clients and tools know it.
fn add_head_operations(document: &mut OpenApi) {
    for item in document.paths.paths.values_mut() {
        let Some(get) = item.get.as_ref() else { continue };
        let mut head = get.clone();
        head.operation_id = get.operation_id.as_ref().map(|id| format!("{id}_head"));
        head.summary = Some(format!(
            "The headers of `GET`, without the body{}",
            get.summary.as_ref().map(|summary| format!(": {summary}")).unwrap_or_default()
        ));
        head.description = None;
        for response in head.responses.responses.values_mut() {
            if let RefOr::T(response) = response {
                response.content.clear();
                response.links.clear();
            }
        }
        item.head = Some(head);
    }
}

/// The items of each page (`Page_Region`) refer to their record's schema (`Region`) instead of
/// repeating it inline, so that generated clients type a list's items as the record they read
/// alone.
fn refer_to_page_items(document: &mut OpenApi) {
    let Some(components) = document.components.as_mut() else { return };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in names {
        let Some(record) = name.strip_prefix("Page_") else { continue };
        if !components.schemas.contains_key(record) {
            continue;
        }
        let Some(RefOr::T(Schema::Object(page))) = components.schemas.get_mut(&name) else { continue };
        if let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") {
            items.items = utoipa::openapi::schema::ArrayItems::RefOrSchema(Box::new(RefOr::Ref(
                utoipa::openapi::Ref::from_schema_name(record),
            )));
        }
    }
}

/// serde's internally tagged enums (`Party`: `{"type": "region", ...}`) come out of utoipa as
/// `oneOf` of `allOf [variant, {type}]`, which generators such as openapi-python-client cannot
/// read. Each variant's schema gets the tag property itself (a variant of such an enum is only
/// ever written within it, tag included), and the union becomes a `oneOf` of the variants with
/// a `discriminator`.
fn flatten_tagged_unions(document: &mut OpenApi) {
    use utoipa::openapi::schema::Discriminator;
    let Some(components) = document.components.as_mut() else { return };
    let mut tags: Vec<(String, RefOr<Schema>)> = Vec::new();
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::OneOf(union)) = schema else { continue };
        let mut tag_name = None;
        let mut variants = Vec::new();
        let mut variant_tags = Vec::new();
        let mut mapping = std::collections::BTreeMap::new();
        for member in &union.items {
            let RefOr::T(Schema::AllOf(all_of)) = member else { break };
            let [RefOr::Ref(variant), RefOr::T(Schema::Object(tag))] = all_of.items.as_slice() else { break };
            let Some((name, _)) = tag.properties.iter().next().filter(|_| tag.properties.len() == 1) else {
                break;
            };
            tag_name = Some(name.clone());
            // The tag's one value names the variant (`"region"` is `RegionParty`).
            let value = match tag.properties.get(name) {
                Some(RefOr::T(Schema::Object(property))) => property
                    .enum_values
                    .as_ref()
                    .and_then(|values| values.first())
                    .and_then(|value| value.as_str())
                    .map(str::to_owned),
                _ => None,
            };
            let Some(value) = value else { break };
            mapping.insert(value, variant.ref_location.clone());
            let variant_name = variant.ref_location.rsplit('/').next().unwrap_or_default().to_owned();
            variant_tags.push((variant_name, RefOr::T(Schema::Object(tag.clone()))));
            variants.push(RefOr::Ref(variant.clone()));
        }
        let Some(tag_name) = tag_name.filter(|_| variants.len() == union.items.len()) else { continue };
        tags.extend(variant_tags);
        union.items = variants;
        let mut discriminator = Discriminator::new(tag_name);
        discriminator.mapping = mapping;
        union.discriminator = Some(discriminator);
    }
    for (variant, tag) in tags {
        let (Some(RefOr::T(Schema::Object(variant))), RefOr::T(Schema::Object(tag))) =
            (components.schemas.get_mut(&variant), tag)
        else {
            continue;
        };
        variant.required.extend(tag.required);
        let mut properties = tag.properties;
        properties.extend(std::mem::take(&mut variant.properties));
        variant.properties = properties;
    }
}

/// The values `resource_type` takes in the audit trail: every resource's, and `token`.
fn list_audited_resource_types(document: &mut OpenApi) {
    let types: Vec<&str> = RESOURCES
        .iter()
        .map(|resource| resource.kind().resource_type)
        .chain([crate::tokens::RESOURCE_TYPE])
        .collect();
    let Some(RefOr::T(Schema::Object(event))) =
        document.components.as_mut().and_then(|components| components.schemas.get_mut("AuditEvent"))
    else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(resource_type))) = event.properties.get_mut("resource_type") {
        resource_type.enum_values = Some(types.iter().map(|t| serde_json::json!(t)).collect());
        resource_type.description = Some("The kind of record written.".to_owned());
    }
}

struct StandardResponses;

impl Modify for StandardResponses {
    fn modify(&self, document: &mut OpenApi) {
        // Reads are public unless the server says otherwise (JALIN_PUBLIC_READ=false): a token
        // is optional for the operations that do not say (generated clients then call them
        // with or without one); the others require one.
        document.security =
            Some(vec![SecurityRequirement::default(), SecurityRequirement::new::<_, _, &str>("bearer", [])]);
        let components = document.components.get_or_insert_with(Default::default);
        components.security_schemes.insert(
            "bearer".to_owned(),
            RefOr::T(SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from `jalin token create` or `POST /api/v1/tokens`. Writes need the \
                         editor role, tokens and the audit trail the admin role; reads need none \
                         unless the server runs with JALIN_PUBLIC_READ=false.",
                    ))
                    .build(),
            )),
        );
        for (path, item) in document.paths.paths.iter_mut() {
            let is_record = path.ends_with("{id}");
            let operations = [
                (HttpMethod::Get, item.get.as_mut()),
                (HttpMethod::Post, item.post.as_mut()),
                (HttpMethod::Put, item.put.as_mut()),
                (HttpMethod::Patch, item.patch.as_mut()),
                (HttpMethod::Delete, item.delete.as_mut()),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    if path.starts_with("/api/") {
                        let personal = crate::resources::RESOURCES
                            .iter()
                            .any(|resource| resource.personal() && path.starts_with(resource.kind().path));
                        add_access_rules(method.clone(), operation, personal);
                        add_versioning(method.clone(), operation, is_record);
                        add_page_links(operation);
                        refuse_nul_in_query_text(operation);
                    }
                    add_problem_responses(method, operation);
                }
            }
        }
    }
}

/// Who may call an operation: reads are open (the document's own security: a token is
/// optional, needed when reads are private), reads of `personal` data always need one, writes
/// need an editor token; operations that declare their own security (admin ones) keep it.
fn add_access_rules(method: HttpMethod, operation: &mut Operation, personal: bool) {
    let declared = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let public_read = method == HttpMethod::Get && !personal;
    if !declared && !public_read {
        operation.security = Some(vec![SecurityRequirement::new::<_, _, &str>("bearer", [])]);
    }
    let responses = &mut operation.responses.responses;
    responses.entry("401".to_owned()).or_insert_with(|| {
        problem_response("No valid token: missing (where one is needed), malformed, unknown or revoked")
    });
    if declared || method != HttpMethod::Get {
        responses
            .entry("403".to_owned())
            .or_insert_with(|| problem_response("The token's role is too low for this operation"));
    }
}

/// Versions: reads and writes of one record carry its `ETag`; `PATCH` and `DELETE` honour
/// `If-Match` (412 when stale), `GET` honours `If-None-Match` (304 when unchanged).
fn add_versioning(method: HttpMethod, operation: &mut Operation, is_record: bool) {
    // Declared by the operation itself (a document's file): the same schemas as here.
    for parameter in operation.parameters.iter_mut().flatten() {
        if let RefOr::T(parameter) = parameter {
            match parameter.name.as_str() {
                "If-Match" => parameter.schema = Some(RefOr::T(Schema::Object(entity_tags_schema()))),
                "If-None-Match" => parameter.schema = Some(RefOr::T(Schema::Object(any_text_schema()))),
                _ => {}
            }
        }
    }
    let etag = || {
        utoipa::openapi::HeaderBuilder::new()
            .schema(Some(
                utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String),
            ))
            .description(Some("The record's version, quoted: send it back in If-Match"))
            .build()
    };
    let success = match method {
        HttpMethod::Get if is_record => "200",
        HttpMethod::Post if operation.responses.responses.contains_key("201") => "201",
        HttpMethod::Patch => "200",
        _ => "",
    };
    if let Some(RefOr::T(response)) = operation.responses.responses.get_mut(success) {
        response.headers.insert("ETag".to_owned(), RefOr::T(etag()));
    }
    let header_parameter = |name: &str, description: &str, schema: utoipa::openapi::Object| {
        utoipa::openapi::path::ParameterBuilder::new()
            .name(name)
            .parameter_in(utoipa::openapi::path::ParameterIn::Header)
            .required(utoipa::openapi::Required::False)
            .description(Some(description))
            .schema(Some(Schema::Object(schema)))
            .build()
    };
    match method {
        HttpMethod::Get if is_record => {
            operation.parameters.get_or_insert_with(Vec::new).push(RefOr::T(header_parameter(
                "If-None-Match",
                "The ETag the client holds: 304 Not Modified when it is still current (a value that is not \
                 a list of entity tags names none)",
                any_text_schema(),
            )));
            operation.responses.responses.entry("304".to_owned()).or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description("The record has not changed")
                        .header("ETag", etag())
                        .build(),
                )
            });
        }
        HttpMethod::Patch | HttpMethod::Delete if is_record => {
            operation.parameters.get_or_insert_with(Vec::new).push(RefOr::T(header_parameter(
                "If-Match",
                "Apply only if the record's ETag is this one (or one of these): 412 otherwise",
                entity_tags_schema(),
            )));
            let responses = &mut operation.responses.responses;
            responses.entry("412".to_owned()).or_insert_with(|| {
                problem_response("If-Match does not name the record's current ETag; nothing was changed")
            });
            responses
                .entry("400".to_owned())
                .or_insert_with(|| problem_response("If-Match is not a list of entity tags"));
        }
        _ => {}
    }
}

/// A query value holding a NUL is a `400` (`listing::QueryParams`): every text parameter that
/// no pattern or enumeration already bounds says so.
fn refuse_nul_in_query_text(operation: &mut Operation) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{SchemaType, Type};
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else { continue };
        if parameter.parameter_in != ParameterIn::Query {
            continue;
        }
        let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else { continue };
        let text = match &schema.schema_type {
            SchemaType::Type(Type::String) => true,
            SchemaType::Array(types) => types.contains(&Type::String),
            _ => false,
        };
        if text && schema.pattern.is_none() && schema.enum_values.is_none() && schema.format.is_none() {
            schema.pattern = Some(r"^[^\u0000]*$".to_owned());
        }
    }
}

/// What `If-None-Match` takes: any text (one that is not a list of entity tags names none, and
/// the answer is the record).
fn any_text_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String).build()
}

/// What `If-Match` takes: `*` or a list of entity tags (`400` otherwise).
fn entity_tags_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(crate::domain::Precondition::PATTERN))
        .build()
}

/// A page (`Page_...`) says in `Link` (RFC 8288) where the first, previous, next and last
/// pages are.
fn add_page_links(operation: &mut Operation) {
    let Some(RefOr::T(response)) = operation.responses.responses.get_mut("200") else { return };
    let is_page = response.content.get("application/json").is_some_and(|content| {
        matches!(content, RefOr::T(Content { schema: Some(RefOr::Ref(reference)), .. })
            if reference.ref_location.contains("/Page_"))
    });
    if is_page {
        let link = utoipa::openapi::HeaderBuilder::new()
            .schema(Some(
                utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String),
            ))
            .description(Some(
                "RFC 8288 links to the `first`, `prev`, `next` and `last` pages, as this request's path and \
                 query with `offset` changed (a page read by `after_id`: `first` and `next`, by `after_id`)",
            ))
            .build();
        response.headers.insert("Link".to_owned(), RefOr::T(link));
    }
}

/// Adds the problem responses an operation can give, by what it takes.
fn add_problem_responses(method: HttpMethod, operation: &mut Operation) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let inline = |p: &RefOr<utoipa::openapi::path::Parameter>| match p {
        RefOr::T(parameter) => Some(parameter.clone()),
        RefOr::Ref(_) => None,
    };
    let parameters: Vec<_> = parameters.iter().filter_map(inline).collect();
    let has_path_id = parameters.iter().any(|p| p.name == "id");
    let has_query =
        parameters.iter().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query));
    let has_body = operation.request_body.is_some();
    let mut problems: Vec<(&str, &str)> = Vec::new();
    if has_query || has_body {
        problems.push(("400", "Malformed JSON, or a query parameter that is unknown, repeated or invalid"));
    }
    if has_path_id {
        problems.push(("404", "No record has this id"));
    }
    match method {
        HttpMethod::Post | HttpMethod::Patch => {
            problems.push(("409", "A unique value (`key`, a code) is already used by another record"))
        }
        HttpMethod::Delete => {
            problems.push(("409", "Other records still refer to this one; `detail` names them"))
        }
        _ => {}
    }
    if let Some(RefOr::T(body)) = operation.request_body.as_mut()
        && body.content.contains_key("application/json")
    {
        let note = "It may be sent compressed: `Content-Encoding: gzip` or `br`.";
        body.description = Some(match body.description.take() {
            Some(description) => format!("{description} {note}"),
            None => note.to_owned(),
        });
    }
    if has_body {
        problems.push(("413", "The body is larger than 1 MiB"));
        problems.push(("415", "The body is not `application/json`, or is encoded otherwise than gzip or br"));
        problems.push(("422", "Fields break a rule; `errors` lists every one"));
    }
    problems.push(("500", "An unexpected error; its cause is logged, not sent"));
    problems.push(("503", "The database does not answer"));
    for (status, description) in problems {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem_response(description));
    }
}

fn problem_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem")))),
        )
        .into()
}

/// The characters text fields refuse (`domain::forbidden_in_xml`), as a regular expression's
/// class: what a body's free text may not hold.
const XML_FORBIDDEN: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF";

/// Every free text field of a request body (`...Input`, `TokenInput`, an import document's
/// `source`) says that it holds no character XML forbids, as the server enforces
/// (`input::read_body`): a pattern of its own, or the one it had (`\S`, some text that is not
/// blank) joined to it. Fields with a pattern of their own (keys, codes) or an enumeration
/// already hold none.
fn refuse_what_xml_cannot_hold(document: &mut OpenApi) {
    fn text_pattern(current: Option<&str>) -> Option<String> {
        match current {
            None => Some(format!("^[^{XML_FORBIDDEN}]*$")),
            Some(r"\S") => Some(format!(r"^[^{XML_FORBIDDEN}]*[^\s{XML_FORBIDDEN}][^{XML_FORBIDDEN}]*$")),
            Some(_) => None,
        }
    }
    fn is_text(object: &utoipa::openapi::Object) -> bool {
        use utoipa::openapi::schema::{SchemaType, Type};
        let string = match &object.schema_type {
            SchemaType::Type(Type::String) => true,
            SchemaType::Array(types) => types.contains(&Type::String),
            _ => false,
        };
        string && object.enum_values.is_none() && object.format.is_none()
    }
    fn refuse(schema: &mut RefOr<Schema>) {
        match schema {
            RefOr::T(Schema::Object(object)) if is_text(object) => {
                if let Some(pattern) = text_pattern(object.pattern.as_deref()) {
                    object.pattern = Some(pattern);
                }
            }
            RefOr::T(Schema::Array(array)) => {
                if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut array.items {
                    refuse(items);
                }
            }
            _ => {}
        }
    }
    let Some(components) = document.components.as_mut() else { return };
    for (name, schema) in components.schemas.iter_mut() {
        let RefOr::T(Schema::Object(object)) = schema else { continue };
        if name.ends_with("Input") {
            object.properties.values_mut().for_each(refuse);
        } else if name == "DataDocument"
            && let Some(source) = object.properties.get_mut("source")
        {
            refuse(source);
        }
    }
}

/// For every `PATCH` whose body refers to `XInput`, adds a schema `XPatch` that is `XInput`
/// with no field required (a merge patch may name any subset) and points the body at it.
fn add_patch_bodies(document: &mut OpenApi) {
    let mut patch_schemas: Vec<(String, RefOr<Schema>)> = Vec::new();
    let schemas = document.components.as_ref().map(|c| c.schemas.clone()).unwrap_or_default();
    for item in document.paths.paths.values_mut() {
        let Some(RefOr::T(body)) = item.patch.as_mut().and_then(|op| op.request_body.as_mut()) else {
            continue;
        };
        let Some(input_name) = referenced_schema(body) else { continue };
        let Some(RefOr::T(Schema::Object(input))) = schemas.get(&input_name) else { continue };
        let patch_name = input_name.replace("Input", "Patch");
        let mut patch = input.clone();
        patch.required.clear();
        patch.description = Some(format!(
            "A JSON merge patch of the writable fields (see `{input_name}`): an absent field stays as it is, \
             `null` clears an optional field; required fields cannot be cleared."
        ));
        // A patch names what changes: the example changes one telling field of the create's.
        let input_example = input.example.as_ref().and_then(|example| example.as_object());
        let changed = input_example.and_then(|example| {
            ["title", "name", "description", "status"]
                .iter()
                .find_map(|field| example.get(*field).map(|value| serde_json::json!({ *field: value })))
        });
        if let Some(changed) = changed {
            patch.example = Some(changed);
        }
        patch_schemas.push((patch_name.clone(), RefOr::T(Schema::Object(patch))));
        for content in body.content.values_mut().filter_map(|c| match c {
            RefOr::T(content) => Some(content),
            RefOr::Ref(_) => None,
        }) {
            content.schema = Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(&patch_name)));
        }
    }
    if let Some(components) = document.components.as_mut() {
        components.schemas.extend(patch_schemas);
    }
}

fn referenced_schema(body: &RequestBody) -> Option<String> {
    body.content.values().find_map(|content| match content {
        RefOr::T(Content { schema: Some(RefOr::Ref(reference)), .. }) => {
            reference.ref_location.rsplit('/').next().map(str::to_owned)
        }
        _ => None,
    })
}

/// Links the `200` of each `PUT` (a document's file) to the `GET` and `DELETE` of the same
/// path, with the same id: what was stored can be read back and removed.
fn add_links_from_stored_bodies(document: &mut OpenApi) {
    for item in document.paths.paths.values_mut() {
        let siblings: Vec<String> = [item.get.as_ref(), item.delete.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|op| op.operation_id.clone())
            .collect();
        let Some(RefOr::T(stored)) = item.put.as_mut().and_then(|op| op.responses.responses.get_mut("200"))
        else {
            continue;
        };
        for operation_id in siblings {
            let link = utoipa::openapi::link::LinkBuilder::new()
                .operation_id(operation_id.clone())
                .parameter("id", "$request.path.id")
                .build();
            stored.links.insert(operation_id, RefOr::T(link));
        }
    }
}

/// Links each `201` of `POST /things` to the operations on `/things/{id}`, with the new
/// record's id: clients (and schemathesis's stateful phase) can follow them. Says what the
/// `Location` of a new record of each resource is.
fn add_links_from_created_records(document: &mut OpenApi) {
    let paths = document.paths.paths.clone();
    for (path, item) in document.paths.paths.iter_mut() {
        let Some(created) = item.post.as_mut().and_then(|op| op.responses.responses.get_mut("201")) else {
            continue;
        };
        let RefOr::T(created) = created else { continue };
        if let (Some(resource), Some(RefOr::T(location))) = (
            RESOURCES.iter().find(|resource| resource.kind().path == path),
            created.headers.get_mut("Location"),
        ) {
            location.description = Some(format!("The new {}'s path", resource.kind().name));
        }
        let Some(record) = paths.get(&format!("{path}/{{id}}")) else { continue };
        let operations = [
            ("get", record.get.as_ref()),
            ("update", record.patch.as_ref()),
            ("delete", record.delete.as_ref()),
        ];
        let link = |operation_id: String| {
            utoipa::openapi::link::LinkBuilder::new()
                .operation_id(operation_id)
                .parameter("id", "$response.body#/id")
                .build()
        };
        for (name, operation) in operations {
            if let Some(operation_id) = operation.and_then(|op| op.operation_id.clone()) {
                created.links.insert(name.to_owned(), RefOr::T(link(operation_id)));
            }
        }
        // The operations below the record (a document's file), by their operation ids.
        let below = format!("{path}/{{id}}/");
        for (_, item) in paths.iter().filter(|(sub, _)| sub.starts_with(&below) && !sub.ends_with("/history"))
        {
            for operation in
                [item.put.as_ref(), item.get.as_ref(), item.delete.as_ref()].into_iter().flatten()
            {
                if let Some(operation_id) = operation.operation_id.clone() {
                    created.links.insert(operation_id.clone(), RefOr::T(link(operation_id)));
                }
            }
        }
    }
}
