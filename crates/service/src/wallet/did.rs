//! Which holder identifiers a wallet copy may be bound to: `did:key`, `did:web`, `did:jwk`.
//!
//! Only the syntax is checked here (the copy names the DID; it does not need its keys). A
//! `did:key` must decode to a public key, a `did:jwk` to a JSON Web Key, and a `did:web` must
//! name a host and optional path the way the method's specification writes them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use laurel_core::keys::PublicKey;

use crate::ServiceError;

/// The longest holder DID accepted (a did:jwk of an RSA key is the longest in use).
pub const MAX_DID_CHARS: usize = 2048;

/// Checks that `holder` is a `did:key`, `did:web` or `did:jwk` DID (with no fragment).
pub fn check_holder(holder: &str) -> Result<(), ServiceError> {
    let refuse = |why: &str| {
        ServiceError::Invalid(format!(
            "the wallet's identifier {:?} cannot receive a badge: {why}",
            holder.chars().take(80).collect::<String>()
        ))
    };
    if holder.len() > MAX_DID_CHARS {
        return Err(refuse("it is too long"));
    }
    if holder.contains(['#', '?']) {
        return Err(refuse("a holder DID has no fragment or query"));
    }
    if let Some(rest) = holder.strip_prefix("did:key:") {
        if rest.is_empty() {
            return Err(refuse("the did:key is empty"));
        }
        PublicKey::from_did_key(holder)
            .map(|_| ())
            .map_err(|_| refuse("the did:key does not hold a public key Laurel can read"))
    } else if let Some(rest) = holder.strip_prefix("did:jwk:") {
        let json = URL_SAFE_NO_PAD
            .decode(rest)
            .map_err(|_| refuse("a did:jwk is base64url without padding"))?;
        let jwk: serde_json::Value =
            serde_json::from_slice(&json).map_err(|_| refuse("a did:jwk holds a JSON key"))?;
        if jwk.get("kty").and_then(serde_json::Value::as_str).is_none() {
            return Err(refuse("the did:jwk's key has no \"kty\""));
        }
        if jwk.get("d").is_some() {
            return Err(refuse("the did:jwk holds a private key"));
        }
        Ok(())
    } else if let Some(rest) = holder.strip_prefix("did:web:") {
        let mut parts = rest.split(':');
        let host = parts.next().unwrap_or_default().replace("%3A", ":");
        let (name, port) = match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host.as_str(), None),
        };
        let name_ok = !name.is_empty()
            && name.contains('.')
            && name.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        let port_ok = port
            .is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
        let path_ok = parts.all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~%".contains(c))
        });
        if name_ok && port_ok && path_ok {
            Ok(())
        } else {
            Err(refuse("a did:web names a host such as did:web:example.org"))
        }
    } else {
        Err(refuse(
            "Laurel binds badges to did:key, did:web or did:jwk identifiers",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_and_refused_holders() {
        let key = laurel_core::keys::SigningKey::from_ed25519_seed(&[7; 32])
            .public_key()
            .to_did_key()
            .expect("an Ed25519 key has a did:key");
        assert!(check_holder(&key).is_ok());
        assert!(check_holder("did:web:example.org").is_ok());
        assert!(check_holder("did:web:example.org%3A8443:users:ada").is_ok());
        let jwk = URL_SAFE_NO_PAD.encode(r#"{"kty":"OKP","crv":"Ed25519","x":"abc"}"#);
        assert!(check_holder(&format!("did:jwk:{jwk}")).is_ok());

        for bad in [
            "",
            "mailto:ada@example.org",
            "did:key:",
            "did:key:z6MkNotAKey",
            "did:web:",
            "did:web:localhost",
            "did:web:exa mple.org",
            "did:web:example.org::x",
            "did:jwk:!!",
            "did:example:123",
        ] {
            assert!(check_holder(bad).is_err(), "{bad} accepted");
        }
        assert!(check_holder(&format!("{key}#{}", &key[8..])).is_err());
        let private = URL_SAFE_NO_PAD.encode(r#"{"kty":"OKP","d":"secret"}"#);
        assert!(check_holder(&format!("did:jwk:{private}")).is_err());
        let long = format!("did:web:{}.org", "a".repeat(MAX_DID_CHARS));
        assert!(check_holder(&long).is_err());
    }
}
