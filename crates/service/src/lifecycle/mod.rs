//! After issuing: revocation and suspension, re-issue, and issuer key rotation.
//!
//! - The revocation bit every credential gets, and the signed status lists, are
//!   [`crate::status`]'s.
//! - Revocation is permanent and public: the credential's bit is set and its list signed again
//!   before the call returns, so the served list shows it at once. The reason stays with the
//!   issuer (the admin API), never in the list.
//! - Suspension is reversible and issuer-side only: OB 3.0 allows one `credentialStatus`, which
//!   is the revocation entry, so a suspension is recorded on the award and shown by the issuer.
//! - Re-issue keeps the credential's `id` and `awardedDate` and its status entry, takes the
//!   issuer's and achievement's current descriptions, and is signed anew with the current keys
//!   and a newer `validFrom`; the public URL serves the newest.
//! - Key rotation retires an issuer's keys (they stay published, so everything they signed
//!   keeps verifying) and makes new ones; a key known to be compromised is published with the
//!   time since which its signatures are not to be trusted.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use laurel_core::jwt;
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_store::{Award, IssuerKey, KeyPurpose, StatusChange, StoreError};
use serde_json::Value;
use uuid::Uuid;

use crate::keys::{self, JwtAlgorithm, SigningError};
use crate::status;
use crate::{Service, ServiceError, ServiceResult, documents};

/// The longest reason kept, in bytes.
pub const MAX_REASON: usize = 1_000;

/// Revokes awards (permanently) and signs again every status list that changed. Results in
/// input order.
pub async fn revoke(
    service: &Service,
    ids: &[Uuid],
    reason: &str,
) -> ServiceResult<Vec<StatusChange>> {
    let now = service.clock.now();
    let changes = service.store.revoke_awards(ids, reason, now).await?;
    let lists: BTreeSet<Uuid> = changes
        .iter()
        .filter_map(|change| match change {
            StatusChange::Changed(award) => award.status.map(|slot| slot.list_id),
            _ => None,
        })
        .collect();
    for list in lists {
        // The revocation is stored; a list that fails to sign now is signed when next asked
        // for, so this call still succeeds.
        if let Err(error) = status::signed(service, list).await {
            tracing::error!(%list, %error, "could not sign a status list after revoking");
        }
        service.changes.status_list_changed(list);
    }
    for change in &changes {
        if let StatusChange::Changed(award) = change {
            service.changes.credential_changed(award.id);
        }
    }
    Ok(changes)
}

/// Suspends an award; a revoked one cannot be (409).
pub async fn suspend(
    service: &Service,
    id: Uuid,
    reason: Option<&str>,
) -> ServiceResult<StatusChange> {
    let award = load(service, id).await?;
    if award.revoked_at.is_some() {
        return Err(ServiceError::Conflict(format!(
            "credential {id} is revoked, which is permanent: it cannot be suspended"
        )));
    }
    let change = service
        .store
        .suspend_award(id, reason, service.clock.now())
        .await
        .map_err(|error| ServiceError::from_store(error, "credential", id))?;
    service.changes.credential_changed(id);
    Ok(change)
}

/// Lifts a suspension. The badge counts again toward pathways, so those it takes part in are
/// evaluated for its recipient (a pathway it now completes awards its badge).
pub async fn unsuspend(service: &Service, id: Uuid) -> ServiceResult<StatusChange> {
    let change = service
        .store
        .unsuspend_award(id)
        .await
        .map_err(|error| ServiceError::from_store(error, "credential", id))?;
    service.changes.credential_changed(id);
    if let StatusChange::Changed(award) = &change
        && let Err(error) =
            crate::pathways::evaluate(service, award.achievement_id, &[award], true, 0).await
    {
        tracing::error!(%error, award = %id, "evaluating pathways after a suspension failed");
    }
    Ok(change)
}

/// Re-issues an award: same `id`, `awardedDate`, `validUntil` and status entry; the issuer's
/// and achievement's current descriptions; signed now with the current keys. `name` corrects
/// the recipient's name kept by the issuer. A revoked or expired credential is not re-issued
/// (409).
pub async fn reissue(service: &Service, id: Uuid, name: Option<String>) -> ServiceResult<Award> {
    let mut award = load(service, id).await?;
    if award.revoked_at.is_some() {
        return Err(ServiceError::Conflict(format!(
            "credential {id} is revoked, which is permanent: it cannot be re-issued"
        )));
    }
    if let Some(until) = award.valid_until
        && until <= service.clock.now()
    {
        return Err(ServiceError::Conflict(format!(
            "credential {id} expired on {}: award the achievement anew rather than re-issue it",
            until.format("%Y-%m-%d")
        )));
    }
    let issuer = service.store.issuer(award.issuer_id).await?;
    let achievement = service.store.achievement(award.achievement_id).await?;
    let keys = service.store.issuer_keys(issuer.id).await?;
    let di = keys::active_key(&keys, issuer.id, KeyPurpose::DataIntegrity)?;
    let jwt_key = keys::active_key(&keys, issuer.id, KeyPurpose::Jwt)?;
    // Newer than the credential it replaces, even within the same second.
    let now = service
        .clock
        .now()
        .max(award.issued_at + chrono::Duration::seconds(1));

    let mut credential: Value = serde_json::from_str(&award.credential)
        .map_err(|error| ServiceError::Internal(format!("stored credential {id}: {error}")))?;
    if let Value::Object(object) = &mut credential {
        object.remove("proof");
        object.insert(
            "issuer".into(),
            serde_json::to_value(documents::issuer_profile(&service.urls, &issuer))
                .map_err(|error| ServiceError::Internal(error.to_string()))?,
        );
        object.insert("name".into(), Value::String(achievement.name.clone()));
        object.insert(
            "validFrom".into(),
            Value::String(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        );
    }
    credential["credentialSubject"]["achievement"] =
        serde_json::to_value(documents::achievement(&service.urls, &achievement)?)
            .map_err(|error| ServiceError::Internal(error.to_string()))?;
    let di_signing = service.keys.open(&service.vault, di)?;
    let jwt_signing = service.keys.open(&service.vault, jwt_key)?;
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: service.urls.key(issuer.id, di.id),
        created: now,
    };
    let kid = service.urls.key(issuer.id, jwt_key.id);
    let (signed, compact) = tokio::task::spawn_blocking(move || -> Result<_, SigningError> {
        let signed = proof::sign(&credential, &di_signing, &options)
            .map_err(|error| SigningError::Sign(error.to_string()))?;
        let compact = jwt::sign(&signed, &jwt_signing, Some(&kid))
            .map_err(|error| SigningError::Sign(error.to_string()))?;
        Ok((signed, compact))
    })
    .await
    .map_err(|error| SigningError::Task(error.to_string()))??;

    award.credential = signed.to_string();
    award.jwt = compact;
    award.issued_at = now;
    if let Some(name) = name {
        award.recipient_name = Some(name);
    }
    service.store.replace_credential(&award).await?;
    service.changes.credential_changed(id);
    load(service, id).await
}

/// Rotates an issuer's keys: new Data Integrity and JWT keys (the JWT key of the issuer's
/// algorithm); the previous ones retired, still published. The new keys.
pub async fn rotate_keys(service: &Service, issuer_id: Uuid) -> ServiceResult<Vec<IssuerKey>> {
    let issuer = service
        .store
        .issuer(issuer_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "issuer", issuer_id))?;
    let algorithm = JwtAlgorithm::parse(&issuer.jwt_algorithm).ok_or_else(|| {
        ServiceError::Internal(format!(
            "issuer {issuer_id} has an unknown JWT algorithm {:?}",
            issuer.jwt_algorithm
        ))
    })?;
    let now = service.clock.now();
    let (rows, opened) = keys::new_keys(service, issuer_id, algorithm, now).await?;
    service.store.rotate_keys(issuer_id, &rows, now).await?;
    service.keys.remember(opened);
    // Lists are signed again, with the new key, when next asked for: a list signed by a key
    // later marked compromised must not stay in circulation.
    service.store.resign_status_lists(issuer_id).await?;
    Ok(rows)
}

/// Marks a key compromised since `since`; if it is still in use, the issuer's keys are rotated
/// first, so nothing new is signed with it. The key as marked.
pub async fn compromise_key(
    service: &Service,
    key_id: Uuid,
    since: DateTime<Utc>,
) -> ServiceResult<IssuerKey> {
    let key = service
        .store
        .all_keys()
        .await?
        .into_iter()
        .find(|key| key.id == key_id)
        .ok_or_else(|| ServiceError::not_found("key", key_id))?;
    if key.retired_at.is_none() {
        rotate_keys(service, key.issuer_id).await?;
    }
    service
        .store
        .compromise_key(key_id, since)
        .await
        .map_err(|error| ServiceError::from_store(error, "key", key_id))
}

async fn load(service: &Service, id: Uuid) -> ServiceResult<Award> {
    service.store.award(id).await.map_err(|error| match error {
        StoreError::NotFound => ServiceError::not_found("credential", id),
        other => other.into(),
    })
}
