use serde_json::json;

use super::*;

fn credential() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:5b1e5e8e-3b49-4b3a-8d7b-0c1c1c1c1c1c",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": { "id": "https://issuer.example/issuers/1", "type": ["Profile"], "name": "Société ® 図書館 📚" },
        "validFrom": "2026-01-02T03:04:05Z",
        "validUntil": "2028-01-02T03:04:05Z",
        "credentialSubject": { "id": "did:example:learner", "type": ["AchievementSubject"] }
    })
}

fn b64(value: &Value) -> String {
    B64.encode(value.to_string())
}

#[test]
fn signs_and_verifies_in_every_algorithm_with_claims() {
    for key_type in [KeyType::Ed25519, KeyType::P256, KeyType::Rsa] {
        let key = SigningKey::generate(key_type).expect("key");
        let jwt = sign(&credential(), &key, None).expect("sign");
        assert!(looks_like_jws(&jwt));
        let decoded = decode(&jwt).expect("decode");
        assert_eq!(decoded.alg, key_type);
        assert_eq!(decoded.key, KeyReference::Jwk(key.public_key()));
        assert_eq!(decoded.payload["iss"], "https://issuer.example/issuers/1");
        assert_eq!(decoded.payload["jti"], credential()["id"]);
        assert_eq!(decoded.payload["nbf"], 1_767_323_045);
        assert_eq!(decoded.payload["sub"], "did:example:learner");
        assert_eq!(decoded.payload["exp"], 1_830_395_045);
        assert_eq!(decoded.credential, credential());
        decoded
            .verify_signature(&key.public_key())
            .expect("signature");
        decoded.check_claims().expect("claims");
        let other = SigningKey::generate(key_type).expect("key").public_key();
        assert!(matches!(
            decoded.verify_signature(&other),
            Err(JwtError::BadSignature)
        ));
    }
}

#[test]
fn kid_goes_in_the_header_without_jwk() {
    let key = SigningKey::generate(KeyType::P256).expect("key");
    let jwt = sign(&credential(), &key, Some("https://issuer.example/keys/1")).expect("sign");
    let header: Value = serde_json::from_slice(
        &B64.decode(jwt.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(
        header,
        json!({"alg": "ES256", "kid": "https://issuer.example/keys/1", "typ": "JWT"})
    );
}

#[test]
fn tampered_payload_fails() {
    let key = SigningKey::generate(KeyType::Ed25519).expect("key");
    let jwt = sign(&credential(), &key, None).expect("sign");
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&B64.decode(parts[1]).expect("b64")).expect("json");
    payload["credentialSubject"]["id"] = json!("did:example:mallory");
    payload["sub"] = json!("did:example:mallory");
    let forged = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
    let decoded = decode(&forged).expect("decode");
    decoded.check_claims().expect("claims are consistent");
    assert!(matches!(
        decoded.verify_signature(&key.public_key()),
        Err(JwtError::BadSignature)
    ));
}

#[test]
fn alg_none_and_hmac_are_refused() {
    let key = SigningKey::generate(KeyType::Rsa).expect("key");
    let jwt = sign(&credential(), &key, None).expect("sign");
    let payload = jwt.split('.').nth(1).expect("payload");
    let jwk = key.public_key().to_jwk();
    let none = format!("{}.{payload}.", b64(&json!({"alg": "none", "jwk": jwk})));
    assert!(matches!(decode(&none), Err(JwtError::Header(m)) if m.contains("\"none\"")));
    // HS256 "signed" with the public key as the HMAC secret: refused before any key use.
    let hs = format!(
        "{}.{payload}.AAAA",
        b64(&json!({"alg": "HS256", "jwk": jwk}))
    );
    assert!(matches!(decode(&hs), Err(JwtError::Header(m)) if m.contains("HS256")));
}

#[test]
fn alg_must_fit_the_key() {
    let rsa = SigningKey::generate(KeyType::Rsa).expect("key");
    let jwt = sign(&credential(), &rsa, Some("https://issuer.example/keys/1")).expect("sign");
    let decoded = decode(&jwt).expect("decode");
    let ed = SigningKey::generate(KeyType::Ed25519)
        .expect("key")
        .public_key();
    assert!(matches!(
        decoded.verify_signature(&ed),
        Err(JwtError::Header(_))
    ));
}

#[test]
fn header_jwk_with_private_key_is_refused() {
    let key = SigningKey::generate(KeyType::Ed25519).expect("key");
    let jwt = sign(&credential(), &key, None).expect("sign");
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut jwk = key.public_key().to_jwk();
    jwk["d"] = json!("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
    let header = b64(&json!({"alg": "EdDSA", "jwk": jwk}));
    let leaked = format!("{header}.{}.{}", parts[1], parts[2]);
    assert!(matches!(decode(&leaked), Err(JwtError::Key(_))));
}

#[test]
fn extra_header_members_are_refused() {
    let key = SigningKey::generate(KeyType::Ed25519).expect("key");
    let jwt = sign(&credential(), &key, None).expect("sign");
    let parts: Vec<&str> = jwt.split('.').collect();
    let header = b64(&json!({"alg": "EdDSA", "jwk": key.public_key().to_jwk(), "crit": ["b64"]}));
    let forged = format!("{header}.{}.{}", parts[1], parts[2]);
    assert!(matches!(decode(&forged), Err(JwtError::Header(m)) if m.contains("crit")));
}

#[test]
fn claims_that_disagree_with_the_credential_fail() {
    let key = SigningKey::generate(KeyType::Ed25519).expect("key");
    for (claim, value) in [
        ("iss", json!("https://other.example")),
        ("jti", json!("urn:uuid:other")),
        ("nbf", json!(0)),
        ("sub", json!("did:example:other")),
        ("exp", json!(4_102_444_800_i64)),
    ] {
        let jwt = sign(&credential(), &key, None).expect("sign");
        let parts: Vec<&str> = jwt.split('.').collect();
        let mut payload: Value =
            serde_json::from_slice(&B64.decode(parts[1]).expect("b64")).expect("json");
        payload[claim] = value;
        let forged = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
        let error = decode(&forged)
            .expect("decode")
            .check_claims()
            .expect_err(claim);
        assert!(error.to_string().contains(claim), "{error}");
    }
}

#[test]
fn reads_the_vcdm_1_1_vc_claim_form() {
    let text = include_str!(
        "../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple.jwt"
    );
    // 1EdTech's sample names no key (neither kid nor jwk), so the header check refuses it.
    assert!(matches!(decode(text), Err(JwtError::Header(m)) if m.contains("neither kid nor jwk")));
}
