//! A `did:web` holder in the VC-API exchange: its DID Authentication is checked against the
//! DID document its host serves, fetched within the domain's limits.
//!
//! The test's own "internet" ([`TestInternet`]) serves `wallet.example`'s documents itself,
//! stands a local HTTP server in for `local.example` (read through the real fetcher, with
//! local addresses allowed for the test only), and hands every other URL to the production
//! fetcher, which must refuse private and loopback addresses without connecting.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use laurel_server::remote::{RemoteDocuments, remote_document_policy};
use laurel_verify::Fetch;
use laurel_verify::fetch::FetchPolicy;
use serde_json::{Value, json};

use crate::util::{self, TestApp, assert_valid};
use crate::wallet_vcapi::{EMAIL, new_link, open_claim_page, post, request, setup_with, wallet};

const ADA: &str = "did:web:wallet.example:users:ada";
const ADA_URL: &str = "https://wallet.example/users/ada/did.json";

/// A local HTTP/1.1 server: `/big/did.json` is larger than 64 KiB, `/moved/did.json`
/// redirects (same origin) to `/ok/did.json`, which is a fine document. Counts connections.
struct LocalHost {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl LocalHost {
    fn start(ok_document: Value) -> LocalHost {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                counted.fetch_add(1, Ordering::SeqCst);
                let ok = ok_document.clone();
                std::thread::spawn(move || answer(&mut stream, &ok));
            }
        });
        LocalHost { port, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn answer(stream: &mut TcpStream, ok: &Value) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => request.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&request).into_owned();
    let path = text.split(' ').nth(1).unwrap_or_default();
    let (status, extra, body) = match path {
        "/big/did.json" => {
            let pad = "x".repeat(70 * 1024);
            let body = json!({"id": "did:web:local.example:big", "pad": pad});
            ("200 OK", String::new(), body.to_string())
        }
        "/moved/did.json" => (
            "302 Found",
            "Location: /ok/did.json\r\n".to_string(),
            String::new(),
        ),
        "/ok/did.json" => ("200 OK", String::new(), ok.to_string()),
        _ => ("404 Not Found", String::new(), String::new()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n{extra}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

/// Where the test's wallet hosts live.
struct TestInternet {
    /// Documents served by URL (`wallet.example`).
    served: HashMap<String, Value>,
    /// `https://local.example` is the local server, `https://gone.example` a closed port:
    /// both read through the real fetcher with the holder limits, local addresses allowed.
    local: Vec<(&'static str, String)>,
    local_fetcher: RemoteDocuments,
    /// Every other URL: the production fetcher.
    production: RemoteDocuments,
}

impl Fetch for TestInternet {
    fn fetch_json(&self, url: &str, deadline: Instant) -> Result<Value, String> {
        if let Some(document) = self.served.get(url) {
            return Ok(document.clone());
        }
        for (origin, target) in &self.local {
            if let Some(rest) = url.strip_prefix(origin) {
                let local = format!("{target}{rest}");
                // Errors name the URL asked for, not the stand-in.
                return self
                    .local_fetcher
                    .fetch_json(&local, deadline)
                    .map_err(|error| error.replace(&local, url));
            }
        }
        self.production.fetch_json(url, deadline)
    }
}

/// Ada's DID document: `key-1` for authentication, `key-2` for assertions only.
fn ada_document(auth_key: &str, other_key: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": ADA,
        "verificationMethod": [
            {"id": format!("{ADA}#key-1"), "type": "Multikey", "controller": ADA,
             "publicKeyMultibase": auth_key},
            {"id": "#key-2", "type": "Multikey", "controller": ADA,
             "publicKeyMultibase": other_key}
        ],
        "authentication": ["#key-1"],
        "assertionMethod": ["#key-2"]
    })
}

fn multibase(did_key: &str) -> String {
    did_key.trim_start_matches("did:key:").to_string()
}

#[tokio::test]
async fn a_did_web_holder_is_checked_against_its_did_document() {
    let ada_key = wallet(11);
    let ada_other = wallet(12);
    let ada_doc = ada_document(&multibase(&ada_key.did), &multibase(&ada_other.did));
    let local = LocalHost::start(json!({"id": "did:web:local.example:moved"}));
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let internet = TestInternet {
        served: HashMap::from([(ADA_URL.to_string(), ada_doc)]),
        local: vec![
            (
                "https://local.example",
                format!("http://127.0.0.1:{}", local.port),
            ),
            (
                "https://gone.example",
                format!("http://127.0.0.1:{closed_port}"),
            ),
        ],
        local_fetcher: RemoteDocuments::new(FetchPolicy {
            allow_local: true,
            ..remote_document_policy()
        }),
        production: RemoteDocuments::default(),
    };
    let setup = setup_with(TestApp::builder().remote_documents(Arc::new(internet))).await;
    let app = &setup.app;
    let token = new_link(&setup).await;
    let exchange = open_claim_page(app, &token).await;
    let (challenge, domain) = request(app, &exchange).await;
    let refused = |answer: util::TestResponse| answer.problem(StatusCode::BAD_REQUEST);

    // Signed with the key Ada keeps for assertions: not an authentication key.
    let vp = ada_other.did_auth_by(ADA, &format!("{ADA}#key-2"), &challenge, &domain);
    let detail = refused(post(app, &exchange, json!({"verifiablePresentation": vp})).await);
    assert!(
        detail.contains("does not list under \"authentication\""),
        "{detail}"
    );
    // Named as key-1 but signed with another key.
    let vp = ada_other.did_auth_by(ADA, &format!("{ADA}#key-1"), &challenge, &domain);
    let detail = refused(post(app, &exchange, json!({"verifiablePresentation": vp})).await);
    assert!(detail.contains("signature"), "{detail}");

    // A document over 64 KiB, a redirect, a host that does not answer: each said plainly.
    let too_big = "did:web:local.example:big";
    let vp = ada_key.did_auth_by(too_big, &format!("{too_big}#key-1"), &challenge, &domain);
    let detail = refused(post(app, &exchange, json!({"verifiablePresentation": vp})).await);
    assert!(
        detail.contains("https://local.example/big/did.json is larger than 65536 bytes"),
        "{detail}"
    );
    let moved = "did:web:local.example:moved";
    let vp = ada_key.did_auth_by(moved, &format!("{moved}#key-1"), &challenge, &domain);
    let detail = refused(post(app, &exchange, json!({"verifiablePresentation": vp})).await);
    assert!(
        detail.contains("could not fetch https://local.example/moved/did.json"),
        "{detail}"
    );
    assert!(detail.contains("without redirects"), "{detail}");
    let gone = "did:web:gone.example";
    let vp = ada_key.did_auth_by(gone, &format!("{gone}#key-1"), &challenge, &domain);
    let detail = refused(post(app, &exchange, json!({"verifiablePresentation": vp})).await);
    assert!(
        detail.contains("whose DID document could not be read: could not fetch https://gone.example/.well-known/did.json"),
        "{detail}"
    );
    let fetched = local.connections();
    assert_eq!(fetched, 2, "the big and the moved documents");

    // Private and loopback addresses: refused by the production fetcher, nothing connected
    // (the local server is on 127.0.0.1).
    for private in [
        format!("did:web:127.0.0.1%3A{}:ok", local.port),
        "did:web:10.0.0.7".to_string(),
        "did:web:169.254.169.254".to_string(),
        "did:web:192.168.1.20%3A8443".to_string(),
    ] {
        let vp = ada_key.did_auth_by(&private, &format!("{private}#key-1"), &challenge, &domain);
        let detail = refused(post(app, &exchange, json!({"verifiablePresentation": vp})).await);
        assert!(
            detail.contains("could not fetch https://"),
            "{private}: {detail}"
        );
        assert!(detail.contains("at a public address"), "{detail}");
    }
    assert_eq!(
        local.connections(),
        fetched,
        "no connection to a private address"
    );
    assert!(
        app.state
            .store
            .wallet_copies(setup.award_id)
            .await
            .unwrap()
            .is_empty()
    );

    // Ada's authentication key: the copy is hers.
    let vp = ada_key.did_auth_by(ADA, &format!("{ADA}#key-1"), &challenge, &domain);
    let answer = post(app, &exchange, json!({"verifiablePresentation": vp})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let vc = answer.json()["verifiablePresentation"]["verifiableCredential"][0].clone();
    assert_eq!(vc["credentialSubject"]["id"], ADA);
    let pinned = app.pinned(&setup.issuer).await;
    assert_valid(&util::verify(&pinned, vc.to_string().as_bytes(), EMAIL));
    let copies = app.state.store.wallet_copies(setup.award_id).await.unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].holder, ADA);
}

#[tokio::test]
async fn without_a_document_reader_did_web_is_refused_in_words() {
    let setup = setup_with(TestApp::builder()).await;
    let app = &setup.app;
    let token = new_link(&setup).await;
    let exchange = open_claim_page(app, &token).await;
    let (challenge, domain) = request(app, &exchange).await;
    let ada = wallet(13);
    let vp = ada.did_auth_by(ADA, &format!("{ADA}#key-1"), &challenge, &domain);
    let answer = post(app, &exchange, json!({"verifiablePresentation": vp})).await;
    let detail = answer.problem(StatusCode::BAD_REQUEST);
    assert!(
        detail.contains("does not fetch documents from elsewhere"),
        "{detail}"
    );
}
