//! The layering (flag > variable > file > default), the file's rules and the units, tested
//! with clap parsing real argument lists and files in temporary folders.

#![allow(clippy::unwrap_used)]

use super::*;
use clap::Parser;

#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    settings: SettingsArgs,
}

fn args(list: &[&str]) -> SettingsArgs {
    let mut all = vec!["laurel"];
    all.extend_from_slice(list);
    Cli::try_parse_from(all).unwrap().settings
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("laurel.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn defaults_follow_from_listen_and_data_dir() {
    let settings = SettingsArgs::default().resolve(None).unwrap();
    assert_eq!(settings.listen, DEFAULT_LISTEN);
    assert_eq!(settings.public_url, "http://127.0.0.1:8080");
    assert_eq!(settings.database_url, "sqlite://./laurel-data/laurel.db");
    assert_eq!(settings.body_limit, DEFAULT_BODY_LIMIT);
    assert_eq!(settings.request_timeout, DEFAULT_REQUEST_TIMEOUT);

    let settings = args(&["--listen", "0.0.0.0:9000", "--data-dir", "/srv/laurel"])
        .resolve(None)
        .unwrap();
    assert_eq!(settings.public_url, "http://0.0.0.0:9000");
    assert_eq!(settings.database_url, "sqlite:///srv/laurel/laurel.db");
}

#[test]
fn flags_override_the_file_and_the_file_overrides_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "listen = \"127.0.0.1:9999\"\npublic_url = \"https://file.example/\"\n\
         body_limit = \"1MiB\"\nrequest_timeout = 5\nlog_format = \"json\"\n",
    );
    let file = file.to_str().unwrap();
    let settings = args(&["--config", file]).resolve(None).unwrap();
    assert_eq!(settings.listen.to_string(), "127.0.0.1:9999");
    assert_eq!(settings.public_url, "https://file.example");
    assert_eq!(settings.body_limit, 1024 * 1024);
    assert_eq!(settings.request_timeout, Duration::from_secs(5));
    assert_eq!(settings.log_format, LogFormat::Json);

    let settings = args(&[
        "--config",
        file,
        "--public-url",
        "https://flag.example",
        "--body-limit",
        "10",
    ])
    .resolve(None)
    .unwrap();
    assert_eq!(settings.public_url, "https://flag.example");
    assert_eq!(settings.body_limit, 10);
    assert_eq!(settings.listen.to_string(), "127.0.0.1:9999");
}

#[test]
fn email_settings_come_from_flags_and_the_email_table() {
    let defaults = SettingsArgs::default().resolve(None).unwrap().email;
    assert!(defaults.worker && !defaults.dry_run);
    assert_eq!(defaults.timeout, Duration::from_secs(30));

    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "[email]\ndry_run = true\ntimeout = \"10s\"\nmax_attempts = 3\n",
    );
    let file = file.to_str().unwrap();
    let email = args(&["--config", file]).resolve(None).unwrap().email;
    assert!(email.dry_run);
    assert_eq!(email.timeout, Duration::from_secs(10));
    assert_eq!(email.max_attempts, 3);
    let email = args(&[
        "--config",
        file,
        "--smtp-timeout",
        "2s",
        "--no-email-worker",
    ])
    .resolve(None)
    .unwrap()
    .email;
    assert_eq!(email.timeout, Duration::from_secs(2));
    assert!(!email.worker);

    let bad = write(dir.path(), "[email]\nmax_attempts = 0\n");
    let error = args(&["--config", bad.to_str().unwrap()])
        .resolve(None)
        .unwrap_err();
    assert!(error.to_string().contains("max_attempts"), "{error}");
}

#[test]
fn connection_limits_and_the_metrics_address_come_from_flags_and_the_file() {
    let defaults = SettingsArgs::default().resolve(None).unwrap();
    assert_eq!(defaults.connections, Connections::default());
    assert_eq!(defaults.metrics_listen, None);

    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "header_read_timeout = \"2s\"\nkeep_alive_timeout = 3\nmax_connections = 7\n\
         metrics_listen = \"127.0.0.1:9100\"\n",
    );
    let file = file.to_str().unwrap();
    let settings = args(&["--config", file]).resolve(None).unwrap();
    assert_eq!(
        settings.connections.header_read_timeout,
        Duration::from_secs(2)
    );
    assert_eq!(
        settings.connections.keep_alive_timeout,
        Duration::from_secs(3)
    );
    assert_eq!(settings.connections.max_connections, 7);
    assert_eq!(
        settings.metrics_listen.unwrap().to_string(),
        "127.0.0.1:9100"
    );

    let settings = args(&[
        "--config",
        file,
        "--header-read-timeout",
        "500ms",
        "--keep-alive-timeout",
        "1s",
        "--max-connections",
        "3",
        "--metrics-listen",
        "127.0.0.1:9200",
    ])
    .resolve(None)
    .unwrap();
    assert_eq!(
        settings.connections.header_read_timeout,
        Duration::from_millis(500)
    );
    assert_eq!(
        settings.connections.keep_alive_timeout,
        Duration::from_secs(1)
    );
    assert_eq!(settings.connections.max_connections, 3);
    assert_eq!(
        settings.metrics_listen.unwrap().to_string(),
        "127.0.0.1:9200"
    );

    for bad in [
        &["--max-connections", "0"][..],
        &["--keep-alive-timeout", "0s"][..],
        &["--header-read-timeout", "0"][..],
    ] {
        assert!(args(bad).resolve(None).is_err(), "{bad:?}");
    }
    let bad = write(dir.path(), "metrics_listen = \"nowhere\"\n");
    let error = args(&["--config", bad.to_str().unwrap()])
        .resolve(None)
        .unwrap_err();
    assert!(error.to_string().contains("metrics_listen"), "{error}");
}

#[test]
fn unknown_keys_in_the_file_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "pubilc_url = \"https://x.example\"\nlisten = \"127.0.0.1:1\"\n",
    );
    let error = args(&["--config", file.to_str().unwrap()])
        .resolve(None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown key pubilc_url"), "{error}");
}

#[test]
fn the_secret_key_is_refused_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "secret_key = \"abc\"\n");
    let error = args(&["--config", file.to_str().unwrap()])
        .resolve(None)
        .unwrap_err()
        .to_string();
    assert!(error.contains(SECRET_KEY_VAR), "{error}");
}

#[test]
fn debug_redacts_the_password_and_the_secret() {
    let settings = args(&["--database-url", "postgres://laurel:hunter2@db/laurel"])
        .resolve(Some("very-secret".into()))
        .unwrap();
    let debug = format!("{settings:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(!debug.contains("very-secret"), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
}

#[test]
fn sizes_and_durations_parse_with_units() {
    assert_eq!(parse_size("4MiB").unwrap(), 4 * 1024 * 1024);
    assert_eq!(parse_size("512 KiB").unwrap(), 512 * 1024);
    assert_eq!(parse_size("1000").unwrap(), 1000);
    assert!(parse_size("lots").is_err());
    assert!(parse_size("3 parsecs").is_err());
    assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
    assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
    assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
    assert!(parse_duration("soon").is_err());
}

#[test]
fn a_public_url_must_be_an_http_origin() {
    assert!(
        args(&["--public-url", "badges.example.org"])
            .resolve(None)
            .is_err()
    );
    assert!(
        args(&["--public-url", "https://badges.example.org/laurel/"])
            .resolve(None)
            .is_ok()
    );
}
