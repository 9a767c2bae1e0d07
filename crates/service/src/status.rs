//! Bitstring Status Lists: a revocation bit for every credential, and the signed lists.
//!
//! Every credential minted here carries one `credentialStatus`: a `BitstringStatusListEntry`
//! with purpose `revocation` (OB 3.0's schema allows a single status object, so suspension,
//! which is reversible, is kept issuer-side). Lists have [`LIST_SIZE`] entries; positions are
//! handed out by the store (never twice, also across instances) and turned into indexes by a
//! keyed shuffle, so an index says nothing about when or with whom a credential was issued.
//!
//! A list's credential (`BitstringStatusListCredential`, signed `eddsa-rdfc-2022` by the
//! issuer's Data Integrity key) is stored with the list version it shows, and signed again only
//! when a bit has changed: right after a revocation, and, should an instance stop between the
//! two, on the next request for it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use laurel_core::model::BitstringStatusListEntry;
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_core::status::{Bitstring, IndexShuffle};
use laurel_store::{KeyPurpose, StatusList, StatusSlot};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::keys::{self, SigningError};
use crate::{Service, ServiceError, ServiceResult, Urls};

/// Entries per list: the spec's minimum, 131,072 (16 KiB of bits).
pub const LIST_SIZE: u32 = laurel_core::status::MIN_ENTRIES as u32;
/// The purpose of the one status entry a credential carries.
pub const PURPOSE: &str = "revocation";
/// How long a verifier may cache a list, in milliseconds (the list's `ttl`, and its
/// `Cache-Control: max-age` in seconds).
pub const TTL_MS: u64 = 60_000;

/// Places for `count` new credentials of an issuer on its revocation lists.
pub async fn allocate(
    service: &Service,
    issuer_id: Uuid,
    count: usize,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<StatusSlot>> {
    let count = u32::try_from(count)
        .map_err(|_| ServiceError::Invalid("too many credentials at once".into()))?;
    let allocations = service
        .store
        .allocate_status(issuer_id, PURPOSE, count, LIST_SIZE, now)
        .await?;
    let mut shuffles: HashMap<Uuid, IndexShuffle> = HashMap::new();
    Ok(allocations
        .into_iter()
        .map(|allocation| {
            let shuffle = shuffles
                .entry(allocation.list_id)
                .or_insert_with(|| IndexShuffle::new(&allocation.key, u64::from(allocation.size)));
            // The shuffle maps positions below `size` to indexes below `size`, a u32.
            let index =
                u32::try_from(shuffle.index(u64::from(allocation.position))).unwrap_or(u32::MAX);
            StatusSlot {
                list_id: allocation.list_id,
                index,
            }
        })
        .collect())
}

/// The `credentialStatus` of a credential in `slot`.
pub fn entry(urls: &Urls, slot: StatusSlot) -> BitstringStatusListEntry {
    let list = urls.status_list(slot.list_id);
    let mut entry = BitstringStatusListEntry::new(PURPOSE, list.clone(), u64::from(slot.index));
    entry.id = Some(format!("{list}#{}", slot.index));
    entry
}

/// The list with a credential that shows its current bits, signing (and storing) one if the
/// stored credential is older than the list.
pub async fn signed(service: &Service, list_id: Uuid) -> ServiceResult<(StatusList, String)> {
    let mut list = service.store.status_list(list_id).await?;
    loop {
        if list.signed_version >= list.version
            && let Some(credential) = &list.credential
        {
            return Ok((list.clone(), credential.clone()));
        }
        let credential = sign(service, &list).await?;
        if service
            .store
            .save_status_credential(list.id, list.version, &credential)
            .await?
        {
            list.signed_version = list.version;
            list.credential = Some(credential.clone());
            return Ok((list, credential));
        }
        // Another instance stored one for the same or a newer version meanwhile: use that,
        // or sign again if the list moved on.
        list = service.store.status_list(list_id).await?;
    }
}

/// Signs the list's credential for its current bits with the issuer's active Data Integrity
/// key.
async fn sign(service: &Service, list: &StatusList) -> ServiceResult<String> {
    let keys = service.store.issuer_keys(list.issuer_id).await?;
    let key = keys::active_key(&keys, list.issuer_id, KeyPurpose::DataIntegrity)?;
    let signing = service.keys.open(&service.vault, key)?;
    let now = service.clock.now();
    let document = document(&service.urls, list);
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: service.urls.key(list.issuer_id, key.id),
        created: now,
    };
    let signed = tokio::task::spawn_blocking(move || proof::sign(&document, &signing, &options))
        .await
        .map_err(|error| SigningError::Task(error.to_string()))?
        .map_err(|error| SigningError::Sign(error.to_string()))?;
    Ok(signed.to_string())
}

/// The unsigned `BitstringStatusListCredential` of a list as it is now. It is valid from when
/// the list began (not from this signature: a verifier whose clock is a little behind must
/// not see a list signed a moment ago as not yet valid).
pub fn document(urls: &Urls, list: &StatusList) -> Value {
    let url = urls.status_list(list.id);
    let encoded = Bitstring::from_bytes(list.bits.clone()).encode();
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": urls.issuer(list.issuer_id),
        "validFrom": list.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": list.purpose,
            "encodedList": encoded,
            "ttl": TTL_MS,
        },
    })
}
