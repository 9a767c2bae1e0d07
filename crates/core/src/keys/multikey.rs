//! Multikey (`z6Mk…`) and did:key encodings of Ed25519 public keys.
//!
//! A Multikey is `z` (multibase base58btc) + base58btc(multicodec `0xed 0x01` ‖ 32-byte key).
//! A did:key is `did:key:` + that Multikey, and its one verification method is
//! `did:key:z6Mk…#z6Mk…`. Other multicodec prefixes are refused, as the EdDSA cryptosuite
//! spec requires.

use super::{KeyError, PublicKey};

const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// `z` + base58btc: the multibase form of a signature or key.
pub fn encode_multibase_base58(bytes: &[u8]) -> String {
    if let Ok(signature) = <&[u8; 64]>::try_from(bytes) {
        // Every proofValue: five8 does the 64-byte case in a fraction of bs58's time.
        let mut text = [0u8; 88];
        let length = usize::from(five8::encode_64(signature, &mut text));
        let mut out = String::with_capacity(1 + length);
        out.push('z');
        // Base58 digits are ASCII.
        out.extend(text[..length].iter().map(|&digit| char::from(digit)));
        return out;
    }
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Decodes a `z`-prefixed multibase base58btc string.
pub fn decode_multibase_base58(text: &str) -> Result<Vec<u8>, KeyError> {
    let body = text.strip_prefix('z').ok_or_else(|| {
        KeyError::Invalid("expected multibase base58btc (a value starting with 'z')".into())
    })?;
    let mut signature = [0u8; 64];
    if five8::decode_64(body, &mut signature).is_ok() {
        // A 64-byte value (a signature); anything else, or an error, goes to bs58, whose
        // answer is the reference (see `base58_agrees_with_bs58`).
        return Ok(signature.to_vec());
    }
    bs58::decode(body)
        .into_vec()
        .map_err(|_| KeyError::Invalid("not valid base58btc".into()))
}

impl PublicKey {
    /// The Multikey `publicKeyMultibase` of an Ed25519 key; `None` for other key types.
    pub fn to_multikey(&self) -> Option<String> {
        match self {
            PublicKey::Ed25519(key) => {
                let mut bytes = ED25519_PUB.to_vec();
                bytes.extend_from_slice(key.as_bytes());
                Some(encode_multibase_base58(&bytes))
            }
            _ => None,
        }
    }

    /// Reads an Ed25519 Multikey (`z6Mk…`).
    pub fn from_multikey(multikey: &str) -> Result<Self, KeyError> {
        let bytes = decode_multibase_base58(multikey)?;
        match bytes.strip_prefix(&ED25519_PUB) {
            Some(key) => PublicKey::ed25519_from_bytes(key),
            None => Err(KeyError::Unsupported(
                "a Multikey that is not an Ed25519 public key (expected prefix z6Mk)".into(),
            )),
        }
    }

    /// The did:key DID of an Ed25519 key (`did:key:z6Mk…`); `None` for other key types.
    pub fn to_did_key(&self) -> Option<String> {
        self.to_multikey()
            .map(|multikey| format!("did:key:{multikey}"))
    }

    /// The did:key verification method (`did:key:z6Mk…#z6Mk…`) of an Ed25519 key.
    pub fn to_did_key_verification_method(&self) -> Option<String> {
        self.to_multikey()
            .map(|multikey| format!("did:key:{multikey}#{multikey}"))
    }

    /// Reads the key out of a did:key DID or DID URL (`did:key:z6Mk…` with optional fragment).
    pub fn from_did_key(did: &str) -> Result<Self, KeyError> {
        let rest = did
            .strip_prefix("did:key:")
            .ok_or_else(|| KeyError::Invalid(format!("{did} is not a did:key")))?;
        let (multikey, fragment) = match rest.split_once('#') {
            Some((multikey, fragment)) => (multikey, Some(fragment)),
            None => (rest, None),
        };
        if fragment.is_some_and(|fragment| fragment != multikey) {
            return Err(KeyError::Invalid(format!(
                "{did}: a did:key's fragment must repeat its key"
            )));
        }
        PublicKey::from_multikey(multikey)
    }
}
