//! The HTTP/1.1 server over TCP, with the one thing actix-web's `HttpServer` cannot do: answer
//! a request whose head cannot be taken with a problem like every other answer.
//!
//! actix-http answers a head it cannot parse before any handler or middleware sees the
//! request, with a bare status and no body: `400` for a URL longer than the `http` crate takes
//! (64 KiB) or a malformed head, `431` for a head larger than its 128 KiB buffer, `408` for a
//! head that does not arrive in time. Each connection's bytes pass through [`Guarded`], which
//! sees those answers as they are written and writes in their place the same status as
//! `application/problem+json`, `414` when it is the request line that is too long (its length is
//! counted as it is read).

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_http::{HttpService, Protocol};
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::{AppConfig, Server};
use actix_web::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::Problem;

/// The longest request line taken: the `http` crate's limit on a URI (65,534 bytes), with the
/// method and version around it. A longer one is `414`.
pub const REQUEST_LINE_MAX: usize = 64 * 1024;

/// Pending connections the system keeps for each listener, as actix-web's `HttpServer` does.
const BACKLOG: i32 = 1024;

/// Listeners on every address `bind` names (`localhost:8080` may be two), made as `HttpServer`
/// makes them: the address reusable at once after a restart, a backlog of [`BACKLOG`].
pub fn listeners(bind: &str) -> io::Result<Vec<TcpListener>> {
    use std::net::ToSocketAddrs;
    bind.to_socket_addrs()?
        .map(|address| {
            let socket = socket2::Socket::new(
                socket2::Domain::for_address(address),
                socket2::Type::STREAM,
                Some(socket2::Protocol::TCP),
            )?;
            socket.set_reuse_address(true)?;
            socket.bind(&address.into())?;
            socket.listen(BACKLOG)?;
            Ok(TcpListener::from(socket))
        })
        .collect()
}

/// The service of `app` on `listeners`, with `workers` workers and `blocking_threads` threads
/// per worker for blocking work, as `HttpServer` would serve it: the same timeouts (a head
/// within 5 s, keep-alive 5 s, 1 s to close), and a graceful stop on SIGINT or SIGTERM.
pub fn serve<F, I, S, B>(
    app: F,
    listeners: Vec<TcpListener>,
    workers: usize,
    blocking_threads: usize,
) -> io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, actix_http::Request>,
    S: actix_service::ServiceFactory<
            actix_http::Request,
            Config = AppConfig,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    S::Service: 'static,
    B: actix_web::body::MessageBody + 'static,
{
    let mut server = Server::build().workers(workers).worker_max_blocking_threads(blocking_threads);
    for listener in listeners {
        let local = listener.local_addr()?;
        let app = app.clone();
        server = server.listen(format!("jalin-{local}"), listener, move || {
            let app = app().into_factory().map_err(|error: actix_web::Error| error.error_response());
            let http = HttpService::build()
                .client_disconnect_timeout(std::time::Duration::from_secs(1))
                .local_addr(local)
                .finish(map_config(app, |_| AppConfig::default()));
            fn_service(|stream: actix_web::rt::net::TcpStream| async move {
                // As actix-http's own TCP service: small answers are not held back.
                let _ = stream.set_nodelay(true);
                let peer = stream.peer_addr().ok();
                Ok::<_, actix_http::error::DispatchError>((Guarded::new(stream, peer), Protocol::Http1, peer))
            })
            .and_then(http)
        })?;
    }
    Ok(server.run())
}

/// A connection's bytes, with the length of the request line being read counted, and the
/// bodiless answers actix-http writes for heads it cannot take replaced by problems.
pub struct Guarded<IO> {
    io: IO,
    peer: Option<SocketAddr>,
    /// Whether the bytes being read are still those of a request line.
    in_request_line: bool,
    /// The length of the request line being read, or of the last one.
    request_line: usize,
    /// A replacement answer not yet written whole, and how much of it is.
    replacement: Vec<u8>,
    written: usize,
}

impl<IO> Guarded<IO> {
    pub fn new(io: IO, peer: Option<SocketAddr>) -> Self {
        Self { io, peer, in_request_line: true, request_line: 0, replacement: Vec::new(), written: 0 }
    }

    /// Counts the request line in bytes just read.
    fn count(&mut self, read: &[u8]) {
        if !self.in_request_line {
            return;
        }
        match read.iter().position(|&byte| byte == b'\n') {
            Some(end) => {
                self.request_line += end;
                self.in_request_line = false;
            }
            None => self.request_line += read.len(),
        }
    }

    /// An answer begins: the next bytes read are a new request's.
    fn answered(&mut self) {
        self.in_request_line = true;
        self.request_line = 0;
    }
}

/// Where actix-http's bodiless answer to an unreadable head begins in `written`, and its
/// status: a status line of its own, `content-length: 0` next, the end of the head last.
/// (Every answer of the application with these statuses has a problem body.)
fn unreadable_head_answer(written: &[u8]) -> Option<(usize, StatusCode)> {
    const ANSWERS: [(&[u8], StatusCode); 4] = [
        (b" 400 Bad Request\r\ncontent-length: 0\r\n", StatusCode::BAD_REQUEST),
        (b" 408 Request Timeout\r\ncontent-length: 0\r\n", StatusCode::REQUEST_TIMEOUT),
        (
            b" 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n",
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ),
        (b" 500 Internal Server Error\r\ncontent-length: 0\r\n", StatusCode::INTERNAL_SERVER_ERROR),
    ];
    if !written.ends_with(b"\r\n\r\n") {
        return None;
    }
    ANSWERS.iter().find_map(|(line, status)| {
        let at = written.windows(line.len()).position(|window| window == *line)?;
        let start = at.checked_sub("HTTP/1.1".len())?;
        written[start..].starts_with(b"HTTP/1.").then_some((start, *status))
    })
}

/// The problem to write instead of actix-http's bodiless `status`, given the length of the
/// request line that was being read: its status and its bytes.
fn problem_answer(status: StatusCode, request_line: usize) -> (StatusCode, Vec<u8>) {
    let (status, kind, detail) = match status {
        StatusCode::BAD_REQUEST | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            if request_line > REQUEST_LINE_MAX =>
        {
            (
                StatusCode::URI_TOO_LONG,
                "uri-too-long",
                format!(
                    "the request line is {request_line} bytes or more; the server takes at most {REQUEST_LINE_MAX}: send long filters in fewer values"
                ),
            )
        }
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            status,
            "headers-too-large",
            "the request's headers are larger than the 128 KiB the server takes".to_owned(),
        ),
        StatusCode::REQUEST_TIMEOUT => {
            (status, "request-timeout", "the request's head did not arrive in time".to_owned())
        }
        StatusCode::INTERNAL_SERVER_ERROR => {
            (status, "internal", "the connection ended while a request was read".to_owned())
        }
        _ => (status, "bad-request", "the request's head is not valid HTTP/1.1".to_owned()),
    };
    let problem = Problem {
        problem_type: format!("urn:jalin:problem:{kind}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error"),
        body.len()
    )
    .into_bytes();
    answer.extend(body);
    (status, answer)
}

impl<IO: AsyncWrite + Unpin> Guarded<IO> {
    /// Writes what is left of a replacement answer; `Ready` once it is all written.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.replacement.len() {
            let written =
                std::task::ready!(Pin::new(&mut self.io).poll_write(cx, &self.replacement[self.written..]))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += written;
        }
        Poll::Ready(Ok(()))
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Guarded<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        std::task::ready!(Pin::new(&mut this.io).poll_read(cx, buf))?;
        this.count(&buf.filled()[before..]);
        Poll::Ready(Ok(()))
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Guarded<IO> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        std::task::ready!(this.poll_replacement(cx))?;
        if let Some((start, status)) = unreadable_head_answer(buf) {
            let mut replacement = buf[..start].to_vec();
            let (answered, answer) = problem_answer(status, this.request_line);
            log::info!(
                target: super::middleware::ACCESS_LOG_TARGET,
                "- {} \"(a request head it could not take)\" {} {} (a request line of {} bytes)",
                this.peer.map_or_else(|| "-".to_owned(), |peer| peer.ip().to_string()),
                answered.as_u16(),
                answer.len(),
                this.request_line
            );
            replacement.extend(answer);
            this.replacement = replacement;
            this.written = 0;
            this.answered();
            // Taken whole: the rest is written by the next calls, flush and shutdown included.
            let _ = this.poll_replacement(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        if buf.starts_with(b"HTTP/1.") {
            this.answered();
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        std::task::ready!(this.poll_replacement(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        std::task::ready!(this.poll_replacement(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bodiless_answers_to_unreadable_heads_are_found_where_they_begin() {
        let canned = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: Mon, 07 Dec 2026 13:41:50 GMT\r\n\r\n";
        assert_eq!(unreadable_head_answer(canned), Some((0, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)));
        let mut pipelined = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec();
        let start = pipelined.len();
        pipelined
            .extend_from_slice(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        assert_eq!(unreadable_head_answer(&pipelined), Some((start, StatusCode::BAD_REQUEST)));
        // The application's answers have bodies.
        let problem = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 185\r\ncontent-type: application/problem+json\r\n\r\n";
        assert_eq!(unreadable_head_answer(problem), None);
        assert_eq!(unreadable_head_answer(b"HTTP/1.1 204 No Content\r\n\r\n"), None);
    }

    #[test]
    fn a_long_request_line_is_414_and_long_headers_431() {
        let answer = |status, line| String::from_utf8(problem_answer(status, line).1).unwrap();
        assert!(answer(StatusCode::BAD_REQUEST, 80_000).starts_with("HTTP/1.1 414 URI Too Long\r\n"));
        assert!(answer(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, 200_000).starts_with("HTTP/1.1 414 "));
        assert!(answer(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, 40).starts_with("HTTP/1.1 431 "));
        let malformed = answer(StatusCode::BAD_REQUEST, 40);
        assert!(
            malformed.starts_with("HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\n")
        );
        let body = malformed.split("\r\n\r\n").nth(1).unwrap();
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 400);
        assert!(malformed.contains(&format!("content-length: {}\r\n", body.len())));
    }
}
