//! After issuing: revocation and suspension, re-issue, and issuer key rotation.
//!
//! - [`status`]: the revocation bit every credential gets, and the signed status lists.
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

pub mod status;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use laurel_core::jwt;
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_store::{Award, IssuerKey, KeyPurpose, StatusChange, StoreError};
use serde_json::Value;
use uuid::Uuid;

use crate::mint::{self, JwtAlgorithm, MintError};
use crate::{ApiError, ApiResult, AppState, documents};

/// The longest reason kept, in bytes.
pub const MAX_REASON: usize = 1_000;

/// Revokes awards (permanently) and signs again every status list that changed. Results in
/// input order.
pub async fn revoke(state: &AppState, ids: &[Uuid], reason: &str) -> ApiResult<Vec<StatusChange>> {
    let now = state.clock.now();
    let changes = state.store.revoke_awards(ids, reason, now).await?;
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
        if let Err(error) = status::signed(state, list).await {
            tracing::error!(%list, %error, "could not sign a status list after revoking");
        }
        state.status_lists.forget(list);
    }
    for change in &changes {
        if let StatusChange::Changed(award) = change {
            state.credentials.forget(award.id);
        }
    }
    Ok(changes)
}

/// Suspends an award; a revoked one cannot be (409).
pub async fn suspend(state: &AppState, id: Uuid, reason: Option<&str>) -> ApiResult<StatusChange> {
    let award = load(state, id).await?;
    if award.revoked_at.is_some() {
        return Err(ApiError::Conflict(format!(
            "credential {id} is revoked, which is permanent: it cannot be suspended"
        )));
    }
    let change = state
        .store
        .suspend_award(id, reason, state.clock.now())
        .await
        .map_err(|error| mint::not_found(error, "credential", id))?;
    state.credentials.forget(id);
    Ok(change)
}

/// Lifts a suspension.
pub async fn unsuspend(state: &AppState, id: Uuid) -> ApiResult<StatusChange> {
    let change = state
        .store
        .unsuspend_award(id)
        .await
        .map_err(|error| mint::not_found(error, "credential", id))?;
    state.credentials.forget(id);
    Ok(change)
}

/// Re-issues an award: same `id`, `awardedDate`, `validUntil` and status entry; the issuer's
/// and achievement's current descriptions; signed now with the current keys. `name` corrects
/// the recipient's name kept by the issuer. A revoked or expired credential is not re-issued
/// (409).
pub async fn reissue(state: &AppState, id: Uuid, name: Option<String>) -> ApiResult<Award> {
    let mut award = load(state, id).await?;
    if award.revoked_at.is_some() {
        return Err(ApiError::Conflict(format!(
            "credential {id} is revoked, which is permanent: it cannot be re-issued"
        )));
    }
    if let Some(until) = award.valid_until
        && until <= state.clock.now()
    {
        return Err(ApiError::Conflict(format!(
            "credential {id} expired on {}: award the achievement anew rather than re-issue it",
            until.format("%Y-%m-%d")
        )));
    }
    let issuer = state.store.issuer(award.issuer_id).await?;
    let achievement = state.store.achievement(award.achievement_id).await?;
    let keys = state.store.issuer_keys(issuer.id).await?;
    let di = mint::active_key(&keys, issuer.id, KeyPurpose::DataIntegrity)?;
    let jwt_key = mint::active_key(&keys, issuer.id, KeyPurpose::Jwt)?;
    // Newer than the credential it replaces, even within the same second.
    let now = state
        .clock
        .now()
        .max(award.issued_at + chrono::Duration::seconds(1));

    let mut credential: Value = serde_json::from_str(&award.credential)
        .map_err(|error| ApiError::Internal(format!("stored credential {id}: {error}")))?;
    if let Value::Object(object) = &mut credential {
        object.remove("proof");
        object.insert(
            "issuer".into(),
            serde_json::to_value(documents::issuer_profile(&state.urls, &issuer))
                .map_err(|error| ApiError::Internal(error.to_string()))?,
        );
        object.insert("name".into(), Value::String(achievement.name.clone()));
        object.insert(
            "validFrom".into(),
            Value::String(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        );
    }
    credential["credentialSubject"]["achievement"] =
        serde_json::to_value(documents::achievement(&state.urls, &achievement)?)
            .map_err(|error| ApiError::Internal(error.to_string()))?;
    let di_signing = state.keys.open(&state.vault, di)?;
    let jwt_signing = state.keys.open(&state.vault, jwt_key)?;
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: state.urls.key(issuer.id, di.id),
        created: now,
    };
    let kid = state.urls.key(issuer.id, jwt_key.id);
    let (signed, compact) = tokio::task::spawn_blocking(move || -> Result<_, MintError> {
        let signed = proof::sign(&credential, &di_signing, &options)
            .map_err(|error| MintError::Sign(error.to_string()))?;
        let compact = jwt::sign(&signed, &jwt_signing, Some(&kid))
            .map_err(|error| MintError::Sign(error.to_string()))?;
        Ok((signed, compact))
    })
    .await
    .map_err(|error| MintError::Task(error.to_string()))??;

    award.credential = signed.to_string();
    award.jwt = compact;
    award.issued_at = now;
    if let Some(name) = name {
        award.recipient_name = Some(name);
    }
    state.store.replace_credential(&award).await?;
    state.credentials.forget(id);
    load(state, id).await
}

/// Rotates an issuer's keys: new Data Integrity and JWT keys (the JWT key of the issuer's
/// algorithm); the previous ones retired, still published. The new keys.
pub async fn rotate_keys(state: &AppState, issuer_id: Uuid) -> ApiResult<Vec<IssuerKey>> {
    let issuer = state
        .store
        .issuer(issuer_id)
        .await
        .map_err(|error| mint::not_found(error, "issuer", issuer_id))?;
    let algorithm = JwtAlgorithm::parse(&issuer.jwt_algorithm).ok_or_else(|| {
        ApiError::Internal(format!(
            "issuer {issuer_id} has an unknown JWT algorithm {:?}",
            issuer.jwt_algorithm
        ))
    })?;
    let now = state.clock.now();
    let (rows, opened) = mint::new_keys(state, issuer_id, algorithm, now).await?;
    state.store.rotate_keys(issuer_id, &rows, now).await?;
    state.keys.remember(opened);
    // Lists are signed again, with the new key, when next asked for: a list signed by a key
    // later marked compromised must not stay in circulation.
    state.store.resign_status_lists(issuer_id).await?;
    Ok(rows)
}

/// Marks a key compromised since `since`; if it is still in use, the issuer's keys are rotated
/// first, so nothing new is signed with it. The key as marked.
pub async fn compromise_key(
    state: &AppState,
    key_id: Uuid,
    since: DateTime<Utc>,
) -> ApiResult<IssuerKey> {
    let key = state
        .store
        .all_keys()
        .await?
        .into_iter()
        .find(|key| key.id == key_id)
        .ok_or_else(|| ApiError::not_found("key", key_id))?;
    if key.retired_at.is_none() {
        rotate_keys(state, key.issuer_id).await?;
    }
    state
        .store
        .compromise_key(key_id, since)
        .await
        .map_err(|error| mint::not_found(error, "key", key_id))
}

async fn load(state: &AppState, id: Uuid) -> ApiResult<Award> {
    state.store.award(id).await.map_err(|error| match error {
        StoreError::NotFound => ApiError::not_found("credential", id),
        other => other.into(),
    })
}
