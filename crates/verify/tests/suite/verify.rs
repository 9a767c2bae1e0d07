//! The verifier against published fixtures, tampering, JWT attacks, trust and status.

use chrono::{DateTime, Utc};
use laurel_core::keys::{KeyType, SigningKey};
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_core::status::{Bitstring, MIN_ENTRIES};
use laurel_verify::{Options, Outcome, Report, Trust, TrustList, Verdict, Verifier};
use serde_json::{Value, json};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors");
const OB30: &str = "1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("date").to_utc()
}

fn verify_at(bytes: &[u8], now: &str) -> Report {
    Verifier::new(Options::offline(at(now))).verify_bytes(bytes)
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{VECTORS}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn step(report: &Report, name: &str) -> Outcome {
    report
        .step(name)
        .unwrap_or_else(|| panic!("no step {name}: {report:#?}"))
        .outcome
}

/// Options that pin every key the input names in a URL fragment (`<issuer>#z6Mk…`) or a JWT
/// header `jwk`, as a user who got the issuer's keys from the issuer would.
fn pinning_embedded_keys(bytes: &[u8], now: &str) -> Options {
    let mut documents = Vec::new();
    let collect = |value: &Value, documents: &mut Vec<Value>| {
        let text = value.to_string();
        for part in text.split('#').skip(1) {
            let key: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if key.starts_with("z6Mk") {
                documents.push(json!({ "publicKeyMultibase": key }));
            }
        }
    };
    match laurel_verify::input::read(bytes).expect("readable").1 {
        laurel_verify::Credential::Json(value) => collect(&value, &mut documents),
        laurel_verify::Credential::Jwt(compact) => {
            let decoded = laurel_core::jwt::decode(&compact).expect("jwt");
            if let laurel_core::jwt::KeyReference::Jwk(key) = &decoded.key {
                documents.push(key.to_jwk());
            }
            collect(&decoded.credential, &mut documents);
        }
    }
    let mut options = Options::offline(at(now));
    for document in documents {
        options
            .keys
            .add_document(&document, "issuer-keys.json")
            .expect("pin");
    }
    options
}

#[test]
fn fixtures_1edtech_treats_as_valid_verify() {
    for name in [
        "simple.json",
        "simple_v1.json",
        "simple-context-alias.json",
        "simple-context-version.json",
        "simple-did-web-method.json",
        "simple-eddsa-2022.json",
        "simple-multiple-proofs.json",
        "endorsement-valid.json",
        "simple-json.png",
        "simple-json.svg",
        "simple-jwt.png",
        "simple-jwt.svg",
        "simple-jwt_v1.png",
        "simple-jwt_v1.svg",
    ] {
        let bytes = fixture(&format!("{OB30}/{name}"));
        // Their keys are only in URL fragments or JWT headers: nothing binds them to the
        // issuer until the user pins them.
        let report = verify_at(&bytes, "2024-06-01T00:00:00Z");
        assert_eq!(
            report.verdict,
            Verdict::CouldNotCheck,
            "{name}: {report:#?}"
        );
        assert!(
            report
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("not one the issuer publishes")),
            "{name}: {report:#?}"
        );
        let pinned = pinning_embedded_keys(&bytes, "2024-06-01T00:00:00Z");
        let report = Verifier::new(pinned).verify_bytes(&bytes);
        assert_eq!(report.verdict, Verdict::Valid, "{name}: {report:#?}");
        assert!(
            matches!(
                report.issuer.as_ref().and_then(|i| i.bound_by.clone()),
                Some(laurel_verify::Binding::Pinned(_))
            ),
            "{name}: {report:#?}"
        );
    }
}

#[test]
fn each_1edtech_error_fixture_is_rejected_for_its_reason() {
    let cases = [
        ("simple-err-context.json", "context"),
        ("simple-err-type.json", "context"),
        (
            "simple-err-credential-subject-achievement-result-description-type.json",
            "schema",
        ),
        (
            "simple-err-credential-subject-identifier-type.json",
            "schema",
        ),
        ("simple-err-credential-subject-profile-type.json", "schema"),
        ("simple-err-credential-subject-result-type.json", "schema"),
        ("simple-err-credential-subject-type.json", "schema"),
        ("simple-err-evidence-type.json", "schema"),
        ("simple-err-issuer-otheridentifier-type.json", "schema"),
        ("simple-err-issuer-parentorg-type.json", "schema"),
        ("simple-err-issuer-type.json", "schema"),
        ("simple-err-issuer.json", "schema"),
        ("simple-err-expired.json", "dates"),
        ("simple-err-issued.json", "dates"),
        ("simple-err-proof-value.json", "proof"),
        ("simple-err-proof-method.json", "proof"),
        ("simple-err-proof-method-no-scheme.json", "proof"),
        ("simple-err-proof-method-unknown-did-method.json", "proof"),
        ("simple-err-proof-method-unknown-scheme.json", "proof"),
        ("simple-noproof.json", "proof"),
    ];
    for (name, reason) in cases {
        let report = verify_at(&fixture(&format!("{OB30}/{name}")), "2024-06-01T00:00:00Z");
        assert_ne!(report.verdict, Verdict::Valid, "{name}");
        assert!(
            matches!(
                step(&report, reason),
                Outcome::Failed | Outcome::CouldNotCheck
            ),
            "{name}: step {reason} did not fail: {report:#?}"
        );
    }
}

#[test]
fn dcc_fixtures_verify_and_their_date_variants_are_rejected() {
    let dir = "dcc-vc-test-fixtures/verifiableCredentials/v2";
    for name in [
        "dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-OBSpecExample.json",
        "dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-basicOBv3.json",
        "dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-alignments.json",
        "dataIntegrityProof/didKey/legacyRegistry-noStatus-notExpired-withSchema.json",
        "bothSignatureTypes/didkey/legacy-noStatus-noExpiry.json",
        "bothSignatureTypes/didkey/legacy-noStatus-notExpired-endorsement.json",
        "dataIntegrityProof/didKey/oidf-noStatus-notExpired-complexIssuer.json",
    ] {
        let report = verify_at(&fixture(&format!("{dir}/{name}")), "2026-11-22T00:00:00Z");
        assert_eq!(report.verdict, Verdict::Valid, "{name}: {report:#?}");
        if name.contains("complexIssuer") {
            // The issuer profile's endorsement expired: its own finding, not the badge's.
            let endorsements = report.step("endorsements").expect("step");
            assert_eq!(endorsements.outcome, Outcome::Warning, "{report:#?}");
            assert!(
                endorsements.detail.contains("expired on 2020-01-01"),
                "{report:#?}"
            );
        }
    }
    for (name, detail) in [
        (
            "dataIntegrityProof/didKey/twoOIDF-validStatus-expired.json",
            "expired on 2010-01-02",
        ),
        (
            "bothSignatureTypes/didkey/noRegistry-revokedStatus-expired.json",
            "expired on",
        ),
        (
            "dataIntegrityProof/didKey/oidf-noStatus-notExpired-notYetValid.json",
            "not yet valid",
        ),
    ] {
        let report = verify_at(&fixture(&format!("{dir}/{name}")), "2026-11-22T00:00:00Z");
        assert_eq!(report.verdict, Verdict::Invalid, "{name}");
        let dates = report.step("dates").expect("dates step");
        assert_eq!(dates.outcome, Outcome::Failed, "{name}");
        assert!(dates.detail.contains(detail), "{name}: {}", dates.detail);
    }
}

/// A realistic credential with non-ASCII text, signed by a fresh did:key issuer.
fn unsigned(issuer: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2f6f7d1e-6a55-4f57-9c2e-4d3f3b8b2a11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Catalogage avancé ® — 図書館 📚",
        "issuer": { "id": issuer, "type": ["Profile"], "name": "Association des Bibliothécaires" },
        "validFrom": "2026-03-01T09:00:00Z",
        "validUntil": "2029-03-01T09:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
                "salt": "s4lt",
                "identityHash": format!("sha256${}", sha256_hex("zoë@example.org".to_string() + "s4lt"))
            }],
            "achievement": {
                "id": "https://badges.example.org/achievements/cataloguing",
                "type": ["Achievement"],
                "name": "Catalogage avancé",
                "description": "Atelier de trois heures — 三時間のワークショップ 🎓",
                "criteria": { "narrative": "Assister à l'atelier complet." }
            }
        }
    })
}

fn sha256_hex(text: String) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

fn signed(suite: Cryptosuite) -> (SigningKey, Value) {
    let key = SigningKey::generate(KeyType::Ed25519).expect("key");
    let did = key.public_key().to_did_key().expect("did");
    let options = ProofOptions {
        cryptosuite: suite,
        verification_method: key
            .public_key()
            .to_did_key_verification_method()
            .expect("vm"),
        created: at("2026-03-01T09:00:00Z"),
    };
    let credential = proof::sign(&unsigned(&did), &key, &options).expect("sign");
    (key, credential)
}

fn check(credential: &Value) -> Report {
    verify_at(credential.to_string().as_bytes(), "2027-01-01T00:00:00Z")
}

#[test]
fn non_ascii_credentials_verify_in_every_format() {
    for suite in [Cryptosuite::EddsaRdfc2022, Cryptosuite::EddsaJcs2022] {
        let (_, credential) = signed(suite);
        let report = check(&credential);
        assert_eq!(report.verdict, Verdict::Valid, "{suite:?}: {report:#?}");
    }
    for key_type in [KeyType::Ed25519, KeyType::P256, KeyType::Rsa] {
        let key = SigningKey::generate(key_type).expect("key");
        let jwt = laurel_core::jwt::sign(
            &unsigned("https://badges.example.org/issuers/1"),
            &key,
            None,
        )
        .expect("sign");
        // A header key vouches only for itself: never valid on its own ...
        let report = verify_at(jwt.as_bytes(), "2027-01-01T00:00:00Z");
        assert_eq!(
            report.verdict,
            Verdict::CouldNotCheck,
            "{key_type:?}: {report:#?}"
        );
        assert!(
            report
                .step("proof")
                .expect("proof")
                .detail
                .contains("self-asserted")
        );
        // ... and valid once the user pins it.
        let options = pinning_embedded_keys(jwt.as_bytes(), "2027-01-01T00:00:00Z");
        let report = Verifier::new(options).verify_bytes(jwt.as_bytes());
        assert_eq!(report.verdict, Verdict::Valid, "{key_type:?}: {report:#?}");
    }
}

#[test]
fn changing_any_field_breaks_the_proof() {
    for suite in [Cryptosuite::EddsaRdfc2022, Cryptosuite::EddsaJcs2022] {
        let (_, credential) = signed(suite);
        let edits: Vec<(&str, Value)> = vec![
            ("/name", json!("Forged")),
            ("/validFrom", json!("2026-03-02T09:00:00Z")),
            ("/validUntil", json!("2039-03-01T09:00:00Z")),
            ("/issuer/name", json!("Someone Else")),
            (
                "/credentialSubject/achievement/name",
                json!("Forged achievement"),
            ),
            (
                "/credentialSubject/achievement/criteria/narrative",
                json!("Nothing"),
            ),
            (
                "/credentialSubject/identifier/0/identityHash",
                json!(format!("sha256${}", "0".repeat(64))),
            ),
            (
                "/id",
                json!("urn:uuid:00000000-0000-4000-8000-000000000000"),
            ),
        ];
        for (path, value) in edits {
            let mut tampered = credential.clone();
            *tampered.pointer_mut(path).expect(path) = value;
            let report = check(&tampered);
            assert_eq!(report.verdict, Verdict::Invalid, "{suite:?} {path}");
            assert_eq!(step(&report, "proof"), Outcome::Failed, "{suite:?} {path}");
        }
    }
}

#[test]
fn a_proof_moved_to_another_credential_fails() {
    let (_, first) = signed(Cryptosuite::EddsaRdfc2022);
    let (_, second) = signed(Cryptosuite::EddsaRdfc2022);
    let mut moved = second.clone();
    moved["proof"] = first["proof"].clone();
    let report = check(&moved);
    assert_eq!(report.verdict, Verdict::Invalid);
    assert_eq!(step(&report, "proof"), Outcome::Failed);
}

#[test]
fn a_swapped_key_fails() {
    let (_, credential) = signed(Cryptosuite::EddsaRdfc2022);
    let other = SigningKey::generate(KeyType::Ed25519)
        .expect("key")
        .public_key();
    let vm = other.to_did_key_verification_method().expect("vm");
    let mut swapped = credential.clone();
    swapped["proof"][0]["verificationMethod"] = json!(vm);
    swapped["issuer"]["id"] = json!(other.to_did_key().expect("did"));
    let report = check(&swapped);
    assert_eq!(report.verdict, Verdict::Invalid);
    assert_eq!(step(&report, "proof"), Outcome::Failed);
}

#[test]
fn a_key_of_another_controller_is_refused() {
    let (_, mut credential) = signed(Cryptosuite::EddsaRdfc2022);
    credential["issuer"]["id"] = json!("https://impostor.example/issuers/1");
    let report = check(&credential);
    assert_eq!(report.verdict, Verdict::Invalid);
    assert!(report.reason.expect("reason").contains("is not the issuer"));
}

#[test]
fn jwt_kid_pointing_at_another_issuer_fails() {
    let key = SigningKey::generate(KeyType::Ed25519).expect("key");
    let victim = "https://victim.example/issuers/1";
    // The attacker names their own did:key as kid but claims the victim as issuer.
    let kid = key
        .public_key()
        .to_did_key_verification_method()
        .expect("vm");
    let jwt = laurel_core::jwt::sign(&unsigned(victim), &key, Some(&kid)).expect("sign");
    let report = verify_at(jwt.as_bytes(), "2027-01-01T00:00:00Z");
    assert_eq!(report.verdict, Verdict::Invalid);
    assert!(report.reason.expect("reason").contains("is not the issuer"));
}

#[test]
fn trust_list_distinguishes_trusted_unknown_and_impersonated() {
    let (key, credential) = signed(Cryptosuite::EddsaRdfc2022);
    let did = key.public_key().to_did_key().expect("did");
    let trusted = TrustList::from_json(&json!({ "issuers": [
        { "id": did, "name": "Association des Bibliothécaires", "keys": [key.public_key().to_jwk()] }
    ]}))
    .expect("trust list");
    let mut options = Options::offline(at("2027-01-01T00:00:00Z"));
    options.trust = Some(trusted.clone());
    let report = Verifier::new(options).verify_bytes(credential.to_string().as_bytes());
    assert_eq!(
        report.issuer.as_ref().expect("issuer").trust,
        Trust::Trusted
    );
    assert_eq!(report.verdict, Verdict::Valid);

    // Another key claiming the trusted issuer's name.
    let (_, impostor) = signed(Cryptosuite::EddsaRdfc2022);
    let mut options = Options::offline(at("2027-01-01T00:00:00Z"));
    options.trust = Some(trusted);
    let report = Verifier::new(options).verify_bytes(impostor.to_string().as_bytes());
    assert_eq!(
        report.issuer.as_ref().expect("issuer").trust,
        Trust::Impersonated
    );
    assert_eq!(report.verdict, Verdict::Invalid);

    assert_eq!(
        check(&credential).issuer.expect("issuer").trust,
        Trust::Unknown
    );
}

#[test]
fn recipient_email_is_checked_against_the_hashed_identifier() {
    let (_, credential) = signed(Cryptosuite::EddsaRdfc2022);
    for (email, expected) in [
        (" Zoë@Example.org ", Outcome::Passed),
        ("mallory@example.org", Outcome::Failed),
    ] {
        let mut options = Options::offline(at("2027-01-01T00:00:00Z"));
        options.recipient = Some(email.into());
        let report = Verifier::new(options).verify_bytes(credential.to_string().as_bytes());
        assert_eq!(step(&report, "recipient"), expected, "{email}");
    }
}

#[test]
fn status_is_checked_against_a_signed_list_and_missing_lists_cannot_be_checked() {
    let key = SigningKey::generate(KeyType::Ed25519).expect("key");
    let did = key.public_key().to_did_key().expect("did");
    let vm = key
        .public_key()
        .to_did_key_verification_method()
        .expect("vm");
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: vm,
        created: at("2026-03-01T09:00:00Z"),
    };
    let list_url = "https://badges.example.org/status/1";
    let mut credential = unsigned(&did);
    credential["credentialStatus"] = json!({
        "id": format!("{list_url}#94567"), "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
        "statusListIndex": "94567", "statusListCredential": list_url
    });
    let credential = proof::sign(&credential, &key, &options).expect("sign");
    let list = |revoked: bool| {
        let mut bits = Bitstring::new(MIN_ENTRIES);
        bits.set(94_567, revoked).expect("index");
        let list = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": list_url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": did, "validFrom": "2026-03-01T09:00:00Z",
            "credentialSubject": { "id": format!("{list_url}#list"), "type": "BitstringStatusList",
                                   "statusPurpose": "revocation", "encodedList": bits.encode() }
        });
        proof::sign(&list, &key, &options).expect("sign list")
    };
    let run = |lists: Vec<Value>| {
        let mut options = Options::offline(at("2027-01-01T00:00:00Z"));
        options.status_lists = lists;
        Verifier::new(options).verify_bytes(credential.to_string().as_bytes())
    };
    assert_eq!(run(vec![list(false)]).verdict, Verdict::Valid);
    let revoked = run(vec![list(true)]);
    assert_eq!(revoked.verdict, Verdict::Invalid);
    assert_eq!(revoked.reason.as_deref(), Some("the credential is revoked"));
    let offline = run(vec![]);
    assert_eq!(offline.verdict, Verdict::CouldNotCheck);
    assert_eq!(offline.failed_step, Some("status"));
    let mut forged = list(true);
    forged["credentialSubject"]["encodedList"] =
        list(false)["credentialSubject"]["encodedList"].clone();
    assert_eq!(
        run(vec![forged]).verdict,
        Verdict::CouldNotCheck,
        "a list whose proof fails is not trusted"
    );
}

#[test]
fn hostile_inputs_are_refused_cleanly() {
    let deep = "[".repeat(100_000);
    let report = verify_at(deep.as_bytes(), "2027-01-01T00:00:00Z");
    assert_eq!(report.verdict, Verdict::CouldNotCheck);
    let huge = vec![b' '; laurel_verify::input::MAX_INPUT_BYTES + 1];
    assert_eq!(
        verify_at(&huge, "2027-01-01T00:00:00Z").verdict,
        Verdict::CouldNotCheck
    );
    assert_eq!(
        verify_at(b"\x89PNG\r\n\x1a\ngarbage", "2027-01-01T00:00:00Z").verdict,
        Verdict::CouldNotCheck
    );
    assert_eq!(
        verify_at(b"not a credential", "2027-01-01T00:00:00Z").verdict,
        Verdict::CouldNotCheck
    );
}

#[test]
fn cli_exit_codes_are_0_valid_1_invalid_2_could_not_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, credential) = signed(Cryptosuite::EddsaRdfc2022);
    let valid = dir.path().join("valid.json");
    std::fs::write(&valid, credential.to_string()).expect("write");
    let mut tampered = credential.clone();
    tampered["name"] = json!("Forged");
    let invalid = dir.path().join("invalid.json");
    std::fs::write(&invalid, tampered.to_string()).expect("write");
    let unreadable = dir.path().join("garbage.txt");
    std::fs::write(&unreadable, "garbage").expect("write");
    let run = |args: &[&std::path::Path], json: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_laurel-verify"));
        command.args(["--at", "2027-01-01T00:00:00Z"]);
        if json {
            command.arg("--json");
        }
        command.args(args).output().expect("run laurel-verify")
    };
    let output = run(&[&valid], false);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains(": VALID"));
    let output = run(&[&invalid], true);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(report["verdict"], "invalid");
    assert_eq!(report["failed_step"], "proof");
    assert_eq!(run(&[&unreadable], false).status.code(), Some(2));
    assert_eq!(
        run(&[dir.path()], true).status.code(),
        Some(1),
        "a folder with an invalid file"
    );
}

/// Files named one by one (as a shell expands `*.json`) are checked together and reported in
/// the order given, whatever order the cores finish them in.
#[test]
fn cli_reports_many_inputs_in_the_order_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, credential) = signed(Cryptosuite::EddsaRdfc2022);
    let mut tampered = credential.clone();
    tampered["name"] = json!("Forged");
    let mut paths = Vec::new();
    let mut expected = Vec::new();
    for i in 0..40 {
        let (text, verdict) = match i % 3 {
            0 => (credential.to_string(), "valid"),
            1 => (tampered.to_string(), "invalid"),
            _ => ("garbage".to_string(), "could-not-check"),
        };
        let path = dir.path().join(format!("{:02}-{i}.json", 40 - i));
        std::fs::write(&path, text).expect("write");
        paths.push(path);
        expected.push(verdict);
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_laurel-verify"))
        .args(["--at", "2027-01-01T00:00:00Z", "--json"])
        .args(&paths)
        .output()
        .expect("run laurel-verify");
    assert_eq!(output.status.code(), Some(1));
    let reports: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    let inputs: Vec<String> = reports
        .iter()
        .map(|r| r["input"].as_str().expect("input").to_string())
        .collect();
    let given: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(inputs, given);
    let verdicts: Vec<&str> = reports
        .iter()
        .map(|r| r["verdict"].as_str().expect("verdict"))
        .collect();
    assert_eq!(verdicts, expected);
}
