//! Holder-bound wallet copies: the award's credential, made out to the wallet's DID.
//!
//! The copy is the stored credential with its proof removed, `credentialSubject.id` set to the
//! holder's DID, and everything else unchanged: the same id, dates, achievement and, above
//! all, the same `credentialStatus` entry, so revoking the award revokes every copy. It is
//! checked as minting checks a credential (the Open Badges schema; JSON-LD safe mode, which
//! signing enforces) and signed again with the issuer's current keys by the mint's
//! [`IssuerSigner`].

use laurel_core::schema::Schema;
use laurel_store::{Award, WalletCopy, WalletFormat};
use serde_json::Value;
use uuid::Uuid;

use super::did::check_holder;
use crate::keys::SigningError;
use crate::mint::IssuerSigner;
use crate::{Service, ServiceError, ServiceResult};

/// How a wallet copy is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CopyFormat {
    /// JSON-LD with an `eddsa-rdfc-2022` Data Integrity proof (`ldp_vc`): what the Learner
    /// Credential Wallet reads.
    DataIntegrity,
    /// A VC-JWT (`jwt_vc_json`).
    Jwt,
}

impl CopyFormat {
    /// The stored format.
    pub fn stored(self) -> WalletFormat {
        match self {
            CopyFormat::DataIntegrity => WalletFormat::LdpVc,
            CopyFormat::Jwt => WalletFormat::JwtVcJson,
        }
    }
}

/// Makes, stores and returns a copy of `award`'s credential bound to `holder` (a DID):
/// JSON text for [`CopyFormat::DataIntegrity`], a compact JWT for [`CopyFormat::Jwt`].
///
/// Refused in plain words for a revoked or suspended award and for a holder that is not a
/// `did:key`, `did:web` or `did:jwk` DID.
pub async fn bound_copy(
    service: &Service,
    award: &Award,
    holder: &str,
    format: CopyFormat,
) -> ServiceResult<String> {
    let copy = signed_copy(service, award, holder, format).await?;
    service
        .store
        .insert_wallet_copy(&copy)
        .await
        .map_err(|error| ServiceError::from_store(error, "award", award.id))?;
    Ok(copy.credential)
}

/// The copy [`bound_copy`] makes, not yet stored: for a claim link, which stores it in the
/// same transaction that marks the link used.
pub async fn signed_copy(
    service: &Service,
    award: &Award,
    holder: &str,
    format: CopyFormat,
) -> ServiceResult<WalletCopy> {
    check_can_copy(award)?;
    check_holder(holder)?;
    let unsigned = bound_credential(award, holder)?;
    let violations = Schema::AchievementCredential.validate(&unsigned);
    if !violations.is_empty() {
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        return Err(ServiceError::Internal(format!(
            "the wallet copy of award {} would not pass the Open Badges schema: {}",
            award.id,
            list.join("; ")
        )));
    }
    let signer = IssuerSigner::open(service, award.issuer_id).await?;
    let now = service.clock.now();
    let credential = tokio::task::spawn_blocking(move || match format {
        CopyFormat::DataIntegrity => signer
            .data_integrity(&unsigned, now)
            .map(|signed| signed.to_string()),
        CopyFormat::Jwt => signer.jwt(&unsigned),
    })
    .await
    .map_err(|error| SigningError::Task(error.to_string()))??;
    Ok(WalletCopy {
        id: Uuid::now_v7(),
        award_id: award.id,
        holder: holder.to_string(),
        format: format.stored(),
        credential,
        created_at: now,
    })
}

/// Refuses a revoked or suspended award: a wallet would show a badge its issuer withdrew.
pub fn check_can_copy(award: &Award) -> ServiceResult<()> {
    if award.revoked_at.is_some() {
        return Err(ServiceError::Conflict(
            "this badge was revoked by its issuer, so it cannot be added to a wallet".into(),
        ));
    }
    if award.suspended_at.is_some() {
        return Err(ServiceError::Conflict(
            "this badge is suspended by its issuer, so it cannot be added to a wallet now; \
             ask the issuer"
                .into(),
        ));
    }
    Ok(())
}

/// The award's credential without its proof, its subject's `id` the holder.
fn bound_credential(award: &Award, holder: &str) -> ServiceResult<Value> {
    let corrupt = |what: &str| {
        ServiceError::Internal(format!("award {}'s stored credential {what}", award.id))
    };
    let mut credential: Value =
        serde_json::from_str(&award.credential).map_err(|_| corrupt("is not JSON"))?;
    let object = credential
        .as_object_mut()
        .ok_or_else(|| corrupt("is not a JSON object"))?;
    object.remove("proof");
    let subject = object
        .get_mut("credentialSubject")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| corrupt("has no credentialSubject object"))?;
    subject.insert("id".into(), Value::String(holder.to_string()));
    Ok(credential)
}
