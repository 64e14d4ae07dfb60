//! A document's fields, their rules, and the queries of the document list.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::documents;
use crate::db::{Backend, DbConnection};
use crate::domain::{Date, DocumentCategory, Key, LanguageTag, Timestamp, WebUrl};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX, SOURCE_MAX, TEXT_MAX};
use crate::listing::{AnyOf, ListParams};
use crate::resource::{Resource, Validate, Validated};
use crate::resources::action_plans::ActionPlans;
use crate::resources::agreements::{Agreements, check_of_agreement};

/// The file of a document, as its register shows it (the bytes are at `/documents/{id}/file`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StoredFile {
    /// As declared on upload: `application/pdf`, `text/plain; charset=utf-8`...
    pub media_type: String,
    /// In bytes.
    pub size: i64,
    /// The SHA-256 of the bytes, in lower-case hex: also the file's `ETag`.
    pub sha256: String,
    pub uploaded_at: Timestamp,
}

/// One of an agreement's papers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "jabar-souss-massa-mou", "agreement_id": 1, "action_plan_id": null,
    "category": "memorandum_of_understanding",
    "title": "Memorandum of Understanding between the Government of West Java Province and the Government of Souss-Massa",
    "issued_on": null, "language": "id", "reference": null, "url": null, "notes": "Signed in 2017.", "source": null,
    "file": {"media_type": "application/pdf", "size": 482113,
             "sha256": "9f2c5e0a4b6d8f1e3a5c7b9d0e2f4a6c8b0d2e4f6a8c0b2d4e6f8a0c2e4b6d8f", "uploaded_at": "2026-12-03T10:00:00Z"},
    "version": 2, "created_at": "2026-12-03T09:00:00Z", "updated_at": "2026-12-03T10:00:00Z"
}))]
pub struct Document {
    pub id: i64,
    /// Stable identifier other systems use for this document.
    pub key: String,
    pub agreement_id: i64,
    /// The action plan it belongs to, if any (of the same agreement).
    pub action_plan_id: Option<i64>,
    pub category: DocumentCategory,
    pub title: String,
    pub issued_on: Option<NaiveDate>,
    /// BCP 47 tag of its language.
    pub language: Option<String>,
    /// Its number (letter, decree).
    pub reference: Option<String>,
    /// Where it can be read elsewhere.
    pub url: Option<String>,
    pub notes: Option<String>,
    /// Where the fact comes from.
    pub source: Option<String>,
    /// The stored file, `null` when none is uploaded.
    pub file: Option<StoredFile>,
    /// 1 when created, one more on every change (an upload included).
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The columns of a document row, in order.
type Row = (
    i64,
    String,
    i64,
    Option<i64>,
    DocumentCategory,
    String,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<Timestamp>,
    i32,
    Timestamp,
    Timestamp,
);

/// A document is read from its row, the file's four columns as one `file` (whole or absent:
/// a CHECK constraint keeps them together).
impl<DB> Queryable<documents::SqlType, DB> for Document
where
    DB: diesel::backend::Backend,
    Row: diesel::deserialize::FromStaticSqlRow<documents::SqlType, DB>,
{
    type Row = Row;

    fn build(row: Row) -> diesel::deserialize::Result<Self> {
        let (
            id,
            key,
            agreement_id,
            action_plan_id,
            category,
            title,
            issued_on,
            language,
            reference,
            url,
            notes,
            source,
            media_type,
            size,
            sha256,
            uploaded_at,
            version,
            created_at,
            updated_at,
        ) = row;
        let file = match (media_type, size, sha256, uploaded_at) {
            (Some(media_type), Some(size), Some(sha256), Some(uploaded_at)) => {
                Some(StoredFile { media_type, size, sha256, uploaded_at })
            }
            _ => None,
        };
        Ok(Self {
            id,
            key,
            agreement_id,
            action_plan_id,
            category,
            title,
            issued_on,
            language,
            reference,
            url,
            notes,
            source,
            file,
            version,
            created_at,
            updated_at,
        })
    }
}

/// The writable fields of a document; the file is sent to `/documents/{id}/file`. On `PATCH`
/// every field is optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "agreement_id": 1, "category": "dprd_decision", "title": "Keputusan DPRD Provinsi Jawa Barat",
    "issued_on": "2017-09-14", "language": "id", "reference": "27/B/DPRD/2017"
}))]
pub struct DocumentInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    /// An existing agreement.
    #[schema(value_type = i64, minimum = 1)]
    agreement_id: Field<i64>,
    /// An action plan of that agreement.
    #[schema(value_type = Option<i64>, minimum = 1)]
    action_plan_id: Field<i64>,
    #[schema(value_type = DocumentCategory)]
    category: Field<DocumentCategory>,
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    title: Field<String>,
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    issued_on: Field<Date>,
    /// A BCP 47 language tag: `id`, `en`, `fr`, `ar`, `id-ID`.
    #[schema(value_type = Option<crate::domain::LanguageTag>)]
    language: Field<LanguageTag>,
    #[schema(value_type = Option<String>, max_length = 300)]
    reference: Field<String>,
    /// An http or https URL.
    #[schema(value_type = Option<crate::domain::WebUrl>)]
    url: Field<WebUrl>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    notes: Field<String>,
    /// Where the fact comes from (a document, an article, a meeting), up to 1,000 characters.
    #[schema(value_type = Option<String>, max_length = 1000)]
    source: Field<String>,
}

#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = documents, treat_none_as_null = true)]
pub struct DocumentValues {
    key: String,
    agreement_id: i64,
    action_plan_id: Option<i64>,
    category: DocumentCategory,
    title: String,
    issued_on: Option<NaiveDate>,
    language: Option<String>,
    reference: Option<String>,
    url: Option<String>,
    notes: Option<String>,
    source: Option<String>,
}

impl Validate for DocumentInput {
    type Values = DocumentValues;

    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let agreement_id = checker.required("agreement_id", self.agreement_id);
        let action_plan_id = checker.optional("action_plan_id", self.action_plan_id);
        let category = checker.required("category", self.category);
        let title = checker.required_text("title", self.title, NAME_MAX);
        let issued_on = checker.optional("issued_on", self.issued_on).map(|d| d.0);
        let language = checker.optional("language", self.language).map(LanguageTag::into_inner);
        let reference = checker.optional_text("reference", self.reference, NAME_MAX);
        let url = checker.optional("url", self.url).map(WebUrl::into_inner);
        let notes = checker.optional_text("notes", self.notes, TEXT_MAX);
        let source = checker.optional_text("source", self.source, SOURCE_MAX);

        let agreement_found = match agreement_id {
            Some(agreement) => Agreements::KIND.check_reference(conn, checker, "agreement_id", agreement)?,
            None => false,
        };
        if let Some(plan) = action_plan_id {
            let agreement = agreement_id.filter(|_| agreement_found);
            check_of_agreement(conn, checker, "action_plan_id", ActionPlans::KIND, plan, agreement)?;
        }
        if let Some(id) = id
            && let Some(agreement_id) = agreement_id
        {
            // A milestone names a document of its own agreement: moving the document would
            // leave it naming one of another.
            let held = crate::rules::milestones_naming_document_elsewhere(conn, id, agreement_id)?;
            if held > 0 {
                checker.error(
                    "agreement_id",
                    format!("{held} milestones of its agreement name this document: it stays with them"),
                );
            }
        }
        Ok((|| {
            Some(DocumentValues {
                key: key?,
                agreement_id: agreement_id?,
                action_plan_id,
                category: category?,
                title: title?,
                issued_on,
                language,
                reference,
                url,
                notes,
                source,
            })
        })())
    }
}

crate::filters! {
    /// Filters of the document list.
    pub struct DocumentFilter {
        /// Documents of this agreement.
        agreement_id: Option<i64>,
        /// Documents of this action plan.
        action_plan_id: Option<i64>,
        category: Option<AnyOf<DocumentCategory>>,
        /// Documents in this language (the tag compared without case).
        #[param(value_type = Option<crate::domain::LanguageTag>)]
        language: Option<LanguageTag>,
        /// `true`: those with a stored file; `false`: those without.
        has_file: Option<bool>,
    }
}

crate::sortable!(SORTABLE, sort_documents, documents::BoxedQuery<'static, Backend>, documents::id, {
    "id" => documents::id,
    "key" => documents::key,
    "agreement_id" => documents::agreement_id,
    "category" => documents::category,
    "title" => documents::title,
    "issued_on" => documents::issued_on,
    "created_at" => documents::created_at,
    "updated_at" => documents::updated_at,
});

crate::listed!(documents, search: title, reference, notes);

fn filtered(list: &ListParams, filter: &DocumentFilter) -> documents::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(agreement_id) = filter.agreement_id {
        query = query.filter(documents::agreement_id.eq(agreement_id));
    }
    if let Some(plan) = filter.action_plan_id {
        query = query.filter(documents::action_plan_id.eq(plan));
    }
    if let Some(category) = &filter.category {
        query = query.filter(category.condition(documents::category));
    }
    if let Some(language) = &filter.language {
        query = query.filter(
            crate::db::lower_nullable(documents::language).eq(language.as_str().to_lowercase()),
        );
    }
    if let Some(has_file) = filter.has_file {
        query = if has_file {
            query.filter(documents::file_sha256.is_not_null())
        } else {
            query.filter(documents::file_sha256.is_null())
        };
    }
    query
}

pub(super) fn page(conn: &mut DbConnection, list: &ListParams, filter: &DocumentFilter) -> Result<(i64, Vec<Document>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}
