//! Versions on the wire: the entity tags of `If-Match` and `If-None-Match`. A record's ETag is
//! its version in quotes (`"3"`).

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::{ApiError, Result};

/// The entity tags of an `If-Match` or `If-None-Match` header. ETags are the record's version
/// in quotes (`"3"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `*`: any current version.
    Any,
    /// The listed tags, each with whether it is weak (`W/"3"`).
    Tags(Vec<(String, bool)>),
}

impl Precondition {
    /// What the header takes (RFC 9110: `*` or a list of entity tags, `"3"` or `W/"3"`, each of
    /// visible ASCII characters but `"`), empty elements of the list included, which RFC 9110
    /// says to ignore: an `If-Match` of no tag at all matches nothing (`412`).
    pub const PATTERN: &'static str =
        r#"^[ \t]*((\*|(W/)?"[!#-~]*")[ \t]*)?(,[ \t]*((\*|(W/)?"[!#-~]*")[ \t]*)?)*$"#;

    /// The header's tags, `None` without the header; a malformed header is a `400`.
    pub fn from_header(request: &HttpRequest, name: header::HeaderName) -> Result<Option<Self>> {
        let values: Vec<&header::HeaderValue> = request.headers().get_all(&name).collect();
        if values.is_empty() {
            return Ok(None);
        }
        let malformed = || ApiError::BadRequest {
            detail: format!("{name} must be * or a list of entity tags such as \"3\""),
            errors: vec![crate::error::FieldError::new(name.as_str(), "is not a list of entity tags")],
        };
        let mut tags = Vec::new();
        let mut any = false;
        for value in values {
            // Read a token at a time: a quoted tag may hold a comma.
            let mut rest = value.to_str().map_err(|_| malformed())?;
            loop {
                rest = rest.trim_start_matches([' ', '\t']);
                if rest.is_empty() {
                    break;
                }
                if let Some(after) = rest.strip_prefix(',') {
                    // An empty element of the list, which RFC 9110 says to ignore.
                    rest = after;
                    continue;
                }
                if let Some(after) = rest.strip_prefix('*') {
                    any = true;
                    rest = after;
                } else {
                    let (weak, quoted) = match rest.strip_prefix("W/") {
                        Some(after) => (true, after),
                        None => (false, rest),
                    };
                    let inner = quoted.strip_prefix('"').ok_or_else(malformed)?;
                    let end = inner.find('"').ok_or_else(malformed)?;
                    let tag = &inner[..end];
                    if !tag.bytes().all(|byte| byte == b'!' || (b'#'..=b'~').contains(&byte)) {
                        return Err(malformed());
                    }
                    tags.push((tag.to_owned(), weak));
                    rest = &inner[end + 1..];
                }
                rest = rest.trim_start_matches([' ', '\t']);
                if !rest.is_empty() {
                    rest = rest.strip_prefix(',').ok_or_else(malformed)?;
                }
            }
        }
        if any {
            return Ok(Some(Self::Any));
        }
        Ok(Some(Self::Tags(tags)))
    }

    /// Strong comparison, as `If-Match` requires: a weak tag never matches.
    pub fn matches(&self, version: i32) -> bool {
        let current = version.to_string();
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|(tag, weak)| !weak && *tag == current),
        }
    }

    /// Weak comparison, as `If-None-Match` allows.
    pub fn matches_weakly(&self, version: i32) -> bool {
        self.names_weakly(&version.to_string())
    }

    /// Whether the tags name `current` (weak comparison): for ETags that are not versions,
    /// such as a file's SHA-256.
    pub fn names_weakly(&self, current: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|(tag, _)| tag == current),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn parse(value: &str) -> Result<Option<Precondition>> {
        Precondition::from_header(
            &TestRequest::default().insert_header((header::IF_MATCH, value)).to_http_request(),
            header::IF_MATCH,
        )
    }

    #[test]
    fn if_match_compares_strongly_and_reads_lists() {
        assert!(parse("\"3\"").unwrap().unwrap().matches(3));
        assert!(!parse("\"3\"").unwrap().unwrap().matches(4));
        assert!(!parse("W/\"3\"").unwrap().unwrap().matches(3), "a weak tag never matches strongly");
        assert!(parse("W/\"3\"").unwrap().unwrap().matches_weakly(3));
        assert!(parse("\"1\", \"3\"").unwrap().unwrap().matches(3));
        assert!(parse("*").unwrap().unwrap().matches(9));
        assert!(parse("3").is_err());
        assert!(parse("\"3").is_err());
        assert!(parse("\"a b\"").is_err(), "no space in an entity tag");
        // Empty elements are ignored (RFC 9110 5.6.1): no tag at all matches nothing.
        assert!(!parse("").unwrap().unwrap().matches(3));
        assert!(parse(" , \"3\" ,").unwrap().unwrap().matches(3));
    }

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
            let taken = Precondition::from_header(&read, header::IF_MATCH).is_ok();
            assert_eq!(pattern.is_match(value), taken, "{value:?}");
        }
    }
}
