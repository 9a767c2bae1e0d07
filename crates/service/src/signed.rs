//! Links that prove themselves: an id, an expiry, and an HMAC-SHA256 of both under a random
//! key this installation keeps, so a page can trust a link without a stored secret per link.
//!
//! Used where a link shows one person's own things for a while: a recipient's pathway
//! progress ([`crate::pathways::progress_token`]) and the transcript link emailed on request
//! ([`crate::transcript::by_email`]). A token is `{id}.{expires}.{mac}`: the id (simple hex),
//! the expiry (Unix seconds) and the MAC (base64url) of a purpose, the id and the expiry.
//! The purpose keeps one kind of link from being passed off as another; the expiry is signed,
//! so it cannot be moved. Nothing is stored per link, so a link cannot be withdrawn before it
//! expires: keep the lifetimes short.
//!
//! The key lives in the setting `pathways.progress_key` (its name from when progress links
//! were its only use), made at first use; the first writer wins, so instances agree.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Service, ServiceError, ServiceResult};

/// The setting holding the key.
const KEY_SETTING: &str = "pathways.progress_key";

/// What a token is for (signed into its MAC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A recipient's pathway progress (the id is an award's).
    Progress,
    /// A recipient's transcript, emailed on request (the id is the request's).
    Transcript,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Progress => b"laurel progress link v2\0",
            Purpose::Transcript => b"laurel transcript link v1\0",
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not one of ours (malformed, tampered, another purpose's, made before expiries).
    Unknown,
    /// Ours, but past its expiry.
    Expired,
}

/// A token for `id` that works until `expires`.
pub async fn token(
    service: &Service,
    purpose: Purpose,
    id: Uuid,
    expires: DateTime<Utc>,
) -> ServiceResult<String> {
    let key = key(service).await?;
    let seconds = expires.timestamp();
    Ok(format!(
        "{}.{seconds}.{}",
        id.simple(),
        URL_SAFE_NO_PAD.encode(hmac(&key, &message(purpose, id, seconds)))
    ))
}

/// The id a token names, if it is ours, for `purpose`, and not expired at `now`. Store
/// errors (reading the key) are errors, not refusals.
pub async fn open(
    service: &Service,
    purpose: Purpose,
    token: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Result<Uuid, Refused>> {
    let mut parts = token.splitn(3, '.');
    let (Some(id), Some(seconds), Some(mac)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(Err(Refused::Unknown));
    };
    let (Ok(id), Ok(seconds), Ok(mac)) = (
        Uuid::try_parse(id),
        seconds.parse::<i64>(),
        URL_SAFE_NO_PAD.decode(mac),
    ) else {
        return Ok(Err(Refused::Unknown));
    };
    let key = key(service).await?;
    let expected = hmac(&key, &message(purpose, id, seconds));
    // Constant time: every byte is compared whatever the first difference.
    let same = mac.len() == expected.len()
        && mac
            .iter()
            .zip(expected.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Ok(Err(Refused::Unknown));
    }
    if now.timestamp() >= seconds {
        return Ok(Err(Refused::Expired));
    }
    Ok(Ok(id))
}

fn message(purpose: Purpose, id: Uuid, expires: i64) -> Vec<u8> {
    let mut message = purpose.label().to_vec();
    message.extend_from_slice(id.as_bytes());
    message.extend_from_slice(&expires.to_be_bytes());
    message
}

/// The installation's key, made at first use (the first writer wins, so instances agree).
async fn key(service: &Service) -> ServiceResult<Vec<u8>> {
    if let Some(stored) = service.store.setting(KEY_SETTING).await? {
        return decode_key(&stored);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| ServiceError::Internal(format!("no random bytes: {error}")))?;
    let stored = service
        .store
        .setting_init(KEY_SETTING, &URL_SAFE_NO_PAD.encode(bytes))
        .await?;
    decode_key(&stored)
}

fn decode_key(text: &str) -> ServiceResult<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| ServiceError::Internal(format!("the setting {KEY_SETTING} is not base64url")))
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer);
    out
}

#[cfg(test)]
mod tests {
    use super::hmac;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
