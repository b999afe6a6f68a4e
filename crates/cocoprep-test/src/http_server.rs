//! A real HTTP/1.1 server on loopback for download tests and benchmarks, with faults
//! that real servers produce: a rate cap per connection, connections dropped mid-body,
//! 500 before 200, `Range` ignored, wrong bytes, redirects, stalls, and Google Drive's
//! large-file confirmation page.
//!
//! Every request is logged ([`RequestRecord`]) so tests can assert what was fetched,
//! e.g. that a resumed download did not ask again for ranges it already had.
//!
//! Built on `std::net` with a thread per connection (keep-alive supported); file-backed
//! bodies are sent with `sendfile` through `std::io::copy`, so the server is not the
//! bottleneck of the throughput benchmark.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where a served file's bytes come from.
#[derive(Clone, Debug)]
pub enum Body {
    /// Bytes in memory.
    Memory(Arc<Vec<u8>>),
    /// A file on disk (for benchmark-sized bodies).
    File(PathBuf),
}

impl Body {
    fn len(&self) -> io::Result<u64> {
        match self {
            Self::Memory(bytes) => Ok(bytes.len() as u64),
            Self::File(path) => Ok(std::fs::metadata(path)?.len()),
        }
    }
}

/// The faults a route injects. Counters (`*_times`) count responses, so "drop the first
/// 3 responses" is `drop_after_bytes: Some(n), drop_times: 3`.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Cap each connection at this many bytes per second.
    pub rate_bytes_per_second: Option<u64>,
    /// Close the connection after sending this many body bytes...
    pub drop_after_bytes: Option<u64>,
    /// ...in this many responses (then serve normally).
    pub drop_times: usize,
    /// Answer this many requests with `fail_status` first.
    pub fail_times: usize,
    /// The status for `fail_times` (500 if 0).
    pub fail_status: u16,
    /// Answer `200` with the whole file to every `Range` request.
    pub ignore_range: bool,
    /// Flip a byte near the start of the file (offset 1024, in the first range a client
    /// reads) in this many responses.
    pub corrupt_times: usize,
    /// Answer `302 Found` pointing to this path.
    pub redirect_to: Option<String>,
    /// Answer with Google Drive's "can't scan this file" page unless the query has the
    /// `confirm` and `uuid` the page asked for.
    pub google_drive_confirm: bool,
    /// Stop sending (but keep the connection open) after this many body bytes, in the
    /// first `stall_times` responses.
    pub stall_after_bytes: Option<u64>,
    /// See `stall_after_bytes`.
    pub stall_times: usize,
    /// `Content-Type` (default `application/octet-stream`).
    pub content_type: Option<String>,
    /// Send no `ETag` (servers that cannot validate ranges).
    pub no_etag: bool,
    /// Send this `ETag` instead of the default one made from the size: a mirror with its
    /// own ETags, or a file replaced by another of the same size.
    pub etag: Option<String>,
    /// Send this `Last-Modified` (none by default).
    pub last_modified: Option<String>,
    /// With `google_drive_confirm`: the absolute URL the warning page's form submits to
    /// (Drive's is `https://drive.usercontent.google.com/download`, another host than the
    /// page's) [default: the route's own path].
    pub google_drive_form_action: Option<String>,
    /// With `google_drive_confirm`: the file name and size the warning page shows.
    pub google_drive_file_name: Option<String>,
    /// More response headers (`X-Robots-Tag: noai`).
    pub headers: Vec<(String, String)>,
}

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    /// `GET` or `HEAD`.
    pub method: String,
    /// Path with query.
    pub target: String,
    /// The requested range `(start, end inclusive)`, if any.
    pub range: Option<(u64, Option<u64>)>,
    /// The status sent.
    pub status: u16,
    /// Body bytes actually written.
    pub body_bytes: u64,
}

struct Route {
    body: Body,
    faults: Faults,
    served: AtomicUsize,
    failed: AtomicUsize,
    dropped: AtomicUsize,
    stalled: AtomicUsize,
    corrupted: AtomicUsize,
    /// Set when the route is replaced: responses in flight are cut off.
    replaced: AtomicBool,
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Arc<Route>>>,
    log: Mutex<Vec<RequestRecord>>,
    body_bytes: AtomicU64,
    stopping: AtomicBool,
    /// Requests read but not yet logged: a client can finish reading a body before the
    /// server thread records the request, so `log()` waits for this to reach zero.
    in_flight: AtomicUsize,
}

/// A running server; stops when dropped.
pub struct TestServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on `127.0.0.1` with a free port.
    pub fn start() -> Self {
        Self::start_on("127.0.0.1:0").expect("bind a loopback port")
    }

    /// Starts a server on a given address (`127.0.0.1:8000`).
    pub fn start_on(address: &str) -> io::Result<Self> {
        let listener = TcpListener::bind(address)?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let accept_shared = Arc::clone(&shared);
        let accept_thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_shared.stopping.load(Ordering::Acquire) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&accept_shared);
                std::thread::spawn(move || {
                    let _ = serve_connection(stream, &shared);
                });
            }
        });
        Ok(Self {
            address,
            shared,
            accept_thread: Some(accept_thread),
        })
    }

    /// Serves `body` at `path` (`/a/b.zip`) with `faults`. Replacing a route cuts the
    /// connections still sending the old one (a server restart, as the client sees it).
    pub fn add(&self, path: &str, body: Body, faults: Faults) {
        let route = Route {
            body,
            faults,
            served: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            stalled: AtomicUsize::new(0),
            corrupted: AtomicUsize::new(0),
            replaced: AtomicBool::new(false),
        };
        let old = self
            .shared
            .routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), Arc::new(route));
        if let Some(old) = old {
            old.replaced.store(true, Ordering::Release);
        }
    }

    /// Serves bytes at `path` with no faults.
    pub fn add_bytes(&self, path: &str, bytes: Vec<u8>) {
        self.add(path, Body::Memory(Arc::new(bytes)), Faults::default());
    }

    /// The URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The server's address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<RequestRecord> {
        self.settle();
        self.shared.log.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) until no request is being answered, so the log is complete.
    fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.shared.in_flight.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Forgets the request log.
    pub fn clear_log(&self) {
        // Requests of a client that was killed are logged when the server notices; let
        // them land before clearing, so they do not show up in the next run's log.
        self.settle();
        self.shared.log.lock().unwrap().clear();
    }

    /// Body bytes sent so far, all routes.
    pub fn body_bytes_sent(&self) -> u64 {
        self.shared.body_bytes.load(Ordering::Relaxed)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
    }
}

/// Deterministic pseudo-random bytes (incompressible, reproducible).
pub fn pseudo_random_bytes(length: usize, seed: u64) -> Vec<u8> {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(length + 8);
    while bytes.len() < length {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        bytes.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    bytes.truncate(length);
    bytes
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad request line",
        ));
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    Ok(Some(Request {
        method,
        target,
        headers,
    }))
}

fn parse_range(value: &str) -> Option<(u64, Option<u64>)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let start = start.trim().parse().ok()?;
    let end = match end.trim() {
        "" => None,
        end => Some(end.parse().ok()?),
    };
    Some((start, end))
}

fn query_value<'a>(target: &'a str, key: &str) -> Option<&'a str> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == key)
        .map(|(_, value)| value)
}

fn serve_connection(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader)? {
        shared.in_flight.fetch_add(1, Ordering::AcqRel);
        let keep_alive = !request
            .header("connection")
            .is_some_and(|value| value.eq_ignore_ascii_case("close"));
        let mut record = RequestRecord {
            method: request.method.clone(),
            target: request.target.clone(),
            range: None,
            status: 0,
            body_bytes: 0,
        };
        // The request is logged even when the client hangs up mid-response (a range
        // engine may read only the part it needs of an open-ended range, then close).
        let responded = respond(&request, &mut writer, shared, &mut record);
        shared.log.lock().unwrap().push(record);
        shared.in_flight.fetch_sub(1, Ordering::AcqRel);
        let keep_open = responded?;
        if !keep_open || !keep_alive {
            let _ = writer.shutdown(Shutdown::Both);
            break;
        }
    }
    Ok(())
}

fn simple(
    writer: &mut TcpStream,
    status: u16,
    reason: &str,
    extra: &str,
    body: &[u8],
) -> io::Result<()> {
    write!(
        writer,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\n{extra}\r\n",
        body.len()
    )?;
    writer.write_all(body)?;
    writer.flush()
}

/// Answers one request; returns the log record and whether the connection stays usable.
fn respond(
    request: &Request,
    writer: &mut TcpStream,
    shared: &Shared,
    record: &mut RequestRecord,
) -> io::Result<bool> {
    let path = request.target.split('?').next().unwrap_or("").to_owned();
    let range = request.header("range").and_then(parse_range);
    record.range = range;
    let route = shared.routes.lock().unwrap().get(&path).cloned();
    let Some(route) = route else {
        record.status = 404;
        simple(writer, 404, "Not Found", "", b"not found")?;
        return Ok(true);
    };
    let faults = &route.faults;
    if let Some(target) = &faults.redirect_to {
        record.status = 302;
        simple(
            writer,
            302,
            "Found",
            &format!("Location: {target}\r\n"),
            b"",
        )?;
        return Ok(true);
    }
    if route.failed.load(Ordering::Relaxed) < faults.fail_times {
        route.failed.fetch_add(1, Ordering::Relaxed);
        let status = if faults.fail_status == 0 {
            500
        } else {
            faults.fail_status
        };
        record.status = status;
        simple(writer, status, "Failing On Purpose", "", b"try again")?;
        return Ok(true);
    }
    if faults.google_drive_confirm {
        let uuid = "5f1e2d3c-test";
        let confirmed = query_value(&request.target, "confirm") == Some("t")
            && query_value(&request.target, "uuid") == Some(uuid);
        if !confirmed {
            let id = query_value(&request.target, "id").unwrap_or("unknown");
            let action = faults.google_drive_form_action.as_deref().unwrap_or(&path);
            let name = faults
                .google_drive_file_name
                .as_deref()
                .unwrap_or("file.bin");
            let size_text = format!("{:.1}M", route.body.len()? as f64 / 1e6);
            // The page Drive sends (2024-) for files too large to scan, trimmed of its
            // stylesheet: the form is the only way on, links elsewhere are decoys.
            let page = format!(
                "<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title>\
                 <meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\"/>\
                 <link rel=\"icon\" href=\"//ssl.gstatic.com/docs/doclist/images/drive_2022q3_32dp.png\"/></head>\
                 <body><div class=\"uc-main\"><div id=\"uc-text\">\
                 <p class=\"uc-warning-caption\">Google Drive can&#39;t scan this file for viruses.</p>\
                 <p class=\"uc-warning-subcaption\"><span class=\"uc-name-size\"><a href=\"/open?id={id}\">{name}</a> ({size_text})</span> \
                 is too large for Google to scan for viruses. Would you still like to download this file?</p>\
                 <form id=\"download-form\" action=\"{action}\" method=\"get\">\
                 <input type=\"submit\" id=\"uc-download-link\" class=\"goog-inline-block jfk-button jfk-button-action\" value=\"Download anyway\"/>\
                 <input type=\"hidden\" name=\"id\" value=\"{id}\"><input type=\"hidden\" name=\"export\" value=\"download\">\
                 <input type=\"hidden\" name=\"confirm\" value=\"t\"><input type=\"hidden\" name=\"uuid\" value=\"{uuid}\"></form>\
                 </div></div><div class=\"uc-footer\"><hr class=\"uc-footer-divider\"></div></body></html>"
            );
            record.status = 200;
            simple(
                writer,
                200,
                "OK",
                "Content-Type: text/html; charset=utf-8\r\n",
                page.as_bytes(),
            )?;
            return Ok(true);
        }
    }
    let total = route.body.len()?;
    let etag = faults
        .etag
        .clone()
        .unwrap_or_else(|| format!("\"{total:x}-cocoprep-test\""));
    let range_applies = range.is_some()
        && !faults.ignore_range
        && request.header("if-range").is_none_or(|validator| {
            (validator == etag && !faults.no_etag)
                || faults.last_modified.as_deref() == Some(validator)
        });
    let (status, start, length) = match range {
        Some((start, end)) if range_applies => {
            if start >= total {
                record.status = 416;
                simple(
                    writer,
                    416,
                    "Range Not Satisfiable",
                    &format!("Content-Range: bytes */{total}\r\n"),
                    b"",
                )?;
                return Ok(true);
            }
            let end = end.map_or(total - 1, |end| end.min(total - 1));
            (206, start, end + 1 - start)
        }
        _ => (200, 0, total),
    };
    record.status = status;
    let content_type = faults
        .content_type
        .as_deref()
        .unwrap_or("application/octet-stream");
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Length: {length}\r\nContent-Type: {content_type}\r\nAccept-Ranges: {}\r\n",
        if status == 206 {
            "Partial Content"
        } else {
            "OK"
        },
        if faults.ignore_range { "none" } else { "bytes" },
    );
    if !faults.no_etag {
        head.push_str(&format!("ETag: {etag}\r\n"));
    }
    if let Some(date) = &faults.last_modified {
        head.push_str(&format!("Last-Modified: {date}\r\n"));
    }
    for (name, value) in &faults.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if status == 206 {
        head.push_str(&format!(
            "Content-Range: bytes {start}-{}/{total}\r\n",
            start + length - 1
        ));
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes())?;
    if request.method == "HEAD" {
        return Ok(true);
    }
    route.served.fetch_add(1, Ordering::Relaxed);
    // Decide this response's faults.
    let mut limit = length;
    let mut drop_here = false;
    if let Some(after) = faults.drop_after_bytes
        && route.dropped.load(Ordering::Relaxed) < faults.drop_times
        && after < length
    {
        route.dropped.fetch_add(1, Ordering::Relaxed);
        limit = after;
        drop_here = true;
    }
    let mut stall_here = false;
    if let Some(after) = faults.stall_after_bytes
        && route.stalled.load(Ordering::Relaxed) < faults.stall_times
        && after < length
    {
        route.stalled.fetch_add(1, Ordering::Relaxed);
        limit = limit.min(after);
        stall_here = true;
    }
    let corrupt = (route.corrupted.load(Ordering::Relaxed) < faults.corrupt_times).then_some((
        total.min(2048) / 2,
        &route.corrupted,
        faults.corrupt_times,
    ));
    let sent = send_body(
        writer,
        &route.body,
        start,
        limit,
        faults.rate_bytes_per_second,
        corrupt,
        &shared.body_bytes,
        &route.replaced,
    );
    record.body_bytes = sent.as_ref().copied().unwrap_or(0);
    sent?;
    if stall_here {
        // Hold the connection silently until the client gives up.
        std::thread::sleep(Duration::from_secs(30));
        return Ok(false);
    }
    if drop_here {
        let _ = writer.flush();
        let _ = writer.shutdown(Shutdown::Both);
        return Ok(false);
    }
    Ok(true)
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; the faults are independent knobs"
)]
fn send_body(
    writer: &mut TcpStream,
    body: &Body,
    start: u64,
    length: u64,
    rate: Option<u64>,
    corrupt: Option<(u64, &AtomicUsize, usize)>,
    counter: &AtomicU64,
    replaced: &AtomicBool,
) -> io::Result<u64> {
    if rate.is_none()
        && corrupt.is_none()
        && let Body::File(path) = body
    {
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::Start(start))?;
        // `io::copy` from a `File` to a `TcpStream` uses sendfile on Linux.
        let sent = io::copy(&mut file.take(length), writer)?;
        counter.fetch_add(sent, Ordering::Relaxed);
        return Ok(sent);
    }
    let started = Instant::now();
    let chunk_size: u64 = match rate {
        Some(rate) => (rate / 50).clamp(1024, 256 << 10),
        None => 256 << 10,
    };
    let mut file = match body {
        Body::File(path) => {
            let mut file = std::fs::File::open(path)?;
            file.seek(SeekFrom::Start(start))?;
            Some(file)
        }
        Body::Memory(_) => None,
    };
    let mut buffer = vec![0u8; chunk_size as usize];
    let mut sent = 0u64;
    while sent < length {
        if replaced.load(Ordering::Acquire) {
            let _ = writer.shutdown(Shutdown::Both);
            return Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "route replaced",
            ));
        }
        let size = (length - sent).min(chunk_size) as usize;
        let offset = start + sent;
        match (&mut file, body) {
            (Some(file), _) => file.read_exact(&mut buffer[..size])?,
            (None, Body::Memory(bytes)) => {
                buffer[..size].copy_from_slice(&bytes[offset as usize..offset as usize + size])
            }
            (None, Body::File(_)) => unreachable!("file bodies are opened above"),
        }
        // A response only counts as corrupted once the bad byte was actually sent (a
        // client may close a range connection before reaching it).
        if let Some((bad, counter, times)) = corrupt
            && (offset..offset + size as u64).contains(&bad)
            && counter.fetch_add(1, Ordering::Relaxed) < times
        {
            buffer[(bad - offset) as usize] ^= 0xff;
        }
        writer.write_all(&buffer[..size])?;
        sent += size as u64;
        counter.fetch_add(size as u64, Ordering::Relaxed);
        if let Some(rate) = rate {
            let due = Duration::from_secs_f64(sent as f64 / rate as f64);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
    }
    writer.flush()?;
    Ok(sent)
}
