//! Versions as clients name them: the entity tags of `If-Match` and `If-None-Match`, read
//! from the header's text and compared with a record's version. (`http::precondition` reads
//! them from a request.)

/// The entity tags of an `If-Match` or `If-None-Match` header: the versions a client expects
/// of a record (a record's ETag is its version in quotes, `"3"`), which a write compares
/// with the version it finds.
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

    /// The tags of a header's values (a header may be sent several times), or `Malformed`.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, Malformed> {
        let malformed = || Malformed;
        let mut tags = Vec::new();
        let mut any = false;
        for value in values {
            // Read a token at a time: a quoted tag may hold a comma.
            let mut rest = value;
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
            return Ok(Self::Any);
        }
        Ok(Self::Tags(tags))
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

/// A header value that is not `*` or a list of entity tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<Precondition, Malformed> {
        Precondition::parse([value])
    }

    #[test]
    fn if_match_compares_strongly_and_reads_lists() {
        assert!(parse("\"3\"").unwrap().matches(3));
        assert!(!parse("\"3\"").unwrap().matches(4));
        assert!(!parse("W/\"3\"").unwrap().matches(3), "a weak tag never matches strongly");
        assert!(parse("W/\"3\"").unwrap().matches_weakly(3));
        assert!(parse("\"1\", \"3\"").unwrap().matches(3));
        assert!(parse("*").unwrap().matches(9));
        assert!(parse("3").is_err());
        assert!(parse("\"3").is_err());
        assert!(parse("\"a b\"").is_err(), "no space in an entity tag");
        // Empty elements are ignored (RFC 9110 5.6.1): no tag at all matches nothing.
        assert!(!parse("").unwrap().matches(3));
        assert!(parse(" , \"3\" ,").unwrap().matches(3));
        assert!(Precondition::parse(["\"1\"", "\"3\""]).unwrap().matches(3), "a header sent twice");
    }
}
