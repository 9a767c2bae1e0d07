//! SMTP connections per issuer, and what a server's answer means for a retry.
//!
//! Each issuer has its own server, user and password, so each gets its own lettre transport
//! with a small connection pool, kept while the issuer's settings are unchanged (a changed
//! `updated_at` opens a new one). The password is opened from the vault only to build the
//! transport and never logged.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use laurel_store::{EmailSettings, SmtpSecurity};
use uuid::Uuid;

use crate::vault::Vault;

/// An issuer's transport.
pub type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// Why a transport could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// TLS parameters for the host could not be built.
    #[error("TLS for {host}: {message}")]
    Tls {
        /// The host.
        host: String,
        /// Why.
        message: String,
    },
    /// The sealed password did not open.
    #[error("the SMTP password does not open with this service's key: {0}")]
    Vault(#[from] crate::vault::VaultError),
    /// The password is not UTF-8.
    #[error("the SMTP password is not UTF-8 text")]
    Password,
}

/// Open transports by issuer, with the settings version each was built from.
#[derive(Default)]
pub struct Transports {
    open: Mutex<HashMap<Uuid, (DateTime<Utc>, Transport)>>,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transports").finish_non_exhaustive()
    }
}

impl Transports {
    /// Drops the issuer's transport (its settings changed or are gone).
    pub fn forget(&self, issuer_id: Uuid) {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        open.remove(&issuer_id);
    }

    /// The issuer's transport for these settings, built on first use.
    pub fn get(
        &self,
        settings: &EmailSettings,
        vault: &Vault,
        timeout: Duration,
        pool_size: u32,
        hello: &str,
    ) -> Result<Transport, TransportError> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((version, transport)) = open.get(&settings.issuer_id)
            && *version == settings.updated_at
        {
            return Ok(transport.clone());
        }
        let transport = build(settings, vault, timeout, pool_size, hello)?;
        open.insert(
            settings.issuer_id,
            (settings.updated_at, transport.clone()),
        );
        Ok(transport)
    }
}

/// The associated data the SMTP password is sealed under: it opens only for its issuer.
pub fn password_aad(issuer_id: Uuid) -> Vec<u8> {
    format!("laurel smtp password {issuer_id}").into_bytes()
}

fn build(
    settings: &EmailSettings,
    vault: &Vault,
    timeout: Duration,
    pool_size: u32,
    hello: &str,
) -> Result<Transport, TransportError> {
    let host = settings.host.as_str();
    let tls = || {
        TlsParameters::new(host.to_string()).map_err(|e| TransportError::Tls {
            host: host.to_string(),
            message: e.to_string(),
        })
    };
    let tls = match settings.security {
        SmtpSecurity::Starttls => Tls::Required(tls()?),
        SmtpSecurity::Tls => Tls::Wrapper(tls()?),
        SmtpSecurity::None => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(settings.port)
        .tls(tls)
        .timeout(Some(timeout))
        .hello_name(ClientId::Domain(hello.to_string()))
        .pool_config(PoolConfig::new().max_size(pool_size.max(1)));
    if let Some(username) = &settings.username {
        let password = match &settings.sealed_password {
            Some(sealed) => {
                let opened = vault.open(&password_aad(settings.issuer_id), sealed)?;
                String::from_utf8(opened.to_vec()).map_err(|_| TransportError::Password)?
            }
            None => String::new(),
        };
        builder = builder.credentials(Credentials::new(username.clone(), password));
    }
    Ok(builder.build())
}

/// What one send came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Accepted: the server's reply.
    Accepted(String),
    /// Worth trying again later (no connection, a timeout, a 4xx reply).
    Temporary {
        /// What happened.
        error: String,
        /// The server's reply, if it gave one.
        reply: Option<String>,
    },
    /// Will never work as it is (a 5xx reply, such as an unknown recipient).
    Permanent {
        /// What happened.
        error: String,
        /// The server's reply.
        reply: Option<String>,
    },
}

/// Sends one message and sorts the outcome. `limit` bounds the whole exchange (connecting,
/// the greeting, every command and the data), whatever lettre's per-command timeouts cover.
pub async fn send(transport: &Transport, message: Message, limit: Duration) -> Sent {
    match tokio::time::timeout(limit, transport.send(message)).await {
        Ok(Ok(response)) => Sent::Accepted(reply_text(
            &response.code().to_string(),
            response.message(),
        )),
        Ok(Err(error)) => classify(&error),
        Err(_) => Sent::Temporary {
            error: format!(
                "the mail server did not answer in time (no reply within {} ms)",
                limit.as_millis()
            ),
            reply: None,
        },
    }
}

fn reply_text<'a>(code: &str, lines: impl Iterator<Item = &'a str>) -> String {
    let lines: Vec<&str> = lines.collect();
    format!("{code} {}", lines.join(" ")).trim().to_string()
}

fn classify(error: &lettre::transport::smtp::Error) -> Sent {
    let reply = error.status().map(|code| {
        // lettre's message for a reply is "permanent error (550): text"; keep code and text.
        let text = error.to_string();
        let detail = text.split_once("): ").map(|(_, rest)| rest).unwrap_or(&text);
        format!("{code} {detail}")
    });
    let description = describe(error);
    if error.is_permanent() {
        Sent::Permanent {
            error: description,
            reply,
        }
    } else {
        Sent::Temporary {
            error: description,
            reply,
        }
    }
}

/// A sentence for staff: what went wrong, with the error's chain of causes.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let what = if error.is_timeout() {
        "the mail server did not answer in time"
    } else if error.is_permanent() {
        "the mail server refused the email"
    } else if error.is_transient() {
        "the mail server refused the email for now"
    } else if error.is_tls() {
        "the secure connection to the mail server failed"
    } else {
        "the mail server could not be reached"
    };
    let mut text = format!("{what}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = cause_of(source);
    }
    text
}

fn cause_of<'a>(
    error: Option<&'a (dyn std::error::Error + 'static)>,
) -> Option<&'a (dyn std::error::Error + 'static)> {
    error.and_then(std::error::Error::source)
}
