//! Documents: the register of an agreement's papers (letter of intent, MoU, DPRD decision,
//! Full Power Letter...), with the signed file itself when there is one (`file`).

mod file;
mod model;
mod routes;

pub use model::{Document, DocumentFilter, DocumentInput, DocumentValues};

use diesel::prelude::*;
use serde_json::{Map, Value, json};

use crate::db::DbConnection;
use crate::db::schema::documents;
use crate::error::Result;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Nested, Reference, Resource, store};
use crate::resources::action_plans::ActionPlans;
use crate::resources::agreements::Agreements;

/// Documents as a resource: `documents` in documents, where `agreement` and `action_plan`
/// name keys.
pub struct Documents;

impl Resource for Documents {
    const KIND: &'static Kind = &Kind {
        name: "document",
        plural: "documents",
        table: "documents",
        resource_type: "document",
        path: "/api/v1/documents",
        description: "The register of an agreement's papers, with their files",
    };
    const REFERENCES: &'static [Reference] = &[
        Reference::one("agreement", "agreement_id", Agreements::KIND),
        Reference::one("action_plan", "action_plan_id", ActionPlans::KIND),
    ];
    /// An export describes the file (not its bytes, which go by `PUT .../file`); an import
    /// takes that description as information only.
    const IMPORT_IGNORES: &'static [&'static str] = &["file"];
    const SOURCED: bool = true;
    type Record = Document;
    type Input = DocumentInput;
    type Values = DocumentValues;

    crate::row_resource!(documents);

    fn exported_fields(document: &Document) -> Result<Map<String, Value>> {
        let mut fields = store::writable_fields::<Self>(document)?;
        if let Some(file) = &document.file {
            fields.insert(
                "file".to_owned(),
                json!({"media_type": file.media_type, "size": file.size, "sha256": file.sha256}),
            );
        }
        Ok(fields)
    }
}

impl Listed for Documents {
    type Filter = DocumentFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "agreement_id",
        "action_plan_id",
        "category",
        "title",
        "issued_on",
        "language",
        "reference",
        "url",
        "notes",
        "source",
        "file",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &DocumentFilter) -> Result<(i64, Vec<Document>)> {
        model::page(conn, list, filter)
    }
}

/// `/agreements/{id}/documents`.
impl Nested<Agreements> for Documents {
    fn parent(filter: &mut DocumentFilter) -> &mut Option<i64> {
        &mut filter.agreement_id
    }
}

/// How many documents of `agreement` are in `category` with a stored file.
pub fn filed_in_category(conn: &mut DbConnection, agreement: i64, category: &str) -> Result<i64> {
    Ok(documents::table
        .filter(documents::agreement_id.eq(agreement))
        .filter(documents::category.eq(category))
        .filter(documents::file_sha256.is_not_null())
        .count()
        .get_result(conn)?)
}
