//! Fetching one URL's bytes: a shared HTTP agent (keep-alive, the caching resolver),
//! a per-host connection cap, a deadline on the whole request, retries with backoff for
//! transient failures only, and img2dataset's `X-Robots-Tag` opt-out check.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use ureq::Agent;
use ureq::unversioned::transport::DefaultConnector;

use crate::resolve::{CachingResolver, ResolveOverride};

/// img2dataset's default `disallowed_header_directives`.
pub const DEFAULT_DISALLOWED_DIRECTIVES: [&str; 4] =
    ["noai", "noimageai", "noindex", "noimageindex"];

/// How URLs are fetched.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Deadline for one attempt, from connecting to the last body byte (img2dataset's
    /// `timeout`, default 10 s): no request outlives it, so no job hangs at its end.
    pub timeout: Duration,
    /// Extra attempts after a transient failure (timeout, reset, 5xx, 429).
    pub retries: u32,
    /// Connections open to one host at a time (0 = no cap).
    pub max_connections_per_host: usize,
    /// A token naming the crawler in the user agent and in `X-Robots-Tag: TOKEN: ...`.
    pub user_agent_token: Option<String>,
    /// `X-Robots-Tag` directives that forbid use (empty: ignore the header).
    pub disallowed_header_directives: Vec<String>,
    /// Fixed addresses for host names.
    pub resolve: Vec<ResolveOverride>,
    /// Bodies larger than this fail (a guard against multi-GB files behind image URLs).
    pub max_body_bytes: u64,
    /// Idle keep-alive connections kept (about the number of workers).
    pub idle_connections: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            retries: 0,
            max_connections_per_host: 32,
            user_agent_token: None,
            disallowed_header_directives: DEFAULT_DISALLOWED_DIRECTIVES
                .iter()
                .map(|d| (*d).to_owned())
                .collect(),
            resolve: Vec::new(),
            max_body_bytes: 64 << 20,
            idle_connections: 64,
        }
    }
}

/// Why a URL could not be fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchFailure {
    /// A short reason (`http status 404`, `timeout`, `connection reset`, ...), the row's
    /// `error_message`.
    pub message: String,
    /// Whether trying again later may help (what `--retry-failed` re-fetches).
    pub transient: bool,
}

impl FetchFailure {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            transient: false,
        }
    }

    fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            transient: true,
        }
    }
}

/// Fetches URLs; shared by all worker threads.
pub struct Fetcher {
    agent: Agent,
    hosts: HostLimiter,
    options: FetchOptions,
}

impl Fetcher {
    /// An agent for these options.
    pub fn new(options: FetchOptions) -> Self {
        let http = cocoprep_fetch::HttpOptions {
            connect_timeout: options.timeout,
            read_timeout: options.timeout,
            user_agent: user_agent(options.user_agent_token.as_deref()),
        };
        let config = cocoprep_fetch::agent_config(&http)
            .timeout_global(Some(options.timeout))
            .max_redirects(5)
            .max_idle_connections(options.idle_connections.max(1))
            .max_idle_connections_per_host(if options.max_connections_per_host == 0 {
                options.idle_connections.max(1)
            } else {
                options.max_connections_per_host
            })
            .build();
        let agent = Agent::with_parts(
            config,
            DefaultConnector::default(),
            CachingResolver::new(&options.resolve),
        );
        Self {
            agent,
            hosts: HostLimiter::new(options.max_connections_per_host),
            options,
        }
    }

    /// The bytes at `url`, after up to `retries` more attempts for transient failures.
    pub fn fetch(&self, url: &str) -> Result<Vec<u8>, FetchFailure> {
        if url.is_empty() {
            return Err(FetchFailure::permanent("missing url"));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(FetchFailure::permanent("unsupported url scheme"));
        }
        let host = host_of(url);
        let mut attempt = 0;
        loop {
            let result = {
                let _slot = self.hosts.acquire(host);
                self.attempt(url)
            };
            match result {
                Err(failure) if failure.transient && attempt < self.options.retries => {
                    std::thread::sleep(backoff(attempt, url));
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn attempt(&self, url: &str) -> Result<Vec<u8>, FetchFailure> {
        let response = self.agent.get(url).call().map_err(classify)?;
        let status = response.status().as_u16();
        if status != 200 {
            let message = format!("http status {status}");
            let transient = status >= 500 || status == 408 || status == 429;
            return Err(FetchFailure { message, transient });
        }
        if self.disallowed(&response) {
            return Err(FetchFailure::permanent(
                "use of image disallowed by X-Robots-Tag directive",
            ));
        }
        response
            .into_body()
            .with_config()
            .limit(self.options.max_body_bytes)
            .read_to_vec()
            .map_err(classify)
    }

    /// img2dataset's `is_disallowed`: a header `X-Robots-Tag: [TOKEN:] d1, d2` applies
    /// when it names no user-agent token or ours, and forbids when a directive is listed.
    fn disallowed(&self, response: &ureq::http::Response<ureq::Body>) -> bool {
        if self.options.disallowed_header_directives.is_empty() {
            return false;
        }
        let token = self
            .options
            .user_agent_token
            .as_deref()
            .map(str::to_ascii_lowercase);
        response
            .headers()
            .get_all("x-robots-tag")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|value| {
                let (agent, directives) = match value.split_once(':') {
                    Some((agent, directives)) => {
                        (Some(agent.trim().to_ascii_lowercase()), directives)
                    }
                    None => (None, value),
                };
                let applies = agent.is_none() || agent == token;
                applies
                    && directives.split(',').any(|directive| {
                        let directive = directive.trim().to_ascii_lowercase();
                        self.options
                            .disallowed_header_directives
                            .contains(&directive)
                    })
            })
    }
}

/// `cocoprep/<version> (+https://github.com/cocoprep/cocoprep)`, with `; compatible; TOKEN`
/// when a token is given.
pub fn user_agent(token: Option<&str>) -> String {
    let base = concat!("cocoprep/", env!("CARGO_PKG_VERSION"));
    match token {
        Some(token) => {
            format!("{base} (compatible; {token}; +https://github.com/cocoprep/cocoprep)")
        }
        None => format!("{base} (+https://github.com/cocoprep/cocoprep)"),
    }
}

fn classify(error: ureq::Error) -> FetchFailure {
    match error {
        ureq::Error::Timeout(_) => FetchFailure::transient("timeout"),
        ureq::Error::HostNotFound => FetchFailure::permanent("host not found"),
        ureq::Error::ConnectionFailed => FetchFailure::transient("connection failed"),
        ureq::Error::BadUri(message) => FetchFailure::permanent(format!("bad url: {message}")),
        ureq::Error::TooManyRedirects => FetchFailure::permanent("too many redirects"),
        ureq::Error::RedirectFailed => FetchFailure::permanent("redirect failed"),
        ureq::Error::BodyExceedsLimit(limit) => {
            FetchFailure::permanent(format!("body larger than {limit} bytes"))
        }
        ureq::Error::Io(error) => match error.kind() {
            std::io::ErrorKind::ConnectionRefused => FetchFailure::transient("connection refused"),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                FetchFailure::transient("connection reset")
            }
            std::io::ErrorKind::UnexpectedEof => FetchFailure::transient("connection closed early"),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                FetchFailure::transient("timeout")
            }
            _ => FetchFailure::transient(format!("i/o error: {error}")),
        },
        ureq::Error::Protocol(error) => FetchFailure::transient(format!("protocol error: {error}")),
        other => FetchFailure::transient(other.to_string()),
    }
}

/// 100 ms, 200 ms, 400 ms ... capped at 3.2 s, with ±25% jitter from the URL so that
/// retries of one host spread out.
fn backoff(attempt: u32, url: &str) -> Duration {
    let base = 100u64 << attempt.min(5);
    let hash = url.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let jitter = hash % (base / 2 + 1);
    Duration::from_millis(base * 3 / 4 + jitter)
}

/// The host part of an http(s) URL (lowercase not needed: only for counting).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// At most `max` requests to one host at a time.
struct HostLimiter {
    max: usize,
    active: Mutex<HashMap<String, usize>>,
    released: Condvar,
}

struct HostSlot<'a> {
    limiter: &'a HostLimiter,
    host: Option<String>,
}

impl HostLimiter {
    fn new(max: usize) -> Self {
        Self {
            max,
            active: Mutex::new(HashMap::new()),
            released: Condvar::new(),
        }
    }

    fn acquire(&self, host: &str) -> HostSlot<'_> {
        if self.max == 0 {
            return HostSlot {
                limiter: self,
                host: None,
            };
        }
        let mut active = self
            .active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            let count = active.entry(host.to_owned()).or_insert(0);
            if *count < self.max {
                *count += 1;
                break;
            }
            active = self
                .released
                .wait(active)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        HostSlot {
            limiter: self,
            host: Some(host.to_owned()),
        }
    }
}

impl Drop for HostSlot<'_> {
    fn drop(&mut self) {
        let Some(host) = self.host.take() else {
            return;
        };
        let mut active = self
            .limiter
            .active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = active.get_mut(&host) {
            *count -= 1;
            if *count == 0 {
                active.remove(&host);
            }
        }
        drop(active);
        self.limiter.released.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_found_in_urls() {
        assert_eq!(host_of("http://a.example:8080/x.jpg?y"), "a.example:8080");
        assert_eq!(host_of("https://user@b.example/x"), "b.example");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(0, "u") < Duration::from_millis(200));
        assert!(backoff(10, "u") <= Duration::from_millis(4000));
    }
}
