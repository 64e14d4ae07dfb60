//! Data documents: every kind of record as a list, the records referring to each other by
//! `key` rather than by id, so that a document moves data between databases. [`import`]
//! reads one into the database, [`export`] writes the database as one, [`demo`] is the built-in
//! one. The lists are those of `crate::resources::RESOURCES`, in its order.

pub mod demo;
pub mod export;
pub mod iati;
pub mod import;

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};

use crate::error::{ApiError, FieldError, Result};
use crate::input::SOURCE_MAX;
use crate::resource::any::AnyResource;
use crate::resources::RESOURCES;

/// A document: `about` and `source` texts, and a list of records per kind. Every record has
/// its `key`; references name other records' keys. `about` is kept out of the data; `source`
/// fills the `source` of the records that carry one and have none.
#[derive(Debug, Default)]
pub struct DataDocument {
    lists: Map<String, Value>,
    source: Option<String>,
}

impl DataDocument {
    /// The records of one kind's list (none when the document leaves it out).
    pub fn list(&self, name: &str) -> &[Value] {
        self.lists.get(name).and_then(Value::as_array).map_or(&[], Vec::as_slice)
    }

    /// How many records the document holds, in all its lists.
    pub fn records(&self) -> usize {
        self.lists.values().filter_map(Value::as_array).map(Vec::len).sum()
    }

    /// Where the document's facts come from, for its records that do not say.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// Reads a document from JSON, naming everything wrong with its outline at once.
    pub fn parse(value: Value) -> Result<Self> {
        let object = crate::input::require_object(value)?;
        let mut errors = Vec::new();
        let mut lists = Map::new();
        let mut source = None;
        for (name, value) in object {
            let is_list = RESOURCES.iter().any(|resource| resource.kind().table == name);
            match (name.as_str(), value) {
                ("source", Value::String(text)) if text.chars().count() > SOURCE_MAX => {
                    errors.push(FieldError::new(name, format!("must be at most {SOURCE_MAX} characters")));
                }
                ("source", Value::String(text)) if !text.trim().is_empty() => source = Some(text),
                ("about" | "source", Value::String(_) | Value::Null) => {}
                ("about" | "source", _) => errors.push(FieldError::new(name, "must be a string")),
                (_, value @ Value::Array(_)) if is_list => {
                    lists.insert(name, value);
                }
                _ if is_list => errors.push(FieldError::new(name, "must be an array of records")),
                _ => errors.push(FieldError::new(name, "is not a list of a document")),
            }
        }
        ApiError::check(errors)?;
        Ok(Self { lists, source })
    }
}

/// The JSON shape of a document, from the lists of the registry.
impl utoipa::PartialSchema for DataDocument {
    fn schema() -> RefOr<Schema> {
        let text = |description: &str| {
            ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null]))
                .description(Some(description))
        };
        let mut document = ObjectBuilder::new()
            .description(Some(
                "A document: a list of records per kind, which refer to each other by `key` \
                 (every record needs its `key`). `about` is ignored on import; `source` fills the \
                 `source` of the records that carry one (agreements, action plans, obstacles, \
                 milestones, documents, transactions, indicators) and have none.",
            ))
            // Works as it is on the demo data: a new region within West Java (`ID-JB`), and a
            // budget of one of its action plans (`ap-01`).
            .examples([serde_json::json!({
                "source": "Biro Kerja Sama Jawa Barat, 2019 budget",
                "regions": [{"key": "bandung", "name": "Bandung", "kind": "city", "country_code": "ID",
                    "parent_region": "ID-JB"}],
                "transactions": [{"key": "ap-01-budget-2019", "action_plan": "ap-01", "kind": "budget",
                    "amount": "150000000.00", "currency": "IDR", "value_date": "2019-01-15",
                    "party_region": "ID-JB", "funding_source": "regional_budget"}]
            })])
            .property("about", text("What the document is; ignored on import."))
            .property(
                "source",
                text("Where its facts come from, up to 1,000 characters: the `source` of its records that give none.")
                    .max_length(Some(SOURCE_MAX)),
            )
            .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
        for resource in RESOURCES {
            document = document.property(resource.kind().table, list_schema(*resource));
        }
        RefOr::T(Schema::Object(document.build()))
    }
}

impl ToSchema for DataDocument {}

/// A list of a document: records with the fields of the resource's input, references by key.
fn list_schema(resource: &dyn AnyResource) -> ArrayBuilder {
    let kind = resource.kind();
    // Named as a document names them: the key fields for the id fields.
    let references: Vec<String> =
        resource.references().iter().map(|r| format!("`{}` for `{}`", r.document, r.api)).collect();
    let mut description =
        format!("Records of `{}`, each with its `key` and the fields of the API", kind.path);
    if !references.is_empty() {
        description += &format!("; keys stand for ids: {}", references.join(", "));
    }
    ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::Object)).description(Some(description))
}

/// What an import did to one kind's records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

/// What an import did, per kind of record, in the order of the lists.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary(Vec<(&'static str, Counts)>);

impl ImportSummary {
    pub fn add(&mut self, list: &'static str, counts: Counts) {
        self.0.push((list, counts));
    }
}

impl Serialize for ImportSummary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (list, counts) in &self.0 {
            map.serialize_entry(list, counts)?;
        }
        map.end()
    }
}

impl utoipa::PartialSchema for ImportSummary {
    fn schema() -> RefOr<Schema> {
        let mut summary = ObjectBuilder::new().description(Some("What an import did, per kind of record."));
        for resource in RESOURCES {
            let list = resource.kind().table;
            summary = summary
                .property(list, RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Counts")))
                .required(list);
        }
        RefOr::T(Schema::Object(summary.build()))
    }
}

impl ToSchema for ImportSummary {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push(("Counts".to_owned(), <Counts as utoipa::PartialSchema>::schema()));
    }
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(import::import_document).service(export::export_document).service(iati::agreement_iati);
}
