//! Reading request bodies: JSON, within a size limit and a time limit, strictly.
//!
//! serde_json keeps the last of two members with the same name, so
//! `{"sectors": [1], "sectors": []}` would silently drop the first list. Bodies are therefore
//! parsed by [`StrictValue`], which refuses such a document (`400`). A body is read no further
//! than its limit (`413`) and must arrive within `Settings::body_timeout` (`408`), so that a
//! client that never finishes cannot hold a worker's attention forever. A body may come
//! compressed (`Content-Encoding: gzip` or `br`): the limit counts its bytes once decoded, so
//! that a small bomb cannot inflate past it.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::mime;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{ApiError, Result};

/// Largest accepted JSON body.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body, read strictly: the handler's request body.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl JsonBody {
    pub fn into_inner(self) -> Value {
        self.0
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let timeout = request
            .app_data::<actix_web::web::Data<super::AppState>>()
            .map_or(crate::config::DEFAULT_BODY_TIMEOUT, |state| state.settings.body_timeout);
        let body = read_json(request, payload.take(), BODY_LIMIT, Deadline::Whole(timeout));
        Box::pin(async move { body?.await.map(JsonBody) })
    }
}

/// How long a body may take to arrive.
#[derive(Debug, Clone, Copy)]
pub enum Deadline {
    /// All of it within this time.
    Whole(Duration),
    /// No pause between two parts longer than this (a large document on a slow link).
    BetweenParts(Duration),
}

/// A JSON body of at most `limit` bytes once decoded, read strictly: checked at once against
/// its head (`415`, `413` for a declared length over the limit), then read as it arrives.
pub fn read_json(
    request: &HttpRequest,
    payload: Payload,
    limit: usize,
    deadline: Deadline,
) -> Result<impl Future<Output = Result<Value>> + 'static> {
    check_head(request, limit)?;
    let mut body = decoded(request, payload)?;
    Ok(async move {
        let bytes = read_within(&mut body, limit, deadline).await?;
        parse_strict(&bytes)
    })
}

/// The body as sent, or decoded from `gzip` or `br`; `415` for another encoding.
fn decoded(request: &HttpRequest, payload: Payload) -> Result<actix_web::dev::Decompress<Payload>> {
    let encoding = request.headers().get(header::CONTENT_ENCODING).map(|value| value.to_str().unwrap_or("?"));
    match encoding.map(|encoding| encoding.trim().to_ascii_lowercase()).as_deref() {
        None | Some("identity" | "gzip" | "x-gzip" | "br") => {
            Ok(actix_web::dev::Decompress::from_headers(payload, request.headers()))
        }
        Some(other) => Err(ApiError::UnsupportedMediaType(format!(
            "the body's Content-Encoding `{other}` is not supported: send it as it is, or as gzip or br"
        ))),
    }
}

/// `415` unless the body is declared JSON; `413` at once when it declares a larger length.
fn check_head(request: &HttpRequest, limit: usize) -> Result<()> {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<mime::Mime>().ok())
        .is_some_and(|mime| {
            mime.type_() == mime::APPLICATION
                && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
        });
    if !is_json {
        return Err(ApiError::not_json());
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    // A compressed body's declared length is its compressed one: a bound on nothing here.
    let compressed = request.headers().contains_key(header::CONTENT_ENCODING);
    if !compressed && declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    Ok(())
}

/// The whole body, at most `limit` bytes, arrived within the `deadline`.
pub async fn read_within<S>(payload: &mut S, limit: usize, deadline: Deadline) -> Result<BytesMut>
where
    S: futures_util::Stream<
            Item = std::result::Result<actix_web::web::Bytes, actix_web::error::PayloadError>,
        > + Unpin,
{
    let read = async {
        let mut body = BytesMut::new();
        loop {
            let next = match deadline {
                Deadline::BetweenParts(pause) => actix_web::rt::time::timeout(pause, payload.next())
                    .await
                    .map_err(|_| ApiError::RequestTimeout)?,
                Deadline::Whole(_) => payload.next().await,
            };
            let Some(chunk) = next else { break };
            let chunk = chunk.map_err(|error| ApiError::BadRequest {
                detail: format!("the body could not be read: {error}"),
                errors: Vec::new(),
            })?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    match deadline {
        Deadline::Whole(timeout) => {
            actix_web::rt::time::timeout(timeout, read).await.map_err(|_| ApiError::RequestTimeout)?
        }
        Deadline::BetweenParts(_) => read.await,
    }
}

/// Parses a JSON body, refusing an object with the same member twice (`400`).
pub fn parse_strict(bytes: &[u8]) -> Result<Value> {
    strict_json(bytes).map_err(|error| ApiError::BadRequest {
        detail: format!("the body is not valid JSON: {error}"),
        errors: Vec::new(),
    })
}

/// Parses JSON text, refusing an object with the same member twice.
pub fn strict_json(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice::<StrictValue>(bytes).map(|value| value.0)
}

/// A JSON value whose objects never hold the same member twice.
pub struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value).map(Value::Number).ok_or_else(|| E::custom("a number must be finite"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(deserializer).map(|value| value.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(sequence.size_hint().unwrap_or(0).min(4096));
        while let Some(StrictValue(item)) = sequence.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if object.contains_key(&name) {
                return Err(de::Error::custom(format!("the member `{name}` appears twice in one object")));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(name, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_parsing_refuses_a_repeated_member_at_any_depth() {
        assert_eq!(
            parse_strict(br#"{"a": [1, {"b": null}], "c": 2.5}"#).unwrap(),
            json!({"a": [1, {"b": null}], "c": 2.5})
        );
        for repeated in [&br#"{"sectors": [1], "sectors": []}"#[..], br#"[{"x": {"a": 1, "a": 1}}]"#] {
            let Err(ApiError::BadRequest { detail, .. }) = parse_strict(repeated) else { panic!("accepted") };
            assert!(detail.contains("twice"), "{detail}");
        }
    }

    #[test]
    fn strict_parsing_keeps_numbers_exact() {
        assert_eq!(parse_strict(b"-9223372036854775808").unwrap(), json!(i64::MIN));
        assert_eq!(parse_strict(b"18446744073709551615").unwrap(), json!(u64::MAX));
        assert!(parse_strict(b"{\"a\": 1} trailing").is_err());
    }
}
