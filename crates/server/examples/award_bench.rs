//! Award throughput, end to end: how many credentials per second the service mints, signs
//! (Data Integrity `eddsa-rdfc-2022` and an ES256 VC-JWT), stores and commits when awards
//! arrive in batches over real HTTP, and how that compares with signing alone; then how long
//! importing a webinar attendance report of as many rows takes, every attendee recorded and
//! awarded by rule.
//!
//! ```text
//! cargo run --release -p laurel-server --example award_bench -- \
//!     [--recipients 10000] [--batch 1000] [--concurrency 2] [--postgres URL]
//! ```
//!
//! Runs, in one process and one go:
//! 1. **baseline**: the same credentials built and signed the same way (rayon over all cores),
//!    with no HTTP and no database, so the service's own cost is the difference;
//! 2. **SQLite**: the service on a temporary database, awarding over loopback HTTP;
//! 3. **SQLite import**: a Zoom-shaped attendee report of `--recipients` rows (a tenth of the
//!    people rejoined once, so two rows) posted to `/events/{id}/attendance/import` for a
//!    session whose achievement has a participation rule, polled until the job is done:
//!    parsed, recorded, evaluated, and every credential minted;
//! 4. **revocation**: the 10,000 credentials awarded in step 2 revoked in one batch request
//!    (`POST /credentials/revoke`): bits set in one transaction, the list signed again;
//! 5. **PostgreSQL**, when `--postgres URL` or `LAUREL_TEST_POSTGRES_URL` names a server: a
//!    scratch database is created on it and dropped afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use laurel_core::jwt;
use laurel_core::keys::{KeyType, SigningKey};
use laurel_core::model::{
    AchievementSubject, BitstringStatusListEntry, CredentialSchema, IdentityObject,
    OpenBadgeCredential,
};
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_server::{auth, serve};
use laurel_service::open::Setup;
use laurel_service::{Urls, documents};
use rayon::prelude::*;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use uuid::Uuid;

struct Options {
    recipients: usize,
    batch: usize,
    concurrency: usize,
    postgres: Option<String>,
}

fn options() -> Options {
    let mut options = Options {
        recipients: 10_000,
        batch: 1_000,
        concurrency: 2,
        postgres: std::env::var("LAUREL_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.is_empty()),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--recipients" => options.recipients = value().parse().expect("--recipients N"),
            "--batch" => options.batch = value().parse().expect("--batch N"),
            "--concurrency" => options.concurrency = value().parse().expect("--concurrency N"),
            "--postgres" => options.postgres = Some(value()),
            "--no-postgres" => options.postgres = None,
            "--bench" => {} // passed by `cargo bench`
            other => panic!("unknown argument {other}"),
        }
    }
    options
}

fn main() {
    let options = options();
    println!(
        "awarding {} recipients in batches of {} ({} requests in flight), {} cores",
        options.recipients,
        options.batch,
        options.concurrency,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let baseline = baseline(options.recipients);
    report(
        "baseline: sign only (no HTTP, no database)",
        options.recipients,
        baseline,
        None,
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    let (elapsed, import, revoke) = runtime.block_on(run_service(&sqlite, dir.path(), &options));
    report(
        "SQLite: HTTP + sign + store + commit",
        options.recipients,
        elapsed,
        Some(baseline),
    );
    report_import("SQLite", &options, import);
    report_revoke("SQLite", &options, revoke);

    if let Some(server) = &options.postgres {
        let database = runtime
            .block_on(laurel_store::ScratchDatabase::create(
                server,
                "laurel_bench",
            ))
            .unwrap_or_else(|e| panic!("cannot make a scratch database on {server}: {e}"));
        let (elapsed, import, revoke) =
            runtime.block_on(run_service(database.url(), dir.path(), &options));
        report(
            "PostgreSQL: HTTP + sign + store + commit",
            options.recipients,
            elapsed,
            Some(baseline),
        );
        report_import("PostgreSQL", &options, import);
        report_revoke("PostgreSQL", &options, revoke);
    } else {
        println!("PostgreSQL: skipped (pass --postgres URL or set LAUREL_TEST_POSTGRES_URL)");
    }
}

fn report(what: &str, count: usize, elapsed: Duration, baseline: Option<Duration>) {
    let rate = count as f64 / elapsed.as_secs_f64();
    let relative = baseline.map_or(String::new(), |baseline| {
        format!(
            "  ({:.0}% of the signing-only rate)",
            100.0 * baseline.as_secs_f64() / elapsed.as_secs_f64()
        )
    });
    println!(
        "{what:<46} {count} in {:>6.2} s = {rate:>7.0} credentials/s{relative}",
        elapsed.as_secs_f64()
    );
}

fn report_import(database: &str, options: &Options, elapsed: Duration) {
    println!(
        "{:<46} {} rows in {:>6.2} s = {:>7.0} credentials/s (target: under 10 s)",
        format!("{database}: import report, record, award by rule"),
        options.recipients + options.recipients / 10,
        elapsed.as_secs_f64(),
        options.recipients as f64 / elapsed.as_secs_f64()
    );
}

fn report_revoke(database: &str, options: &Options, elapsed: Duration) {
    println!(
        "{:<46} {} in {:>6.2} s (target: under 5 s)",
        format!("{database}: revoke in one batch, list re-signed"),
        options.recipients,
        elapsed.as_secs_f64(),
    );
}

/// A Zoom webinar attendee report: `people` attendees, every tenth of them on two rows (left
/// and rejoined), after the preamble and host section Zoom writes.
fn zoom_report(people: usize) -> String {
    let mut text = String::from(
        "Attendee Report\nReport Generated:,\"Mar 14, 2026 11:48 AM\"\n\
         Topic,Webinar ID,Actual Start Time,Actual Duration (minutes)\n\
         Benchmark webinar,842 1190 3375,\"Mar 14, 2026 10:00:00\",60\n\
         Host Details\nAttended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n\
         Yes,Host,host@association.example.org,\"Mar 14, 2026 09:55:00\",\"Mar 14, 2026 11:00:00\",65\n\
         Attendee Details\n\
         Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,Approval Status,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name\n",
    );
    for i in 0..people {
        let row = |join: &str, leave: &str, minutes: u32| {
            format!(
                "Yes,Attendee {i},Attendee,{i},attendee{i}@example.org,\"Mar 01, 2026 14:22:05\",approved,\"Mar 14, 2026 {join}\",\"Mar 14, 2026 {leave}\",{minutes},Yes,Canada\n"
            )
        };
        if i % 10 == 0 {
            text.push_str(&row("10:00:00", "10:30:00", 30));
            text.push_str(&row("10:35:00", "11:00:00", 25));
        } else {
            text.push_str(&row("10:01:00", "10:59:00", 58));
        }
    }
    text
}

/// Builds and signs `count` credentials as the service does, without HTTP or storage.
fn baseline(count: usize) -> Duration {
    let urls = Urls::new("http://127.0.0.1:1");
    let now = Utc::now();
    let issuer = laurel_store::Issuer {
        id: Uuid::now_v7(),
        name: "Benchmark Association".into(),
        url: Some("https://association.example.org".into()),
        email: None,
        description: None,
        image: None,
        jwt_algorithm: "ES256".into(),
        brand_color: None,
        show_award_count: true,
        linkedin_organization_id: None,
        include_recipient_name: true,
        paper_size: laurel_store::PaperSize::Letter,
        signatory_name: None,
        signatory_title: None,
        created_at: now,
        updated_at: now,
    };
    let achievement = laurel_store::Achievement {
        id: Uuid::now_v7(),
        issuer_id: issuer.id,
        name: "Benchmark Workshop".into(),
        description: "A three-hour workshop.".into(),
        criteria_narrative: Some("Attend the whole workshop.".into()),
        criteria_url: None,
        image: None,
        achievement_type: Some("Course".into()),
        tags: vec!["bench".into()],
        alignment: "[]".into(),
        credits_available: Some(3.0),
        valid_for_days: None,
        award_rules: "[]".into(),
        created_at: now,
        updated_at: now,
    };
    let profile = documents::issuer_profile(&urls, &issuer);
    let document = documents::achievement(&urls, &achievement).expect("achievement");
    let di_key = SigningKey::generate(KeyType::Ed25519).expect("key");
    let jwt_key = SigningKey::generate(KeyType::P256).expect("key");
    let di_method = urls.key(issuer.id, Uuid::now_v7());
    let kid = urls.key(issuer.id, Uuid::now_v7());
    let emails: Vec<String> = (0..count)
        .map(|i| format!("recipient{i}@example.org"))
        .collect();
    let list = urls.status_list(Uuid::now_v7());
    let start = Instant::now();
    let signed: Vec<(String, String)> = emails
        .par_iter()
        .enumerate()
        .map(|(index, email)| {
            let id = Uuid::new_v4();
            let salt = IdentityObject::new_salt().expect("salt");
            let subject = AchievementSubject::with_identifier(
                IdentityObject::hashed_email(email, &salt),
                document.clone(),
            );
            let credential =
                OpenBadgeCredential::builder(urls.credential(id), profile.clone(), now, subject)
                    .name(achievement.name.clone())
                    .awarded_date(now)
                    .credential_schema(CredentialSchema::achievement_credential())
                    .credential_status(BitstringStatusListEntry::new(
                        "revocation",
                        list.clone(),
                        index as u64,
                    ))
                    .build()
                    .expect("credential");
            let unsigned = serde_json::to_value(&credential).expect("json");
            let options = ProofOptions {
                cryptosuite: Cryptosuite::EddsaRdfc2022,
                verification_method: di_method.clone(),
                created: now,
            };
            let signed = proof::sign(&unsigned, &di_key, &options).expect("proof");
            let compact = jwt::sign(&signed, &jwt_key, Some(&kid)).expect("jwt");
            (signed.to_string(), compact)
        })
        .collect();
    let elapsed = start.elapsed();
    assert_eq!(signed.len(), count);
    elapsed
}

/// Starts the service on `database_url`, awards `options.recipients` over HTTP, imports a
/// report of as many attendees, and revokes the first awards in one batch; returns how long
/// the awarding, the import and the revocation took (setup excluded).
async fn run_service(
    database_url: &str,
    dir: &std::path::Path,
    options: &Options,
) -> (Duration, Duration, Duration) {
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
    let app = laurel_server::router_with(state, &laurel_server::middleware::Limits::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve::serve(listener, app, async move {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    let base = format!("http://{address}/api/v1");
    let post = |path: String, body: Value| {
        let request = client
            .post(format!("{base}{path}"))
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
    let issuer = post(
        "/issuers".into(),
        json!({ "name": "Benchmark Association", "url": "https://association.example.org" }),
    )
    .await;
    let achievement = post(
        "/achievements".into(),
        json!({
            "issuer_id": issuer["id"],
            "name": "Benchmark Workshop",
            "description": "A three-hour workshop.",
            "criteria_narrative": "Attend the whole workshop.",
            "achievement_type": "Course",
            "tags": ["bench"],
            "credits_available": 3,
        }),
    )
    .await;
    let path = format!(
        "/achievements/{}/awards",
        achievement["id"].as_str().expect("id")
    );
    let batches: Vec<Value> = (0..options.recipients)
        .collect::<Vec<_>>()
        .chunks(options.batch)
        .map(|chunk| {
            let awards: Vec<Value> = chunk
                .iter()
                .map(|i| json!({ "email": format!("recipient{i}@example.org"), "name": format!("Recipient {i}") }))
                .collect();
            json!({ "awards": awards })
        })
        .collect();

    let start = Instant::now();
    let limit = Arc::new(tokio::sync::Semaphore::new(options.concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for batch in batches {
        let permit = limit.clone().acquire_owned().await.expect("semaphore");
        let request = post(path.clone(), batch);
        tasks.spawn(async move {
            let answer = request.await;
            drop(permit);
            answer
        });
    }
    let mut created = 0;
    let mut ids: Vec<Value> = Vec::with_capacity(options.recipients);
    while let Some(answer) = tasks.join_next().await {
        let answer = answer.expect("task");
        assert_eq!(answer["failed"], 0, "{answer}");
        created += answer["created"].as_u64().expect("created");
        for result in answer["results"].as_array().expect("results") {
            ids.push(result["award"]["id"].clone());
        }
    }
    let elapsed = start.elapsed();
    assert_eq!(
        created as usize, options.recipients,
        "every award minted once"
    );

    let event = post(
        "/events".into(),
        json!({
            "issuer_id": issuer["id"], "title": "Benchmark webinar",
            "starts_at": "2026-03-14T10:00:00Z", "duration_minutes": 60,
        }),
    )
    .await;
    post(
        "/achievements".into(),
        json!({
            "issuer_id": issuer["id"],
            "name": "Benchmark webinar",
            "description": "Attended the webinar.",
            "criteria_narrative": "Attend at least 45 minutes.",
            "award_rules": [{"kind": "participation", "session": event["id"], "min_minutes": 45}],
        }),
    )
    .await;
    let report = zoom_report(options.recipients);
    let start = Instant::now();
    let job: Value = client
        .post(format!(
            "{base}/events/{}/attendance/import",
            event["id"].as_str().expect("id")
        ))
        .bearer_auth(&secret)
        .header("content-type", "text/csv")
        .body(report)
        .send()
        .await
        .expect("import request")
        .json()
        .await
        .expect("job");
    let url = format!("http://{address}{}", job["url"].as_str().expect("job url"));
    let done = loop {
        let view: Value = client
            .get(&url)
            .bearer_auth(&secret)
            .send()
            .await
            .expect("poll")
            .json()
            .await
            .expect("job view");
        if view["status"] == "succeeded" || view["status"] == "failed" {
            break view;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let imported = start.elapsed();
    assert_eq!(done["status"], "succeeded", "{done}");
    let result = &done["result"];
    assert_eq!(
        result["awards"][0]["created"].as_u64(),
        Some(options.recipients as u64),
        "every attendee awarded once: {}",
        result["summary"]
    );

    let start = Instant::now();
    let revoked = post(
        "/credentials/revoke".into(),
        json!({ "ids": ids, "reason": "Benchmark" }),
    )
    .await;
    let revoking = start.elapsed();
    assert_eq!(
        revoked["revoked"].as_u64(),
        Some(options.recipients as u64),
        "{revoked}"
    );

    let _ = stop.send(());
    server.await.expect("server task").expect("server");
    (elapsed, imported, revoking)
}
