//! Name resolution for thousands of hosts without a local DNS server: an in-process cache
//! over the system resolver (each host is looked up once per run, failures included, so a
//! dead domain in 10,000 rows costs one lookup, not 10,000), fixed addresses given like
//! curl's `--resolve HOST:PORT:ADDRESS` (for tests and for pinning), and the reserved
//! `.invalid` top-level domain refused without a lookup (RFC 6761 §6.4).
//!
//! img2dataset users are told to install a caching resolver (knot, bind) because the
//! system resolver cannot keep up (img2dataset #360); that needs root, which HPC users do
//! not have. The cache here needs nothing.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use crate::Error;

/// A fixed address for `host:port` (curl's `--resolve`); the host `*` stands for every
/// host without an address of its own (every URL of a real list served by a test server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveOverride {
    /// The host name as it appears in URLs.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The address to connect to.
    pub address: IpAddr,
}

impl std::str::FromStr for ResolveOverride {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidResolve(text.to_owned());
        let (host, rest) = text.split_once(':').ok_or_else(invalid)?;
        let (port, address) = rest.split_once(':').ok_or_else(invalid)?;
        let address = address.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(invalid());
        }
        Ok(Self {
            host: host.to_ascii_lowercase(),
            port: port.parse().map_err(|_| invalid())?,
            address: address.parse().map_err(|_| invalid())?,
        })
    }
}

/// The resolver given to the HTTP agent.
#[derive(Debug, Default)]
pub struct CachingResolver {
    overrides: HashMap<(String, u16), IpAddr>,
    cache: Mutex<HashMap<(String, u16), Option<ResolvedSocketAddrs>>>,
    system: DefaultResolver,
}

impl CachingResolver {
    /// A resolver with these fixed addresses.
    pub fn new(overrides: &[ResolveOverride]) -> Self {
        Self {
            overrides: overrides
                .iter()
                .map(|o| ((o.host.clone(), o.port), o.address))
                .collect(),
            cache: Mutex::new(HashMap::new()),
            system: DefaultResolver::default(),
        }
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or_default().to_ascii_lowercase();
        let port = uri
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            });
        let key = (host, port);
        let pinned = self
            .overrides
            .get(&key)
            .or_else(|| self.overrides.get(&("*".to_owned(), port)));
        if let Some(&address) = pinned {
            let mut addresses = self.empty();
            addresses.push(SocketAddr::new(address, port));
            return Ok(addresses);
        }
        if key.0 == "invalid" || key.0.ends_with(".invalid") {
            return Err(ureq::Error::HostNotFound);
        }
        if let Some(cached) = self.lock().get(&key) {
            return cached.clone().ok_or(ureq::Error::HostNotFound);
        }
        match self.system.resolve(uri, config, timeout) {
            Ok(addresses) => {
                self.lock().insert(key, Some(addresses.clone()));
                Ok(addresses)
            }
            Err(ureq::Error::HostNotFound) => {
                self.lock().insert(key, None);
                Err(ureq::Error::HostNotFound)
            }
            // A timeout or a transient resolver error is not remembered: the retry asks again.
            Err(other) => Err(other),
        }
    }
}

impl CachingResolver {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, u16), Option<ResolvedSocketAddrs>>> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_overrides_parse_like_curl() {
        let parsed: ResolveOverride = "Images.Example:8080:127.0.0.2".parse().unwrap();
        assert_eq!(parsed.host, "images.example");
        assert_eq!(parsed.port, 8080);
        assert_eq!(parsed.address, "127.0.0.2".parse::<IpAddr>().unwrap());
        let v6: ResolveOverride = "h:80:[::1]".parse().unwrap();
        assert_eq!(v6.address, "::1".parse::<IpAddr>().unwrap());
        assert!("h:80".parse::<ResolveOverride>().is_err());
        assert!("h:x:127.0.0.1".parse::<ResolveOverride>().is_err());
    }
}
