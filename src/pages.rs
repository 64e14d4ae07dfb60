//! Lists answered as JSON pages, with their RFC 8288 `Link` header, or handed to [`csv`]
//! when the client asks for CSV: one answer for every list of the service (resources, nested
//! lists, history, tokens, the audit trail, relationships).
//!
//! [`csv`]: crate::csv

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::error::ApiError;
use crate::http::AppState;
use crate::listing::{ListParams, ListSource, Page, QueryParams};

/// A list's answer: the page as JSON, or every match (or the page, with `limit`) as CSV.
/// `matches_any` false answers an empty list without asking the database.
pub async fn respond<S: ListSource>(
    state: &AppState,
    request: &HttpRequest,
    list: ListParams,
    filter: S::Filter,
    wanted: Wanted,
    matches_any: bool,
) -> Result<HttpResponse, ApiError> {
    if wanted.csv {
        return crate::csv::stream::<S>(state, request, list, filter, matches_any, wanted.bom).await;
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

/// Whether the client asks for CSV in `Accept` (and does not prefer JSON).
fn wants_csv(request: &HttpRequest) -> bool {
    request.headers().get(header::ACCEPT).and_then(|value| value.to_str().ok()).is_some_and(|accept| {
        accept.contains("text/csv") && !accept.trim_start().starts_with("application/json")
    })
}
