//! SMTP connections per issuer, and what a server's answer means for a retry.
//!
//! Each issuer has its own server, user and password, so each gets its own pool of open
//! connections, kept while the issuer's settings are unchanged. Connections are made here
//! rather than by lettre's transport so that `TCP_NODELAY` can be set: lettre writes a
//! message's body and its final `.` in two writes without reading in between, and with
//! Nagle's algorithm on, the second waits for the server's delayed ACK, about 40 ms per email
//! on Linux (measured: 182 emails/s with eight connections to a loopback server, against
//! thousands with it off). lettre still speaks the protocol: EHLO, STARTTLS, AUTH, MAIL, RCPT,
//! DATA, with its encoding and dot-stuffing.
//!
//! Implicit TLS (port 465) needs the TLS handshake before lettre reads the greeting, which
//! lettre only does on its own sockets, so those issuers use lettre's pooled transport.
//!
//! The password is opened from the vault only to log in and never logged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use laurel_store::{EmailSettings, SmtpSecurity};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::vault::Vault;

/// How long an idle connection is kept: mail servers drop idle clients after a few minutes,
/// and a dropped one would cost a failed attempt to find out.
const IDLE: Duration = Duration::from_secs(30);

/// A kept connection idle longer than this is checked with NOOP before it is used.
const CHECK_AFTER: Duration = Duration::from_secs(2);

/// Why an issuer's mail server cannot be used as set.
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

/// The associated data the SMTP password is sealed under: it opens only for its issuer.
pub fn password_aad(issuer_id: Uuid) -> Vec<u8> {
    format!("laurel smtp password {issuer_id}").into_bytes()
}

/// An issuer's mailer and the settings version (`updated_at`) it was made for.
type Versioned = (DateTime<Utc>, Arc<Mailer>);

/// Open connections by issuer, with the settings version each pool was made for.
#[derive(Default)]
pub struct Transports {
    open: Mutex<HashMap<Uuid, Versioned>>,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transports").finish_non_exhaustive()
    }
}

impl Transports {
    /// Drops the issuer's connections (its settings changed or are gone).
    pub fn forget(&self, issuer_id: Uuid) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        open.remove(&issuer_id);
    }

    /// The issuer's mailer for these settings, made on first use.
    pub fn get(
        &self,
        settings: &EmailSettings,
        vault: &Vault,
        timeout: Duration,
        pool_size: u32,
        hello: &str,
    ) -> Result<Arc<Mailer>, TransportError> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((version, mailer)) = open.get(&settings.issuer_id)
            && *version == settings.updated_at
        {
            return Ok(mailer.clone());
        }
        let mailer = Arc::new(Mailer::new(settings, vault, timeout, pool_size, hello)?);
        open.insert(settings.issuer_id, (settings.updated_at, mailer.clone()));
        Ok(mailer)
    }
}

/// Sends an issuer's emails.
pub enum Mailer {
    /// Plain or STARTTLS: connections made here, with `TCP_NODELAY`.
    Direct(Direct),
    /// Implicit TLS: lettre's pooled transport.
    Lettre(AsyncSmtpTransport<Tokio1Executor>),
}

/// A pool of connections made here.
pub struct Direct {
    host: String,
    port: u16,
    starttls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    pool_size: usize,
    idle: Mutex<Vec<(Instant, AsyncSmtpConnection)>>,
}

impl Mailer {
    /// A mailer for these settings (a test email uses a fresh one, never the kept pool).
    pub(crate) fn new(
        settings: &EmailSettings,
        vault: &Vault,
        timeout: Duration,
        pool_size: u32,
        hello: &str,
    ) -> Result<Self, TransportError> {
        let host = settings.host.clone();
        let tls = || {
            TlsParameters::new(host.clone()).map_err(|e| TransportError::Tls {
                host: host.clone(),
                message: e.to_string(),
            })
        };
        let credentials = match &settings.username {
            Some(username) => {
                let password = match &settings.sealed_password {
                    Some(sealed) => {
                        let opened = vault.open(&password_aad(settings.issuer_id), sealed)?;
                        String::from_utf8(opened.to_vec()).map_err(|_| TransportError::Password)?
                    }
                    None => String::new(),
                };
                Some(Credentials::new(username.clone(), password))
            }
            None => None,
        };
        let hello = ClientId::Domain(hello.to_string());
        if settings.security == SmtpSecurity::Tls {
            let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
                .port(settings.port)
                .tls(Tls::Wrapper(tls()?))
                .timeout(Some(timeout))
                .hello_name(hello)
                .pool_config(PoolConfig::new().max_size(pool_size.max(1)));
            if let Some(credentials) = credentials {
                builder = builder.credentials(credentials);
            }
            return Ok(Mailer::Lettre(builder.build()));
        }
        Ok(Mailer::Direct(Direct {
            starttls: match settings.security {
                SmtpSecurity::Starttls => Some(tls()?),
                _ => None,
            },
            host,
            port: settings.port,
            credentials,
            hello,
            timeout,
            pool_size: pool_size.max(1) as usize,
            idle: Mutex::new(Vec::new()),
        }))
    }

    pub(crate) async fn send(&self, message: &Message) -> Result<Response, SendError> {
        match self {
            Mailer::Lettre(transport) => Ok(transport.send(message.clone()).await?),
            Mailer::Direct(direct) => direct.send(message).await,
        }
    }
}

impl Direct {
    async fn send(&self, message: &Message) -> Result<Response, SendError> {
        let envelope = message.envelope();
        let bytes = message.formatted();
        // A connection is never resent on: a failure after DATA may come after the server
        // took the message, and sending again would deliver it twice. A kept connection idle
        // for a while is checked with NOOP first (the server may have dropped it).
        let mut connection = match self.take_idle() {
            Some((since, mut connection)) => {
                if since.elapsed() < CHECK_AFTER || connection.test_connected().await {
                    connection
                } else {
                    connection.abort().await;
                    self.connect().await?
                }
            }
            None => self.connect().await?,
        };
        let sent = connection.send(envelope, &bytes).await;
        // lettre marks a connection broken on any error it meets; those are not kept.
        self.put_back(connection);
        Ok(sent?)
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let address = (self.host.as_str(), self.port);
        let stream = match tokio::time::timeout(self.timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => return Err(connection_error(error)),
            Err(_) => {
                return Err(connection_error(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "connection timed out",
                )));
            }
        };
        stream.set_nodelay(true).map_err(connection_error)?;
        let mut connection =
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?;
        if let Some(tls) = &self.starttls {
            // Required: lettre refuses when the server does not offer STARTTLS.
            connection.starttls(tls.clone(), &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(connection)
    }

    fn take_idle(&self) -> Option<(Instant, AsyncSmtpConnection)> {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Connections idle too long are dropped (closing their sockets) on the way.
        while let Some((since, connection)) = idle.pop() {
            if since.elapsed() < IDLE && !connection.has_broken() {
                return Some((since, connection));
            }
        }
        None
    }

    fn put_back(&self, connection: AsyncSmtpConnection) {
        if connection.has_broken() {
            return;
        }
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < self.pool_size {
            idle.push((Instant::now(), connection));
        }
    }
}

/// Why a send failed: the connection could not be made, or SMTP said no.
#[derive(Debug)]
pub(crate) enum SendError {
    /// Connecting failed (refused, unreachable, timed out).
    Connect(std::io::Error),
    /// lettre's error: a reply, a protocol or TLS failure, a broken connection.
    Smtp(lettre::transport::smtp::Error),
}

impl From<lettre::transport::smtp::Error> for SendError {
    fn from(error: lettre::transport::smtp::Error) -> Self {
        SendError::Smtp(error)
    }
}

fn connection_error(error: std::io::Error) -> SendError {
    SendError::Connect(error)
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
/// the greeting, every command and the data).
pub async fn send(mailer: &Mailer, message: Message, limit: Duration) -> Sent {
    match tokio::time::timeout(limit, mailer.send(&message)).await {
        Ok(Ok(response)) => {
            let lines: Vec<&str> = response.message().collect();
            Sent::Accepted(
                format!("{} {}", response.code(), lines.join(" "))
                    .trim()
                    .to_string(),
            )
        }
        Ok(Err(SendError::Smtp(error))) => classify(&error),
        Ok(Err(SendError::Connect(error))) => Sent::Temporary {
            error: if error.kind() == std::io::ErrorKind::TimedOut {
                format!("the mail server did not answer in time: {error}")
            } else {
                format!("the mail server could not be reached: {error}")
            },
            reply: None,
        },
        Err(_) => Sent::Temporary {
            error: format!(
                "the mail server did not answer in time (no reply within {} ms)",
                limit.as_millis()
            ),
            reply: None,
        },
    }
}

fn classify(error: &lettre::transport::smtp::Error) -> Sent {
    let reply = error.status().map(|code| {
        // lettre's message for a reply is "permanent error (550): text"; keep code and text.
        let text = error.to_string();
        let detail = text
            .split_once("): ")
            .map(|(_, rest)| rest)
            .unwrap_or(&text);
        format!("{code} {detail}")
    });
    let description = describe(error);
    // A client error is lettre refusing to go on (a server without STARTTLS when it is
    // required, say): trying again cannot help until the settings change.
    if error.is_permanent() || error.is_client() {
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

/// A sentence for staff: what went wrong, with the error's causes.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let what = if error.is_timeout() {
        "the mail server did not answer in time"
    } else if error.is_permanent() {
        "the mail server refused the email"
    } else if error.is_transient() {
        "the mail server refused the email for now"
    } else if error.is_tls() {
        "the secure connection to the mail server failed"
    } else if error.is_client() {
        "the mail server cannot be used as set"
    } else {
        "the mail server could not be reached"
    };
    let mut text = format!("{what}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
