use serde_json::json;

use super::*;

/// The W3C vc-di-eddsa test key pair (`TestVectors/keyPair.json`).
const W3C_PUBLIC: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
const W3C_SECRET: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";

fn w3c_key() -> SigningKey {
    let bytes = decode_multibase_base58(W3C_SECRET).expect("multibase");
    assert_eq!(&bytes[..2], &[0x80, 0x26]);
    let seed: [u8; 32] = bytes[2..].try_into().expect("32-byte seed");
    SigningKey::from_ed25519_seed(&seed)
}

#[test]
fn derives_the_w3c_multikey_and_did_key() {
    let public = w3c_key().public_key();
    assert_eq!(public.to_multikey().as_deref(), Some(W3C_PUBLIC));
    assert_eq!(
        public.to_did_key_verification_method().as_deref(),
        Some(format!("did:key:{W3C_PUBLIC}#{W3C_PUBLIC}").as_str())
    );
    assert_eq!(PublicKey::from_multikey(W3C_PUBLIC).expect("parse"), public);
    assert_eq!(
        PublicKey::from_did_key(&format!("did:key:{W3C_PUBLIC}#{W3C_PUBLIC}")).expect("parse"),
        public
    );
}

#[test]
fn did_key_with_a_foreign_fragment_is_refused() {
    let other = SigningKey::generate(KeyType::Ed25519)
        .expect("key")
        .public_key();
    let did = format!(
        "did:key:{W3C_PUBLIC}#{}",
        other.to_multikey().expect("multikey")
    );
    assert!(PublicKey::from_did_key(&did).is_err());
}

#[test]
fn every_key_type_signs_verifies_and_round_trips_through_pem_and_jwk() {
    for key_type in [KeyType::Ed25519, KeyType::P256, KeyType::Rsa] {
        let key = SigningKey::generate(key_type).expect("generate");
        assert_eq!(key.key_type(), key_type);
        let pem = key.to_pkcs8_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let reread = SigningKey::from_pkcs8_pem(&pem).expect("reread PEM");
        assert_eq!(reread.public_key(), key.public_key());

        let signature = key.sign(b"badge").expect("sign");
        let public = PublicKey::from_jwk(&key.public_key().to_jwk()).expect("JWK round trip");
        assert_eq!(public, key.public_key());
        public.verify(b"badge", &signature).expect("verifies");
        assert_eq!(public.verify(b"badgE", &signature), Err(BadSignature));
        let other = SigningKey::generate(key_type)
            .expect("generate")
            .public_key();
        assert_eq!(other.verify(b"badge", &signature), Err(BadSignature));
    }
}

#[test]
fn jwk_with_private_member_is_refused() {
    let mut jwk = SigningKey::generate(KeyType::Ed25519)
        .expect("key")
        .public_key()
        .to_jwk();
    jwk["d"] = json!("AAAA");
    let error = PublicKey::from_jwk(&jwk).expect_err("private JWK");
    assert!(
        error.to_string().contains("private member \"d\""),
        "{error}"
    );
}

#[test]
fn debug_output_never_shows_the_secret() {
    let key = w3c_key();
    let debug = format!("{key:?}");
    let pem = key.to_pkcs8_pem();
    let body: String = pem
        .lines()
        .nth(1)
        .expect("PEM body")
        .chars()
        .take(20)
        .collect();
    assert!(debug.contains(W3C_PUBLIC), "{debug}");
    assert!(!debug.contains(&body));
    assert!(!debug.contains(W3C_SECRET));
    for key_type in [KeyType::P256, KeyType::Rsa] {
        let key = SigningKey::generate(key_type).expect("key");
        let pem = key.to_pkcs8_pem();
        let debug = format!("{key:?}");
        for line in pem
            .lines()
            .skip(1)
            .filter(|line| !line.starts_with("-----"))
        {
            assert!(!debug.contains(line));
        }
    }
}

#[test]
fn reads_a_pkcs8_pem_written_by_openssl() {
    // `openssl genpkey -algorithm ed25519` output for the RFC 8032 test 1 seed.
    let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
    let key = SigningKey::from_pkcs8_pem(pem).expect("PEM");
    assert_eq!(
        hex::encode(
            key.public_key().to_jwk()["x"]
                .as_str()
                .map(|x| {
                    use base64::Engine as _;
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(x)
                        .expect("b64")
                })
                .expect("x")
        ),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    assert_eq!(&*key.to_pkcs8_pem(), pem);
}

#[test]
fn jwk_thumbprint_matches_rfc_8037() {
    // RFC 8037 appendix A.3.
    let jwk =
        json!({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    let key = PublicKey::from_jwk(&jwk).expect("JWK");
    assert_eq!(
        key.jwk_thumbprint(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

/// The five8 fast path for 64-byte values gives exactly bs58's answers, in both directions,
/// including leading zero bytes (leading `1`s) and strings that are not 64 bytes or not base58.
#[test]
fn base58_agrees_with_bs58() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let reference_decode = |text: &str| bs58::decode(&text[1..]).into_vec().ok();
    for round in 0..600 {
        let mut bytes = [0u8; 64];
        for byte in bytes.iter_mut() {
            *byte = next() as u8;
        }
        // Leading zeros, and leading bytes near the top of a base58 digit's range.
        let zeros = round % 66;
        bytes[..zeros.min(64)].fill(0);
        if round % 7 == 0 {
            bytes[0] = 0xff;
        }
        let text = encode_multibase_base58(&bytes);
        assert_eq!(text, format!("z{}", bs58::encode(bytes).into_string()));
        assert_eq!(decode_multibase_base58(&text).expect("decodes"), bytes);
        // Changed strings: decoded as bs58 decodes them, or refused as bs58 refuses them.
        let digits = text[1..].to_string();
        let variants = [
            format!("z1{digits}"),
            format!("z{}", &digits[1..]),
            format!("z{digits}2"),
            format!("z{}0{}", &digits[..3], &digits[3..]),
            format!("z{}l", &digits[..digits.len() - 1]),
            format!("z{}", "z".repeat(digits.len())),
            format!("z{}", "1".repeat(64)),
        ];
        for variant in variants {
            assert_eq!(
                decode_multibase_base58(&variant).ok(),
                reference_decode(&variant),
                "{variant}"
            );
        }
    }
}
