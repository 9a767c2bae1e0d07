//! Which holder identifiers a wallet copy may be bound to: `did:key`, `did:web`, `did:jwk`.
//!
//! Only the syntax is checked here (the copy names the DID; it does not need its keys). A
//! `did:key` must decode to a public key, a `did:jwk` to a JSON Web Key, and a `did:web` must
//! name a host and optional path the way the method's specification writes them.
//!
//! `did:jwk` is read here once, for both wallet protocols: [`did_jwk_key`] decodes one (the
//! holder check, and the OpenID4VCI key proof whose `kid` names one), [`did_jwk`] makes one.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use laurel_core::keys::PublicKey;
use serde_json::{Map, Value};

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
    } else if holder.starts_with("did:jwk:") {
        did_jwk_key(holder).map(|_| ()).map_err(refuse)
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

/// The public JSON Web Key a `did:jwk` DID (no fragment) holds: the base64url (no padding)
/// of the key's JSON, which must be an object with a `kty` and no private part (`d`). The
/// error is the reason, for the caller's sentence.
pub fn did_jwk_key(did: &str) -> Result<Map<String, Value>, &'static str> {
    let encoded = did.strip_prefix("did:jwk:").ok_or("it is not a did:jwk")?;
    let json = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| "a did:jwk is base64url without padding")?;
    let Ok(Value::Object(jwk)) = serde_json::from_slice::<Value>(&json) else {
        return Err("a did:jwk holds a JSON key");
    };
    if jwk.get("kty").and_then(Value::as_str).is_none() {
        return Err("the did:jwk's key has no \"kty\"");
    }
    if jwk.contains_key("d") {
        return Err("the did:jwk holds a private key");
    }
    Ok(jwk)
}

/// `did:jwk:` + base64url of the key's public JWK.
pub fn did_jwk(key: &PublicKey) -> String {
    format!(
        "did:jwk:{}",
        URL_SAFE_NO_PAD.encode(key.to_jwk().to_string())
    )
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

    #[test]
    fn a_did_jwk_round_trips_and_its_mistakes_are_named() {
        let key = laurel_core::keys::SigningKey::from_ed25519_seed(&[9; 32]).public_key();
        let did = did_jwk(&key);
        let jwk = did_jwk_key(&did).expect("decodes");
        assert_eq!(
            PublicKey::from_jwk(&Value::Object(jwk)).expect("a key"),
            key
        );
        assert_eq!(
            did_jwk_key("did:jwk:!!"),
            Err("a did:jwk is base64url without padding")
        );
        let array = format!("did:jwk:{}", URL_SAFE_NO_PAD.encode("[1]"));
        assert_eq!(did_jwk_key(&array), Err("a did:jwk holds a JSON key"));
        let no_kty = format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(r#"{"x":"a"}"#));
        assert!(did_jwk_key(&no_kty).is_err());
        assert_eq!(did_jwk_key("did:key:z6Mk"), Err("it is not a did:jwk"));
    }
}
