//! Versions on the wire: the entity tags of `If-Match` and `If-None-Match` read from a request
//! (`domain::Precondition` compares them with a record's version).

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::domain::Precondition;
use crate::error::{ApiError, Result};

/// The tags of the header `name`, `None` without the header; a malformed header is a `400`.
pub fn precondition(request: &HttpRequest, name: header::HeaderName) -> Result<Option<Precondition>> {
    let values: Vec<&header::HeaderValue> = request.headers().get_all(&name).collect();
    if values.is_empty() {
        return Ok(None);
    }
    let texts: Option<Vec<&str>> = values.iter().map(|value| value.to_str().ok()).collect();
    texts.and_then(|texts| Precondition::parse(texts).ok()).map(Some).ok_or_else(|| ApiError::BadRequest {
        detail: format!("{name} must be * or a list of entity tags such as \"3\""),
        errors: vec![crate::error::FieldError::new(name.as_str(), "is not a list of entity tags")],
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_pattern_takes_exactly_what_the_header_reads() {
        let pattern = regex::Regex::new(Precondition::PATTERN).unwrap();
        for value in [
            "\"3\"",
            "W/\"3\"",
            "*",
            "\"1\", \"3\"",
            "",
            " , ",
            "\t\"3\"\t",
            "\"\"",
            "W/\"(B\"",
            "3",
            "\"3",
            "\"a b\"",
            "w/\"3\"",
            "\"3\" \"4\"",
            "**",
            "\"3\";",
            "\"é\"",
        ] {
            let read = TestRequest::default().insert_header((header::IF_MATCH, value)).to_http_request();
            let taken = precondition(&read, header::IF_MATCH).is_ok();
            assert_eq!(pattern.is_match(value), taken, "{value:?}");
        }
    }
}
