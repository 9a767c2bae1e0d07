//! "Send a test email": one message over an issuer's saved settings, and the mail server's
//! answer in plain words for staff ("The server refused the password", "Could not reach
//! mail.example.org on port 587 within 10 seconds", "Sent; the server answered 250 OK").
//!
//! A test uses a connection of its own (never the worker's kept pool, which may predate the
//! settings) and sends even in dry mode: its point is to try the server.

use std::time::Duration;

use laurel_store::{EmailSettings, Issuer};
use lettre::transport::smtp::Error as SmtpError;

use super::message::{self, Parts};
use super::smtp::{Mailer, SendError};
use super::template::Rendered;
use super::worker;
use crate::Service;

/// How long a test may take in all, unless the service's own send timeout is shorter.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What a test email came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// Whether the server accepted it.
    pub sent: bool,
    /// What happened, in a sentence for staff.
    pub message: String,
}

impl TestOutcome {
    fn failed(message: String) -> Self {
        TestOutcome {
            sent: false,
            message,
        }
    }
}

/// Sends a test email to `to` over `settings` (the issuer's saved ones).
pub async fn send_test(
    service: &Service,
    issuer: &Issuer,
    settings: &EmailSettings,
    to: &str,
) -> TestOutcome {
    let limit = TEST_TIMEOUT.min(service.outbox.options.timeout.max(Duration::from_secs(1)));
    let domain = worker::domain(service);
    let rendered = Rendered {
        subject: format!("Test email from {} (Laurel)", issuer.name),
        text: format!(
            "This is a test email from Laurel, sent with the email settings of {}.\n\n\
             It arrived, so recipients of its badges can be told by email.\n",
            issuer.name
        ),
        html: None,
    };
    let message_id = message::message_id(&domain);
    let built = message::build(&Parts {
        settings,
        issuer_name: &issuer.name,
        to,
        to_name: None,
        rendered: &rendered,
        message_id: &message_id,
        date: service.clock.now(),
    });
    let message = match built {
        Ok(message) => message,
        Err(error) => {
            return TestOutcome::failed(format!(
                "The email could not be written: {} “{}” is not an email address.",
                error.what, error.address
            ));
        }
    };
    let mailer = match Mailer::new(settings, &service.vault, limit, 1, &domain) {
        Ok(mailer) => mailer,
        Err(error) => {
            return TestOutcome::failed(format!("The settings cannot be used: {error}."));
        }
    };
    let seconds = limit.as_secs().max(1);
    let unit = if seconds == 1 { "second" } else { "seconds" };
    let unreachable_in_time = || {
        TestOutcome::failed(format!(
            "Could not reach {} on port {} within {seconds} {unit}.",
            settings.host, settings.port
        ))
    };
    match tokio::time::timeout(limit, mailer.send(&message)).await {
        Err(_) => unreachable_in_time(),
        Ok(Ok(response)) => {
            let text: Vec<&str> = response.message().collect();
            TestOutcome {
                sent: true,
                message: format!(
                    "Sent; the server answered {} {}",
                    response.code(),
                    text.join(" ")
                )
                .trim()
                .to_string(),
            }
        }
        Ok(Err(SendError::Connect(error))) => match error.kind() {
            std::io::ErrorKind::TimedOut => unreachable_in_time(),
            std::io::ErrorKind::ConnectionRefused => TestOutcome::failed(format!(
                "Could not reach {} on port {}: nothing answered on that port. Check the server \
                 name and the port.",
                settings.host, settings.port
            )),
            _ => TestOutcome::failed(format!(
                "Could not reach {} on port {} ({error}). Check the server name and the port.",
                settings.host, settings.port
            )),
        },
        Ok(Err(SendError::Smtp(error))) => TestOutcome::failed(smtp_words(&error, settings, to)),
    }
}

/// The server's reply in an error, as `535 5.7.8 text`.
fn reply(error: &SmtpError) -> Option<String> {
    error.status().map(|code| {
        let text = error.to_string();
        let detail = text
            .split_once("): ")
            .map(|(_, rest)| rest)
            .unwrap_or(&text);
        format!("{code} {detail}")
    })
}

/// A failure reported by lettre (a reply, TLS, the protocol), for staff.
fn smtp_words(error: &SmtpError, settings: &EmailSettings, to: &str) -> String {
    let host = &settings.host;
    let answered = |what: &str| match reply(error) {
        Some(reply) => format!("{what}: it answered “{reply}”."),
        None => format!("{what}."),
    };
    let code = error.status().map(|c| c.to_string());
    let code = code.as_deref().unwrap_or("");
    if code.starts_with("535") || code.starts_with("534") || code.starts_with("530") {
        return answered("The server refused the password (or the user name)");
    }
    if error.is_timeout() {
        return format!(
            "{host} did not answer in time (port {}). Check the port and the security setting.",
            settings.port
        );
    }
    if error.is_tls() {
        return format!(
            "The secure connection to {host} failed ({error}). Check the security setting: \
             STARTTLS is usually port 587, TLS port 465."
        );
    }
    let text = error.to_string().to_ascii_lowercase();
    if text.contains("authentication mechanism") {
        return format!(
            "{host} offers no way to sign in that Laurel knows (PLAIN or LOGIN). Leave the user \
             name empty if the server needs none."
        );
    }
    if error.is_client() {
        return format!("{host} cannot be used as set: {error}.");
    }
    if error.is_permanent() || error.is_transient() {
        let what = if code.starts_with("55") || code.starts_with("45") {
            format!("The server refused to send to {to}")
        } else {
            "The server refused the email".to_string()
        };
        let later = if error.is_transient() {
            " (for now; try again later)"
        } else {
            ""
        };
        return answered(&format!("{what}{later}"));
    }
    format!("The connection to {host} broke off ({error}).")
}
