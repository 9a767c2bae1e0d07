use chrono::DateTime;
use serde_json::{Value, json};

use super::*;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{VECTORS}/{path}")).expect("vector file")
}

fn json_file(path: &str) -> Value {
    serde_json::from_str(&read(path)).expect("vector JSON")
}

fn w3c_key() -> SigningKey {
    let secret = json_file("w3c-vc-di-eddsa/keyPair.json")["privateKeyMultibase"]
        .as_str()
        .expect("secret")
        .to_string();
    let bytes = decode_multibase_base58(&secret).expect("multibase");
    SigningKey::from_ed25519_seed(&bytes[2..].try_into().expect("seed"))
}

fn options_from(config: &Value) -> ProofOptions {
    let suite = match config["cryptosuite"].as_str() {
        Some("eddsa-jcs-2022") => Cryptosuite::EddsaJcs2022,
        _ => Cryptosuite::EddsaRdfc2022,
    };
    ProofOptions {
        cryptosuite: suite,
        verification_method: config["verificationMethod"].as_str().expect("vm").into(),
        created: DateTime::parse_from_rfc3339(config["created"].as_str().expect("created"))
            .expect("date")
            .to_utc(),
    }
}

/// Signs `unsigned` per the vector folder's proof config and compares every intermediate.
fn check_vector(unsigned: &str, folder: &str, suffix: &str) {
    let key = w3c_key();
    let document = json_file(unsigned);
    let config = json_file(&format!("{folder}/proofConfig{suffix}.json"));
    let signed = sign(&document, &key, &options_from(&config)).expect("sign");
    let proof = proofs_of(&signed)[0].clone();
    let prepared = prepare(&signed, &proof).expect("prepare");
    assert_eq!(
        prepared.canonical_document,
        read(&format!("{folder}/canonDoc{suffix}.txt"))
    );
    assert_eq!(
        prepared.canonical_proof,
        read(&format!("{folder}/proofCanon{suffix}.txt"))
    );
    assert_eq!(
        hex::encode(&prepared.hash_data),
        read(&format!("{folder}/combinedHash{suffix}.txt")).trim()
    );
    assert_eq!(
        proof["proofValue"].as_str().expect("proofValue"),
        read(&format!("{folder}/sigBTC58{suffix}.txt")).trim()
    );
    let expected = json_file(&format!("{folder}/signed{suffix}.json"));
    assert_eq!(proofs_of(&expected)[0], &proof);
    verify(&expected, proofs_of(&expected)[0], &key.public_key()).expect("vector verifies");
}

#[test]
fn reproduces_w3c_eddsa_rdfc_2022_vector() {
    check_vector(
        "w3c-vc-di-eddsa/unsigned.json",
        "w3c-vc-di-eddsa/eddsa-rdfc-2022",
        "DataInt",
    );
}

#[test]
fn reproduces_w3c_eddsa_rdfc_2022_blank_node_vector() {
    check_vector(
        "w3c-vc-di-eddsa/employmentAuth.json",
        "w3c-vc-di-eddsa/eddsa-rdfc-2022/employ",
        "DataInt",
    );
}

#[test]
fn reproduces_w3c_eddsa_jcs_2022_vector() {
    check_vector(
        "w3c-vc-di-eddsa/unsigned.json",
        "w3c-vc-di-eddsa/eddsa-jcs-2022",
        "JCS",
    );
}

#[test]
fn verifies_w3c_ed25519_signature_2020_vector() {
    let signed = json_file("w3c-vc-di-eddsa/Ed25519Signature2020/signedEdSig.json");
    let proof = proofs_of(&signed)[0];
    let prepared = verify(&signed, proof, &w3c_key().public_key()).expect("verifies");
    assert_eq!(prepared.cryptosuite, Cryptosuite::Ed25519Signature2020);
    assert_eq!(
        hex::encode(&prepared.hash_data),
        read("w3c-vc-di-eddsa/Ed25519Signature2020/combinedHashEdSig.txt").trim()
    );
}

#[test]
fn reproduces_the_1edtech_open_badges_vector() {
    let folder = "1edtech-openbadges-specification/ob_v3p0/impl/linked-data-proof-ob";
    let keypair = json_file(&format!("{folder}/keypair.json"));
    let secret = hex::decode(keypair["secretKeyHex"].as_str().expect("hex")).expect("hex");
    let key = SigningKey::from_ed25519_seed(&secret[..32].try_into().expect("seed"));
    assert_eq!(
        key.public_key().to_multikey().as_deref(),
        keypair["publicKeyMultibase"].as_str()
    );
    let signed = sign(
        &json_file(&format!("{folder}/credential.json")),
        &key,
        &options_from(&json_file(&format!("{folder}/proof-options.json"))),
    )
    .expect("sign");
    let proof = proofs_of(&signed)[0];
    let hashes = json_file(&format!("{folder}/hashes.json"));
    assert_eq!(proof["proofValue"], hashes["proofValue"]);
    assert_eq!(
        proof["proofValue"].as_str(),
        Some(
            "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
        )
    );
    let prepared = prepare(&signed, proof).expect("prepare");
    assert_eq!(
        hex::encode(&prepared.hash_data),
        hashes["dataToSignHex"].as_str().expect("hex")
    );
    // The spec's own signed example (single-object proof) verifies too.
    let example = json_file(&format!("{folder}/signed-credential.json"));
    verify(&example, proofs_of(&example)[0], &key.public_key()).expect("example verifies");
}

#[test]
fn signing_refuses_undefined_terms() {
    let mut document = json_file("w3c-vc-di-eddsa/unsigned.json");
    document["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: "did:key:z6Mk#z6Mk".into(),
        created: DateTime::UNIX_EPOCH,
    };
    let error = sign(&document, &w3c_key(), &options).expect_err("undefined terms");
    assert!(error.to_string().contains("alumniOf"), "{error}");
}

#[test]
fn any_change_breaks_the_signature() {
    let key = w3c_key();
    for suite in [Cryptosuite::EddsaRdfc2022, Cryptosuite::EddsaJcs2022] {
        let options = ProofOptions {
            cryptosuite: suite,
            verification_method: key
                .public_key()
                .to_did_key_verification_method()
                .expect("vm"),
            created: DateTime::UNIX_EPOCH,
        };
        let signed =
            sign(&json_file("w3c-vc-di-eddsa/unsigned.json"), &key, &options).expect("sign");
        let proof = proofs_of(&signed)[0].clone();
        verify(&signed, &proof, &key.public_key()).expect("verifies");
        let mut tampered = signed.clone();
        tampered["credentialSubject"]["alumniOf"] = json!("Another University");
        assert!(matches!(
            verify(&tampered, &proof, &key.public_key()),
            Err(ProofError::BadSignature)
        ));
        let mut other_proof = proof.clone();
        other_proof.insert("created".into(), json!("2030-01-01T00:00:00Z"));
        assert!(matches!(
            verify(&signed, &other_proof, &key.public_key()),
            Err(ProofError::BadSignature)
        ));
    }
}

/// Signing keeps the last canonical proof options per thread: a signature made right after
/// one with other options (another time, key, or context) must be the one a fresh thread
/// makes, and verify.
#[test]
fn the_kept_proof_options_are_used_only_for_equal_options() {
    let key = w3c_key();
    let other_key = SigningKey::from_ed25519_seed(&[7; 32]);
    let unsigned = json_file("w3c-vc-di-eddsa/unsigned.json");
    // Another document whose @context differs (VC v2 and OB 3.0).
    let other_context = json_file(
        "1edtech-openbadges-specification/ob_v3p0/impl/linked-data-proof-ob/credential.json",
    );
    assert_ne!(other_context["@context"], unsigned["@context"]);
    let options = |key: &SigningKey, seconds: i64| ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: key
            .public_key()
            .to_did_key_verification_method()
            .expect("vm"),
        created: DateTime::from_timestamp(seconds, 0).expect("time"),
    };
    let cases = [
        (&unsigned, &key, options(&key, 0)),
        (&unsigned, &key, options(&key, 0)),
        (&unsigned, &key, options(&key, 1)),
        (&unsigned, &other_key, options(&other_key, 1)),
        (&other_context, &other_key, options(&other_key, 1)),
        (&unsigned, &key, options(&key, 0)),
    ];
    for (document, key, options) in cases {
        let signed = sign(document, key, &options).expect("sign");
        let fresh = std::thread::scope(|scope| {
            scope
                .spawn(|| sign(document, key, &options).expect("sign"))
                .join()
                .expect("no panic")
        });
        assert_eq!(signed, fresh, "the same as on a thread with nothing kept");
        let proof = proofs_of(&signed)[0].clone();
        let prepared = verify(&signed, &proof, &key.public_key()).expect("verifies");
        assert!(
            prepared
                .canonical_proof
                .contains(&options.verification_method)
        );
    }
    // A context under which the same options do not canonicalize at all (VC v1 defines no
    // `DataIntegrityProof` or `cryptosuite`): refused right after they were kept, as on a
    // fresh thread.
    let v1 = json!({
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/security/suites/ed25519-2020/v1"
        ],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": { "id": "did:example:subject" }
    });
    let kept = options(&key, 0);
    sign(&unsigned, &key, &kept).expect("sign");
    let fresh = std::thread::scope(|scope| {
        scope
            .spawn(|| sign(&v1, &key, &kept).is_err())
            .join()
            .expect("no panic")
    });
    assert!(fresh, "a fresh thread refuses the options under VC v1");
    assert!(
        sign(&v1, &key, &kept).is_err(),
        "the kept options are not used"
    );
}
