//! Log lines as text for people or as JSON for log collectors (`JALIN_LOG_FORMAT`), both
//! written by env_logger and filtered by `RUST_LOG`.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use log::kv::{Key, Value as KvValue, VisitSource};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::LogFormat;

/// Installs the logger of the process: `RUST_LOG` filters (`info` when unset), `format`
/// decides how each line is written.
pub fn init(format: LogFormat) {
    let mut builder = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    if format == LogFormat::Json {
        builder.format(|out, record| writeln!(out, "{}", json_line(Utc::now(), record)));
    }
    builder.init();
}

/// One log line as a JSON object on one line: `time` (RFC 3339, UTC), `level`, `target`,
/// `message`, then the record's key-values as members (the access line's `request_id`,
/// `method`, `path`, `status`, `duration_ms`). serde_json escapes the message, so that a
/// quote or a line break in it (a client's path, an error's cause) cannot break the line.
pub fn json_line(time: DateTime<Utc>, record: &log::Record) -> String {
    let mut fields = Fields(Map::new());
    // Visiting fails only when the visitor does, and ours never does.
    let _ = record.key_values().visit(&mut fields);
    let line = JsonLine {
        time: time.to_rfc3339_opts(SecondsFormat::Micros, true),
        level: record.level().as_str(),
        target: record.target(),
        message: record.args().to_string(),
        fields: fields.0,
    };
    serde_json::to_string(&line).unwrap_or_else(|error| {
        // Not reached: every member is a string, a number or a boolean.
        format!(r#"{{"level":"ERROR","message":"a log line could not be written as JSON: {error}"}}"#)
    })
}

#[derive(Serialize)]
struct JsonLine<'r> {
    time: String,
    level: &'static str,
    target: &'r str,
    message: String,
    #[serde(flatten)]
    fields: Map<String, Value>,
}

/// The members a record's own key-values may not take: a second `message` in one object
/// would leave it to each reader which one counts.
const LINE_MEMBERS: &[&str] = &["time", "level", "target", "message"];

/// A record's key-values as JSON: numbers and booleans as such, anything else as its text.
struct Fields(Map<String, Value>);

impl<'kvs> VisitSource<'kvs> for Fields {
    fn visit_pair(&mut self, key: Key<'kvs>, value: KvValue<'kvs>) -> Result<(), log::kv::Error> {
        let json = if let Some(number) = value.to_u64() {
            Value::from(number)
        } else if let Some(number) = value.to_i64() {
            Value::from(number)
        } else if let Some(number) = value.to_f64() {
            serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
        } else if let Some(flag) = value.to_bool() {
            Value::Bool(flag)
        } else {
            Value::String(value.to_string())
        };
        let name = match key.as_str() {
            taken if LINE_MEMBERS.contains(&taken) => format!("field_{taken}"),
            name => name.to_owned(),
        };
        self.0.insert(name, json);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(record: &log::Record) -> Value {
        let time = DateTime::parse_from_rfc3339("2026-03-01T08:30:00.25+07:00").unwrap().with_timezone(&Utc);
        let text = json_line(time, record);
        assert!(!text.contains('\n'), "one line: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    #[test]
    fn a_line_is_one_json_object_with_its_time_in_utc() {
        let parsed = line(
            &log::Record::builder()
                .level(log::Level::Warn)
                .target("jalin::server")
                .args(format_args!("a \"quoted\" cause\nover two lines"))
                .build(),
        );
        assert_eq!(
            parsed,
            serde_json::json!({
                "time": "2026-03-01T01:30:00.250000Z",
                "level": "WARN",
                "target": "jalin::server",
                "message": "a \"quoted\" cause\nover two lines",
            })
        );
    }

    #[test]
    fn the_fields_of_a_record_are_members_of_its_line() {
        let fields: [(&str, KvValue); 6] = [
            ("request_id", KvValue::from("req-42")),
            ("method", KvValue::from("GET")),
            ("path", KvValue::from("/api/v1/regions")),
            ("status", KvValue::from(200u16)),
            ("duration_ms", KvValue::from(1.5f64)),
            ("message", KvValue::from("not the line's message")),
        ];
        let parsed = line(
            &log::Record::builder()
                .level(log::Level::Info)
                .target("actix_web::middleware::logger")
                .args(format_args!("the access line"))
                .key_values(&fields)
                .build(),
        );
        assert_eq!(parsed["message"], "the access line");
        assert_eq!(parsed["request_id"], "req-42");
        assert_eq!(parsed["method"], "GET");
        assert_eq!(parsed["path"], "/api/v1/regions");
        assert_eq!(parsed["status"], 200);
        assert_eq!(parsed["duration_ms"], 1.5);
        assert_eq!(parsed["field_message"], "not the line's message");
    }
}
