//! `--online`: fetching did:web documents, key documents and status lists over HTTPS.
//!
//! Bounded on every side, because the URLs come from the credential being checked, that is from
//! whoever wrote it:
//!
//! - **Where**: only `https` URLs, and only to public addresses. Loopback, private
//!   (RFC 1918, `fc00::/7`), link-local, cloud metadata, CGNAT, unspecified, multicast,
//!   broadcast and reserved addresses are refused, in the URL itself, among the addresses a
//!   host name resolves to (a name whose addresses are all refused is not fetched), and again
//!   at every redirect, of which there may be at most [`MAX_REDIRECTS`]. No proxy is used.
//!   [`FetchPolicy::allow_local`] (`laurel-verify --allow-local`, for testing) lifts the
//!   address rule, except for the metadata addresses, and lets plain `http` reach loopback.
//! - **How long**: each document must be complete (connecting, redirects, headers and the
//!   whole body) within [`FetchPolicy::timeout`] (10 s) of starting, and by the caller's
//!   deadline, whichever comes first; a server sending a byte at a time is cut off then.
//! - **How much**: at most [`MAX_DOCUMENT_BYTES`] (1 MiB) per document.
//!
//! These are `--online`'s limits; [`FetchPolicy`] lets another caller keep tighter ones (the
//! issuer service, looking up a wallet holder's did:web document: 5 s, 64 KiB, no redirects,
//! nothing kept between requests).
//! - **What it says**: every network failure (refused address, DNS, connection, TLS, timeout,
//!   HTTP error status) reads the same, `could not fetch {url}`, so that the answers cannot be
//!   used to tell which hosts or ports exist behind the verifier.
//!
//! Each URL is fetched once per run (unless [`FetchPolicy::cache`] is off): a folder of
//! credentials from one issuer shares its key document and status list.

use std::collections::HashMap;
use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::Value;

use crate::Fetch;

/// The most bytes one fetched document may have.
pub const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024;

/// The most redirects followed for one document.
pub const MAX_REDIRECTS: usize = 5;

/// The longest one document may take, redirects and body included.
pub const DOCUMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// What [`HttpFetcher`] may fetch. `FetchPolicy::default()` is what `--online` uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Also fetch from loopback, private and link-local addresses, and plain `http` from
    /// loopback hosts (`127.0.0.0/8`, `::1`, `localhost`). For testing against a local service;
    /// cloud metadata addresses stay refused.
    pub allow_local: bool,
    /// The longest one document may take; the caller's deadline may cut it shorter.
    pub timeout: Duration,
    /// If set, only URLs on these ports (explicit or the scheme's default) are fetched, at
    /// every redirect too. Lets a test allow one local server and refuse another.
    pub only_ports: Option<Vec<u16>>,
    /// The most bytes one document may have.
    pub max_bytes: u64,
    /// The most redirects followed for one document (each to the same origin); 0: none.
    pub max_redirects: usize,
    /// Whether documents fetched are kept and served again for the fetcher's life (one
    /// `laurel-verify` run). A long-lived service turns it off: a document may change, and
    /// what is kept would only grow.
    pub cache: bool,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            allow_local: false,
            timeout: DOCUMENT_TIMEOUT,
            only_ports: None,
            max_bytes: MAX_DOCUMENT_BYTES,
            max_redirects: MAX_REDIRECTS,
            cache: true,
        }
    }
}

impl FetchPolicy {
    /// Whether `url` may be fetched (as the first URL or as a redirect target), judged from the
    /// URL alone: scheme, port, and the address if the host is an IP literal. A host name is
    /// judged later, by the addresses it resolves to ([`FetchPolicy::allows_address`]).
    pub fn allows_url(&self, url: &str) -> bool {
        Url::parse(url).is_ok_and(|url| self.allows(&url))
    }

    /// Whether a connection to `ip` is allowed: a public address, or with
    /// [`FetchPolicy::allow_local`] any address but a cloud metadata one.
    pub fn allows_address(&self, ip: IpAddr) -> bool {
        if is_metadata_address(ip) {
            return false;
        }
        self.allow_local || is_public_address(ip)
    }

    fn allows(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let ip = host_ip(host);
        if !self.scheme_allowed(url.scheme(), host, ip) {
            return false;
        }
        if let Some(ports) = &self.only_ports {
            match url.port_or_known_default() {
                Some(port) if ports.contains(&port) => {}
                _ => return false,
            }
        }
        // A host name is judged by what it resolves to, in [`FilteringResolver`].
        ip.is_none_or(|ip| self.allows_address(ip))
    }

    /// `https`, or with `allow_local` plain `http` to a loopback host.
    fn scheme_allowed(&self, scheme: &str, host: &str, ip: Option<IpAddr>) -> bool {
        match scheme {
            "https" => true,
            "http" => {
                self.allow_local
                    && match ip {
                        Some(ip) => ip.is_loopback(),
                        None => host.eq_ignore_ascii_case("localhost"),
                    }
            }
            _ => false,
        }
    }
}

/// The address of a URL host that is an IP literal. The URL parser has already normalised them
/// (`0x7f.1` is `127.0.0.1`); IPv6 ones keep their brackets.
fn host_ip(host: &str) -> Option<IpAddr> {
    host.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(host)
        .parse()
        .ok()
}

/// Whether `ip` is an ordinary public unicast address. Not public: unspecified and "this
/// network" (`0.0.0.0/8`, `::`), loopback (`127.0.0.0/8`, `::1`), private (`10.0.0.0/8`,
/// `172.16.0.0/12`, `192.168.0.0/16`, `fc00::/7`), link-local (`169.254.0.0/16`, `fe80::/10`,
/// and the old site-local `fec0::/10`), shared CGNAT (`100.64.0.0/10`), multicast
/// (`224.0.0.0/4`, `ff00::/8`), reserved and broadcast (`240.0.0.0/4`), and IPv6 forms that
/// carry one of these IPv4 addresses (IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96`,
/// NAT64 `64:ff9b::/96`, 6to4 `2002::/16`).
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0 // unspecified, "this network"
        || (a == 192 && b == 0 && (c == 0 || c == 2)) // IETF protocol assignments, documentation
        || (a == 198 && (b == 18 || b == 19)) // benchmarking (often used inside networks)
        || (a == 198 && b == 51 && c == 100) // documentation
        || (a == 203 && b == 0 && c == 113) // documentation
        || a == 127 // loopback
        || a == 10 // private
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 168) // private
        || (a == 169 && b == 254) // link-local, metadata
        || (a == 100 && (64..128).contains(&b)) // CGNAT
        || a >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local (private)
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (segments[0] & 0xff00) == 0xff00 // multicast
        || (segments[0] == 0x64 && segments[1] == 0xff9b && segments[2] == 1) // local NAT64
        || (segments[0] == 0x2001 && segments[1] == 0) // Teredo (hides an IPv4 address)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)) // documentation
}

/// The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // ::ffff:a.b.c.d
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        // ::a.b.c.d (but not :: and ::1, which are judged as IPv6)
        [0, 0, 0, 0, 0, 0, _, _] if !ip.is_unspecified() && !ip.is_loopback() => Some(low),
        // 64:ff9b::a.b.c.d
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        // 2002:aabb:ccdd::/48
        [0x2002, high, low16, ..] => Some(Ipv4Addr::new(
            (high >> 8) as u8,
            high as u8,
            (low16 >> 8) as u8,
            low16 as u8,
        )),
        _ => None,
    }
}

/// `169.254.169.254` and `fd00:ec2::254` (and their IPv6 forms): cloud instance metadata,
/// never fetched, not even with `allow_local`.
fn is_metadata_address(ip: IpAddr) -> bool {
    const V4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
    const V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    match ip {
        IpAddr::V4(ip) => ip == V4,
        IpAddr::V6(ip) => ip == V6 || embedded_v4(ip) == Some(V4),
    }
}

/// Resolves host names with the system resolver and keeps only the addresses the policy
/// allows; a name left with none fails. IP literals never reach a resolver: the URL check
/// judges them.
struct FilteringResolver {
    policy: FetchPolicy,
}

impl Resolve for FilteringResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = resolved
                .filter(|address| policy.allows_address(address.ip()))
                .collect();
            if allowed.is_empty() {
                return Err("no address that may be fetched".into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// A [`Fetch`] backed by a blocking HTTP client, within a [`FetchPolicy`].
pub struct HttpFetcher {
    client: reqwest::blocking::Client,
    policy: FetchPolicy,
    /// Documents already fetched this run, by URL. Failures are not kept: one input's time
    /// running out, or a passing network error, must not fail the inputs after it.
    fetched: Mutex<HashMap<String, Value>>,
}

impl HttpFetcher {
    /// A fetcher within `policy`. The error is a sentence for the user.
    pub fn new(policy: FetchPolicy) -> Result<Self, String> {
        let redirects = policy.clone();
        let max_redirects = policy.max_redirects;
        let client = reqwest::blocking::Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout)
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                // `previous` holds the first URL and every redirect followed so far.
                let first = attempt.previous().first().map(reqwest::Url::origin);
                if attempt.previous().len() > max_redirects {
                    attempt.error("too many redirects")
                } else if first != Some(attempt.url().origin()) {
                    // A document is the issuer's only if it comes from the issuer's own
                    // origin: an (open) redirect elsewhere must not make it so.
                    attempt.error("redirect to another origin")
                } else if redirects.allows(attempt.url()) {
                    attempt.follow()
                } else {
                    attempt.error("redirect to a URL that may not be fetched")
                }
            }))
            .dns_resolver(Arc::new(FilteringResolver {
                policy: policy.clone(),
            }))
            .no_proxy()
            .user_agent(concat!("laurel-verify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| format!("cannot start the HTTP client: {error}"))?;
        Ok(HttpFetcher {
            client,
            policy,
            fetched: Mutex::new(HashMap::new()),
        })
    }

    /// The policy this fetcher keeps to.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }
}

impl Fetch for HttpFetcher {
    fn fetch_json(&self, url: &str, deadline: Instant) -> Result<Value, String> {
        if !self.policy.cache {
            return self.fetch_uncached(url, deadline);
        }
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        let cached = self
            .fetched
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(url)
            .cloned();
        if let Some(document) = cached {
            return Ok(document);
        }
        let answer = self.fetch_uncached(url, deadline);
        if let Ok(document) = &answer {
            self.fetched
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .insert(url.to_string(), document.clone());
        }
        answer
    }
}

/// The one answer for every network failure, whatever went wrong.
fn could_not_fetch(url: &str) -> String {
    format!("could not fetch {url}")
}

impl HttpFetcher {
    fn fetch_uncached(&self, url: &str, deadline: Instant) -> Result<Value, String> {
        let start = Instant::now();
        let end = start
            .checked_add(self.policy.timeout)
            .map_or(deadline, |limit| deadline.min(limit));
        let Ok(parsed) = Url::parse(url) else {
            return Err(format!("will not fetch {url}: it is not a URL"));
        };
        // Said plainly, as it depends on the URL alone: nothing about the network shows.
        let host = parsed.host_str().unwrap_or_default();
        if !self
            .policy
            .scheme_allowed(parsed.scheme(), host, host_ip(host))
        {
            return Err(format!("will not fetch {url}: only HTTPS URLs are fetched"));
        }
        if !self.policy.allows(&parsed) {
            return Err(could_not_fetch(url));
        }
        let remaining = end.saturating_duration_since(start);
        if remaining.is_zero() {
            return Err(could_not_fetch(url));
        }
        // The request's timeout covers connecting, redirects, headers and the body; every
        // blocking read below waits no longer than it either.
        let mut response = self
            .client
            .get(parsed)
            .timeout(remaining)
            .header(
                "Accept",
                "application/did+json, application/ld+json, application/json",
            )
            .send()
            .map_err(|_| could_not_fetch(url))?;
        if !response.status().is_success() {
            return Err(could_not_fetch(url));
        }
        let max_bytes = self.policy.max_bytes;
        let too_large = || format!("{url} is larger than {max_bytes} bytes");
        if response
            .content_length()
            .is_some_and(|length| length > max_bytes)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        let mut chunk = vec![0u8; 16 * 1024];
        loop {
            if Instant::now() >= end {
                return Err(could_not_fetch(url));
            }
            let read = response
                .read(&mut chunk)
                .map_err(|_| could_not_fetch(url))?;
            if read == 0 {
                break;
            }
            if (body.len() + read) as u64 > max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk[..read]);
        }
        serde_json::from_slice(&body).map_err(|_| format!("{url} is not a JSON document"))
    }
}
