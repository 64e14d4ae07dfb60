//! The HTTP operations on documents and their files.

use super::file::{delete_document_file, download_document_file, upload_document_file};
use super::Documents;
use crate::resource::routes::Operations;
use crate::resource::Routed;
use crate::resources::agreements::Agreements;

impl Routed for Documents {
    fn mount(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
        Operations::<Self>::standard().within::<Agreements>().mount(config);
        // The file of a document, operations of its own.
        config.service(upload_document_file).service(download_document_file).service(delete_document_file);
    }
}
