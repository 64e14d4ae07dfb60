//! A document's file: uploaded as the raw body of `PUT /documents/{id}/file`, kept in the
//! database in chunks (`document_files`), downloaded as exactly the bytes stored.
//!
//! An upload is spooled to an anonymous temporary file as it arrives (written a [`CHUNK`] at a
//! time on a blocking thread), while it is counted (`413` at the limit, read no further),
//! hashed (SHA-256) and checked against its declared type; only then is it written to the database, in one short write
//! transaction, [`CHUNK`] bytes at a time. So an upload holds no more than a chunk in memory
//! however large the file, and a slow client never holds the database's one writer.

use std::io::{Read, Seek, SeekFrom, Write};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use diesel::prelude::*;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Document, Documents};
use crate::audit;
use crate::auth::{Editor, Reader};
use crate::db::schema::{document_files, documents};
use crate::db::{self, DbConnection};
use crate::domain::AuditAction;
use crate::error::{ApiError, FieldError, Result};
use crate::domain::Precondition;
use crate::http::AppState;
use crate::resource::{Resource, store};

/// The most bytes of a file one row of `document_files` holds, and what an upload or a
/// download holds in memory at once.
const CHUNK: usize = 256 * 1024;

/// A type a file may have.
struct FileType {
    media_type: &'static str,
    /// Of the download's file name.
    extension: &'static str,
    /// What its first bytes must be, one of these; `None` for text, checked otherwise.
    signatures: Option<&'static [&'static [u8]]>,
}

const fn file_type(media_type: &'static str, extension: &'static str, signatures: Option<&'static [&'static [u8]]>) -> FileType {
    FileType { media_type, extension, signatures }
}

/// The types a file may have.
const ACCEPTED: &[FileType] = &[
    file_type("application/pdf", "pdf", Some(&[b"%PDF-"])),
    file_type("image/png", "png", Some(&[b"\x89PNG\r\n\x1a\n"])),
    file_type("image/jpeg", "jpg", Some(&[b"\xff\xd8\xff"])),
    file_type("image/tiff", "tif", Some(&[b"II*\0", b"MM\0*"])),
    file_type("text/plain", "txt", None),
    // Word 97-2003: an OLE2 compound file.
    file_type("application/msword", "doc", Some(&[b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])),
    // Office Open XML and OpenDocument: ZIP archives.
    file_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", Some(&[b"PK\x03\x04"])),
    file_type("application/vnd.oasis.opendocument.text", "odt", Some(&[b"PK\x03\x04"])),
];

/// How many of the first bytes are kept to check the type: an OpenDocument's name of its
/// type ends at byte 77.
const HEAD: usize = 128;

/// An OpenDocument archive names its type in a first, uncompressed member `mimetype`.
const ODT_MIMETYPE: &[u8] = b"mimetypeapplication/vnd.oasis.opendocument.text";

/// The accepted types, for messages and the OpenAPI document.
fn accepted_types() -> Vec<&'static str> {
    ACCEPTED.iter().map(|accepted| accepted.media_type).collect()
}

/// A declared type that is accepted: its canonical name (`text/plain` with its charset) and
/// its entry in [`ACCEPTED`].
struct Declared {
    media_type: String,
    essence: &'static str,
    signatures: Option<&'static [&'static [u8]]>,
    /// For `text/plain; charset=utf-8` (or no charset): the bytes must be UTF-8.
    utf8: bool,
}

/// The body's `Content-Type`, if it is one of [`ACCEPTED`]; `415` otherwise.
fn declared(request: &HttpRequest) -> Result<Declared> {
    let unsupported = || {
        ApiError::UnsupportedMediaType(format!(
            "a file must be sent with its Content-Type, one of: {}",
            accepted_types().join(", ")
        ))
    };
    let mime: actix_web::mime::Mime = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .ok_or_else(unsupported)?;
    let essence = mime.essence_str().to_ascii_lowercase();
    let accepted = ACCEPTED.iter().find(|accepted| accepted.media_type == essence).ok_or_else(unsupported)?;
    let (name, signatures) = (accepted.media_type, accepted.signatures);
    let charset = mime.get_param(actix_web::mime::CHARSET).map(|c| c.as_str().to_ascii_lowercase());
    let (media_type, utf8) = match (signatures, charset) {
        (None, Some(charset)) => (format!("{name}; charset={charset}"), charset == "utf-8"),
        (None, None) => (name.to_owned(), true),
        (Some(_), _) => (name.to_owned(), false),
    };
    Ok(Declared { media_type, essence: name, signatures, utf8 })
}

/// The download's extension for a stored media type.
fn extension(media_type: &str) -> &'static str {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    ACCEPTED.iter().find(|accepted| accepted.media_type == essence).map_or("bin", |accepted| accepted.extension)
}

/// A `422` that names the file.
fn invalid_file(message: impl Into<String>) -> ApiError {
    ApiError::InvalidBody(vec![FieldError::new("file", message)])
}

/// An upload spooled to a temporary file, checked: its size, SHA-256 and declared type.
struct Spooled {
    file: std::fs::File,
    size: i64,
    sha256: String,
    media_type: String,
}

/// Reads the body into a temporary file, a network chunk at a time: `413` as soon as it
/// passes `limit` (declared or sent), `408` when the client stalls for `idle`, `422` when it is
/// empty or contradicts its type.
async fn spool(
    request: &HttpRequest,
    payload: &mut web::Payload,
    declared: Declared,
    limit: u64,
    idle: std::time::Duration,
) -> Result<Spooled> {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let too_large = || ApiError::PayloadTooLarge { limit: usize::try_from(limit).unwrap_or(usize::MAX) };
    if announced.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    let mut file = web::block(tempfile::tempfile)
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
        .map_err(|e| ApiError::Internal(format!("cannot make a temporary file: {e}")))?;
    let mut hasher = Sha256::new();
    let mut head: Vec<u8> = Vec::with_capacity(HEAD);
    let mut text = TextCheck::new(declared.utf8);
    let mut size: u64 = 0;
    // Written to the disk a [`CHUNK`] at a time, on a blocking thread: never on the worker.
    let mut pending: Vec<u8> = Vec::with_capacity(CHUNK);
    loop {
        let next = actix_web::rt::time::timeout(idle, payload.next()).await.map_err(|_| ApiError::RequestTimeout)?;
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|error| ApiError::BadRequest {
            detail: format!("the body could not be read: {error}"),
            errors: Vec::new(),
        })?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(too_large());
        }
        if head.len() < HEAD {
            let wanted = (HEAD - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..wanted]);
        }
        if declared.signatures.is_none() {
            text.feed(&chunk)?;
        }
        hasher.update(&chunk);
        pending.extend_from_slice(&chunk);
        if pending.len() >= CHUNK {
            (file, pending) = write_off_worker(file, pending).await?;
        }
    }
    if !pending.is_empty() {
        (file, _) = write_off_worker(file, pending).await?;
    }
    if size == 0 {
        return Err(invalid_file("is empty"));
    }
    check_signature(&declared, &head)?;
    text.finish()?;
    let sha256 = hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(Spooled { file, size: i64::try_from(size).unwrap_or(i64::MAX), sha256, media_type: declared.media_type })
}

/// Appends `bytes` to the spooled file on a blocking thread; the file and the emptied buffer,
/// to be used again.
async fn write_off_worker(mut file: std::fs::File, mut bytes: Vec<u8>) -> Result<(std::fs::File, Vec<u8>)> {
    web::block(move || {
        file.write_all(&bytes)?;
        bytes.clear();
        Ok::<_, std::io::Error>((file, bytes))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    .map_err(|e| ApiError::Internal(format!("cannot spool an upload: {e}")))
}

/// `422` when the first bytes are not those of the declared type.
fn check_signature(declared: &Declared, head: &[u8]) -> Result<()> {
    let Some(signatures) = declared.signatures else { return Ok(()) };
    let signed = signatures.iter().any(|signature| head.starts_with(signature));
    let odt_named = declared.essence != "application/vnd.oasis.opendocument.text"
        || head.get(30..30 + ODT_MIMETYPE.len()) == Some(ODT_MIMETYPE);
    if signed && odt_named {
        return Ok(());
    }
    Err(invalid_file(format!("its bytes are not those of {} (its first bytes do not match)", declared.essence)))
}

/// Text is checked as it arrives: never a NUL byte (a binary file sent as text), and valid
/// UTF-8 when it is declared so (or declares no charset), across chunk boundaries.
struct TextCheck {
    utf8: bool,
    /// The start of a character that the next chunk completes (at most 3 bytes).
    pending: Vec<u8>,
}

impl TextCheck {
    fn new(utf8: bool) -> Self {
        Self { utf8, pending: Vec::new() }
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        if chunk.contains(&0) {
            return Err(invalid_file("text/plain holds a NUL byte: it is not text"));
        }
        if !self.utf8 {
            return Ok(());
        }
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(chunk);
        match std::str::from_utf8(&bytes) {
            Ok(_) => Ok(()),
            // Cut off inside a character: the rest comes with the next chunk.
            Err(error) if error.error_len().is_none() => {
                self.pending = bytes[error.valid_up_to()..].to_vec();
                Ok(())
            }
            Err(_) => Err(invalid_file("text/plain is not valid UTF-8 (declare its charset)")),
        }
    }

    fn finish(&self) -> Result<()> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            Err(invalid_file("text/plain ends inside a UTF-8 character"))
        }
    }
}

/// The `file.sha256` change of the audit trail.
fn file_change(before: Option<&str>, after: Option<&str>) -> Map<String, Value> {
    let mut changes = Map::new();
    changes.insert("file.sha256".to_owned(), json!([before, after]));
    changes
}

/// Replaces the document's file with the spooled one, unless it is the same file; in the
/// caller's write transaction.
fn store_file(
    conn: &mut DbConnection,
    id: i64,
    spooled: &mut Spooled,
    expected: Option<&Precondition>,
    actor: &str,
) -> Result<Document> {
    let current = store::locked::<Documents>(conn, id)?;
    store::check_precondition::<Documents>(&current, expected)?;
    if current.file.as_ref().is_some_and(|file| file.sha256 == spooled.sha256 && file.media_type == spooled.media_type) {
        return Ok(current);
    }
    diesel::delete(document_files::table.filter(document_files::document_id.eq(id))).execute(conn)?;
    spooled.file.seek(SeekFrom::Start(0)).map_err(|e| ApiError::Internal(format!("cannot reread an upload: {e}")))?;
    let mut buffer = vec![0u8; CHUNK];
    let mut seq = 0;
    loop {
        let filled = fill(&mut spooled.file, &mut buffer)?;
        if filled == 0 {
            break;
        }
        diesel::insert_into(document_files::table)
            .values((
                document_files::document_id.eq(id),
                document_files::seq.eq(seq),
                document_files::content.eq(&buffer[..filled]),
            ))
            .execute(conn)?;
        seq += 1;
    }
    let now = crate::domain::now();
    let document: Document = diesel::update(documents::table.find(id))
        .set((
            documents::file_media_type.eq(&spooled.media_type),
            documents::file_size.eq(spooled.size),
            documents::file_sha256.eq(&spooled.sha256),
            documents::file_uploaded_at.eq(now),
            documents::updated_at.eq(now),
            documents::version.eq(documents::version + 1),
        ))
        .returning(documents::all_columns)
        .get_result(conn)?;
    let before = current.file.as_ref().map(|file| file.sha256.as_str());
    audit::append(conn, actor, AuditAction::Updated, Documents::KIND.resource_type, id, file_change(before, Some(&spooled.sha256)))?;
    Ok(document)
}

/// Reads into `buffer` until it is full or the file ends; how many bytes it holds.
fn fill(file: &mut std::fs::File, buffer: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(ApiError::Internal(format!("cannot reread an upload: {error}"))),
        }
    }
    Ok(filled)
}

/// The raw bytes of a file, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

/// `ETag` of a document's version.
fn version_tag(document: &Document) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{}\"", document.version))
}

/// Stores a document's file: the raw bytes as the body, with their `Content-Type`.
#[utoipa::path(
    tag = "documents",
    operation_id = "upload_document_file",
    params(("id" = i64, Path, description = "The document's id"),
        ("If-Match" = Option<String>, Header, description = "The document's current ETag (412 when stale)")),
    request_body(description = "The file's bytes, up to `JALIN_MAX_FILE_BYTES` (default 32 MiB)", content(
        (FileBytes = "application/pdf"), (FileBytes = "image/png"), (FileBytes = "image/jpeg"), (FileBytes = "image/tiff"),
        (FileBytes = "text/plain"), (FileBytes = "application/msword"),
        (FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (FileBytes = "application/vnd.oasis.opendocument.text"))),
    responses(
        (status = 200, description = "The document, with its new file and version", body = Document,
            headers(("ETag" = String, description = "The document's new version"))),
        (status = 400, description = "If-Match is not a list of entity tags, or the body broke off", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 408, description = "The client paused longer than the body timeout (30 s), or the whole upload took longer than `JALIN_UPLOAD_TIMEOUT_SECONDS` (600)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names another version", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the limit", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "A type that is not accepted, or a body sent with a Content-Encoding", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, or bytes that contradict the type", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "As many files as `JALIN_MAX_CONCURRENT_UPLOADS` (4) allows are being received", body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait before trying again"))),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/documents/{id}/file")]
pub async fn upload_document_file(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    mut payload: web::Payload,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let expected = crate::http::precondition(&request, header::IF_MATCH)?;
    let declared = declared(&request)?;
    // The bytes are stored as they arrive, and their SHA-256 is the file's ETag: a body sent
    // compressed would be stored compressed, under the type of what it holds.
    if crate::http::body::Coding::of(&request)? != crate::http::body::Coding::Identity {
        return Err(ApiError::UnsupportedMediaType(
            "a file is stored as it is sent: send it without Content-Encoding".to_owned(),
        ));
    }
    // An unknown document, or a stale If-Match, is refused before the body is read (and the
    // version is checked again where the file is written).
    let precondition = expected.clone();
    db::run(&state.pool, move |conn| {
        let current = store::find::<Documents>(conn, id)?;
        store::check_precondition::<Documents>(&current, precondition.as_ref())
    })
    .await?;
    let limit = state.settings.max_file_bytes;
    // A slot for the time the body is received, taken before a byte of it is read.
    let receiving = state.uploads.take()?;
    let received = spool(&request, &mut payload, declared, limit, state.settings.body_timeout);
    let mut spooled = actix_web::rt::time::timeout(state.settings.upload_timeout, received)
        .await
        .map_err(|_| ApiError::RequestTimeout)??;
    drop(receiving);
    let actor = editor.0.name;
    let document = state
        .writer
        .run(move |conn| store_file(conn, id, &mut spooled, expected.as_ref(), &actor))
        .await?;
    Ok(HttpResponse::Ok().insert_header(version_tag(&document)).json(document))
}

/// Reads a document's file: exactly the bytes stored.
#[utoipa::path(
    tag = "documents",
    operation_id = "download_document_file",
    params(("id" = i64, Path, description = "The document's id"),
        ("If-None-Match" = Option<String>, Header, description = "The file's ETag (its SHA-256): 304 when it is still the stored one")),
    responses(
        (status = 200, description = "The bytes, with their Content-Type and Content-Length",
            content((FileBytes = "application/pdf"), (FileBytes = "image/png"), (FileBytes = "image/jpeg"), (FileBytes = "image/tiff"),
        (FileBytes = "text/plain"), (FileBytes = "application/msword"),
        (FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (FileBytes = "application/vnd.oasis.opendocument.text")),
            headers(("ETag" = String, description = "The SHA-256 of the bytes, in hex, quoted"),
                ("Content-Disposition" = String, description = "attachment; filename=\"<document key>.<extension>\""))),
        (status = 304, description = "The file is the one named by If-None-Match"),
        (status = 404, description = "No such document, or it has no file", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/documents/{id}/file")]
pub async fn download_document_file(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let unchanged_if = crate::http::precondition(&request, header::IF_NONE_MATCH).ok().flatten();
    let document = db::run(&state.pool, move |conn| store::find::<Documents>(conn, id)).await?;
    let Some(file) = document.file else {
        return Err(ApiError::NotFound(format!("document {id} has no file")));
    };
    let etag = (header::ETAG, format!("\"{}\"", file.sha256));
    if unchanged_if.is_some_and(|tags| tags.names_weakly(&file.sha256)) {
        return Ok(HttpResponse::NotModified().insert_header(etag).finish());
    }
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, file.media_type.clone()))
        .insert_header(etag)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}.{}\"", document.key, extension(&file.media_type)),
        ))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    let length = u64::try_from(file.size).unwrap_or(0);
    let chunks = (file.size + CHUNK as i64 - 1) / CHUNK as i64;
    let sha256 = file.sha256;
    crate::http::streaming::respond_sized(&state.pool, &state.streams, &request, response, length, move |conn, sink| {
        db::read_snapshot(conn, |conn| {
            // The file may have been replaced since its headers were read: then the
            // transfer is cut off rather than ended with other bytes.
            let current: Option<Option<String>> =
                documents::table.find(id).select(documents::file_sha256).first(conn).optional()?;
            if current.flatten().as_deref() != Some(sha256.as_str()) {
                return Err(ApiError::Conflict {
                    detail: format!("the file of document {id} changed while it was sent"),
                    errors: Vec::new(),
                });
            }
            for seq in 0..chunks {
                let content: Vec<u8> = document_files::table
                    .find((id, i32::try_from(seq).unwrap_or(i32::MAX)))
                    .select(document_files::content)
                    .first(conn)?;
                if !sink.send(content) {
                    return Ok(());
                }
            }
            Ok(())
        })
    })
    .await
}

/// Removes a document's file; the document stays.
#[utoipa::path(
    tag = "documents",
    operation_id = "delete_document_file",
    params(("id" = i64, Path, description = "The document's id"),
        ("If-Match" = Option<String>, Header, description = "The document's current ETag (412 when stale)")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "If-Match is not a list of entity tags", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or it has no file", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names another version", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/api/v1/documents/{id}/file")]
pub async fn delete_document_file(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let expected = crate::http::precondition(&request, header::IF_MATCH)?;
    let actor = editor.0.name;
    state
        .writer
        .run(move |conn| {
            let current = store::locked::<Documents>(conn, id)?;
            store::check_precondition::<Documents>(&current, expected.as_ref())?;
            let Some(file) = &current.file else {
                return Err(ApiError::NotFound(format!("document {id} has no file")));
            };
            diesel::delete(document_files::table.filter(document_files::document_id.eq(id))).execute(conn)?;
            diesel::update(documents::table.find(id))
                .set((
                    documents::file_media_type.eq(None::<String>),
                    documents::file_size.eq(None::<i64>),
                    documents::file_sha256.eq(None::<String>),
                    documents::file_uploaded_at.eq(None::<crate::domain::Timestamp>),
                    documents::updated_at.eq(crate::domain::now()),
                    documents::version.eq(documents::version + 1),
                ))
                .execute(conn)?;
            audit::append(conn, &actor, AuditAction::Updated, Documents::KIND.resource_type, id, file_change(Some(&file.sha256), None))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_checked_across_chunk_boundaries() {
        let text = "Kerja sama — Souss-Massa".as_bytes();
        let dash = text.iter().position(|byte| *byte == 0xe2).unwrap();
        let mut check = TextCheck::new(true);
        check.feed(&text[..dash + 1]).unwrap();
        check.feed(&text[dash + 1..]).unwrap();
        check.finish().unwrap();
        let mut cut = TextCheck::new(true);
        cut.feed(&text[..dash + 2]).unwrap();
        assert!(cut.finish().is_err());
        assert!(TextCheck::new(true).feed(b"caf\xe9 au lait").is_err());
        assert!(TextCheck::new(false).feed(b"caf\xe9").is_ok());
        assert!(TextCheck::new(false).feed(b"a\0b").is_err());
    }

    #[test]
    fn downloads_are_named_by_their_type() {
        assert_eq!(extension("application/pdf"), "pdf");
        assert_eq!(extension("text/plain; charset=windows-1252"), "txt");
        assert_eq!(extension("application/vnd.oasis.opendocument.text"), "odt");
    }
}
