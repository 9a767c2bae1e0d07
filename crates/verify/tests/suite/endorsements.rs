//! Embedded endorsements are checked one by one and reported apart from the verdict: a good
//! one with its endorser's name, a tampered one or one about something else as not verified,
//! and neither changes whether the badge itself is valid.

use chrono::{DateTime, Utc};
use laurel_core::keys::SigningKey;
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_verify::{Options, Outcome, Report, Verdict, Verifier};
use serde_json::{Value, json};

const ACHIEVEMENT: &str = "https://badges.example.org/achievements/teamwork";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("date").to_utc()
}

fn sign(key: &SigningKey, document: &Value) -> Value {
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: key
            .public_key()
            .to_did_key_verification_method()
            .expect("vm"),
        created: at("2026-03-01T09:00:00Z"),
    };
    proof::sign(document, key, &options).expect("sign")
}

/// An endorsement of `subject` by a did:key state library.
fn endorsement(key: &SigningKey, subject: &str) -> Value {
    sign(
        key,
        &json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            ],
            "id": "urn:uuid:0b6b6c2e-8d1e-4c0c-9a55-3f0e4b1f0a01",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": "The State Library of Montana endorses this badge",
            "issuer": {
                "id": key.public_key().to_did_key().expect("did"),
                "type": ["Profile"],
                "name": "Montana State Library"
            },
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "id": subject,
                "type": ["EndorsementSubject"],
                "endorsementComment": "Presenters earn double credit."
            }
        }),
    )
}

/// The basic credential, issued by a did:key, with these endorsements of its achievement.
fn badge(issuer: &SigningKey, endorsements: Vec<Value>) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/credentials/unsigned-basic.json"
    );
    let mut credential: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
    credential["issuer"]["id"] = issuer.public_key().to_did_key().expect("did").into();
    assert_eq!(
        credential["credentialSubject"]["achievement"]["id"],
        ACHIEVEMENT
    );
    credential["credentialSubject"]["achievement"]["endorsement"] = Value::Array(endorsements);
    sign(issuer, &credential)
}

fn verify(credential: &Value) -> Report {
    Verifier::new(Options::offline(at("2026-06-01T00:00:00Z")))
        .verify_bytes(credential.to_string().as_bytes())
}

#[test]
fn a_good_endorsement_is_reported_with_its_endorser() {
    let issuer = SigningKey::from_ed25519_seed(&[1; 32]);
    let library = SigningKey::from_ed25519_seed(&[2; 32]);
    let report = verify(&badge(&issuer, vec![endorsement(&library, ACHIEVEMENT)]));
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    let step = report.step("endorsements").expect("step");
    assert_eq!(step.outcome, Outcome::Passed, "{report:#?}");
    assert!(
        step.detail.contains("Montana State Library"),
        "{}",
        step.detail
    );
    assert_eq!(report.endorsements.len(), 1);
    let found = &report.endorsements[0];
    assert_eq!(found.verdict, Verdict::Valid);
    assert_eq!(
        found.endorser_name.as_deref(),
        Some("Montana State Library")
    );
    assert_eq!(found.endorses.as_deref(), Some(ACHIEVEMENT));
    assert_eq!(found.attached_to, "achievement");
    assert_eq!(
        found.comment.as_deref(),
        Some("Presenters earn double credit.")
    );
    let text = report.to_text("badge.json");
    assert!(
        text.contains("endorsement of the achievement by Montana State Library: verified"),
        "{text}"
    );
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(
        json["endorsements"][0]["endorser_name"],
        "Montana State Library"
    );
}

#[test]
fn bad_endorsements_are_reported_apart_and_leave_the_badge_valid() {
    let issuer = SigningKey::from_ed25519_seed(&[1; 32]);
    let library = SigningKey::from_ed25519_seed(&[2; 32]);
    let mut tampered = endorsement(&library, ACHIEVEMENT);
    tampered["credentialSubject"]["endorsementComment"] = json!("Counts triple.");
    let elsewhere = endorsement(&library, "https://badges.example.org/achievements/other");
    // The issuer signs the badge with both inside: its own proof is good.
    let report = verify(&badge(&issuer, vec![tampered, elsewhere]));
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    let step = report.step("endorsements").expect("step");
    assert_eq!(step.outcome, Outcome::Warning, "{report:#?}");
    assert_eq!(report.endorsements.len(), 2);
    assert!(
        report
            .endorsements
            .iter()
            .all(|found| found.verdict == Verdict::Invalid),
        "{report:#?}"
    );
    assert!(
        report.endorsements[1]
            .reason
            .as_deref()
            .is_some_and(|reason| reason.contains("not the achievement it is attached to")),
        "{report:#?}"
    );
    let text = report.to_text("badge.json");
    assert!(text.contains("NOT verified"), "{text}");
}

#[test]
fn an_endorsement_verified_alone_is_an_endorsement_report() {
    let library = SigningKey::from_ed25519_seed(&[2; 32]);
    let report = verify(&endorsement(&library, ACHIEVEMENT));
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert!(report.step("schema").is_some());
    assert!(report.endorsements.is_empty());
}
