#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use laurel_core::keys::{KeyType, SigningKey};
use serde_json::{Value, json};

use super::*;

const ISSUER: &str = "https://badges.example.org";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn sign(key: &SigningKey, header: Value, claims: Value) -> String {
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let signature = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", B64.encode(signature))
}

fn claims() -> Value {
    json!({"aud": ISSUER, "iat": now().timestamp(), "nonce": "n-1"})
}

fn did_key_header(key: &SigningKey) -> Value {
    let vm = key.public_key().to_did_key_verification_method().unwrap();
    json!({"typ": PROOF_TYP, "alg": "EdDSA", "kid": vm})
}

fn refusal(result: Result<KeyProof, ProtocolError>) -> (&'static str, String) {
    match result.unwrap_err() {
        ProtocolError::Refused {
            code, description, ..
        } => (code, description),
        ProtocolError::Service(error) => panic!("{error}"),
    }
}

#[test]
fn a_did_key_proof_binds_its_did() {
    let key = SigningKey::generate(KeyType::Ed25519).unwrap();
    let proof = check_proof(&sign(&key, did_key_header(&key), claims()), ISSUER, now()).unwrap();
    assert_eq!(proof.holder, key.public_key().to_did_key().unwrap());
    assert_eq!(proof.nonce, "n-1");
}

#[test]
fn a_jwk_proof_binds_the_did_jwk_of_its_key() {
    let key = SigningKey::generate(KeyType::P256).unwrap();
    let header = json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": key.public_key().to_jwk()});
    let proof = check_proof(&sign(&key, header, claims()), ISSUER, now()).unwrap();
    assert_eq!(proof.holder, did_jwk(&key.public_key()));
    crate::wallet::did::check_holder(&proof.holder).unwrap();
    // The same key named by its did:jwk as kid binds the same holder.
    let header = json!({"typ": PROOF_TYP, "alg": "ES256", "kid": format!("{}#0", proof.holder)});
    let again = check_proof(&sign(&key, header, claims()), ISSUER, now()).unwrap();
    assert_eq!(again.holder, proof.holder);
}

#[test]
fn refuses_proofs_that_do_not_check() {
    let key = SigningKey::generate(KeyType::Ed25519).unwrap();
    let other = SigningKey::generate(KeyType::Ed25519).unwrap();
    let p256 = SigningKey::generate(KeyType::P256).unwrap();
    let good_header = did_key_header(&key);
    let with = |name: &str, value: Value| {
        let mut header = good_header.clone();
        match value {
            Value::Null => header.as_object_mut().unwrap().remove(name),
            value => header.as_object_mut().unwrap().insert(name.into(), value),
        };
        header
    };
    let claims_with = |name: &str, value: Value| {
        let mut claims = claims();
        match value {
            Value::Null => claims.as_object_mut().unwrap().remove(name),
            value => claims.as_object_mut().unwrap().insert(name.into(), value),
        };
        claims
    };
    let late = now().timestamp() - IAT_WINDOW_SECONDS - 1;
    let cases = [
        (
            "missing typ",
            sign(&key, with("typ", Value::Null), claims()),
            "invalid_proof",
            "typ",
        ),
        (
            "a plain JWT",
            sign(&key, with("typ", "JWT".into()), claims()),
            "invalid_proof",
            "typ",
        ),
        (
            "alg none",
            sign(&key, with("alg", "none".into()), claims()),
            "invalid_proof",
            "alg",
        ),
        (
            "alg of another key type",
            sign(&key, with("alg", "ES256".into()), claims()),
            "invalid_proof",
            "fit",
        ),
        (
            "signed by another key",
            sign(&other, good_header.clone(), claims()),
            "invalid_proof",
            "signature",
        ),
        (
            "kid and jwk",
            sign(&key, with("jwk", key.public_key().to_jwk()), claims()),
            "invalid_proof",
            "both",
        ),
        (
            "no key",
            sign(&key, with("kid", Value::Null), claims()),
            "invalid_proof",
            "names no key",
        ),
        (
            "an https kid",
            sign(
                &key,
                with("kid", "https://example.org/key".into()),
                claims(),
            ),
            "invalid_proof",
            "did:key",
        ),
        (
            "x5c",
            sign(&key, with("x5c", json!(["MII"])), claims()),
            "invalid_proof",
            "x5c",
        ),
        (
            "wrong aud",
            sign(
                &key,
                good_header.clone(),
                claims_with("aud", "https://evil.example".into()),
            ),
            "invalid_proof",
            "aud",
        ),
        (
            "no aud",
            sign(&key, good_header.clone(), claims_with("aud", Value::Null)),
            "invalid_proof",
            "aud",
        ),
        (
            "old iat",
            sign(&key, good_header.clone(), claims_with("iat", late.into())),
            "invalid_proof",
            "iat",
        ),
        (
            "no iat",
            sign(&key, good_header.clone(), claims_with("iat", Value::Null)),
            "invalid_proof",
            "iat",
        ),
        (
            "no nonce",
            sign(&key, good_header.clone(), claims_with("nonce", Value::Null)),
            "invalid_nonce",
            "nonce",
        ),
        (
            "a P-256 jwk with a private member",
            sign(
                &p256,
                json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256", "d": "x", "x": "y", "y": "z"}}),
                claims(),
            ),
            "invalid_proof",
            "private",
        ),
        ("not a JWT", "abc".to_string(), "invalid_proof", "three"),
        (
            "not JSON",
            "YWJj.YWJj.YWJj".to_string(),
            "invalid_proof",
            "JSON",
        ),
    ];
    for (what, jwt, code, words) in cases {
        let (actual, description) = refusal(check_proof(&jwt, ISSUER, now()));
        assert_eq!(actual, code, "{what}: {description}");
        assert!(description.contains(words), "{what}: {description}");
    }
}

#[test]
fn aud_may_be_a_list_naming_the_issuer() {
    let key = SigningKey::generate(KeyType::Ed25519).unwrap();
    let mut claims = claims();
    claims["aud"] = json!(["https://other.example", ISSUER]);
    check_proof(&sign(&key, did_key_header(&key), claims), ISSUER, now()).unwrap();
}
