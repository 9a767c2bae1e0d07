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
//!
//! The parts: this module (the flags, the resolved settings and the layering), [`file`] (the
//! TOML file's shape and its rules), [`units`] (sizes and durations with units) and the tests.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

mod file;
mod units;

use file::{DurationValue, FileSettings, SizeValue, read_file};
pub use units::{parse_duration, parse_size};

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

#[cfg(test)]
mod tests;
