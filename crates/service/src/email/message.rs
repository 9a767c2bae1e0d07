//! One notification as an RFC 5322 message.
//!
//! lettre encodes what it must: non-ASCII display names and subjects as RFC 2047 encoded
//! words, bodies as quoted-printable or base64. The message carries a plain-text part and,
//! when the template has one, an HTML alternative; it attaches nothing (the credential's page
//! has the badge image and downloads).

use chrono::{DateTime, Utc};
use laurel_store::EmailSettings;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use uuid::Uuid;

use super::template::Rendered;

/// Why a message could not be built: an address that is not one.
#[derive(Debug, thiserror::Error)]
#[error("{what} {address:?} is not a valid email address: {message}")]
pub struct AddressError {
    /// `from`, `reply-to` or `recipient`.
    pub what: &'static str,
    /// The address.
    pub address: String,
    /// Why.
    pub message: String,
}

/// Parses an address as lettre would send it.
pub fn mailbox(
    what: &'static str,
    name: Option<&str>,
    address: &str,
) -> Result<Mailbox, AddressError> {
    let parsed = address
        .parse()
        .map_err(|e: lettre::address::AddressError| AddressError {
            what,
            address: address.to_string(),
            message: e.to_string(),
        })?;
    let name = name
        .map(|n| n.replace(['\r', '\n'], " ").trim().to_string())
        .filter(|n| !n.is_empty());
    Ok(Mailbox::new(name, parsed))
}

/// A new `Message-ID` in the service's domain. The worker keeps it for every retry of one
/// notification, so a server that took an attempt it never acknowledged can tell a retry from
/// a new email; a resend gets a new one.
pub fn message_id(domain: &str) -> String {
    format!("<{}@{domain}>", Uuid::new_v4())
}

/// Everything one message needs.
pub struct Parts<'a> {
    /// The issuer's settings (sender, reply-to).
    pub settings: &'a EmailSettings,
    /// The sender's name when the settings give none.
    pub issuer_name: &'a str,
    /// The recipient's address.
    pub to: &'a str,
    /// The recipient's name, if known.
    pub to_name: Option<&'a str>,
    /// Subject and bodies.
    pub rendered: &'a Rendered,
    /// From [`message_id`].
    pub message_id: &'a str,
    /// The `Date` header.
    pub date: DateTime<Utc>,
}

/// Builds the message.
pub fn build(parts: &Parts<'_>) -> Result<Message, AddressError> {
    let settings = parts.settings;
    let from_name = settings.from_name.as_deref().unwrap_or(parts.issuer_name);
    let mut builder = Message::builder()
        .from(mailbox("from", Some(from_name), &settings.from_address)?)
        .to(mailbox("recipient", parts.to_name, parts.to)?)
        .subject(parts.rendered.subject.clone())
        .message_id(Some(parts.message_id.to_string()))
        .date(parts.date.into());
    if let Some(reply_to) = &settings.reply_to {
        builder = builder.reply_to(mailbox("reply-to", None, reply_to)?);
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(parts.rendered.text.clone());
    let built = match &parts.rendered.html {
        Some(html) => builder.multipart(
            MultiPart::alternative().singlepart(text).singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.clone()),
            ),
        ),
        None => builder.singlepart(text),
    };
    // Every header above is set from a parsed value, and From and To are present, so the
    // builder has nothing left to refuse; its error is reported as an address problem anyway.
    built.map_err(|e| AddressError {
        what: "message",
        address: parts.to.to_string(),
        message: e.to_string(),
    })
}
