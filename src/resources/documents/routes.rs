//! The HTTP operations on documents and their files.

use super::file::{delete_document_file, download_document_file, upload_document_file};
use super::{Document, DocumentFilter, DocumentInput, Documents};
use crate::resources::agreements::Agreements;

crate::resource_routes! {
    resource: Documents, record: Document, input: DocumentInput, filter: DocumentFilter,
    paths: "/documents", "/documents/{id}", "/documents/{id}/history", csv "/documents.csv";
    handlers: list_documents, get_document, create_document, update_document, delete_document, document_history;
    within Agreements: list_agreement_documents "/agreements/{id}/documents", csv "/agreements/{id}/documents.csv";
    also: upload_document_file, download_document_file, delete_document_file;
}
