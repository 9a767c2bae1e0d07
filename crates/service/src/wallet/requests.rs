//! Sending a recipient a fresh claim link: staff ask (console, API), or the recipient asks on
//! the badge's public page with their email.
//!
//! The link travels in the award's email, queued again: the worker mints a fresh personal link
//! when it composes the message, so the secret exists only in that email. A recipient's
//! request is honoured only when the address they typed matches the credential's hashed
//! identifier (salted SHA-256), checked before anything is queued; whether it matched is never
//! told ([`request_claim_link`] answers the same either way), so the form is no oracle for
//! who holds a badge.

use laurel_core::model::IdentityObject;
use laurel_core::model::vocab::EMAIL_ADDRESS;
use laurel_store::{Award, Requeued};
use serde_json::Value;
use uuid::Uuid;

use super::copy::check_can_copy;
use crate::{Service, ServiceError, ServiceResult};

/// What sending a link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSent {
    /// The award's email, with a fresh link, was queued.
    Queued,
    /// Its email is already queued or being sent: that one will carry a fresh link.
    AlreadyQueued,
}

/// Queues the award's email again, which carries a fresh personal claim link. Refused for a
/// revoked or suspended award, and when the issuer has no email settings.
pub async fn send_claim_link(service: &Service, award_id: Uuid) -> ServiceResult<LinkSent> {
    let award = service
        .store
        .award(award_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "award", award_id))?;
    check_can_copy(&award)?;
    if service
        .store
        .email_settings(award.issuer_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::Conflict(
            "the issuer has no email settings, so no link can be emailed: set them up first".into(),
        ));
    }
    let outcome = service
        .store
        .queue_notifications(&[award_id], service.clock.now())
        .await?
        .pop();
    match outcome {
        Some(Requeued::Queued(_)) => {
            service.outbox.wake();
            Ok(LinkSent::Queued)
        }
        Some(Requeued::Unchanged(_)) => Ok(LinkSent::AlreadyQueued),
        Some(Requeued::Missing) | None => Err(ServiceError::not_found("award", award_id)),
    }
}

/// Whether `email` is the address the credential was issued to, by its hashed identifier.
pub fn email_matches(award: &Award, email: &str) -> bool {
    let Ok(credential) = serde_json::from_str::<Value>(&award.credential) else {
        return false;
    };
    let identifiers = match credential.pointer("/credentialSubject/identifier") {
        Some(Value::Array(many)) => many.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => return false,
    };
    identifiers
        .into_iter()
        .filter_map(|value| serde_json::from_value::<IdentityObject>(value).ok())
        .any(|identity| identity.matches(EMAIL_ADDRESS, email))
}

/// A recipient asks for their link from the badge's page: when `email` matches the
/// credential, its email is queued with a fresh link. Answers `Ok(())` whether or not it
/// matched (and when nothing could be sent), so the caller's answer tells nothing; only a
/// missing award is an error (the page itself is public).
pub async fn request_claim_link(
    service: &Service,
    award_id: Uuid,
    email: &str,
) -> ServiceResult<()> {
    let award = service
        .store
        .award(award_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "credential", award_id))?;
    if email.len() > 320 || !email_matches(&award, email) {
        return Ok(());
    }
    match send_claim_link(service, award_id).await {
        Ok(_) => {}
        Err(error) => {
            tracing::info!(award = %award_id, %error, "a recipient's wallet link was not sent")
        }
    }
    Ok(())
}
