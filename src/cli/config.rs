//! Settings: command-line flags, `LAUREL_*` variables, an optional TOML file, and defaults.
//!
//! Precedence, highest first: a flag, its `LAUREL_*` variable, the TOML file (`--config FILE`
//! or `LAUREL_CONFIG`, the same names in snake_case), then the default. clap already ranks
//! flags above variables, so every flag is an `Option` here: `None` means "not given", which
//! is what lets the file fill in below them. [`SettingsArgs::load`] merges the three into one
//! resolved [`Settings`] that the rest of the service reads.
//!
//! Two rules keep operators out of trouble:
//! - **Unknown keys in the file are an error that names them**, so a typo such as
//!   `pubilc_url` never silently falls back to a default.
//! - **The key-encryption key comes only from the environment** (`LAUREL_SECRET_KEY`): a flag
//!   would show in `ps`, and a config file tends to be committed. [`Settings`]'s `Debug`
//!   prints neither it nor the database password.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The environment variable holding the key-encryption key (never a flag or file key).
pub const SECRET_KEY_VAR: &str = "LAUREL_SECRET_KEY";

/// Default listening address.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);
/// Default data folder (SQLite database and generated `secret.key`).
pub const DEFAULT_DATA_DIR: &str = "./laurel-data";
/// Default request body limit: room for a badge image upload or a batch of a few thousand
/// recipients, small enough that a stray upload cannot exhaust memory.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;
/// Default time a request may take before it is answered with 503.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time a client has to send a request's headers.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time an idle connection is kept open between requests.
pub const DEFAULT_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(5);
/// Default number of connections open at once (below the usual 1024 file descriptors).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Where the database lives: shared by `laurel serve` and `laurel token`, so both open the same
/// store the same way.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DatabaseArgs {
    /// A TOML file with any of these settings (snake_case keys: listen, data_dir,
    /// database_url, public_url, log_format, log_filter, body_limit, request_timeout,
    /// header_read_timeout, keep_alive_timeout, max_connections, metrics_listen). Flags and
    /// LAUREL_* variables override it.
    #[arg(long, env = "LAUREL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The data folder: the SQLite database and the generated secret.key live here
    /// [default: ./laurel-data].
    #[arg(long, env = "LAUREL_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The database: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB
    /// [default: sqlite://DATA_DIR/laurel.db].
    // hide_env_values: `--help` would otherwise print the variable's value, password included.
    #[arg(
        long,
        env = "LAUREL_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
}

/// Everything `laurel serve` accepts.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SettingsArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "LAUREL_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,
    /// The origin every id and public URL is built from, e.g. https://badges.example.org
    /// [default: http://LISTEN]. Ids end up inside signed credentials, so choose it once.
    #[arg(long, env = "LAUREL_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Log lines as human-readable text or as one JSON object per line [default: text].
    #[arg(long, env = "LAUREL_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Which log lines to keep, as a tracing filter such as "info" or "laurel_server=debug"
    /// [default: info].
    #[arg(long, env = "LAUREL_LOG", value_name = "FILTER")]
    pub log_filter: Option<String>,
    /// The largest request body accepted, in bytes or with a unit: 4MiB, 512KiB, 1MB
    /// [default: 4MiB]. Larger bodies get 413.
    #[arg(long, env = "LAUREL_BODY_LIMIT", value_name = "SIZE", value_parser = parse_size)]
    pub body_limit: Option<usize>,
    /// How long a request may take before it is stopped and answered with 503: 30s, 500ms,
    /// 2m [default: 30s].
    #[arg(long, env = "LAUREL_REQUEST_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    pub request_timeout: Option<Duration>,
    /// How long a client has to send a request's headers, from when the connection opens or
    /// its previous response ends; slower connections are closed: 10s, 2s [default: 10s].
    #[arg(long, env = "LAUREL_HEADER_READ_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    pub header_read_timeout: Option<Duration>,
    /// How long a connection may stay open with no request being answered and nothing sent
    /// either way; it is then closed: 5s, 30s [default: 5s].
    #[arg(long, env = "LAUREL_KEEP_ALIVE_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    pub keep_alive_timeout: Option<Duration>,
    /// How many connections may be open at once; more wait until one closes [default: 512].
    #[arg(long, env = "LAUREL_MAX_CONNECTIONS", value_name = "COUNT")]
    pub max_connections: Option<usize>,
    /// Serve /metrics on this address and port only (e.g. 127.0.0.1:9090), not on --listen
    /// [default: /metrics is on --listen].
    #[arg(long, env = "LAUREL_METRICS_LISTEN", value_name = "ADDR:PORT")]
    pub metrics_listen: Option<SocketAddr>,
    /// Render and record every notification email but send none, for all issuers (staging,
    /// rehearsals).
    #[arg(long, env = "LAUREL_EMAIL_DRY_RUN")]
    pub email_dry_run: bool,
    /// Do not run the email worker in this instance (another instance sends).
    #[arg(long, env = "LAUREL_NO_EMAIL_WORKER")]
    pub no_email_worker: bool,
    /// How long one SMTP command may take before the attempt counts as failed (it is
    /// retried): 30s, 10s [default: 30s].
    #[arg(long, env = "LAUREL_SMTP_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    pub smtp_timeout: Option<Duration>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The resolved settings the service runs with.
#[derive(Clone)]
pub struct Settings {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The data folder (SQLite database, generated `secret.key`).
    pub data_dir: PathBuf,
    /// The database URL (may contain a password: never log it unredacted).
    pub database_url: String,
    /// The origin of every public id and URL, without a trailing `/`.
    pub public_url: String,
    /// How log lines are written.
    pub log_format: LogFormat,
    /// The tracing filter.
    pub log_filter: String,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// How long a request may take.
    pub request_timeout: Duration,
    /// Header-read and keep-alive timeouts, and the maximum of open connections.
    pub connections: Connections,
    /// Where `/metrics` is served instead of `listen`, if anywhere.
    pub metrics_listen: Option<SocketAddr>,
    /// The key-encryption key from `LAUREL_SECRET_KEY`, if set.
    pub secret_key: Option<String>,
    /// How notification emails are sent.
    pub email: laurel_service::email::EmailOptions,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &laurel_store::redact_url(&self.database_url),
            )
            .field("public_url", &self.public_url)
            .field("log_format", &self.log_format)
            .field("log_filter", &self.log_filter)
            .field("body_limit", &self.body_limit)
            .field("request_timeout", &self.request_timeout)
            .field("connections", &self.connections)
            .field("metrics_listen", &self.metrics_listen)
            .field("email", &self.email)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

impl Settings {
    /// Settings for a test or an embedded server: everything at its default, with the data
    /// folder and database in `data_dir` and no secret key from the environment.
    #[cfg(test)]
    pub fn for_data_dir(data_dir: &Path) -> Self {
        let listen = DEFAULT_LISTEN;
        Settings {
            listen,
            data_dir: data_dir.to_path_buf(),
            database_url: sqlite_url(data_dir),
            public_url: format!("http://{listen}"),
            log_format: LogFormat::Text,
            log_filter: "info".into(),
            body_limit: DEFAULT_BODY_LIMIT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            connections: Connections::default(),
            metrics_listen: None,
            secret_key: None,
            email: laurel_service::email::EmailOptions::default(),
        }
    }

    /// Where the service keeps its data and what it calls itself, for opening it.
    pub fn setup(&self) -> laurel_service::open::Setup {
        laurel_service::open::Setup {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            public_url: self.public_url.clone(),
            secret_key: self.secret_key.clone(),
            email: self.email.clone(),
        }
    }
}

/// How long connections may take and how many may be open (`laurel serve` hands them to the
/// server's accept loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connections {
    /// How long a client has to send a request's headers.
    pub header_read_timeout: Duration,
    /// How long a connection may sit idle.
    pub keep_alive_timeout: Duration,
    /// How many connections may be open at once.
    pub max_connections: usize,
}

impl Default for Connections {
    fn default() -> Self {
        Connections {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            keep_alive_timeout: DEFAULT_KEEP_ALIVE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Why the settings could not be loaded. Each message names the file, key or value to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read the config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML, has an unknown key, or a value of the wrong type.
    #[error("the config file {path} is invalid: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The parser's description, which names the key.
        message: String,
    },
    /// A value is out of range or malformed.
    #[error("{0}")]
    Value(String),
}

/// The TOML file: the same settings, snake_case, none required.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    public_url: Option<String>,
    log_format: Option<LogFormat>,
    log_filter: Option<String>,
    body_limit: Option<SizeValue>,
    request_timeout: Option<DurationValue>,
    header_read_timeout: Option<DurationValue>,
    keep_alive_timeout: Option<DurationValue>,
    max_connections: Option<usize>,
    metrics_listen: Option<String>,
    email: Option<FileEmail>,
}

/// The `[email]` table of the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEmail {
    dry_run: Option<bool>,
    worker: Option<bool>,
    timeout: Option<DurationValue>,
    max_attempts: Option<u32>,
}

/// A size in the file: a number of bytes or a string with a unit.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SizeValue {
    Bytes(u64),
    Text(String),
}

/// A duration in the file: a number of seconds or a string with a unit.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DurationValue {
    Seconds(u64),
    Text(String),
}

impl DatabaseArgs {
    /// Resolves the settings `laurel token` needs (the database and data folder), reading the
    /// config file if one is named. The other settings take their file values or defaults.
    pub fn load(&self) -> Result<Settings, ConfigError> {
        SettingsArgs {
            database: self.clone(),
            ..SettingsArgs::default()
        }
        .load()
    }
}

impl SettingsArgs {
    /// Merges flags and variables (already in `self`), the config file and the defaults, and
    /// reads `LAUREL_SECRET_KEY` from the environment.
    pub fn load(&self) -> Result<Settings, ConfigError> {
        let secret_key = std::env::var(SECRET_KEY_VAR)
            .ok()
            .filter(|key| !key.is_empty());
        self.resolve(secret_key)
    }

    /// [`load`](Self::load) with the secret key given (tests).
    pub fn resolve(&self, secret_key: Option<String>) -> Result<Settings, ConfigError> {
        let file = match &self.database.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let file_path = self.database.config.clone().unwrap_or_default();
        let invalid = |message: String| ConfigError::Invalid {
            path: file_path.clone(),
            message,
        };

        let listen = match (self.listen, &file.listen) {
            (Some(listen), _) => listen,
            (None, Some(text)) => text
                .parse()
                .map_err(|_| invalid(format!("listen = {text:?} is not an ADDRESS:PORT")))?,
            (None, None) => DEFAULT_LISTEN,
        };
        let data_dir = self
            .database
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = self
            .database
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| sqlite_url(&data_dir));
        let public_url = self
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        let public_url = check_public_url(&public_url)?;
        let log_format = self.log_format.or(file.log_format).unwrap_or_default();
        let log_filter = self
            .log_filter
            .clone()
            .or(file.log_filter)
            .unwrap_or_else(|| "info".into());
        let body_limit = match (self.body_limit, file.body_limit) {
            (Some(limit), _) => limit,
            (None, Some(SizeValue::Bytes(bytes))) => usize::try_from(bytes)
                .map_err(|_| invalid(format!("body_limit = {bytes} is too large")))?,
            (None, Some(SizeValue::Text(text))) => {
                parse_size(&text).map_err(|e| invalid(format!("body_limit: {e}")))?
            }
            (None, None) => DEFAULT_BODY_LIMIT,
        };
        let request_timeout = match (self.request_timeout, file.request_timeout) {
            (Some(timeout), _) => timeout,
            (None, Some(DurationValue::Seconds(seconds))) => Duration::from_secs(seconds),
            (None, Some(DurationValue::Text(text))) => {
                parse_duration(&text).map_err(|e| invalid(format!("request_timeout: {e}")))?
            }
            (None, None) => DEFAULT_REQUEST_TIMEOUT,
        };
        let duration = |flag: Option<Duration>,
                        file: Option<DurationValue>,
                        key: &str,
                        default: Duration|
         -> Result<Duration, ConfigError> {
            let value = match (flag, file) {
                (Some(value), _) => value,
                (None, Some(DurationValue::Seconds(seconds))) => Duration::from_secs(seconds),
                (None, Some(DurationValue::Text(text))) => {
                    parse_duration(&text).map_err(|e| invalid(format!("{key}: {e}")))?
                }
                (None, None) => default,
            };
            if value.is_zero() {
                return Err(ConfigError::Value(format!(
                    "the {} must be above 0",
                    key.replace('_', " ")
                )));
            }
            Ok(value)
        };
        let connections = Connections {
            header_read_timeout: duration(
                self.header_read_timeout,
                file.header_read_timeout,
                "header_read_timeout",
                DEFAULT_HEADER_READ_TIMEOUT,
            )?,
            keep_alive_timeout: duration(
                self.keep_alive_timeout,
                file.keep_alive_timeout,
                "keep_alive_timeout",
                DEFAULT_KEEP_ALIVE_TIMEOUT,
            )?,
            max_connections: self
                .max_connections
                .or(file.max_connections)
                .unwrap_or(DEFAULT_MAX_CONNECTIONS),
        };
        if connections.max_connections == 0 {
            return Err(ConfigError::Value(
                "the maximum of open connections must be at least 1".into(),
            ));
        }
        let metrics_listen = match (self.metrics_listen, &file.metrics_listen) {
            (Some(address), _) => Some(address),
            (None, Some(text)) => Some(text.parse().map_err(|_| {
                invalid(format!("metrics_listen = {text:?} is not an ADDRESS:PORT"))
            })?),
            (None, None) => None,
        };
        let file_email = file.email.unwrap_or_default();
        let mut email = laurel_service::email::EmailOptions {
            dry_run: self.email_dry_run || file_email.dry_run.unwrap_or(false),
            worker: !self.no_email_worker && file_email.worker.unwrap_or(true),
            ..laurel_service::email::EmailOptions::default()
        };
        match (self.smtp_timeout, file_email.timeout) {
            (Some(timeout), _) => email.timeout = timeout,
            (None, Some(DurationValue::Seconds(seconds))) => {
                email.timeout = Duration::from_secs(seconds);
            }
            (None, Some(DurationValue::Text(text))) => {
                email.timeout =
                    parse_duration(&text).map_err(|e| invalid(format!("email.timeout: {e}")))?;
            }
            (None, None) => {}
        }
        if let Some(attempts) = file_email.max_attempts {
            if attempts == 0 {
                return Err(invalid("email.max_attempts must be at least 1".into()));
            }
            email.max_attempts = attempts;
        }
        if email.timeout.is_zero() {
            return Err(ConfigError::Value(
                "the SMTP timeout must be above 0".into(),
            ));
        }
        if body_limit == 0 {
            return Err(ConfigError::Value("the body limit must be above 0".into()));
        }
        if request_timeout.is_zero() {
            return Err(ConfigError::Value(
                "the request timeout must be above 0".into(),
            ));
        }
        Ok(Settings {
            listen,
            data_dir,
            database_url,
            public_url,
            log_format,
            log_filter,
            body_limit,
            request_timeout,
            connections,
            metrics_listen,
            secret_key,
            email,
        })
    }
}

/// The SQLite URL of the default database in `data_dir`.
pub fn sqlite_url(data_dir: &Path) -> String {
    laurel_service::open::sqlite_url(data_dir)
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|error| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: error.message().to_string(),
    })?;
    if table.contains_key("secret_key") {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "secret_key cannot be set in a file; set the {SECRET_KEY_VAR} environment variable"
            ),
        });
    }
    let unknown: Vec<&str> = table
        .keys()
        .map(String::as_str)
        .filter(|key| !KNOWN_KEYS.contains(key))
        .collect();
    if !unknown.is_empty() {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "unknown key{} {} (known keys: {})",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", "),
                KNOWN_KEYS.join(", ")
            ),
        });
    }
    toml::Value::Table(table)
        .try_into()
        .map_err(|error: toml::de::Error| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: error.message().to_string(),
        })
}

/// The keys a config file may have (the fields of [`FileSettings`]).
const KNOWN_KEYS: [&str; 13] = [
    "listen",
    "data_dir",
    "database_url",
    "public_url",
    "log_format",
    "log_filter",
    "body_limit",
    "request_timeout",
    "header_read_timeout",
    "keep_alive_timeout",
    "max_connections",
    "metrics_listen",
    "email",
];

/// An origin for ids: http(s), a host, no query or fragment. The trailing `/` is dropped.
fn check_public_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ']) => {
            Ok(trimmed.to_string())
        }
        _ => Err(ConfigError::Value(format!(
            "the public URL {url:?} must be an http:// or https:// origin such as https://badges.example.org"
        ))),
    }
}

/// Parses a size: bytes (`1048576`) or a number with a unit (`512KiB`, `4MiB`, `1MB`, `2k`).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let (text, number, unit) = number_and_unit(text, "a size such as 4MiB or 1048576")?;
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1000 * 1000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1000 * 1000 * 1000,
        "gib" => 1024 * 1024 * 1024,
        other => return Err(format!("unknown size unit {other:?} in {text:?}")),
    };
    number
        .checked_mul(multiplier)
        .and_then(|bytes| usize::try_from(bytes).ok())
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// Parses a duration: seconds (`30`) or a number with a unit (`500ms`, `30s`, `2m`, `1h`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (text, number, unit) = number_and_unit(text, "a duration such as 30s or 500ms")?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "" | "s" => Ok(Duration::from_secs(number)),
        "m" | "min" => Ok(Duration::from_secs(number.saturating_mul(60))),
        "h" => Ok(Duration::from_secs(number.saturating_mul(3600))),
        other => Err(format!("unknown duration unit {other:?} in {text:?}")),
    }
}

/// Splits `12unit` into the trimmed text, the whole number and the trimmed unit.
fn number_and_unit<'a>(text: &'a str, expected: &str) -> Result<(&'a str, u64, &'a str), String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number = number
        .parse()
        .map_err(|_| format!("{text:?} is not {expected}"))?;
    Ok((text, number, unit.trim()))
}

#[cfg(test)]
mod tests {
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
}
