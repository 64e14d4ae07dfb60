//! The demo data set: the West Java - Souss-Massa sister-province case as a document, built
//! into the binary and loaded by `jalin serve --demo`.

use serde_json::Value;

use super::{DataDocument, ImportSummary};
use crate::db::{self, DbConnection};
use crate::error::{ApiError, Result};
use crate::resource::Resource;
use crate::resources::agreements::Agreements;

pub const DEMO_DOCUMENT: &str = include_str!("../../demo/west-java-souss-massa.json");

/// Loads the demo data set when the database has no agreement yet; says whether it did.
pub fn load_demo(conn: &mut DbConnection) -> Result<Option<ImportSummary>> {
    let value: Value = serde_json::from_str(DEMO_DOCUMENT)
        .map_err(|e| ApiError::Internal(format!("the built-in demo document is not JSON: {e}")))?;
    let document = DataDocument::parse(value)?;
    db::write_transaction(conn, |conn| {
        let agreements =
            db::count_sql(conn, &format!("SELECT COUNT(*) AS count FROM {}", Agreements::KIND.table))?;
        if agreements > 0 {
            return Ok(None);
        }
        super::import::import(conn, &document, "demo").map(Some)
    })
}
