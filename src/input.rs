//! Request bodies: reading them so that every bad field is reported at once.
//!
//! A body is first read as a JSON object. Its keys are checked against the fields of the
//! resource's input type (unknown ones are errors), then each field is converted on its own
//! into a [`Field`], which keeps a conversion error instead of failing the whole body. The
//! resource's validation then walks the fields with a [`Checker`], which gathers every error
//! before answering `422`.
//!
//! `PATCH` is JSON merge patch (RFC 7386): the patch is merged into the record's current input
//! fields and the result is validated exactly like a create, so the rules live in one place.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::Key;
use crate::error::{ApiError, FieldError, Result};

/// Longest name or title, in characters.
pub const NAME_MAX: usize = 300;
/// Longest free text, in characters.
pub const TEXT_MAX: usize = 10_000;
/// Longest `source`: where a fact comes from (a citation, not the text itself).
pub const SOURCE_MAX: usize = 1_000;

/// One field of a request body: missing (absent or `null`), a value of the right type, or a
/// value that could not be read, with the reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<T> {
    Missing,
    Value(T),
    Invalid(String),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `Option` makes serde treat an absent field like `null` instead of an error.
        Ok(match Option::<Value>::deserialize(deserializer)? {
            None | Some(Value::Null) => Field::Missing,
            Some(value) => match T::deserialize(value) {
                Ok(value) => Field::Value(value),
                Err(error) => Field::Invalid(describe_type_error(&error.to_string())),
            },
        })
    }
}

/// serde's messages name Rust types (`expected i64`); say it in JSON's terms.
fn describe_type_error(message: &str) -> String {
    let expected = message.split_once(", expected ").map(|(_, expected)| expected);
    match expected {
        Some("i64" | "i32" | "u32" | "u64" | "i16") => "must be an integer".to_owned(),
        Some("f64" | "f32") => "must be a number".to_owned(),
        Some("a string") => "must be a string".to_owned(),
        Some("a boolean") => "must be true or false".to_owned(),
        Some("a sequence") => "must be an array".to_owned(),
        _ if message.starts_with("invalid value: integer") || message.contains("out of range") => {
            "is out of range".to_owned()
        }
        _ => message.to_owned(),
    }
}

/// Whether a body creates a record or changes one: a key may be left out on create (the server
/// assigns one) but cannot be cleared on update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

impl Mode {
    /// Creating when the record has no id yet, updating the record with this id otherwise.
    pub fn of(id: Option<i64>) -> Self {
        if id.is_some() { Self::Update } else { Self::Create }
    }
}

/// Gathers the errors of one request body, or of each record of an import in turn.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
    /// Records found to exist while checking, kept for the checks that follow: an import
    /// refers to the same agreement for each of its action plans, to the same few sectors for
    /// thousands of records, and asks the database once. (Nothing is deleted while a check
    /// runs; a request's checker lives as long as the request.)
    found: Found,
}

#[derive(Default)]
struct Found {
    existing: HashSet<(&'static str, i64)>,
    /// Linked records as read, by their type and id.
    linked: HashMap<(TypeId, i64), Box<dyn Any + Send>>,
}

impl std::fmt::Debug for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Found")
            .field("existing", &self.existing.len())
            .field("linked", &self.linked.len())
            .finish()
    }
}

impl Checker {
    /// Whether the record `id` of `table` exists, asking the database (`ask`) only when no
    /// earlier check found it.
    pub fn exists<C>(
        &mut self,
        conn: &mut C,
        table: &'static str,
        id: i64,
        ask: impl FnOnce(&mut C) -> diesel::QueryResult<bool>,
    ) -> diesel::QueryResult<bool> {
        if self.found.existing.contains(&(table, id)) {
            return Ok(true);
        }
        let exists = ask(conn)?;
        if exists {
            self.found.existing.insert((table, id));
        }
        Ok(exists)
    }

    /// A linked record an earlier check read.
    pub fn found_link<T: Any>(&self, id: i64) -> Option<&T> {
        self.found.linked.get(&(TypeId::of::<T>(), id)).and_then(|record| record.downcast_ref())
    }

    /// Keeps a linked record read from the database for the checks that follow.
    pub fn keep_link<T: Any + Send>(&mut self, id: i64, record: T) {
        self.found.linked.insert((TypeId::of::<T>(), id), Box::new(record));
    }

    /// The errors found so far, leaving none: the checker goes on to the next record.
    pub fn take_errors(&mut self) -> Vec<FieldError> {
        std::mem::take(&mut self.errors)
    }

    pub fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Whether `field` or an element of it (`field[2]`) has an error.
    pub fn has_error_under(&self, field: &str) -> bool {
        self.errors
            .iter()
            .any(|e| e.field.strip_prefix(field).is_some_and(|rest| rest.is_empty() || rest.starts_with('[')))
    }

    /// The value of a field that must be given.
    pub fn required<T>(&mut self, name: &str, field: Field<T>) -> Option<T> {
        match field {
            Field::Value(value) => Some(value),
            Field::Missing => {
                self.error(name, "is required");
                None
            }
            Field::Invalid(message) => {
                self.error(name, message);
                None
            }
        }
    }

    /// The value of a field that may be left out.
    pub fn optional<T>(&mut self, name: &str, field: Field<T>) -> Option<T> {
        match field {
            Field::Value(value) => Some(value),
            Field::Missing => None,
            Field::Invalid(message) => {
                self.error(name, message);
                None
            }
        }
    }

    /// A required text, trimmed, of 1 to `max` characters.
    pub fn required_text(&mut self, name: &str, field: Field<String>, max: usize) -> Option<String> {
        let text = self.required(name, field)?;
        match self.text_in_bounds(name, &text, max) {
            Some("") => {
                self.error(name, "must not be empty");
                None
            }
            trimmed => trimmed.map(str::to_owned),
        }
    }

    /// An optional text, trimmed, of at most `max` characters; empty counts as not given.
    pub fn optional_text(&mut self, name: &str, field: Field<String>, max: usize) -> Option<String> {
        let text = self.optional(name, field)?;
        self.text_in_bounds(name, &text, max).filter(|t| !t.is_empty()).map(str::to_owned)
    }

    fn text_in_bounds<'t>(&mut self, name: &str, text: &'t str, max: usize) -> Option<&'t str> {
        let trimmed = text.trim();
        if trimmed.chars().count() > max {
            self.error(name, format!("must be at most {max} characters"));
            return None;
        }
        Some(trimmed)
    }

    /// The record's key: the client's, or on create a new UUID when none is given.
    /// A date known to the month or the year is stored as its first day (January 1 for a
    /// year), so that dates sort and filter alike whatever their precision; a precision other
    /// than `day` describes a date, which must then be given. `(name, value)` of each field.
    pub fn date_precision(
        &mut self,
        (date_field, date): (&str, Option<chrono::NaiveDate>),
        (precision_field, precision): (&str, crate::domain::DatePrecision),
    ) {
        use crate::domain::DatePrecision;
        use chrono::Datelike;
        match (date, precision) {
            (_, DatePrecision::Day) => {}
            (None, precision) => {
                self.error(
                    precision_field,
                    format!("precision {precision} describes {date_field}: give one"),
                );
            }
            (Some(date), DatePrecision::Year) if date.ordinal() != 1 => self.error(
                date_field,
                format!("with precision year, give January 1 of the year ({}-01-01)", date.format("%Y")),
            ),
            (Some(date), DatePrecision::Month) if date.day() != 1 => self.error(
                date_field,
                format!("with precision month, give the first of the month ({}-01)", date.format("%Y-%m")),
            ),
            _ => {}
        }
    }

    pub fn key(&mut self, field: Field<Key>, mode: Mode) -> Option<String> {
        match (field, mode) {
            (Field::Value(key), _) => Some(key.into_inner()),
            (Field::Missing, Mode::Create) => Some(Key::generate().into_inner()),
            (Field::Missing, Mode::Update) => {
                self.error("key", "cannot be cleared");
                None
            }
            (Field::Invalid(message), _) => {
                self.error("key", message);
                None
            }
        }
    }

    /// Ends the check: `422` listing every error, or `Ok`.
    pub fn finish(self) -> Result<()> {
        ApiError::check(self.errors)
    }
}

/// The body as a JSON object, or a `422`.
pub fn require_object(body: Value) -> Result<Map<String, Value>> {
    match body {
        Value::Object(object) => Ok(object),
        _ => Err(ApiError::InvalidBody(vec![FieldError::new("", "the body must be a JSON object")])),
    }
}

/// Removes the members that are not fields of `T`, reporting each in `checker`.
fn drop_unknown_fields<T: DeserializeOwned>(object: &mut Map<String, Value>, checker: &mut Checker) {
    let known = field_names::<T>();
    object.retain(|name, _| {
        let is_known = known.contains(&name.as_str());
        if !is_known {
            checker.error(name.clone(), "is not a field of this resource");
        }
        is_known
    });
}

/// Reports each string under `value` (at `path`) that holds a character XML 1.0 forbids (a
/// control character such as U+0001 or U+000B, U+FFFE, U+FFFF; NUL among them): no XML the
/// service writes (the IATI export) could hold it. The string keeps the rest of its text, so
/// that the field's own checks run on it and report nothing twice; the request fails anyway.
fn refuse_what_xml_cannot_hold(path: &str, value: &mut Value, checker: &mut Checker) {
    match value {
        Value::String(text) => {
            if let Some(forbidden) = text.chars().find(|c| crate::domain::forbidden_in_xml(*c)) {
                checker.error(
                    path,
                    format!(
                        "must not contain the control character U+{:04X}: XML, in which the IATI export is written, cannot hold it (tab, line feed and carriage return are the only ones allowed)",
                        u32::from(forbidden)
                    ),
                );
                text.retain(|c| !crate::domain::forbidden_in_xml(c));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                refuse_what_xml_cannot_hold(&format!("{path}[{index}]"), item, checker);
            }
        }
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                refuse_what_xml_cannot_hold(&format!("{path}.{name}"), member, checker);
            }
        }
        _ => {}
    }
}

/// Reads a request body into the input type `T`, reporting unknown fields in `checker`, and
/// text that XML cannot hold.
pub fn read_body<T: DeserializeOwned>(body: Value, checker: &mut Checker) -> Result<T> {
    let mut object = require_object(body)?;
    drop_unknown_fields::<T>(&mut object, checker);
    for (name, value) in object.iter_mut() {
        refuse_what_xml_cannot_hold(name, value, checker);
    }
    // Every field is a `Field`, which accepts any JSON value: this only fails on a bug.
    serde_json::from_value(Value::Object(object))
        .map_err(|e| ApiError::Internal(format!("input type does not accept its own fields: {e}")))
}

/// Reads and validates the body of a create: the stored values, or a `422` listing every
/// error. `validate` checks the fields of the input type `I` into values `V`; it may query
/// the database (whether a referenced record exists), hence its `Result`.
pub fn parse_new<I: DeserializeOwned, V>(
    body: Value,
    validate: impl FnOnce(I, &mut Checker) -> Result<Option<V>>,
) -> Result<V> {
    let mut checker = Checker::default();
    let input = read_body(body, &mut checker)?;
    let values = validate(input, &mut checker)?;
    checker.finish()?;
    values.ok_or_else(|| ApiError::Internal("validation passed without values".into()))
}

/// Reads and validates a merge patch of the record `current`, like [`parse_new`].
pub fn parse_patch<I: DeserializeOwned, V, R: Serialize>(
    current: &R,
    patch: Map<String, Value>,
    validate: impl FnOnce(I, &mut Checker) -> Result<Option<V>>,
) -> Result<V> {
    let mut checker = Checker::default();
    let input = read_patch(current, patch, &mut checker)?;
    let values = validate(input, &mut checker)?;
    checker.finish()?;
    values.ok_or_else(|| ApiError::Internal("validation passed without values".into()))
}

/// A record's fields as JSON, for merge patches and comparisons.
pub fn record_fields<R: Serialize>(record: &R) -> Result<Value> {
    serde_json::to_value(record).map_err(|e| ApiError::Internal(format!("cannot serialize record: {e}")))
}

/// Applies a JSON merge patch (RFC 7386) to `target`.
pub fn merge_patch(target: &mut Value, patch: Value) {
    let Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (name, value) in patch {
            if value.is_null() {
                target.remove(&name);
            } else {
                merge_patch(target.entry(name).or_insert(Value::Null), value);
            }
        }
    }
}

/// Reads a merge patch of `current` into the input type `T`: the record's current fields with
/// the patch applied, to be validated like a new record.
fn read_patch<T: DeserializeOwned, R: Serialize>(
    current: &R,
    mut patch: Map<String, Value>,
    checker: &mut Checker,
) -> Result<T> {
    drop_unknown_fields::<T>(&mut patch, checker);
    let mut merged = serde_json::to_value(current)
        .map_err(|e| ApiError::Internal(format!("cannot serialize record: {e}")))?;
    let known = field_names::<T>();
    if let Value::Object(object) = &mut merged {
        object.retain(|name, value| known.contains(&name.as_str()) && !value.is_null());
    }
    merge_patch(&mut merged, Value::Object(patch));
    read_body(merged, checker)
}

/// The field names of a struct that derives `Deserialize`, read from serde's own description of
/// it, so the list cannot drift from the type.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct FieldNames(Option<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for &mut FieldNames {
        type Error = de::value::Error;

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = Some(fields);
            Err(de::Error::custom("field names read"))
        }

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    let mut reader = FieldNames(None);
    let _ = T::deserialize(&mut reader);
    reader.0.unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        name: Field<String>,
        count: Field<i64>,
    }

    #[test]
    fn field_names_lists_the_struct_fields() {
        assert_eq!(field_names::<Sample>(), &["name", "count"]);
    }

    #[test]
    fn read_body_keeps_type_errors_per_field_and_names_unknown_fields() {
        let mut checker = Checker::default();
        let sample: Sample = read_body(json!({"count": "x", "nmae": "typo"}), &mut checker).unwrap();
        assert_eq!(sample.name, Field::Missing);
        assert_eq!(sample.count, Field::Invalid("must be an integer".into()));
        assert!(checker.has_error("nmae"));
    }

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        let mut checker = Checker::default();
        assert_eq!(checker.required_text("a", Field::Value("  x ".into()), 3), Some("x".into()));
        assert_eq!(checker.required_text("b", Field::Value("   ".into()), 3), None);
        assert_eq!(checker.required_text("c", Field::Value("abcd".into()), 3), None);
        assert_eq!(checker.optional_text("d", Field::Value(" ".into()), 3), None);
        assert!(checker.has_error("b") && checker.has_error("c") && !checker.has_error("d"));
    }

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut target = json!({"a": 1, "b": 2, "c": {"d": 3}});
        merge_patch(&mut target, json!({"a": null, "b": 5, "c": {"e": 6}, "f": [1]}));
        assert_eq!(target, json!({"b": 5, "c": {"d": 3, "e": 6}, "f": [1]}));
    }
}
