//! `laurel token create --issuer --expires --with-emails` and `laurel token list`, against a
//! running service; and the audit entries `laurel` commands write (`cli:` and the OS user).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Stdio;

use crate::util::service::{Server, clean_command, token};
use laurel_store::AuditFilter;
use serde_json::Value;
use tempfile::TempDir;

/// `laurel token ARGS --data-dir DATA` run as the OS user `user`: (exit code, stdout, stderr).
fn token_as(user: &str, data: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["token"];
    all.extend_from_slice(args);
    let data_arg = data.display().to_string();
    all.extend_from_slice(&["--data-dir", &data_arg]);
    let args: Vec<&dyn AsRef<std::ffi::OsStr>> = all
        .iter()
        .map(|a| a as &dyn AsRef<std::ffi::OsStr>)
        .collect();
    let output = clean_command(&args)
        .env("USER", user)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn tokens_limited_to_an_issuer_expire_and_are_audited_as_cli() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("laurel-data");
    let admin = token(
        &data,
        &[&"create", &"--name", &"staff", &"--scope", &"admin"],
    )
    .success()
    .stdout
    .trim()
    .to_string();
    let server = Server::start(&data);
    let mut issuers = Vec::new();
    for name in ["North Division", "South Division"] {
        let (status, body) = server.send_json(
            "POST",
            "/api/v1/issuers",
            &admin,
            &format!(r#"{{"name":"{name}"}}"#),
        );
        assert_eq!(status, 201, "{body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        issuers.push(body["id"].as_str().unwrap().to_string());
    }
    let (north, south) = (&issuers[0], &issuers[1]);

    // Mistakes are refused, saying why, and store nothing.
    let (code, stdout, stderr) = token_as(
        "ops",
        &data,
        &[
            "create",
            "--name",
            "x",
            "--scope",
            "read",
            "--expires",
            "soon",
        ],
    );
    assert_eq!((code, stdout.as_str()), (Some(2), ""), "{stderr}");
    assert!(
        stderr.contains("--expires") && stderr.contains("90d"),
        "{stderr}"
    );
    let (code, _, stderr) = token_as(
        "ops",
        &data,
        &[
            "create", "--name", "x", "--scope", "read", "--issuer", "north",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--issuer must be an issuer id"), "{stderr}");
    let ghost = uuid::Uuid::now_v7().to_string();
    let (code, _, stderr) = token_as(
        "ops",
        &data,
        &[
            "create", "--name", "x", "--scope", "read", "--issuer", &ghost,
        ],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("no such issuer"), "{stderr}");

    let (code, secret, stderr) = token_as(
        "ops-lead",
        &data,
        &[
            "create",
            "--name",
            "north-sync",
            "--scope",
            "issue",
            "--issuer",
            north,
            "--expires",
            "90d",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("limited to 1 issuer(s)") && stderr.contains("expiring"),
        "{stderr}"
    );
    let secret = secret.trim();

    // The token sees its issuer only; another's is "not found", as a missing one.
    let (status, body) = server.request("GET", "/api/v1/issuers", Some(secret));
    assert_eq!(status, 200, "{body}");
    let listed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(listed["issuers"].as_array().unwrap().len(), 1);
    assert_eq!(listed["issuers"][0]["id"], north.as_str());
    let (status, _) = server.request("GET", &format!("/api/v1/issuers/{south}"), Some(secret));
    assert_eq!(status, 404);

    // The list shows its reach, expiry and last use (now that it was used).
    let list = token(&data, &[&"list"]).success().stdout;
    assert!(list.starts_with("NAME"), "{list}");
    let header: Vec<&str> = list.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "NAME",
            "SCOPES",
            "EMAILS",
            "ISSUERS",
            "CREATED",
            "EXPIRES",
            "LAST-USED",
            "REVOKED",
            "ID"
        ]
    );
    let row: Vec<&str> = list
        .lines()
        .find(|l| l.starts_with("north-sync"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(&row[1..4], ["issue", "yes", north.as_str()]);
    assert_eq!(row[5].len(), 20, "an expiry: {list}");
    assert_eq!(row[6].len(), 20, "a last use: {list}");
    assert_eq!(row[7], "-");
    let staff: Vec<&str> = list
        .lines()
        .find(|l| l.starts_with("staff"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!((staff[2], staff[3], staff[5]), ("yes", "all", "-"));
    let (_, _, _) = token_as(
        "ops-lead",
        &data,
        &["create", "--name", "reports", "--scope", "read"],
    );
    let list = token(&data, &[&"list"]).success().stdout;
    let reports: Vec<&str> = list
        .lines()
        .find(|l| l.starts_with("reports"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        reports[2], "no",
        "a read token made without --with-emails: {list}"
    );

    token_as("ops-lead", &data, &["revoke", "north-sync"]);
    drop(server);

    // Each command that changed data wrote one entry: who (cli: and the OS user), through cli.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let entries = runtime.block_on(async {
        let url = format!("sqlite://{}", data.join("laurel.db").display());
        let store = laurel_store::connect(&url).await.unwrap();
        let filter = AuditFilter {
            via: Some("cli".into()),
            limit: 100,
            ..AuditFilter::default()
        };
        store.search_audit(&filter).await.unwrap().0
    });
    let mine: Vec<(String, String)> = entries
        .iter()
        .filter(|e| e.username == "cli:ops-lead")
        .map(|e| (e.action.clone(), e.detail.clone()))
        .collect();
    assert_eq!(mine.len(), 3, "{entries:#?}");
    assert_eq!(mine[0].0, "token.revoke");
    assert_eq!(mine[2].0, "token.create");
    assert!(
        mine[2].1.contains(north.as_str()) && mine[2].1.contains("north-sync"),
        "{}",
        mine[2].1
    );
    assert!(
        !entries.iter().any(|e| e.detail.contains("laurel_")),
        "a secret in the audit log"
    );
    assert!(
        entries.iter().all(|e| e.username != "cli:ops"),
        "refused commands are not logged"
    );
}
