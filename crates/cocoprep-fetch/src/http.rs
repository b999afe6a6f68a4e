//! HTTP requests for the downloader: an agent with timeouts on every phase (ureq has none
//! by default), range requests, and the parsing of `Content-Range`.

use std::time::Duration;

use ureq::Agent;
use ureq::http::Response;

use crate::error::TransferError;

/// One failed attempt, classified by whether trying again can help.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A timeout, reset, early close or 5xx: retry after a pause.
    Transient {
        /// What happened.
        error: TransferError,
        /// The server's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },
    /// Retrying this URL will not help (404, an HTML page, a size mismatch).
    Permanent(crate::FetchError),
}

impl Failure {
    pub(crate) fn transient(error: impl Into<TransferError>) -> Self {
        Self::Transient {
            error: error.into(),
            retry_after: None,
        }
    }
}

/// Timeouts and identity for HTTP requests.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Longest silence while waiting for response headers or body bytes.
    pub read_timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            user_agent: concat!("cocoprep/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// An agent with every timeout set and HTTP errors returned as responses, so that the
/// downloader can tell 206 from 200 from 416 from 503 itself.
pub(crate) fn agent(options: &HttpOptions, connections: usize) -> Agent {
    agent_config(options)
        .max_idle_connections_per_host(connections.max(1) + 2)
        .build()
        .new_agent()
}

/// The configuration every cocoprep HTTP client starts from: each phase's timeout from
/// `options` (ureq has none by default), HTTP errors returned as responses, at most 10
/// redirects, cocoprep's user agent. Other crates (the web-scale downloader) add their own
/// limits and build an agent with their own resolver from it.
pub fn agent_config(
    options: &HttpOptions,
) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(options.connect_timeout))
        .timeout_recv_response(Some(options.read_timeout))
        .timeout_per_read(Some(options.read_timeout))
        .timeout_send_request(Some(options.read_timeout))
        .max_redirects(10)
        .user_agent(options.user_agent.as_str())
}

/// Sends a GET with an optional `Range: bytes=start-[end]` and `If-Range`.
pub(crate) fn get(
    agent: &Agent,
    url: &str,
    range: Option<(u64, Option<u64>)>,
    if_range: Option<&str>,
    extra_headers: &[(String, String)],
) -> Result<Response<ureq::Body>, Failure> {
    let mut request = agent.get(url);
    if let Some((start, end)) = range {
        let value = match end {
            Some(end) => format!("bytes={start}-{end}"),
            None => format!("bytes={start}-"),
        };
        request = request.header("Range", value);
        if let Some(validator) = if_range {
            request = request.header("If-Range", validator);
        }
    }
    for (name, value) in extra_headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request.call().map_err(|error| classify(url, error))?;
    let status = response.status().as_u16();
    if crate::download::retry::status_is_transient(status) {
        let retry_after = header(&response, "retry-after")
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        return Err(Failure::Transient {
            error: TransferError::Status { status },
            retry_after,
        });
    }
    if status >= 400 && status != 416 {
        return Err(Failure::Permanent(crate::FetchError::HttpStatus {
            url: url.to_owned(),
            status,
        }));
    }
    Ok(response)
}

fn classify(url: &str, error: ureq::Error) -> Failure {
    match error {
        ureq::Error::BadUri(message) => Failure::Permanent(crate::FetchError::Protocol {
            url: url.to_owned(),
            message: format!("bad URL: {message}"),
        }),
        ureq::Error::TooManyRedirects => Failure::Permanent(crate::FetchError::Protocol {
            url: url.to_owned(),
            message: "too many redirects".to_owned(),
        }),
        other => Failure::transient(other),
    }
}

/// A response header as text.
pub(crate) fn header<'a>(response: &'a Response<ureq::Body>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// All values of a header.
pub(crate) fn headers_all(response: &Response<ureq::Body>, name: &str) -> Vec<String> {
    response
        .headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

/// `Content-Range: bytes START-END/TOTAL` → `(start, end inclusive, total)`; the total is
/// `None` for `*`.
pub(crate) fn parse_content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let total = match total.trim() {
        "*" => None,
        number => Some(number.parse().ok()?),
    };
    Some((start.trim().parse().ok()?, end.trim().parse().ok()?, total))
}

/// The final URL of a response (after redirects).
pub(crate) fn final_url(response: &Response<ureq::Body>, requested: &str) -> String {
    use ureq::ResponseExt;
    let uri = response.get_uri().to_string();
    if uri.is_empty() {
        requested.to_owned()
    } else {
        uri
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_is_parsed() {
        assert_eq!(
            parse_content_range("bytes 0-99/1000"),
            Some((0, 99, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, 9, None)));
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }
}
