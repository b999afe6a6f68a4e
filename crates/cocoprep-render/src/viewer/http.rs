//! A small HTTP/1.1 server on `std::net`: GET and HEAD only, keep-alive, bounded request
//! size, read timeouts and a cap on open connections. One thread per connection; the
//! viewer's work per request is milliseconds, so this is enough for one person's browser.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The longest request head accepted (request line and headers).
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Connections served at once; more are answered 503.
const MAX_CONNECTIONS: usize = 128;
/// An idle keep-alive connection is closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// A response: status, content type, body and extra headers.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
    /// `Cache-Control`, when the body may be cached.
    pub cache: Option<&'static str>,
}

impl Response {
    /// A 200 response.
    pub fn ok(content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status: 200,
            content_type,
            body,
            cache: None,
        }
    }

    /// An error response with a plain-text message.
    pub fn error(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: message.into().into_bytes(),
            cache: None,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Serves `listener` until the process ends, answering each request with `handle(path
/// and query)`.
pub fn serve<H>(listener: TcpListener, handle: Arc<H>)
where
    H: Fn(&str) -> Response + Send + Sync + 'static,
{
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            // Out of file descriptors or a connection reset before accept: wait a moment
            // instead of spinning.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            let _ = write_response(
                &mut stream,
                &Response::error(503, "too many connections"),
                false,
                true,
            );
            continue;
        }
        let handle = Arc::clone(&handle);
        let counter = Arc::clone(&open);
        let spawned = std::thread::Builder::new()
            .name("cocoprep-view".to_owned())
            .spawn(move || {
                let _ = serve_connection(stream, handle.as_ref());
                counter.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            // The thread did not start, so its own decrement never runs.
            open.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn serve_connection<H>(stream: TcpStream, handle: &H) -> std::io::Result<()>
where
    H: Fn(&str) -> Response,
{
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    stream.set_write_timeout(Some(IDLE_TIMEOUT))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let head = match read_head(&mut reader)? {
            Head::Closed => return Ok(()),
            Head::TooLarge => {
                write_response(
                    &mut writer,
                    &Response::error(413, "request head too large"),
                    false,
                    true,
                )?;
                return Ok(());
            }
            Head::Complete(lines) => lines,
        };
        let mut parts = head[0].split(' ');
        let (method, target, version) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let headers = &head[1..];
        let header = |name: &str| {
            headers.iter().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| value.trim().to_owned())
            })
        };
        let has_body = header("content-length").is_some_and(|length| length != "0")
            || header("transfer-encoding").is_some();
        let keep_alive = version == "HTTP/1.1"
            && !header("connection").is_some_and(|value| value.eq_ignore_ascii_case("close"))
            && !has_body;
        let head_only = method == "HEAD";
        let response = if !version.starts_with("HTTP/1.") {
            Response::error(400, "not an HTTP/1.x request")
        } else if method != "GET" && method != "HEAD" {
            Response::error(405, "the viewer is read-only: GET and HEAD only")
        } else if has_body {
            Response::error(400, "requests with a body are not accepted")
        } else {
            handle(target)
        };
        write_response(&mut writer, &response, head_only, !keep_alive)?;
        if !keep_alive {
            return Ok(());
        }
    }
}

enum Head {
    Closed,
    TooLarge,
    Complete(Vec<String>),
}

fn read_head<R: BufRead>(reader: &mut R) -> std::io::Result<Head> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = Vec::new();
        let read = (&mut *reader)
            .take((MAX_HEAD_BYTES - total + 1) as u64)
            .read_until(b'\n', &mut line);
        let read = match read {
            Ok(read) => read,
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(Head::Closed);
            }
            Err(error) => return Err(error),
        };
        if read == 0 {
            return Ok(Head::Closed);
        }
        total += read;
        if total > MAX_HEAD_BYTES {
            return Ok(Head::TooLarge);
        }
        let text = String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_owned();
        if text.is_empty() {
            if lines.is_empty() {
                continue; // tolerate blank lines before a request (RFC 9112 §2.2)
            }
            return Ok(Head::Complete(lines));
        }
        lines.push(text);
    }
}

fn write_response(
    stream: &mut TcpStream,
    response: &Response,
    head_only: bool,
    close: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    if let Some(cache) = response.cache {
        head.push_str(&format!("Cache-Control: {cache}\r\n"));
    } else {
        head.push_str("Cache-Control: no-store\r\n");
    }
    head.push_str(if close {
        "Connection: close\r\n\r\n"
    } else {
        "Connection: keep-alive\r\n\r\n"
    });
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()
}
