//! Values that are valid by construction: once parsed, a country code is an assigned one and a
//! key matches its pattern. Each type deserializes with a message that says what is expected.

pub mod currency;
mod enums;
pub mod money;
mod precondition;
mod time;

pub use currency::CurrencyCode;
pub(crate) use enums::string_enum;
pub use enums::*;
pub use money::DecimalText;
pub use precondition::Precondition;
pub use time::{Timestamp, now};

use std::fmt;
use std::str::FromStr;

/// Implements `Deserialize` from a JSON string through `FromStr`, so that the parse error
/// message is the one the client sees.
macro_rules! deserialize_from_str {
    ($type:ty) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use deserialize_from_str;

/// An ISO 3166-1 alpha-2 code that is currently assigned, in upper case (`ID`, `MA`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl CountryCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CountryCode {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let is_upper = text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase());
        if is_upper && rust_iso3166::from_alpha2(text).is_some() {
            Ok(Self(text.to_owned()))
        } else {
            Err("must be an assigned ISO 3166-1 alpha-2 code in upper case, such as ID".to_owned())
        }
    }
}
deserialize_from_str!(CountryCode);

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stable identifier chosen by a client or assigned by the server: `^[A-Za-z0-9._:-]{1,100}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// A fresh random key, for records created without one.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl FromStr for Key {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let valid_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-');
        if (1..=100).contains(&text.len()) && text.chars().all(valid_char) {
            Ok(Self(text.to_owned()))
        } else {
            Err("must be 1 to 100 letters, digits or . _ : - (such as ID-JB)".to_owned())
        }
    }
}
deserialize_from_str!(Key);

/// A lower-case slug such as `trade-investment`: `^[a-z0-9]+(-[a-z0-9]+)*$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl FromStr for Slug {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let valid_part = |part: &str| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if text.len() <= 100 && text.split('-').all(valid_part) {
            Ok(Self(text.to_owned()))
        } else {
            Err("must be a lower-case slug of letters and digits joined by single hyphens, such as trade-investment (at most 100 characters)".to_owned())
        }
    }
}
deserialize_from_str!(Slug);

/// An ISO 3166-2 subdivision code such as `ID-JB`: the country's alpha-2 code, a hyphen, and
/// one to three letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubdivisionCode(String);

impl SubdivisionCode {
    pub fn country_prefix(&self) -> &str {
        &self.0[..2]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl FromStr for SubdivisionCode {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let valid = match text.split_once('-') {
            Some((country, local)) => {
                country.len() == 2
                    && country.bytes().all(|b| b.is_ascii_uppercase())
                    && (1..=3).contains(&local.len())
                    && local.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            }
            None => false,
        };
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err("must be an ISO 3166-2 code: the country code, a hyphen and 1 to 3 upper-case letters or digits, such as ID-JB".to_owned())
        }
    }
}
deserialize_from_str!(SubdivisionCode);

/// A calendar date, `YYYY-MM-DD`, in the years 1000 to 9999: four digits of year, as every
/// format the service writes (IATI's `xsd:date`, CSV, JSON) reads them back, and no year 0,
/// which the Gregorian calendar does not have and XML Schema refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub chrono::NaiveDate);

impl Date {
    pub const PATTERN: &'static str = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
}

impl FromStr for Date {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        use chrono::Datelike;
        let valid_shape = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
        match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) if valid_shape && (1000..=9999).contains(&date.year()) => Ok(Self(date)),
            _ => Err("must be a real date written YYYY-MM-DD, in the years 1000 to 9999".to_owned()),
        }
    }
}
deserialize_from_str!(Date);

impl utoipa::PartialSchema for Date {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(Self::PATTERN))
            .description(Some("A calendar date, YYYY-MM-DD, in the years 1000 to 9999."))
            .examples([serde_json::json!("2017-02-09")])
            .into()
    }
}

impl utoipa::ToSchema for Date {
    fn name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
}

/// [`Date`] under a name utoipa does not take for chrono's own date (`value_type = Date` would
/// give a plain `format: date`, without the years): what schema attributes name.
pub type DateOfRecord = Date;

/// Whether XML 1.0 forbids the character in a document, escaped or not: the C0 controls other
/// than tab, line feed and carriage return, and U+FFFE and U+FFFF. (Surrogates cannot be in a
/// Rust string.) Text holding one is refused on the way in; text stored before that rule has
/// them replaced on the way out ([`xml_safe`]).
pub fn forbidden_in_xml(character: char) -> bool {
    matches!(character, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// `text` with each character XML 1.0 forbids replaced by U+FFFD (the replacement character),
/// for XML and CSV written from text that may have been stored before such text was refused.
pub fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(forbidden_in_xml) {
        text.chars().map(|c| if forbidden_in_xml(c) { '\u{FFFD}' } else { c }).collect::<String>().into()
    } else {
        text.into()
    }
}

/// An `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(String);

impl WebUrl {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl WebUrl {
    /// The shape of what [`WebUrl`] takes, for the OpenAPI document (with at most 2,000
    /// characters): `http://` or `https://`, a host, no space nor control character. The
    /// service also parses it as a URL (WHATWG), which no pattern says: `http://[x` has this
    /// shape and is refused (`422`).
    pub const PATTERN: &'static str = "^https?://[^\\s/?#\\u0000-\\u001F\\u007F-\\u009F\\uFFFE\\uFFFF][^\\s\\u0000-\\u001F\\u007F-\\u009F\\uFFFE\\uFFFF]*$";
}

impl FromStr for WebUrl {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
        let host = rest.map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
        let valid = text.chars().count() <= 2000
            && host.is_some_and(|host| !host.is_empty())
            && !text.chars().any(|c| c.is_whitespace() || c.is_control() || forbidden_in_xml(c))
            && url::Url::parse(text).is_ok_and(|url| url.host_str().is_some_and(|host| !host.is_empty()));
        if valid { Ok(Self(text.to_owned())) } else { Err("must be an http or https URL".to_owned()) }
    }
}
deserialize_from_str!(WebUrl);

impl utoipa::PartialSchema for WebUrl {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An http or https URL, at most 2,000 characters."))
            .max_length(Some(2000))
            .pattern(Some(Self::PATTERN))
            .examples([serde_json::json!("https://jabarprov.go.id/")])
            .into()
    }
}

impl utoipa::ToSchema for WebUrl {}

/// A well-formed BCP 47 language tag (RFC 5646): `id`, `en`, `fr-MA`, `id-ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageTag(String);

impl LanguageTag {
    /// RFC 5646's `langtag` and `privateuse` productions, which say what is well formed: what
    /// [`LanguageTag`] takes, checked by this very expression, so that the OpenAPI document
    /// states exactly that. (The 17 irregular grandfathered tags, `i-klingon`, `en-GB-oed`...,
    /// fit no production and are refused: each has a preferred value, `tlh`.)
    pub const PATTERN: &'static str = concat!(
        "^(([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})",
        "(-[A-Za-z]{4})?",
        "(-([A-Za-z]{2}|[0-9]{3}))?",
        "(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*",
        "(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*",
        "(-[Xx](-[A-Za-z0-9]{1,8})+)?",
        "|[Xx](-[A-Za-z0-9]{1,8})+)$"
    );

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl FromStr for LanguageTag {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        static WELL_FORMED: std::sync::LazyLock<Option<regex::Regex>> =
            std::sync::LazyLock::new(|| regex::Regex::new(LanguageTag::PATTERN).ok());
        match WELL_FORMED.as_ref() {
            Some(well_formed) if well_formed.is_match(text) => Ok(Self(text.to_owned())),
            Some(_) => Err("must be a well-formed BCP 47 language tag such as `id` or `fr-MA`".to_owned()),
            None => Err("cannot be checked: the language tag pattern does not compile".to_owned()),
        }
    }
}
deserialize_from_str!(LanguageTag);

impl utoipa::PartialSchema for LanguageTag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A well-formed BCP 47 language tag (RFC 5646), such as `id`, `en` or `fr-MA`."))
            .pattern(Some(Self::PATTERN))
            .examples([serde_json::json!("id")])
            .into()
    }
}

impl utoipa::ToSchema for LanguageTag {}

/// The schema lists every assigned code, so that documentation and clients know them.
impl utoipa::PartialSchema for CountryCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut codes: Vec<&str> = rust_iso3166::ALL_ALPHA2.to_vec();
        codes.sort_unstable();
        codes.dedup();
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An assigned ISO 3166-1 alpha-2 country code, upper case."))
            .enum_values(Some(codes))
            .examples([serde_json::json!("ID")])
            .into()
    }
}

impl utoipa::ToSchema for CountryCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_the_well_formed_ones_of_rfc_5646() {
        for tag in [
            "id",
            "en",
            "fr-MA",
            "zh-Hant-TW",
            "zh-min-nan",
            "art-lojban",
            "de-1901",
            "sl-rozaj-biske",
            "en-a-bbb-x-ccc",
            "x-private",
            "X-A",
            "qaa-Qaaa-QM",
            "en-US-u-islamcal",
            "zh-yue-HK",
            "es-419",
        ] {
            assert!(tag.parse::<LanguageTag>().is_ok(), "{tag}");
        }
        for text in [
            "",
            "e",
            "toolonglanguage",
            "en-",
            "-en",
            "en--US",
            "en-x",
            "en-a",
            "en-a-b",
            "x--x",
            "ar-aao-abc-def-ghi",
            "123",
            "en_US",
            "\u{e9}",
            "i-klingon",
            "en-GB-oed",
            "en-US\n",
        ] {
            assert!(text.parse::<LanguageTag>().is_err(), "{text:?}");
        }
    }

    #[test]
    fn the_url_pattern_takes_exactly_what_a_web_url_is() {
        let pattern = regex::Regex::new(WebUrl::PATTERN).unwrap();
        let long = format!("https://example.org/{}", "a".repeat(1980));
        for text in [
            "https://jabarprov.go.id/",
            "http://a",
            "https://example.org/path?q=1#top",
            "https://ex\u{e9}mple.org/d\u{e9}j\u{e0}",
            "ftp://example.org",
            "https://",
            "https:///path",
            "https://?q",
            "https://example.org/a b",
            "https://example.org/\u{7}",
            "https://example.org/\u{85}",
            "https://example.org/\u{FFFE}",
            " https://example.org",
            "HTTPS://example.org",
        ] {
            assert_eq!(pattern.is_match(text), text.parse::<WebUrl>().is_ok(), "{text:?}");
        }
        // What has the shape and is no URL: refused, though the pattern cannot say so.
        for text in ["http://[x", "https://exa mple.org", "http://a:99999", "https://[::1"] {
            assert!(text.parse::<WebUrl>().is_err(), "{text:?}");
        }
        assert!("http://[::1]:8080/".parse::<WebUrl>().is_ok());
        assert!(long.parse::<WebUrl>().is_ok() && format!("{long}a").parse::<WebUrl>().is_err());
    }

    #[test]
    fn country_codes_must_be_assigned_and_upper_case() {
        assert!("ID".parse::<CountryCode>().is_ok());
        assert!("MA".parse::<CountryCode>().is_ok());
        assert!("id".parse::<CountryCode>().is_err());
        assert!("XX".parse::<CountryCode>().is_err());
        assert!("IDN".parse::<CountryCode>().is_err());
        assert!("".parse::<CountryCode>().is_err());
    }

    #[test]
    fn keys_follow_their_pattern() {
        assert!("ID-JB".parse::<Key>().is_ok());
        assert!("a.b_c:d-1".parse::<Key>().is_ok());
        assert!("".parse::<Key>().is_err());
        assert!("has space".parse::<Key>().is_err());
        assert!("x".repeat(101).parse::<Key>().is_err());
        assert!(Key::generate().0.parse::<Key>().is_ok());
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_single_hyphens() {
        assert!("trade-investment".parse::<Slug>().is_ok());
        assert!("e-governance2".parse::<Slug>().is_ok());
        for bad in ["", "Trade", "a--b", "-a", "a-", "a_b", "a b"] {
            assert!(bad.parse::<Slug>().is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn subdivision_codes_have_a_country_prefix() {
        let code: SubdivisionCode = "ID-JB".parse().unwrap();
        assert_eq!(code.country_prefix(), "ID");
        assert!("MA-09".parse::<SubdivisionCode>().is_ok());
        for bad in ["IDJB", "id-jb", "ID-", "ID-ABCD", "I-JB"] {
            assert!(bad.parse::<SubdivisionCode>().is_err(), "{bad} was accepted");
        }
    }
}
