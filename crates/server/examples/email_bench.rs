//! Email throughput: how long the outbox takes to drain 10,000 notifications to an SMTP
//! server on loopback, against sending the same emails straight from lettre (no database,
//! no outbox) in the same run.
//!
//! ```text
//! cargo run --release -p laurel-server --example email_bench -- [--emails 10000] [--postgres URL]
//! ```
//!
//! 1. **baseline**: the same number of messages built with lettre and sent over as many
//!    connections as the worker uses (`TCP_NODELAY`, as the worker's), each sending its share
//!    in turn: SMTP itself, with no database, template or outbox;
//! 2. **SQLite**: the service on a temporary database awards 10,000 recipients over loopback
//!    HTTP (not timed), which queues 10,000 notifications; then the worker's batches are
//!    timed from the first claim until the outbox is empty: claim, read each credential,
//!    render the template, send, record;
//! 3. **PostgreSQL**, when `--postgres URL` or `LAUREL_TEST_POSTGRES_URL` names a server.
//!
//! The sink is the test suite's (`tests/server/util/smtp.rs`): it parses every command and keeps
//! every message, as a real server on the same host would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/server/util/smtp.rs"]
mod smtp;

use std::time::{Duration, Instant};

use chrono::Utc;
use laurel_server::{auth, serve};
use laurel_service::email::EmailOptions;
use laurel_service::email::worker::drain;
use laurel_service::open::Setup;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use serde_json::{Value, json};
use smtp::SmtpSink;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use uuid::Uuid;

fn main() {
    let mut emails = 10_000;
    let mut postgres = std::env::var("LAUREL_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--emails" => {
                emails = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--emails N")
            }
            "--postgres" => postgres = args.next(),
            "--no-postgres" => postgres = None,
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let concurrency = EmailOptions::default().concurrency;
    println!(
        "{emails} emails, {concurrency} at once, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let baseline = runtime.block_on(baseline(emails, concurrency));
    report(
        "baseline: SMTP alone (lettre, same connections, no outbox)",
        emails,
        baseline,
        None,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    let elapsed = runtime.block_on(outbox(&sqlite, dir.path(), emails));
    report("SQLite: outbox drained", emails, elapsed, Some(baseline));
    if let Some(server) = postgres {
        let database = runtime
            .block_on(laurel_store::ScratchDatabase::create(
                &server,
                "laurel_bench",
            ))
            .unwrap_or_else(|e| panic!("cannot make a scratch database on {server}: {e}"));
        let elapsed = runtime.block_on(outbox(database.url(), dir.path(), emails));
        report(
            "PostgreSQL: outbox drained",
            emails,
            elapsed,
            Some(baseline),
        );
    } else {
        println!("PostgreSQL: skipped (pass --postgres URL or set LAUREL_TEST_POSTGRES_URL)");
    }
}

fn report(what: &str, count: usize, elapsed: Duration, baseline: Option<Duration>) {
    let rate = count as f64 / elapsed.as_secs_f64();
    let relative = baseline.map_or(String::new(), |b| {
        format!(
            " ({:.0}% of baseline speed)",
            100.0 * b.as_secs_f64() / elapsed.as_secs_f64()
        )
    });
    println!(
        "{what}: {count} in {:.2} s, {rate:.0}/s{relative}",
        elapsed.as_secs_f64()
    );
}

async fn baseline(count: usize, concurrency: usize) -> Duration {
    let sink = SmtpSink::start().await;
    let hello = ClientId::Domain("bench.example.org".into());
    let started = Instant::now();
    let mut connections = JoinSet::new();
    for worker in 0..concurrency {
        let hello = hello.clone();
        let port = sink.port;
        connections.spawn(async move {
            let stream = TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("connect");
            stream.set_nodelay(true).expect("nodelay");
            let mut connection =
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &hello)
                    .await
                    .expect("EHLO");
            for i in (worker..count).step_by(concurrency) {
                let message = Message::builder()
                    .from(
                        "Benchmark Association <badges@example.org>"
                            .parse()
                            .unwrap(),
                    )
                    .to(format!("Recipient {i} <r{i}@example.org>").parse().unwrap())
                    .subject("You have earned the badge \"Benchmark Workshop\"")
                    .header(ContentType::TEXT_PLAIN)
                    .body(format!(
                        "Hello,\n\nhttps://badges.example.org/credentials/{i}\n"
                    ))
                    .unwrap();
                connection
                    .send(message.envelope(), &message.formatted())
                    .await
                    .expect("sent");
            }
        });
    }
    while connections.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    assert_eq!(sink.count(), count);
    elapsed
}

async fn outbox(database_url: &str, dir: &std::path::Path, count: usize) -> Duration {
    let sink = SmtpSink::start().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let mut settings = Setup::for_data_dir(dir);
    settings.database_url = database_url.to_string();
    settings.public_url = format!("http://{address}");
    let service = laurel_service::open::open(&settings).await.expect("start");
    let state = laurel_server::AppState::new(laurel_server::App::new(service));
    let (secret, hash) = auth::new_token();
    let token = laurel_store::ApiToken::new(
        Uuid::now_v7(),
        &format!("bench-{}", Uuid::new_v4()),
        vec!["admin".into()],
        Utc::now(),
    );
    state
        .store
        .create_token(&token, &hash)
        .await
        .expect("token");
    let app =
        laurel_server::router_with(state.clone(), &laurel_server::middleware::Limits::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let base = format!("http://{address}/api/v1");
    let send = |method: reqwest::Method, path: String, body: Value| {
        let request = client
            .request(method, format!("{base}{path}"))
            .bearer_auth(&secret)
            .json(&body);
        async move {
            let response = request.send().await.expect("request");
            let status = response.status();
            let body: Value = response.json().await.expect("JSON answer");
            assert!(status.is_success(), "{status}: {body}");
            body
        }
    };
    let issuer = send(
        reqwest::Method::POST,
        "/issuers".into(),
        json!({ "name": "Benchmark Association" }),
    )
    .await;
    send(
        reqwest::Method::PUT,
        format!("/issuers/{}/email", issuer["id"].as_str().unwrap()),
        json!({ "host": "127.0.0.1", "port": sink.port, "security": "none",
                "from_address": "badges@example.org" }),
    )
    .await;
    let achievement = send(
        reqwest::Method::POST,
        "/achievements".into(),
        json!({ "issuer_id": issuer["id"], "name": "Benchmark Workshop",
                "description": "A three-hour workshop.",
                "criteria_narrative": "Attend the whole workshop." }),
    )
    .await;
    let path = format!(
        "/achievements/{}/awards",
        achievement["id"].as_str().unwrap()
    );
    for chunk in (0..count).collect::<Vec<_>>().chunks(1_000) {
        let rows: Vec<Value> = chunk
            .iter()
            .map(|i| json!({ "email": format!("r{i}@example.org"), "name": format!("Recipient {i}") }))
            .collect();
        send(
            reqwest::Method::POST,
            path.clone(),
            json!({ "awards": rows }),
        )
        .await;
    }

    let started = Instant::now();
    let tally = drain(&state.service).await.expect("drained");
    let elapsed = started.elapsed();
    assert_eq!(tally.sent, count, "{tally:?}");
    assert_eq!(sink.count(), count);
    let _ = stop.send(());
    server.await.expect("server task").expect("server");
    elapsed
}
