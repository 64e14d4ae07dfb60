//! Lists as CSV (RFC 4180, UTF-8): a header row and one row per match, streamed in batches
//! from a blocking database thread so that a million rows never sit in memory at once.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

use crate::error::ApiError;
use crate::http::AppState;
use crate::listing::ListParams;
use crate::listing::ListSource;

/// The parameters of a CSV list beyond the list's own. Documentation only: read by
/// [`Wanted::csv`](crate::pages::Wanted::csv).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CsvDoc {
    /// `true` starts the file with a UTF-8 byte order mark, for Excel.
    bom: Option<bool>,
}

/// Rows fetched per query while streaming.
const BATCH: i64 = 2_000;

/// One cell: text as it is, numbers and booleans as JSON writes them, link lists joined with
/// `;` (each link by its code, subdivision code, acronym, name or key), nothing for null. A list
/// in which some name holds a `;` is written as a JSON array of the names instead, so that
/// "Office A; Office B" stays one agency. A cell that a spreadsheet would run as a formula
/// is neutralised (see [`neutralised`]). A control character that text may hold from before
/// such text was refused (U+0001, U+000B) is replaced by U+FFFD, as in XML: RFC 4180's text
/// holds none.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let labels: Vec<String> = items.iter().map(link_label).collect();
            if labels.iter().any(|label| label.contains(';')) {
                Value::from(labels).to_string()
            } else {
                labels.join(";")
            }
        }
        other => other.to_string(),
    };
    neutralised(crate::domain::xml_safe(&text).into_owned())
}

/// A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is what Excel and its
/// kin run as a formula (`=HYPERLINK(...)`): such a cell gets a leading `'`, which makes it
/// text (OWASP's advice against CSV injection).
fn neutralised(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text }
}

fn link_label(item: &Value) -> String {
    match item {
        Value::Object(fields) => ["code", "subdivision_code", "acronym", "name", "key"]
            .iter()
            .find_map(|name| fields.get(*name).and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned(),
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The rows of `records` as CSV text, with the header first when `header` is set.
fn rows<R: ListSource>(records: &[R::Record], header: bool) -> Result<Vec<u8>, ApiError> {
    let failed = |e: csv_crate::Error| ApiError::Internal(format!("cannot write CSV: {e}"));
    // RFC 4180 ends every row with CRLF.
    let mut writer =
        csv_crate::WriterBuilder::new().terminator(csv_crate::Terminator::CRLF).from_writer(Vec::new());
    if header {
        writer.write_record(<R as ListSource>::COLUMNS).map_err(failed)?;
    }
    for record in records {
        let json =
            serde_json::to_value(record).map_err(|e| ApiError::Internal(format!("cannot serialize: {e}")))?;
        writer
            .write_record(<R as ListSource>::COLUMNS.iter().map(|column| cell(&json[*column])))
            .map_err(failed)?;
    }
    writer.into_inner().map_err(|e| ApiError::Internal(format!("cannot write CSV: {e}")))
}

/// The CSV response: `limit` given, that page; otherwise every match, batch by batch (in id
/// order by keyset, in another order by offset).
pub(crate) async fn stream<R: ListSource>(
    state: &AppState,
    request: &HttpRequest,
    list: ListParams,
    filter: R::Filter,
    matches_any: bool,
    bom: bool,
) -> Result<HttpResponse, ApiError> {
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.csv\"", R::FILE)));
    crate::http::streaming::respond(&state.pool, &state.streams, request, response, move |conn, sink| {
        let mut head = Vec::new();
        if bom {
            head.extend_from_slice("\u{feff}".as_bytes());
        }
        head.extend(rows::<R>(&[], true)?);
        if !sink.send(head) || !matches_any {
            return Ok(());
        }
        let by_id = R::KEYSET && list.sort.is_empty();
        let mut batch = ListParams {
            limit: if list.limit_given { list.limit } else { BATCH },
            counted: false,
            ..list.clone()
        };
        loop {
            let (_, records) = <R as ListSource>::page(conn, &batch, &filter)?;
            let done = list.limit_given || (records.len() as i64) < batch.limit;
            if let Some(last) = records.last() {
                if by_id && !list.limit_given {
                    batch.after_id = Some(<R as ListSource>::id(last));
                } else {
                    batch.offset += records.len() as i64;
                }
            }
            // A client that went away (or stalled) closes the channel: stop reading the database.
            if !sink.send(rows::<R>(&records, false)?) || done {
                return Ok(());
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_join_links_and_leave_nulls_empty() {
        assert_eq!(cell(&Value::Null), "");
        assert_eq!(cell(&json!(2019)), "2019");
        assert_eq!(cell(&json!("a, \"b\"")), "a, \"b\"");
        assert_eq!(
            cell(&json!([{"id": 1, "code": "tourism", "name": "Tourism"}, {"id": 2, "code": "culture"}])),
            "tourism;culture"
        );
        assert_eq!(cell(&json!([{"id": 1, "name": "Dinas", "acronym": null}])), "Dinas");
        assert_eq!(cell(&json!([{"id": 1, "name": "West Java", "subdivision_code": "ID-JB"}])), "ID-JB");
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        for formula in ["=HYPERLINK(\"http://x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(cell(&json!(formula)), format!("'{formula}"));
        }
        assert_eq!(cell(&json!("a=b")), "a=b");
        assert_eq!(cell(&json!([{"id": 1, "name": "=cmd"}])), "'=cmd");
    }

    #[test]
    fn a_name_with_a_semicolon_makes_its_list_a_json_array() {
        let agencies =
            json!([{"id": 1, "name": "Office A; Office B", "acronym": null}, {"id": 2, "name": "C"}]);
        assert_eq!(cell(&agencies), r#"["Office A; Office B","C"]"#);
    }
}
