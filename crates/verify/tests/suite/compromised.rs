//! Compromised keys: a verification method with `revoked` (W3C Controlled Identifiers) is not
//! trusted for proofs made at or after that time, whether the key comes from a `--keys`
//! document or is fetched; `retired` changes nothing.

use chrono::{DateTime, Utc};
use laurel_core::keys::{KeyType, SigningKey, encode_multibase_base58};
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_core::status::{Bitstring, MIN_ENTRIES};
use laurel_verify::{Fetch, KeyStore, Options, Outcome, Report, Verdict, Verifier};
use serde_json::{Map, Value, json};

const ISSUER: &str = "https://badges.example.org/issuers/7";
const DI_KEY: &str = "https://badges.example.org/issuers/7/keys/4f1c";
const JWT_KEY: &str = "https://badges.example.org/issuers/7/keys/9a2e";
/// When the Data Integrity proofs below are made.
const CREATED: &str = "2026-03-02T10:00:00Z";
/// The credentials' validFrom, hence the VC-JWTs' `nbf`.
const VALID_FROM: &str = "2026-03-01T09:00:00Z";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("date").to_utc()
}

fn credential() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7d0c1f52-0b1e-4a8e-a3a4-5a2c8f0e9b31",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Reference desk",
        "issuer": { "id": ISSUER, "type": ["Profile"], "name": "Example Library Association" },
        "validFrom": VALID_FROM,
        "credentialSubject": {
            "id": "mailto:ada@example.org",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.org/achievements/reference",
                "type": ["Achievement"],
                "name": "Reference desk",
                "description": "Staffed the reference desk for a term.",
                "criteria": { "narrative": "Twelve shifts." }
            }
        }
    })
}

struct Keys {
    data_integrity: SigningKey,
    jwt: SigningKey,
}

fn keys() -> Keys {
    Keys {
        data_integrity: SigningKey::generate(KeyType::Ed25519).expect("key"),
        jwt: SigningKey::generate(KeyType::P256).expect("key"),
    }
}

/// The issuer's controller document as `/issuers/{id}/keys` serves it, with `extra` members
/// (`revoked`, `retired`) added to both verification methods.
fn controller_document(keys: &Keys, extra: &Value) -> Value {
    let mut multikey = json!({
        "id": DI_KEY, "type": "Multikey", "controller": ISSUER,
        "publicKeyMultibase": keys.data_integrity.public_key().to_multikey().expect("multikey"),
    });
    let mut jwk = json!({
        "id": JWT_KEY, "type": "JsonWebKey", "controller": ISSUER,
        "publicKeyJwk": keys.jwt.public_key().to_jwk(),
    });
    for method in [&mut multikey, &mut jwk] {
        for (name, value) in extra.as_object().expect("object") {
            method[name] = value.clone();
        }
    }
    json!({
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": ISSUER,
        "verificationMethod": [multikey, jwk],
        "assertionMethod": [DI_KEY, JWT_KEY],
    })
}

fn sign(keys: &Keys, document: &Value, suite: Cryptosuite, created: &str) -> Value {
    let options = ProofOptions {
        cryptosuite: suite,
        verification_method: DI_KEY.into(),
        created: at(created),
    };
    proof::sign(document, &keys.data_integrity, &options).expect("sign")
}

fn verify(documents: &[Value], input: &str) -> Report {
    let mut options = Options::offline(at("2027-01-01T00:00:00Z"));
    for document in documents {
        options
            .keys
            .add_document(document, "keys.json")
            .expect("key document");
    }
    Verifier::new(options).verify_bytes(input.as_bytes())
}

fn proof_step(report: &Report) -> (Outcome, String) {
    let step = report
        .step("proof")
        .unwrap_or_else(|| panic!("no proof step: {report:#?}"));
    (step.outcome, step.detail.clone())
}

fn assert_compromised(report: &Report, key: &str, signed: &str, since: &str) {
    assert_eq!(report.verdict, Verdict::Invalid, "{report:#?}");
    assert_eq!(report.failed_step, Some("proof"), "{report:#?}");
    let reason = report.reason.as_deref().expect("reason");
    let expected = format!(
        "signed by key {key} on {signed}, but its controller marked that key compromised since {since}"
    );
    assert!(reason.contains(&expected), "{reason}");
}

#[test]
fn data_integrity_proof_made_at_or_after_the_compromise_is_invalid() {
    let keys = keys();
    for suite in [Cryptosuite::EddsaRdfc2022, Cryptosuite::EddsaJcs2022] {
        let signed = sign(&keys, &credential(), suite, CREATED);
        for since in ["2026-03-01T00:00:00Z", CREATED] {
            let document = controller_document(&keys, &json!({ "revoked": since }));
            let report = verify(&[document], &signed.to_string());
            assert_compromised(&report, DI_KEY, CREATED, since);
        }
        // An offset is read as the instant it names: 11:00+01:00 is 10:00Z, the proof's time.
        let document =
            controller_document(&keys, &json!({ "revoked": "2026-03-02T11:00:00+01:00" }));
        let report = verify(&[document], &signed.to_string());
        assert_compromised(&report, DI_KEY, CREATED, CREATED);
    }
}

#[test]
fn data_integrity_proof_made_before_the_compromise_stays_valid_and_says_so() {
    let keys = keys();
    for suite in [Cryptosuite::EddsaRdfc2022, Cryptosuite::EddsaJcs2022] {
        let signed = sign(&keys, &credential(), suite, CREATED);
        let document = controller_document(&keys, &json!({ "revoked": "2026-03-02T10:00:01Z" }));
        let report = verify(&[document], &signed.to_string());
        assert_eq!(report.verdict, Verdict::Valid, "{suite:?}: {report:#?}");
        let (outcome, detail) = proof_step(&report);
        assert_eq!(outcome, Outcome::Passed);
        assert!(
            detail.contains(&format!("since marked key {DI_KEY} compromised, from 2026-03-02T10:00:01Z, after this proof was made on {CREATED}")),
            "{detail}"
        );
    }
}

/// A Data Integrity proof whose options have no `created`, signed as the suite specifies.
fn signed_without_created(keys: &Keys) -> Value {
    let mut proof = Map::new();
    proof.insert("type".into(), "DataIntegrityProof".into());
    proof.insert("cryptosuite".into(), "eddsa-rdfc-2022".into());
    proof.insert("verificationMethod".into(), DI_KEY.into());
    proof.insert("proofPurpose".into(), "assertionMethod".into());
    let prepared = proof::prepare(&credential(), &proof).expect("prepare");
    let signature = keys.data_integrity.sign(&prepared.hash_data).expect("sign");
    proof.insert(
        "proofValue".into(),
        encode_multibase_base58(&signature).into(),
    );
    let mut signed = credential();
    signed["proof"] = json!([proof]);
    signed
}

#[test]
fn a_proof_without_created_by_a_compromised_key_is_invalid() {
    let keys = keys();
    let signed = signed_without_created(&keys).to_string();
    let clean = verify(&[controller_document(&keys, &json!({}))], &signed);
    assert_eq!(
        clean.verdict,
        Verdict::Valid,
        "the proof itself is sound: {clean:#?}"
    );

    let revoked = controller_document(&keys, &json!({ "revoked": "2026-03-01T00:00:00Z" }));
    let report = verify(&[revoked], &signed);
    assert_eq!(report.verdict, Verdict::Invalid, "{report:#?}");
    assert_eq!(report.failed_step, Some("proof"));
    let reason = report.reason.expect("reason");
    assert!(
        reason.contains(&format!(
            "signed by key {DI_KEY}, but its controller marked that key compromised since 2026-03-01T00:00:00Z and the proof has no created time"
        )),
        "{reason}"
    );
}

#[test]
fn vc_jwt_uses_iat_else_nbf_against_the_compromise() {
    let keys = keys();
    let jwt = laurel_core::jwt::sign(&credential(), &keys.jwt, Some(JWT_KEY)).expect("sign");
    // No iat: nbf (the validFrom, 09:00 on March 1st) is the time of signing.
    let early = controller_document(&keys, &json!({ "revoked": "2026-03-01T00:00:00Z" }));
    assert_compromised(
        &verify(&[early], &jwt),
        JWT_KEY,
        VALID_FROM,
        "2026-03-01T00:00:00Z",
    );
    let late = controller_document(&keys, &json!({ "revoked": "2026-03-01T12:00:00Z" }));
    let report = verify(std::slice::from_ref(&late), &jwt);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert!(proof_step(&report).1.contains("compromised"));

    // iat, when present, is what counts, even with an earlier nbf.
    let mut with_iat = credential();
    with_iat["iat"] = json!(at(CREATED).timestamp());
    let jwt = laurel_core::jwt::sign(&with_iat, &keys.jwt, Some(JWT_KEY)).expect("sign");
    assert_compromised(
        &verify(&[late], &jwt),
        JWT_KEY,
        CREATED,
        "2026-03-01T12:00:00Z",
    );
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut text = String::new();
    for chunk in bytes.chunks(3) {
        let bits = chunk.iter().enumerate().fold(0u32, |bits, (i, byte)| {
            bits | u32::from(*byte) << (16 - 8 * i)
        });
        for i in 0..=chunk.len() {
            text.push(char::from(ALPHABET[(bits >> (18 - 6 * i) & 63) as usize]));
        }
    }
    text
}

#[test]
fn vc_jwt_without_iat_or_nbf_by_a_compromised_key_is_invalid() {
    let keys = keys();
    let header = json!({ "alg": "ES256", "kid": JWT_KEY, "typ": "JWT" });
    let mut payload = credential();
    payload["iss"] = json!(ISSUER);
    payload["jti"] = payload["id"].clone();
    let input = format!(
        "{}.{}",
        base64url(header.to_string().as_bytes()),
        base64url(payload.to_string().as_bytes())
    );
    let signature = keys.jwt.sign(input.as_bytes()).expect("sign");
    let jwt = format!("{input}.{}", base64url(&signature));
    let clean = verify(&[controller_document(&keys, &json!({}))], &jwt);
    assert_eq!(
        clean.verdict,
        Verdict::Valid,
        "the JWT itself is sound: {clean:#?}"
    );

    let revoked = controller_document(&keys, &json!({ "revoked": "2026-03-01T00:00:00Z" }));
    let report = verify(&[revoked], &jwt);
    assert_eq!(report.verdict, Verdict::Invalid, "{report:#?}");
    let reason = report.reason.expect("reason");
    assert!(reason.contains(JWT_KEY), "{reason}");
    assert!(reason.contains("neither iat nor nbf"), "{reason}");
}

#[test]
fn retired_alone_changes_nothing() {
    let keys = keys();
    let retired = controller_document(&keys, &json!({ "retired": "2026-03-01T00:00:00Z" }));
    let signed = sign(&keys, &credential(), Cryptosuite::EddsaRdfc2022, CREATED);
    let jwt = laurel_core::jwt::sign(&credential(), &keys.jwt, Some(JWT_KEY)).expect("sign");
    for input in [signed.to_string(), jwt] {
        let report = verify(std::slice::from_ref(&retired), &input);
        assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
        assert!(!proof_step(&report).1.contains("compromised"));
    }
}

#[test]
fn an_unreadable_revoked_makes_the_key_unusable() {
    let keys = keys();
    let signed = sign(&keys, &credential(), Cryptosuite::EddsaRdfc2022, CREATED).to_string();
    for value in [
        json!("last Tuesday"),
        json!(true),
        json!("2026-02-30T00:00:00Z"),
    ] {
        let document = controller_document(&keys, &json!({ "revoked": value }));
        let report = verify(&[document], &signed);
        assert_eq!(
            report.verdict,
            Verdict::CouldNotCheck,
            "{value}: {report:#?}"
        );
        let reason = report.reason.expect("reason");
        assert!(reason.contains(DI_KEY), "{reason}");
        assert!(reason.contains("not an XML Schema dateTime"), "{reason}");
    }
}

#[test]
fn a_revoked_mark_survives_another_copy_of_the_key_without_it() {
    let keys = keys();
    let signed = sign(&keys, &credential(), Cryptosuite::EddsaRdfc2022, CREATED).to_string();
    let revoked = controller_document(&keys, &json!({ "revoked": "2026-03-01T00:00:00Z" }));
    let plain = controller_document(&keys, &json!({}));
    for documents in [[revoked.clone(), plain.clone()], [plain, revoked]] {
        let report = verify(&documents, &signed);
        assert_compromised(&report, DI_KEY, CREATED, "2026-03-01T00:00:00Z");
    }
}

/// Serves fixed documents by URL, as `--online` would fetch them.
struct Served(Vec<(String, Value)>);

impl Fetch for Served {
    fn fetch_json(&self, url: &str, _deadline: std::time::Instant) -> Result<Value, String> {
        self.0
            .iter()
            .find(|(served, _)| served == url)
            .map(|(_, document)| document.clone())
            .ok_or_else(|| format!("could not fetch {url}: HTTP 404"))
    }
}

#[test]
fn a_fetched_multikey_document_marking_the_key_compromised_is_honoured() {
    let keys = keys();
    let signed = sign(&keys, &credential(), Cryptosuite::EddsaRdfc2022, CREATED).to_string();
    let multikey = |extra: Value| {
        let mut document = json!({
            "@context": "https://w3id.org/security/multikey/v1",
            "id": DI_KEY, "type": "Multikey", "controller": ISSUER,
            "publicKeyMultibase": keys.data_integrity.public_key().to_multikey().expect("multikey"),
        });
        for (name, value) in extra.as_object().expect("object") {
            document[name] = value.clone();
        }
        document
    };
    let online = |document: Value, pinned: KeyStore| {
        let mut options = Options::offline(at("2027-01-01T00:00:00Z"));
        options.keys = pinned;
        options.fetcher = Some(Box::new(Served(vec![(DI_KEY.to_string(), document)])));
        Verifier::new(options).verify_bytes(signed.as_bytes())
    };
    let report = online(
        multikey(json!({ "revoked": "2026-03-01T00:00:00Z" })),
        KeyStore::default(),
    );
    assert_compromised(&report, DI_KEY, CREATED, "2026-03-01T00:00:00Z");
    let report = online(
        multikey(json!({ "retired": "2026-03-01T00:00:00Z" })),
        KeyStore::default(),
    );
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");

    // A pinned document marking the same key compromised (under another id) still counts when
    // the fetched document does not say so.
    let mut pinned = KeyStore::default();
    pinned
        .add_document(
            &json!({
                "id": "https://mirror.example/keys/1", "type": "Multikey",
                "publicKeyMultibase": keys.data_integrity.public_key().to_multikey().expect("multikey"),
                "revoked": "2026-03-01T00:00:00Z",
            }),
            "pinned.json",
        )
        .expect("pinned");
    let report = online(multikey(json!({})), pinned);
    assert_compromised(&report, DI_KEY, CREATED, "2026-03-01T00:00:00Z");
}

#[test]
fn a_status_list_signed_after_the_compromise_cannot_be_trusted() {
    let keys = keys();
    let list_url = "https://badges.example.org/status/7";
    let mut unsigned = credential();
    unsigned["credentialStatus"] = json!({
        "id": format!("{list_url}#3"), "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": "3", "statusListCredential": list_url
    });
    let signed = sign(&keys, &unsigned, Cryptosuite::EddsaRdfc2022, CREATED);
    let list = |created: &str| {
        let list = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": list_url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": ISSUER, "validFrom": VALID_FROM,
            "credentialSubject": { "id": format!("{list_url}#list"), "type": "BitstringStatusList",
                                   "statusPurpose": "revocation",
                                   "encodedList": Bitstring::new(MIN_ENTRIES).encode() }
        });
        sign(&keys, &list, Cryptosuite::EddsaRdfc2022, created)
    };
    let run = |list: Value| {
        let mut options = Options::offline(at("2027-01-01T00:00:00Z"));
        let document = controller_document(&keys, &json!({ "revoked": "2026-03-03T00:00:00Z" }));
        options
            .keys
            .add_document(&document, "keys.json")
            .expect("keys");
        options.status_lists = vec![list];
        Verifier::new(options).verify_bytes(signed.to_string().as_bytes())
    };
    // The credential predates the compromise; a list published before it is still good.
    assert_eq!(run(list("2026-03-02T12:00:00Z")).verdict, Verdict::Valid);
    // A list re-signed after it proves nothing about the credential's status.
    let report = run(list("2026-03-04T08:00:00Z"));
    assert_eq!(report.verdict, Verdict::CouldNotCheck, "{report:#?}");
    assert_eq!(report.failed_step, Some("status"));
    assert_eq!(proof_step(&report).0, Outcome::Passed);
    let reason = report.reason.expect("reason");
    assert!(
        reason.contains(&format!("the status list {list_url} does not verify")),
        "{reason}"
    );
    assert!(
        reason.contains(&format!(
            "signed by key {DI_KEY} on 2026-03-04T08:00:00Z, but its controller marked that key compromised since 2026-03-03T00:00:00Z"
        )),
        "{reason}"
    );
}

#[test]
fn the_cli_reports_a_compromised_key_as_invalid() {
    let keys = keys();
    let dir = tempfile::tempdir().expect("tempdir");
    let credential_file = dir.path().join("badge.json");
    let signed = sign(&keys, &credential(), Cryptosuite::EddsaRdfc2022, CREATED);
    std::fs::write(&credential_file, signed.to_string()).expect("write");
    let keys_file = dir.path().join("keys.json");
    let document = controller_document(&keys, &json!({ "revoked": "2026-03-01T00:00:00Z" }));
    std::fs::write(&keys_file, document.to_string()).expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_laurel-verify"))
        .args(["--at", "2027-01-01T00:00:00Z", "--keys"])
        .arg(&keys_file)
        .arg(&credential_file)
        .output()
        .expect("run laurel-verify");
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("INVALID"), "{text}");
    assert!(
        text.contains("its controller marked that key compromised since 2026-03-01T00:00:00Z"),
        "{text}"
    );
}
