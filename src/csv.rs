//! Lists as JSON pages or as CSV (RFC 4180, UTF-8): a header row and one row per match,
//! streamed in batches from a blocking database thread so that a million rows never sit in
//! memory at once.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::http::AppState;
use crate::listing::{ListParams, Page, QueryParams};

/// A list that can be written as CSV.
pub trait CsvSource: 'static {
    type Record: serde::Serialize + Send + 'static;
    type Filter: Send + 'static;
    /// The file's name, without `.csv`.
    const FILE: &'static str;
    /// The columns, in order: fields of the record as JSON.
    const COLUMNS: &'static [&'static str];
    /// Whether the default order is by ascending id, so that batches can follow `after_id`.
    const KEYSET: bool;
    fn page(
        conn: &mut DbConnection,
        list: &ListParams,
        filter: &Self::Filter,
    ) -> Result<(i64, Vec<Self::Record>), ApiError>;
    fn id(record: &Self::Record) -> i64;
}

/// A list's answer: the page as JSON, or every match (or the page, with `limit`) as CSV.
/// `matches_any` false answers an empty list without asking the database.
pub async fn respond<S: CsvSource>(
    state: &AppState,
    request: &HttpRequest,
    list: ListParams,
    filter: S::Filter,
    wanted: Wanted,
    matches_any: bool,
) -> Result<HttpResponse, ApiError> {
    if wanted.csv {
        return stream::<S>(state, request, list, filter, matches_any, wanted.bom).await;
    }
    let paging = list.clone();
    let page = crate::db::run(&state.pool, move |conn| {
        if !matches_any {
            return Ok(Page::new(&list, 0, Vec::new()));
        }
        let (total, items) = S::page(conn, &list, &filter)?;
        Ok(Page::new(&list, total, items))
    })
    .await?;
    let last_id = page.items.last().map(S::id);
    let links = page_links(request, &paging, page.total, page.items.len(), last_id);
    let mut response = HttpResponse::Ok();
    if !links.is_empty() {
        response.insert_header((header::LINK, links));
    }
    Ok(response.json(page))
}

/// The RFC 8288 `Link` header of a page: `first`, `prev`, `next` and `last`, as the request's
/// own path and query with the paging changed. A page read by `after_id` links to the first
/// page and to the next (after its last id): keyset pages have no numbered previous or last.
fn page_links(
    request: &HttpRequest,
    list: &ListParams,
    total: i64,
    returned: usize,
    last_id: Option<i64>,
) -> String {
    // The query as sent, less its paging: each link adds its own. A character that a URI may
    // not hold raw (`<`, `>`, `"`... which a lenient client can still send) is escaped, so that
    // the link stays one URI reference and the header a valid one.
    const NOT_IN_URI: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'\\')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    let kept: Vec<String> = request
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            !matches!(name, "offset" | "after_id")
        })
        .map(|pair| percent_encoding::utf8_percent_encode(pair, NOT_IN_URI).to_string())
        .collect();
    let link = |paging: String, relation: &str| {
        let mut query = kept.clone();
        if !paging.is_empty() {
            query.push(paging);
        }
        let query = query.join("&");
        let separator = if query.is_empty() { "" } else { "?" };
        format!("<{}{separator}{query}>; rel=\"{relation}\"", request.path())
    };
    let full_page = i64::try_from(returned).unwrap_or(i64::MAX) >= list.limit;
    let mut links = vec![link(String::new(), "first")];
    match list.after_id {
        // In id order, the next page is the one after this page's last id; in another order,
        // the next matches after the same id.
        Some(after) => {
            if let (true, Some(last)) = (full_page, last_id) {
                let next = if list.sort.is_empty() {
                    format!("after_id={last}")
                } else {
                    format!("after_id={after}&offset={}", list.offset.saturating_add(list.limit))
                };
                links.push(link(next, "next"));
            }
        }
        None => {
            if list.offset > 0 {
                let previous = list.offset.saturating_sub(list.limit).max(0);
                links.push(link(format!("offset={previous}"), "prev"));
            }
            // Offsets near i64::MAX are valid requests (an empty page): no overflow.
            let next = list.offset.saturating_add(list.limit);
            if next < total {
                links.push(link(format!("offset={next}"), "next"));
            }
            if total > 0 {
                let last = (total - 1) / list.limit * list.limit;
                links.push(link(format!("offset={last}"), "last"));
            }
        }
    }
    links.join(", ")
}

/// The query string of a list without search or keys (tokens, the audit trail): its paging
/// and the form wanted; the list's own filters are still to be taken from it.
pub fn paging_query(
    request: &HttpRequest,
    sortable: &'static [&'static str],
) -> Result<(QueryParams, ListParams, Wanted), ApiError> {
    let mut params = QueryParams::parse(request.query_string())?;
    let list = ListParams::take_paging(&mut params, sortable);
    let wanted = Wanted::take(&mut params, request);
    Ok((params, list, wanted))
}

/// What form a list is wanted in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wanted {
    pub csv: bool,
    /// Start CSV with a UTF-8 byte order mark.
    pub bom: bool,
}

/// The parameters of a CSV list beyond the list's own. Documentation only: read by
/// [`Wanted::csv`].
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CsvDoc {
    /// `true` starts the file with a UTF-8 byte order mark, for Excel.
    bom: Option<bool>,
}

impl Wanted {
    /// CSV, with `bom` read.
    pub fn csv(params: &mut QueryParams) -> Self {
        let bom: Option<bool> = params.take("bom");
        Self { csv: true, bom: bom.unwrap_or(false) }
    }

    /// Reads `format` and `bom`; without `format`, `Accept` decides.
    pub fn take(params: &mut QueryParams, request: &HttpRequest) -> Self {
        let format = params.take_with("format", |text| match text {
            "json" | "csv" => Ok(text == "csv"),
            _ => Err("must be json or csv".to_owned()),
        });
        let bom: Option<bool> = params.take("bom");
        Self { csv: format.unwrap_or_else(|| wants_csv(request)), bom: bom.unwrap_or(false) }
    }
}

/// Rows fetched per query while streaming.
const BATCH: i64 = 2_000;

/// Whether the client asks for CSV in `Accept` (and does not prefer JSON).
fn wants_csv(request: &HttpRequest) -> bool {
    request.headers().get(header::ACCEPT).and_then(|value| value.to_str().ok()).is_some_and(|accept| {
        accept.contains("text/csv") && !accept.trim_start().starts_with("application/json")
    })
}

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
fn rows<R: CsvSource>(records: &[R::Record], header: bool) -> Result<Vec<u8>, ApiError> {
    let failed = |e: csv_crate::Error| ApiError::Internal(format!("cannot write CSV: {e}"));
    // RFC 4180 ends every row with CRLF.
    let mut writer =
        csv_crate::WriterBuilder::new().terminator(csv_crate::Terminator::CRLF).from_writer(Vec::new());
    if header {
        writer.write_record(<R as CsvSource>::COLUMNS).map_err(failed)?;
    }
    for record in records {
        let json =
            serde_json::to_value(record).map_err(|e| ApiError::Internal(format!("cannot serialize: {e}")))?;
        writer
            .write_record(<R as CsvSource>::COLUMNS.iter().map(|column| cell(&json[*column])))
            .map_err(failed)?;
    }
    writer.into_inner().map_err(|e| ApiError::Internal(format!("cannot write CSV: {e}")))
}

/// The CSV response: `limit` given, that page; otherwise every match, batch by batch (in id
/// order by keyset, in another order by offset).
async fn stream<R: CsvSource>(
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
            let (_, records) = <R as CsvSource>::page(conn, &batch, &filter)?;
            let done = list.limit_given || (records.len() as i64) < batch.limit;
            if let Some(last) = records.last() {
                if by_id && !list.limit_given {
                    batch.after_id = Some(<R as CsvSource>::id(last));
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
