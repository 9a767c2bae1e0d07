//! `IdentityObject`: identifying a recipient by something other than `credentialSubject.id`,
//! usually a salted SHA-256 of their email address.
//!
//! Hashing keeps the email out of a credential that may be shared publicly, while anyone who
//! knows the address can still check it. The spec hashes the UTF-8 bytes of `identifier ‖ salt`
//! and does not say how to normalize emails; we trim and lowercase before hashing (and document
//! it), so `" A@Example.COM "` and `"a@example.com"` give the same hash. When *checking*, we
//! also try the trimmed address as given, for issuers that did not lowercase.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{md5::md5, vocab};

/// Why a recipient identity could not be created.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The operating system's random number generator failed.
    #[error("could not generate a random salt: {0}")]
    Random(#[from] getrandom::Error),
}

/// A recipient identifier: `{"type": "IdentityObject", "identityType", "hashed",
/// "identityHash", "salt"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    /// Always `"IdentityObject"` (a string, not an array).
    #[serde(rename = "type")]
    pub r#type: String,
    /// Whether `identity_hash` is a hash (`alg$hex`) or the plaintext value.
    pub hashed: bool,
    /// `sha256$<hex>` / `md5$<hex>` when hashed, otherwise the plaintext identifier.
    pub identity_hash: String,
    /// Kind of identifier (`emailAddress`, `sourcedId`, `ext:…`, …).
    pub identity_type: String,
    /// Salt appended to the identifier before hashing; absent means unsalted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Properties not modelled above, kept for round trips (the schema forbids any).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Normalizes an email address the way we hash it: surrounding whitespace removed, lowercased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn sha256_identity_hash(value: &str, salt: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(value.as_bytes());
    hasher.update(salt.as_bytes());
    format!("sha256${}", hex::encode(hasher.finalize()))
}

impl IdentityObject {
    /// A salted SHA-256 of an email address (normalized by [`normalize_email`]):
    /// `identityType: "emailAddress"`, `hashed: true`,
    /// `identityHash: "sha256$" + hex(sha256(normalized_email + salt))`.
    pub fn hashed_email(email: &str, salt: &str) -> Self {
        Self::hashed(vocab::EMAIL_ADDRESS, email, salt)
    }

    /// A salted SHA-256 of any identifier. `emailAddress` values are normalized by
    /// [`normalize_email`]; other values are hashed as given.
    pub fn hashed(identity_type: &str, value: &str, salt: &str) -> Self {
        let value = normalize_for(identity_type, value);
        Self {
            r#type: vocab::IDENTITY_OBJECT.to_owned(),
            hashed: true,
            identity_hash: sha256_identity_hash(&value, salt),
            identity_type: identity_type.to_owned(),
            salt: Some(salt.to_owned()),
            extra: Map::new(),
        }
    }

    /// An unhashed identifier (the plaintext value is published in `identityHash`).
    pub fn plaintext(identity_type: &str, value: &str) -> Self {
        Self {
            r#type: vocab::IDENTITY_OBJECT.to_owned(),
            hashed: false,
            identity_hash: value.to_owned(),
            identity_type: identity_type.to_owned(),
            salt: None,
            extra: Map::new(),
        }
    }

    /// A recipient's name as the issuer wrote it, unhashed: `identityType: "name"`,
    /// `hashed: false`, the name in `identityHash`. The Digital Credentials Consortium's
    /// Learner Credential Wallet shows this identity's value as the credential's holder name.
    pub fn name(name: &str) -> Self {
        Self::plaintext(vocab::NAME, name)
    }

    /// A fresh random salt: 16 bytes from the OS, as 32 lowercase hex digits.
    pub fn new_salt() -> Result<String, IdentityError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(hex::encode(bytes))
    }

    /// True if this identity is `value` of kind `identity_type`.
    ///
    /// Handles unhashed values and `sha256$`/`md5$` hashes (algorithm name and hex digits in
    /// either case), salted or not. For `emailAddress`, `value` is normalized with
    /// [`normalize_email`]; the trimmed value as given is tried too, for issuers that hashed
    /// without lowercasing. Unknown algorithms never match.
    pub fn matches(&self, identity_type: &str, value: &str) -> bool {
        if self.identity_type != identity_type {
            return false;
        }
        let is_email = identity_type == vocab::EMAIL_ADDRESS;
        if !self.hashed {
            return if is_email {
                normalize_email(&self.identity_hash) == normalize_email(value)
            } else {
                self.identity_hash == value
            };
        }
        let Some((alg, expected_hex)) = self.identity_hash.split_once('$') else {
            return false;
        };
        let salt = self.salt.as_deref().unwrap_or("");
        let digest_hex = |candidate: &str| -> Option<String> {
            let input = format!("{candidate}{salt}");
            if alg.eq_ignore_ascii_case("sha256") {
                Some(hex::encode(Sha256::digest(input.as_bytes())))
            } else if alg.eq_ignore_ascii_case("md5") {
                Some(hex::encode(md5(input.as_bytes())))
            } else {
                None
            }
        };
        let candidates: Vec<String> = if is_email {
            vec![normalize_email(value), value.trim().to_owned()]
        } else {
            vec![value.to_owned()]
        };
        candidates.iter().any(|candidate| {
            digest_hex(candidate).is_some_and(|hex| hex.eq_ignore_ascii_case(expected_hex))
        })
    }
}

/// The recipient's name in a credential subject (JSON): the `identityHash` of the first
/// unhashed `name` identity in `identifier` (an object or an array), trimmed, if any. A hashed
/// identity is never read as a name, so a hash is never shown as one.
pub fn subject_name(subject: &Value) -> Option<String> {
    let identities = match subject.get("identifier")? {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        one => vec![one],
    };
    identities.into_iter().find_map(|identity| {
        let is_name = identity.get("identityType").and_then(Value::as_str) == Some(vocab::NAME);
        let hashed = identity.get("hashed").and_then(Value::as_bool) != Some(false);
        let value = identity.get("identityHash").and_then(Value::as_str)?.trim();
        (is_name && !hashed && !value.is_empty()).then(|| value.to_owned())
    })
}

fn normalize_for(identity_type: &str, value: &str) -> String {
    if identity_type == vocab::EMAIL_ADDRESS {
        normalize_email(value)
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KOSHER: &str = "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399";

    #[test]
    fn spec_vector_and_normalization() {
        let id = IdentityObject::hashed_email("a@example.com", "Kosher");
        assert_eq!(id.identity_hash, KOSHER);
        assert_eq!(id.identity_type, "emailAddress");
        assert!(id.hashed);
        assert_eq!(id.salt.as_deref(), Some("Kosher"));
        assert_eq!(
            IdentityObject::hashed_email("  A@Example.COM ", "Kosher").identity_hash,
            KOSHER
        );
        let json = serde_json::to_value(&id).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({
                "type": "IdentityObject",
                "hashed": true,
                "identityHash": KOSHER,
                "identityType": "emailAddress",
                "salt": "Kosher"
            })
        );
    }

    #[test]
    fn matches_hashed_sha256_any_case() {
        let id = IdentityObject::hashed_email("a@example.com", "Kosher");
        assert!(id.matches("emailAddress", "a@example.com"));
        assert!(id.matches("emailAddress", "  A@EXAMPLE.com\n"));
        assert!(!id.matches("emailAddress", "b@example.com"));
        assert!(!id.matches("name", "a@example.com"));
        let upper = IdentityObject {
            identity_hash: KOSHER.to_uppercase(),
            ..id
        };
        assert!(upper.matches("emailAddress", "a@example.com"));
    }

    #[test]
    fn matches_md5_unsalted_and_unknown_alg() {
        let md5_id = IdentityObject {
            identity_hash: "md5$ddd142639a792e74751ee7e129237efa".to_owned(),
            ..IdentityObject::hashed_email("x", "Kosher")
        };
        assert!(md5_id.matches("emailAddress", "A@example.com"));
        let unsalted = IdentityObject {
            salt: None,
            identity_hash: sha256_identity_hash("a@example.com", ""),
            ..md5_id.clone()
        };
        assert!(unsalted.matches("emailAddress", "a@example.com"));
        let sha1 = IdentityObject {
            identity_hash: "sha1$00".to_owned(),
            ..md5_id
        };
        assert!(!sha1.matches("emailAddress", "a@example.com"));
    }

    #[test]
    fn matches_issuer_that_did_not_lowercase() {
        let id = IdentityObject {
            identity_hash: sha256_identity_hash("Jane@Example.com", "s"),
            ..IdentityObject::hashed_email("x", "s")
        };
        assert!(id.matches("emailAddress", " Jane@Example.com "));
    }

    #[test]
    fn matches_plaintext() {
        let email = IdentityObject::plaintext("emailAddress", "Student@1EdTech.edu");
        assert!(email.matches("emailAddress", "student@1edtech.edu"));
        let name = IdentityObject::plaintext("name", "Parker Pearl");
        assert!(name.matches("name", "Parker Pearl"));
        assert!(!name.matches("name", "parker pearl"));
    }

    #[test]
    fn names_are_published_unhashed_and_read_back() {
        let name = IdentityObject::name("Ana Reader");
        assert_eq!(
            serde_json::to_value(&name).expect("serializes"),
            serde_json::json!({
                "type": "IdentityObject",
                "hashed": false,
                "identityHash": "Ana Reader",
                "identityType": "name"
            })
        );
        let email = IdentityObject::hashed_email("ana@example.org", "s");
        let subject = serde_json::json!({ "identifier": [email, name] });
        assert_eq!(subject_name(&subject).as_deref(), Some("Ana Reader"));
        let one = serde_json::json!({ "identifier": IdentityObject::name(" Zoë ") });
        assert_eq!(subject_name(&one).as_deref(), Some("Zoë"));
        // Only an email: no name, and a hashed "name" is never shown.
        let hashed_name = IdentityObject::hashed("name", "Ana Reader", "s");
        let subject = serde_json::json!({ "identifier": [email, hashed_name] });
        assert_eq!(subject_name(&subject), None);
        assert_eq!(
            subject_name(&serde_json::json!({ "id": "did:example:1" })),
            None
        );
    }

    #[test]
    fn a_name_identity_never_matches_an_email_check() {
        let name = IdentityObject::name("ana@example.org");
        assert!(!name.matches("emailAddress", "ana@example.org"));
    }

    #[test]
    fn salts_are_random_hex() {
        let a = IdentityObject::new_salt().expect("os rng");
        let b = IdentityObject::new_salt().expect("os rng");
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
