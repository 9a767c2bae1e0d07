//! The optional TOML settings file (`--config FILE` or `LAUREL_CONFIG`): its shape, and the
//! reading that names every unknown key and refuses a `secret_key`. Apart from the layering
//! in the parent because it is the one part that reads a file and has rules of its own.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ConfigError, LogFormat, SECRET_KEY_VAR};

/// The TOML file: the same settings, snake_case, none required.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSettings {
    pub(super) listen: Option<String>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) database_url: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) log_format: Option<LogFormat>,
    pub(super) log_filter: Option<String>,
    pub(super) body_limit: Option<SizeValue>,
    pub(super) request_timeout: Option<DurationValue>,
    pub(super) header_read_timeout: Option<DurationValue>,
    pub(super) keep_alive_timeout: Option<DurationValue>,
    pub(super) max_connections: Option<usize>,
    pub(super) metrics_listen: Option<String>,
    pub(super) email: Option<FileEmail>,
}

/// The `[email]` table of the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileEmail {
    pub(super) dry_run: Option<bool>,
    pub(super) worker: Option<bool>,
    pub(super) timeout: Option<DurationValue>,
    pub(super) max_attempts: Option<u32>,
}

/// A size in the file: a number of bytes or a string with a unit.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum SizeValue {
    Bytes(u64),
    Text(String),
}

/// A duration in the file: a number of seconds or a string with a unit.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum DurationValue {
    Seconds(u64),
    Text(String),
}

/// Reads and checks the file: no `secret_key`, no unknown key (each named).
pub(super) fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
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
