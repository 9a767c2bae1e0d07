//! `--online` fetching: where it may go, how long it may take, how much it may read, and that
//! every network failure reads the same. Servers are tiny HTTP/1.1 responders on 127.0.0.1.
#![cfg(feature = "online")]

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use laurel_verify::Fetch;
use laurel_verify::fetch::{
    FetchPolicy, HttpFetcher, MAX_DOCUMENT_BYTES, MAX_REDIRECTS, is_public_address,
};
use serde_json::json;

type Handler = dyn Fn(&str, &mut TcpStream) + Send + Sync;

/// A local server answering each connection with `handler(path, stream)` on its own thread.
struct Server {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Server {
    fn start(handler: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        let handler: Arc<Handler> = Arc::new(handler);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                counted.fetch_add(1, Ordering::SeqCst);
                let handler = handler.clone();
                thread::spawn(move || {
                    if let Some(path) = read_request(&mut stream) {
                        handler(&path, &mut stream);
                    }
                });
            }
        });
        Server { port, connections }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// The request path, once the headers have arrived.
fn read_request(stream: &mut TcpStream) -> Option<String> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") && request.len() < 16 * 1024 {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        request.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&request);
    text.split(' ').nth(1).map(str::to_string)
}

fn respond(stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn json_server() -> Server {
    Server::start(|_, stream| {
        respond(
            stream,
            "200 OK",
            "Content-Type: application/json\r\n",
            br#"{"ok":true}"#,
        )
    })
}

fn local() -> FetchPolicy {
    FetchPolicy {
        allow_local: true,
        ..FetchPolicy::default()
    }
}

fn fetcher(policy: FetchPolicy) -> HttpFetcher {
    HttpFetcher::new(policy).expect("fetcher")
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

fn ip(address: &str) -> IpAddr {
    address.parse().expect(address)
}

/// The error with the URL taken out, to compare texts across URLs.
fn generic(url: &str, error: &str) -> String {
    error.replace(url, "URL")
}

#[test]
fn loopback_is_refused_without_allow_local_and_fetched_with_it() {
    let server = json_server();
    let fetcher_default = fetcher(FetchPolicy::default());
    for url in [
        format!("https://127.0.0.1:{}/doc.json", server.port),
        format!("https://[::ffff:127.0.0.1]:{}/doc.json", server.port),
        // A host name: refused by what it resolves to.
        format!("https://localhost:{}/doc.json", server.port),
    ] {
        let error = fetcher_default
            .fetch_json(&url, soon())
            .expect_err("refused");
        assert_eq!(error, format!("could not fetch {url}"));
    }
    assert_eq!(server.connections(), 0, "nothing was even connected to");

    let local = fetcher(local());
    let value = local
        .fetch_json(&server.url("/doc.json"), soon())
        .expect("fetched");
    assert_eq!(value, json!({"ok": true}));
    assert_eq!(server.connections(), 1);
    // A host name, through the filtering resolver.
    let by_name = format!("http://localhost:{}/doc.json", server.port);
    assert_eq!(local.fetch_json(&by_name, soon()), Ok(json!({"ok": true})));
    assert_eq!(server.connections(), 2);
}

#[test]
fn only_https_is_fetched_but_http_from_loopback_with_allow_local() {
    let policy = FetchPolicy::default();
    assert!(policy.allows_url("https://badges.example.org/keys"));
    assert!(!policy.allows_url("http://badges.example.org/keys"));
    assert!(!policy.allows_url("ftp://badges.example.org/keys"));
    assert!(!policy.allows_url("file:///etc/passwd"));
    assert!(!policy.allows_url("not a url"));
    let local = local();
    assert!(local.allows_url("http://127.0.0.1:8080/keys"));
    assert!(local.allows_url("http://127.8.9.10/keys"));
    assert!(local.allows_url("http://[::1]:8080/keys"));
    assert!(local.allows_url("http://localhost:8080/keys"));
    assert!(local.allows_url("https://10.1.2.3/keys"));
    assert!(
        !local.allows_url("http://10.1.2.3/keys"),
        "http only to loopback"
    );
    assert!(!local.allows_url("http://badges.example.org/keys"));
    for (policy, url) in [
        (FetchPolicy::default(), "ftp://badges.example.org/keys"),
        (FetchPolicy::default(), "http://badges.example.org/keys"),
        (FetchPolicy::default(), "http://127.0.0.1/keys"),
        (local, "http://10.1.2.3/keys"),
    ] {
        let error = fetcher(policy).fetch_json(url, soon()).expect_err(url);
        assert_eq!(
            error,
            format!("will not fetch {url}: only HTTPS URLs are fetched")
        );
    }
}

#[test]
fn ip_literals_in_urls_are_judged_by_their_address() {
    let policy = FetchPolicy::default();
    for url in [
        "https://127.0.0.1/",
        "https://2130706433/", // 127.0.0.1 as one number
        "https://0x7f.1/",
        "https://0.0.0.0/",
        "https://10.0.0.1/",
        "https://172.16.0.1/",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/",
        "https://224.0.0.1/",
        "https://255.255.255.255/",
        "https://[::1]/",
        "https://[::]/",
        "https://[fc00::1]/",
        "https://[fd00:ec2::254]/",
        "https://[fe80::1]/",
        "https://[ff02::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:a9fe:a9fe]/",
        "https://[::ffff:10.0.0.1]/",
    ] {
        assert!(!policy.allows_url(url), "{url} should be refused");
    }
    assert!(policy.allows_url("https://93.184.215.14/"));
    assert!(policy.allows_url("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/"));
    // Cloud metadata stays refused even for testing.
    let local = local();
    assert!(!local.allows_url("https://169.254.169.254/"));
    assert!(!local.allows_url("https://[fd00:ec2::254]/"));
    assert!(!local.allows_url("https://[::ffff:169.254.169.254]/"));
    assert!(local.allows_url("https://169.254.1.1/"));
}

#[test]
fn the_address_classifier_knows_every_range() {
    let refused = [
        "0.0.0.0",
        "0.1.2.3",
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.0",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.255",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fc00::1",
        "fd12:3456::1",
        "fd00:ec2::254",
        "fe80::1",
        "febf::1",
        "fec0::1",
        "ff02::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:192.168.0.1",
        "::ffff:169.254.169.254",
        "::ffff:100.64.0.1",
        "::ffff:0.0.0.0",
        "::127.0.0.1",
        "64:ff9b::10.0.0.1",
        "2002:a00:1::1",
        "192.0.0.8",
        "192.0.2.1",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.1",
        "203.0.113.1",
        "64:ff9b:1::a00:1",
        "2001::1",
        "2001:0:4136:e378::1",
        "2001:db8::1",
    ];
    for address in refused {
        let ip: IpAddr = address.parse().expect(address);
        assert!(!is_public_address(ip), "{address} should not be public");
        assert!(!FetchPolicy::default().allows_address(ip), "{address}");
    }
    let public = [
        "1.1.1.1",
        "8.8.8.8",
        "93.184.215.14",
        "172.15.255.255",
        "172.32.0.1",
        "100.63.255.255",
        "100.128.0.1",
        "169.253.0.1",
        "192.167.1.1",
        "223.255.255.255",
        "2606:4700:4700::1111",
        "2001:4860:4860::8888",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ];
    for address in public {
        let ip: IpAddr = address.parse().expect(address);
        assert!(is_public_address(ip), "{address} should be public");
        assert!(FetchPolicy::default().allows_address(ip), "{address}");
    }
    let local = local();
    assert!(local.allows_address(ip("127.0.0.1")));
    assert!(local.allows_address(ip("10.0.0.1")));
    assert!(local.allows_address(ip("fe80::1")));
    assert!(!local.allows_address(ip("169.254.169.254")));
    assert!(!local.allows_address(ip("fd00:ec2::254")));
    assert!(!local.allows_address(ip("::ffff:169.254.169.254")));
}

#[test]
fn a_redirect_to_a_refused_url_is_refused_and_never_reached() {
    let target = json_server();
    let target_url = target.url("/doc.json");
    let redirect_to = target_url.clone();
    let first = Server::start(move |path, stream| match path {
        "/elsewhere" => respond(
            stream,
            "302 Found",
            &format!("Location: {redirect_to}\r\n"),
            b"",
        ),
        "/here" => respond(stream, "302 Found", "Location: /doc.json\r\n", b""),
        _ => respond(
            stream,
            "200 OK",
            "Content-Type: application/json\r\n",
            br#"{"here":true}"#,
        ),
    });
    // Local fetching allowed, but only on the first server's port.
    let fetcher = fetcher(FetchPolicy {
        only_ports: Some(vec![first.port]),
        ..local()
    });
    assert!(fetcher.policy().allows_url(&first.url("/elsewhere")));
    assert!(!fetcher.policy().allows_url(&target_url));
    let url = first.url("/elsewhere");
    let error = fetcher.fetch_json(&url, soon()).expect_err("refused");
    assert_eq!(error, format!("could not fetch {url}"));
    assert_eq!(
        target.connections(),
        0,
        "the refused target was never reached"
    );
    // A redirect within what is allowed is followed.
    assert_eq!(
        fetcher.fetch_json(&first.url("/here"), soon()),
        Ok(json!({"here": true}))
    );
}

#[test]
fn a_redirect_to_another_origin_is_refused_even_when_allowed() {
    // A document is the issuer's only if it comes from the issuer's own origin: an open
    // redirect on that origin must not make another server's document count.
    let target = json_server();
    let target_url = target.url("/doc.json");
    let redirect_to = target_url.clone();
    let first = Server::start(move |_, stream| {
        respond(
            stream,
            "302 Found",
            &format!("Location: {redirect_to}\r\n"),
            b"",
        )
    });
    let fetcher = fetcher(local());
    assert!(fetcher.policy().allows_url(&target_url));
    let url = first.url("/issuers/1/keys/2");
    assert_eq!(
        fetcher.fetch_json(&url, soon()),
        Err(format!("could not fetch {url}"))
    );
    assert_eq!(
        target.connections(),
        0,
        "the other origin was never reached"
    );
}

#[test]
fn a_failure_is_not_kept_for_the_next_input() {
    // Answers 500 once, then the document.
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let server = Server::start(move |_, stream| {
        if counted.fetch_add(1, Ordering::SeqCst) == 0 {
            respond(stream, "500 Internal Server Error", "", b"");
        } else {
            respond(stream, "200 OK", "", br#"{"ok":true}"#);
        }
    });
    let fetcher = fetcher(local());
    let url = server.url("/doc.json");
    assert!(fetcher.fetch_json(&url, soon()).is_err());
    assert_eq!(fetcher.fetch_json(&url, soon()), Ok(json!({"ok": true})));
}

#[test]
fn at_most_five_redirects_are_followed() {
    // /n redirects to /n-1; /0 answers.
    let server = Server::start(|path, stream| {
        let n: usize = path.trim_start_matches('/').parse().unwrap_or(0);
        if n == 0 {
            respond(stream, "200 OK", "", br#"{"end":true}"#);
        } else {
            let location = format!("Location: /{}\r\n", n - 1);
            respond(stream, "301 Moved Permanently", &location, b"");
        }
    });
    let fetcher = fetcher(local());
    assert_eq!(
        fetcher.fetch_json(&server.url(&format!("/{MAX_REDIRECTS}")), soon()),
        Ok(json!({"end": true}))
    );
    let url = server.url(&format!("/{}", MAX_REDIRECTS + 1));
    assert_eq!(
        fetcher.fetch_json(&url, soon()),
        Err(format!("could not fetch {url}"))
    );
}

/// Headers, then a promised 1000-byte body one byte every 200 ms.
fn dribbling_server() -> Server {
    Server::start(|_, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        for _ in 0..1000 {
            if stream.write_all(b" ").is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(200));
        }
    })
}

#[test]
fn a_dribbling_server_is_cut_off_at_the_deadline() {
    let server = dribbling_server();
    let url = server.url("/slow");
    let started = Instant::now();
    let answer = fetcher(local()).fetch_json(&url, started + Duration::from_secs(1));
    let took = started.elapsed();
    assert_eq!(answer, Err(format!("could not fetch {url}")));
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn a_document_gets_the_policy_timeout_even_with_a_later_deadline() {
    // Headers dribbled one byte every 200 ms this time.
    let server = Server::start(|_, stream| {
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}" {
            if stream.write_all(&[*byte]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(200));
        }
    });
    let url = server.url("/slow");
    let started = Instant::now();
    let fetcher = fetcher(FetchPolicy {
        timeout: Duration::from_secs(1),
        ..local()
    });
    let answer = fetcher.fetch_json(&url, started + Duration::from_secs(60));
    let took = started.elapsed();
    assert_eq!(answer, Err(format!("could not fetch {url}")));
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn a_deadline_already_past_fetches_nothing() {
    let server = json_server();
    let url = server.url("/doc.json");
    let answer = fetcher(local()).fetch_json(&url, Instant::now());
    assert_eq!(answer, Err(format!("could not fetch {url}")));
    assert_eq!(server.connections(), 0);
}

#[test]
fn every_network_failure_reads_the_same() {
    let closed_port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let server = Server::start(|path, stream| match path {
        "/missing" => respond(stream, "404 Not Found", "", b"not here"),
        "/broken" => respond(stream, "500 Internal Server Error", "", b"{}"),
        "/forbidden" => respond(stream, "403 Forbidden", "", b"{}"),
        "/garbage" => {
            let _ = stream.write_all(b"this is not HTTP\r\n\r\n");
        }
        _ => {} // closes without a word
    });
    let fetcher = fetcher(local());
    let refused = format!("http://127.0.0.1:{closed_port}/doc.json");
    let expected = generic(
        &refused,
        &fetcher.fetch_json(&refused, soon()).expect_err("refused"),
    );
    assert_eq!(expected, "could not fetch URL");
    for path in ["/missing", "/broken", "/forbidden", "/garbage", "/hangup"] {
        let url = server.url(path);
        let error = fetcher.fetch_json(&url, soon()).expect_err(path);
        assert_eq!(generic(&url, &error), expected, "{path}");
    }
    // A refused address, and a name that does not resolve, read the same too.
    let default = self::fetcher(FetchPolicy::default());
    for url in [
        "https://10.0.0.1/doc.json",
        "https://no-such-host.invalid/doc.json",
    ] {
        let error = default.fetch_json(url, soon()).expect_err(url);
        assert_eq!(generic(url, &error), expected, "{url}");
    }
}

#[test]
fn a_document_that_is_not_json_says_so() {
    let server = Server::start(|_, stream| respond(stream, "200 OK", "", b"<html></html>"));
    let url = server.url("/page");
    assert_eq!(
        fetcher(local()).fetch_json(&url, soon()),
        Err(format!("{url} is not a JSON document"))
    );
}

#[test]
fn bodies_over_one_mebibyte_are_refused() {
    let limit = MAX_DOCUMENT_BYTES as usize;
    let server = Server::start(move |path, stream| {
        // A JSON string exactly at the limit, or one byte over it.
        let size = if path == "/over" { limit + 1 } else { limit };
        let mut body = vec![b'a'; size];
        body[0] = b'"';
        body[size - 1] = b'"';
        if path == "/unsized" {
            // No Content-Length: the body ends when the connection closes.
            body.push(b' ');
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(&body);
        } else {
            respond(stream, "200 OK", "", &body);
        }
    });
    let fetcher = fetcher(local());
    let at_limit = fetcher
        .fetch_json(&server.url("/at"), soon())
        .expect("at the limit");
    assert_eq!(at_limit.as_str().map(str::len), Some(limit - 2));
    for path in ["/over", "/unsized"] {
        let url = server.url(path);
        assert_eq!(
            fetcher.fetch_json(&url, soon()),
            Err(format!("{url} is larger than {MAX_DOCUMENT_BYTES} bytes")),
            "{path}"
        );
    }
}

#[test]
fn each_url_is_fetched_once_per_run() {
    let server = json_server();
    let fetcher = fetcher(local());
    let url = server.url("/doc.json");
    let first = fetcher.fetch_json(&url, soon());
    let second = fetcher.fetch_json(&url, soon());
    assert_eq!(first, second);
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_tighter_policy_reads_less_follows_no_redirect_and_keeps_nothing() {
    // The issuer service's limits for a wallet holder's DID document.
    let server = Server::start(|path, stream| match path {
        "/moved" => respond(stream, "302 Found", "Location: /doc.json\r\n", b""),
        "/big" => {
            let mut body = vec![b'a'; 64 * 1024 + 1];
            body[0] = b'"';
            let last = body.len() - 1;
            body[last] = b'"';
            // No Content-Length: the limit is counted as the body arrives.
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(&body);
        }
        _ => respond(stream, "200 OK", "", br#"{"ok":true}"#),
    });
    let fetcher = fetcher(FetchPolicy {
        allow_local: true,
        max_bytes: 64 * 1024,
        max_redirects: 0,
        cache: false,
        timeout: Duration::from_secs(5),
        ..FetchPolicy::default()
    });
    let big = server.url("/big");
    assert_eq!(
        fetcher.fetch_json(&big, soon()),
        Err(format!("{big} is larger than 65536 bytes"))
    );
    let moved = server.url("/moved");
    assert_eq!(
        fetcher.fetch_json(&moved, soon()),
        Err(format!("could not fetch {moved}"))
    );
    let connections = server.connections();
    let url = server.url("/doc.json");
    assert_eq!(fetcher.fetch_json(&url, soon()), Ok(json!({"ok": true})));
    assert_eq!(fetcher.fetch_json(&url, soon()), Ok(json!({"ok": true})));
    assert_eq!(server.connections(), connections + 2, "fetched each time");
}
