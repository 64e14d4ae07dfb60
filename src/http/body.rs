//! Reading request bodies: JSON, within a size limit and a time limit, strictly.
//!
//! serde_json keeps the last of two members with the same name, so
//! `{"sectors": [1], "sectors": []}` would silently drop the first list. Bodies are therefore
//! parsed by [`StrictValue`], which refuses such a document (`400`). A body is read no further
//! than its limit (`413`) and must arrive within `Settings::body_timeout` (`408`), so that a
//! client that never finishes cannot hold a worker's attention forever. A body may come
//! compressed (`Content-Encoding: gzip` or `br`, any other is `415` and never decoded): it is
//! decoded as it arrives, into a buffer that refuses to grow past the limit, so that the
//! decoder stops as soon as it has produced the limit's worth of bytes, whatever the ratio (a
//! 1.6 KB brotli body that decodes to 1 GiB is a `413` after the limit plus the decoder's own
//! buffers). [`JsonBody`] is read by the handler once the caller is known: a caller who may
//! not write is refused before a byte of the body is read.

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::mime;
use actix_web::web::{self, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{ApiError, Result};

/// Largest accepted JSON body.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body, not yet read: the handler reads it ([`JsonBody::read`]) once its other
/// extractors (the caller's role above all) have passed, so that a viewer's `POST` is `403`
/// whatever its body, and no body is decoded for a caller who may not send it.
pub struct JsonBody {
    request: HttpRequest,
    payload: Payload,
}

impl std::fmt::Debug for JsonBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonBody")
    }
}

impl JsonBody {
    /// The body as JSON, read strictly, within [`BODY_LIMIT`] and the body timeout.
    pub async fn read(self) -> Result<Value> {
        let timeout = self
            .request
            .app_data::<web::Data<super::AppState>>()
            .map_or(crate::config::DEFAULT_BODY_TIMEOUT, |state| state.settings.body_timeout);
        read_json(&self.request, self.payload, BODY_LIMIT, Deadline::Whole(timeout))?.await
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(Ok(JsonBody { request: request.clone(), payload: payload.take() }))
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
    mut payload: Payload,
    limit: usize,
    deadline: Deadline,
) -> Result<impl Future<Output = Result<Value>> + 'static> {
    check_head(request, limit)?;
    let coding = Coding::of(request)?;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    Ok(async move {
        let bytes = read_within(&mut payload, coding, limit, declared, deadline).await?;
        parse_strict(&bytes)
    })
}

/// How a body is encoded: as it is, or compressed in one of the two codings taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Brotli,
}

impl Coding {
    /// The body's `Content-Encoding`; `415` for any other than `gzip` and `br`.
    pub fn of(request: &HttpRequest) -> Result<Self> {
        let Some(value) = request.headers().get(header::CONTENT_ENCODING) else { return Ok(Self::Identity) };
        match value.to_str().map(|encoding| encoding.trim().to_ascii_lowercase()).as_deref() {
            Ok("identity") => Ok(Self::Identity),
            Ok("gzip" | "x-gzip") => Ok(Self::Gzip),
            Ok("br") => Ok(Self::Brotli),
            Ok(other) => Err(ApiError::UnsupportedMediaType(format!(
                "the body's Content-Encoding `{other}` is not supported: send it as it is, or as gzip or br"
            ))),
            Err(_) => Err(ApiError::UnsupportedMediaType(
                "the body's Content-Encoding is not supported: send it as it is, or as gzip or br".to_owned(),
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Gzip => "gzip",
            Self::Brotli => "br",
        }
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
    // A compressed body's declared length is its compressed one, which the decoded bytes can
    // only exceed: over the limit, it is too large either way.
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    Ok(())
}

/// The decoded bytes of a body, refusing to hold more than `limit` of them: a write that would
/// pass it fails with [`OverLimit`], which stops the decoder writing into it.
struct Bounded {
    bytes: BytesMut,
    limit: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("the decoded body is larger than its limit")]
struct OverLimit;

impl Write for Bounded {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + data.len() > self.limit {
            return Err(std::io::Error::other(OverLimit));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The output buffer of the brotli decoder: what it decodes at most before writing it on.
const BROTLI_BUFFER: usize = 64 * 1024;

/// A body's decoder, writing what it decodes into a [`Bounded`] buffer as it goes.
enum Decoder {
    Identity(Bounded),
    Gzip(Box<flate2::write::GzDecoder<Bounded>>),
    Brotli(Box<brotli_decompressor::DecompressorWriter<Bounded>>),
}

impl Decoder {
    /// A decoder of a body that declares `declared` bytes (as sent).
    fn new(coding: Coding, limit: usize, declared: Option<usize>) -> Self {
        // Compressed, the whole limit is reserved at once: only the pages written to are ever
        // resident, and the buffer never grows by copying itself (which held half the limit
        // twice over, often in the heaps of two threads, as decoding moves between blocking
        // threads). As sent, what the body declares (a body cannot outgrow its bytes on the wire).
        let capacity = match coding {
            Coding::Identity => declared.unwrap_or(0).min(limit),
            Coding::Gzip | Coding::Brotli => limit,
        };
        let bounded = Bounded { bytes: BytesMut::with_capacity(capacity), limit };
        match coding {
            Coding::Identity => Self::Identity(bounded),
            Coding::Gzip => Self::Gzip(Box::new(flate2::write::GzDecoder::new(bounded))),
            Coding::Brotli => {
                Self::Brotli(Box::new(brotli_decompressor::DecompressorWriter::new(bounded, BROTLI_BUFFER)))
            }
        }
    }

    fn feed(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        match self {
            Self::Identity(bounded) => bounded.write_all(chunk),
            Self::Gzip(decoder) => decoder.write_all(chunk),
            Self::Brotli(decoder) => decoder.write_all(chunk),
        }
    }

    /// The whole body, once the stream is complete.
    fn finish(self) -> std::io::Result<BytesMut> {
        match self {
            Self::Identity(bounded) => Ok(bounded.bytes),
            Self::Gzip(decoder) => decoder.finish().map(|bounded| bounded.bytes),
            Self::Brotli(mut decoder) => {
                decoder.close()?;
                decoder
                    .into_inner()
                    .map(|bounded| bounded.bytes)
                    .map_err(|_| std::io::Error::other("the brotli stream is not complete"))
            }
        }
    }
}

/// What went wrong while decoding: `413` past the limit, `400` for bytes that are not the
/// coding they claim to be.
fn decoding_failed(error: std::io::Error, coding: Coding, limit: usize) -> ApiError {
    if error.get_ref().is_some_and(|inner| inner.is::<OverLimit>()) {
        return ApiError::PayloadTooLarge { limit };
    }
    ApiError::BadRequest {
        detail: format!("the body is not valid {} as its Content-Encoding says: {error}", coding.name()),
        errors: Vec::new(),
    }
}

/// Runs a decoding step: compressed bytes on a blocking thread, since a chunk of a few
/// kilobytes may decode into megabytes (up to the limit) and a worker must not stall on it;
/// bytes as sent, in place.
async fn decode<T: Send + 'static>(
    coding: Coding,
    decoder: Decoder,
    step: impl FnOnce(Decoder) -> (Option<Decoder>, std::io::Result<T>) + Send + 'static,
) -> Result<(Option<Decoder>, std::io::Result<T>)> {
    if coding == Coding::Identity {
        return Ok(step(decoder));
    }
    web::block(move || step(decoder))
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))
}

/// The whole body, decoded from `coding`, at most `limit` bytes once decoded, arrived within
/// the `deadline`; `declared` is its `Content-Length`, if any.
pub async fn read_within<S>(
    payload: &mut S,
    coding: Coding,
    limit: usize,
    declared: Option<usize>,
    deadline: Deadline,
) -> Result<BytesMut>
where
    S: futures_util::Stream<
            Item = std::result::Result<actix_web::web::Bytes, actix_web::error::PayloadError>,
        > + Unpin,
{
    let read = async {
        let mut decoder = Decoder::new(coding, limit, declared);
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
            let (kept, fed) = decode(coding, decoder, move |mut decoder| {
                let fed = decoder.feed(&chunk);
                (Some(decoder), fed)
            })
            .await?;
            fed.map_err(|error| decoding_failed(error, coding, limit))?;
            decoder = kept.ok_or_else(|| ApiError::Internal("the decoder was lost".into()))?;
        }
        let (_, finished) = decode(coding, decoder, |decoder| (None, decoder.finish())).await?;
        finished.map_err(|error| decoding_failed(error, coding, limit))
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
