//! An issuer's mail settings as typed into a form: every field checked at once, each mistake
//! in words beside its field, and the password sealed (or the stored one kept).
//!
//! The rules are the admin API's (`PUT /issuers/{id}/email`): a kept password goes only to the
//! server it was given for, a password needs a user name, and no password travels unencrypted
//! except to a relay on this machine.

use chrono::{DateTime, Utc};
use laurel_store::{EmailSettings, SmtpSecurity};
use uuid::Uuid;

use super::message;
use super::smtp::password_aad;
use crate::vault::Vault;

/// The longest host name.
const MAX_HOST: usize = 253;
/// The longest user name or sender name, in characters.
const MAX_NAME: usize = 500;
/// The longest password, in bytes.
const MAX_PASSWORD: usize = 1_024;

/// The form's fields, as typed.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub host: String,
    /// Empty: the usual port for the security chosen.
    pub port: String,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    pub username: String,
    /// Empty: keep the stored password.
    pub password: String,
    /// Remove the stored password.
    pub remove_password: bool,
    pub from_address: String,
    pub from_name: String,
    pub reply_to: String,
    /// Empty: no limit.
    pub rate_per_minute: String,
    pub dry_run: bool,
}

/// A mistake: the field's name and what to say.
pub type Mistake = (&'static str, String);

/// Whether `host` names this machine (where a relay without TLS is acceptable).
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The settings to store, or every mistake.
pub fn check(
    input: &SettingsInput,
    stored: Option<&EmailSettings>,
    issuer_id: Uuid,
    vault: &Vault,
    now: DateTime<Utc>,
) -> Result<EmailSettings, Vec<Mistake>> {
    let mut mistakes: Vec<Mistake> = Vec::new();
    let host = input.host.trim().to_string();
    if host.is_empty() {
        mistakes.push((
            "host",
            "Give the mail server's name, such as smtp.example.org.".into(),
        ));
    } else if host.len() > MAX_HOST
        || host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@' || c == ':')
    {
        mistakes.push((
            "host",
            "Give only the server's name, such as smtp.example.org (no address, port or web link)."
                .into(),
        ));
    }
    let security = match input.security.trim() {
        "" => SmtpSecurity::Starttls,
        text => SmtpSecurity::parse(text).unwrap_or_else(|| {
            mistakes.push(("security", "Choose one of the listed ways.".into()));
            SmtpSecurity::Starttls
        }),
    };
    let port = match input.port.trim() {
        "" => match security {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::None => 25,
        },
        text => match text.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => {
                mistakes.push((
                    "port",
                    "Give a port number from 1 to 65535, usually 587 (or 465).".into(),
                ));
                587
            }
        },
    };
    let username = Some(input.username.trim().to_string()).filter(|u| !u.is_empty());
    if username
        .as_ref()
        .is_some_and(|u| u.chars().count() > MAX_NAME)
    {
        mistakes.push(("username", format!("At most {MAX_NAME} characters.")));
    }
    // A kept password goes only where it went before: otherwise anyone allowed to edit the
    // settings could send it to a server of their own.
    let same_server = stored.is_some_and(|s| {
        s.host.eq_ignore_ascii_case(&host) && s.port == port && s.username == username
    });
    let had_password = stored.is_some_and(|s| s.sealed_password.is_some());
    let mut sealed_password = None;
    if input.remove_password {
        sealed_password = None;
    } else if !input.password.is_empty() {
        if input.password.len() > MAX_PASSWORD {
            mistakes.push(("password", "That password is too long.".into()));
        } else {
            match vault.seal(&password_aad(issuer_id), input.password.as_bytes()) {
                Ok(sealed) => sealed_password = Some(sealed),
                Err(error) => mistakes.push((
                    "password",
                    format!("The password could not be stored safely ({error})."),
                )),
            }
        }
    } else if had_password && !same_server {
        mistakes.push((
            "password",
            "Give the password again: the server, port or user name changed, and the saved \
             password is only ever sent to the server it was given for."
                .into(),
        ));
    } else {
        sealed_password = stored.and_then(|s| s.sealed_password.clone());
    }
    if !input.password.is_empty() && username.is_none() {
        mistakes.push((
            "username",
            "Give the user name that goes with the password.".into(),
        ));
    }
    if username.is_some()
        && security == SmtpSecurity::None
        && !host.is_empty()
        && !is_loopback(&host)
    {
        mistakes.push((
            "security",
            format!(
                "Without encryption the password would travel in the clear, readable by anyone on \
                 the network; choose STARTTLS or TLS (no encryption is only for a relay on this machine, \
                 not {host})."
            ),
        ));
    }
    let from_address = input.from_address.trim().to_string();
    if from_address.is_empty() {
        mistakes.push(("from_address", "Give the address emails come from.".into()));
    } else if message::mailbox("from", None, &from_address).is_err() {
        mistakes.push((
            "from_address",
            format!("“{from_address}” is not an email address such as badges@example.org."),
        ));
    }
    let from_name = Some(input.from_name.trim().to_string()).filter(|n| !n.is_empty());
    if from_name
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NAME)
    {
        mistakes.push(("from_name", format!("At most {MAX_NAME} characters.")));
    }
    let reply_to = Some(input.reply_to.trim().to_string()).filter(|r| !r.is_empty());
    if let Some(reply_to) = &reply_to
        && message::mailbox("reply-to", None, reply_to).is_err()
    {
        mistakes.push((
            "reply_to",
            format!("“{reply_to}” is not an email address such as office@example.org."),
        ));
    }
    let rate_per_minute = match input.rate_per_minute.trim() {
        "" => None,
        text => match text.parse::<u32>() {
            Ok(rate) if rate > 0 => Some(rate),
            _ => {
                mistakes.push((
                    "rate_per_minute",
                    "Give a whole number of emails per minute, at least 1 (or leave it empty \
                     for no limit)."
                        .into(),
                ));
                None
            }
        },
    };
    if !mistakes.is_empty() {
        return Err(mistakes);
    }
    Ok(EmailSettings {
        issuer_id,
        host,
        port,
        security,
        username,
        sealed_password,
        from_address,
        from_name,
        reply_to,
        rate_per_minute,
        dry_run: input.dry_run,
        updated_at: now,
    })
}

/// The names of the settings that differ, for the audit log (which never holds the password,
/// only whether it changed); `created` for first settings.
pub fn changed_fields(before: Option<&EmailSettings>, after: &EmailSettings) -> Vec<&'static str> {
    let Some(b) = before else {
        return vec!["created"];
    };
    let checks = [
        ("host", b.host != after.host),
        ("port", b.port != after.port),
        ("security", b.security != after.security),
        ("username", b.username != after.username),
        // Sealing again makes new bytes, so any password given counts as changed.
        ("password", b.sealed_password != after.sealed_password),
        ("from_address", b.from_address != after.from_address),
        ("from_name", b.from_name != after.from_name),
        ("reply_to", b.reply_to != after.reply_to),
        (
            "rate_per_minute",
            b.rate_per_minute != after.rate_per_minute,
        ),
        ("dry_run", b.dry_run != after.dry_run),
    ];
    checks
        .into_iter()
        .filter(|(_, differs)| *differs)
        .map(|(name, _)| name)
        .collect()
}
