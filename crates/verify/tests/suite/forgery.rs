//! Forgeries must never be valid: keys not bound to the issuer, key documents elsewhere that
//! claim the issuer, proof sets with a bad proof, and documents built to make canonicalization
//! explode.

use std::time::Instant;

use chrono::{DateTime, Utc};
use laurel_core::keys::{KeyType, SigningKey};
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_verify::{Binding, Fetch, Options, Report, TrustList, Verdict, Verifier};
use serde_json::{Value, json};

const ISSUER: &str = "https://badges.example.org/issuers/1";
const NOW: &str = "2027-01-01T00:00:00Z";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("date").to_utc()
}

fn unsigned(issuer: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/credentials/unsigned-basic.json"
    );
    let mut credential: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
    credential["issuer"]["id"] = issuer.into();
    credential
}

fn sign_with(key: &SigningKey, credential: &Value, method: &str) -> Value {
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: method.into(),
        created: at("2026-03-01T09:00:00Z"),
    };
    proof::sign(credential, key, &options).expect("sign")
}

fn ed25519() -> SigningKey {
    SigningKey::generate(KeyType::Ed25519).expect("key")
}

/// A key's did:key and its verification method.
fn did_key(key: &SigningKey) -> (String, String) {
    let public = key.public_key();
    (
        public.to_did_key().expect("did"),
        public.to_did_key_verification_method().expect("vm"),
    )
}

fn multikey(key: &SigningKey) -> String {
    key.public_key().to_multikey().expect("multikey")
}

fn verify(options: Options, credential: &Value) -> Report {
    Verifier::new(options).verify_bytes(credential.to_string().as_bytes())
}

/// Serves fixed documents by URL, as `--online` would fetch them.
struct Served(Vec<(String, Value)>);

impl Fetch for Served {
    fn fetch_json(&self, url: &str, _deadline: Instant) -> Result<Value, String> {
        self.0
            .iter()
            .find(|(served, _)| served == url)
            .map(|(_, document)| document.clone())
            .ok_or_else(|| format!("could not fetch {url}"))
    }
}

fn online(served: Vec<(String, Value)>) -> Options {
    let mut options = Options::offline(at(NOW));
    options.fetcher = Some(Box::new(Served(served)));
    options
}

#[test]
fn a_fragment_key_on_a_known_issuer_is_a_forgery() {
    let issuer_key = ed25519();
    let forger = ed25519();
    let mut credential = unsigned(ISSUER);
    credential["credentialSubject"]["achievement"]["name"] = "Forged badge".into();
    let forged = sign_with(
        &forger,
        &credential,
        &format!("{ISSUER}#{}", multikey(&forger)),
    );

    // Offline with nothing pinned: the key vouches only for itself.
    let report = verify(Options::offline(at(NOW)), &forged);
    assert_eq!(report.verdict, Verdict::CouldNotCheck, "{report:#?}");
    assert!(
        report
            .reason
            .expect("reason")
            .contains("not one the issuer publishes")
    );

    // The issuer is known (a trust list, as the service's hosted issuers are): forged.
    let mut trust = TrustList::new("this site");
    trust.add(
        ISSUER,
        Some("Académie Laurel® — 月桂樹アカデミー".into()),
        vec![issuer_key.public_key()],
    );
    let mut options = Options::offline(at(NOW));
    options.trust = Some(trust.clone());
    let report = verify(options, &forged);
    assert_eq!(report.verdict, Verdict::Invalid, "{report:#?}");
    assert!(report.reason.expect("reason").starts_with("forged"));

    // The issuer's *name* under another id, with another key: forged as well.
    let (did, method) = did_key(&forger);
    let other = sign_with(&forger, &unsigned(&did), &method);
    let mut options = Options::offline(at(NOW));
    options.trust = Some(trust);
    assert_eq!(verify(options, &other).verdict, Verdict::Invalid);
}

#[test]
fn a_key_document_on_another_host_claiming_the_issuer_is_not_evidence() {
    let forger = ed25519();
    let method = "https://attacker.example/keys/1";
    let forged = sign_with(&forger, &unsigned(ISSUER), method);
    let claim = json!({
        "@context": "https://w3id.org/security/multikey/v1",
        "id": method, "type": "Multikey", "controller": ISSUER,
        "publicKeyMultibase": multikey(&forger),
    });
    let issuer_profile = json!({ "id": ISSUER, "type": ["Profile"], "name": "Example" });
    let report = verify(
        online(vec![
            (method.into(), claim),
            (ISSUER.into(), issuer_profile),
        ]),
        &forged,
    );
    assert_eq!(report.verdict, Verdict::CouldNotCheck, "{report:#?}");
    assert!(report.issuer.expect("issuer").bound_by.is_none());
}

#[test]
fn keys_the_issuer_publishes_at_its_own_address_bind() {
    let key = ed25519();
    // Listed under assertionMethod in the document at the issuer id.
    let method = format!("{ISSUER}#key-1");
    let signed = sign_with(&key, &unsigned(ISSUER), &method);
    let controller = json!({
        "id": ISSUER,
        "verificationMethod": [{
            "id": method, "type": "Multikey", "controller": ISSUER,
            "publicKeyMultibase": multikey(&key),
        }],
        "assertionMethod": ["#key-1"],
    });
    let report = verify(online(vec![(ISSUER.into(), controller.clone())]), &signed);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(
        report.issuer.expect("issuer").bound_by,
        Some(Binding::Published(ISSUER.into()))
    );

    // Not listed under assertionMethod: not bound.
    let mut unlisted = controller;
    unlisted["assertionMethod"] = json!([]);
    let report = verify(online(vec![(ISSUER.into(), unlisted)]), &signed);
    assert_eq!(report.verdict, Verdict::CouldNotCheck, "{report:#?}");

    // A key document under the issuer's own path naming the issuer (Laurel's layout).
    let method = format!("{ISSUER}/keys/2");
    let signed = sign_with(&key, &unsigned(ISSUER), &method);
    let document = json!({
        "id": method, "type": "Multikey", "controller": ISSUER,
        "publicKeyMultibase": multikey(&key),
    });
    let report = verify(online(vec![(method.clone(), document)]), &signed);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(
        report.issuer.expect("issuer").bound_by,
        Some(Binding::Published(method))
    );
}

#[test]
fn one_bad_proof_in_a_set_makes_the_credential_invalid() {
    let key = ed25519();
    let (did, method) = did_key(&key);
    let once = sign_with(&key, &unsigned(&did), &method);
    let twice = sign_with(&key, &once, &method);
    assert_eq!(
        verify(Options::offline(at(NOW)), &twice).verdict,
        Verdict::Valid
    );
    let mut broken = twice.clone();
    broken["proof"][1]["proofValue"] = once["proof"][0]["proofValue"].clone();
    broken["proof"][1]["created"] = "2026-03-02T09:00:00Z".into();
    let report = verify(Options::offline(at(NOW)), &broken);
    assert_eq!(report.verdict, Verdict::Invalid, "{report:#?}");
    assert!(report.reason.expect("reason").starts_with("proof 2"));
}

#[test]
fn a_blank_node_clique_stops_as_too_complex() {
    let key = ed25519();
    let (did, method) = did_key(&key);
    let mut credential = sign_with(&key, &unsigned(&did), &method);
    // Eight indistinguishable blank nodes, each linked to every other, six times over.
    let mut evidence = Vec::new();
    for clique in 0..6 {
        for node in 0..8 {
            let links: Vec<Value> = (0..8)
                .filter(|other| *other != node)
                .map(|other| json!({ "id": format!("_:c{clique}n{other}") }))
                .collect();
            evidence.push(
                json!({ "id": format!("_:c{clique}n{node}"), "https://example.org/link": links }),
            );
        }
    }
    credential["evidence"] = Value::Array(evidence);
    let started = Instant::now();
    let report = verify(Options::offline(at(NOW)), &credential);
    assert_ne!(report.verdict, Verdict::Valid, "{report:#?}");
    assert!(
        report
            .steps
            .iter()
            .any(|step| step.detail.contains("too complex")),
        "{report:#?}"
    );
    // A bound on work, not a benchmark: the budget stops it long before this.
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn a_changed_genuine_credential_is_altered_not_impersonated() {
    let issuer_key = ed25519();
    let (did, method) = did_key(&issuer_key);
    let mut changed = sign_with(&issuer_key, &unsigned(&did), &method);
    changed["credentialSubject"]["achievement"]["name"] = "Changed after signing".into();
    let mut trust = TrustList::new("this site");
    trust.add(did, None, vec![issuer_key.public_key()]);
    let mut options = Options::offline(at(NOW));
    options.trust = Some(trust);
    let report = verify(options, &changed);
    assert_eq!(report.verdict, Verdict::Invalid, "{report:#?}");
    assert_eq!(report.failed_step, Some("proof"));
    assert!(report.reason.expect("reason").contains("does not match"));
    // No signature verified, so nothing claims to be anyone: not an impersonation.
    assert_eq!(
        report.issuer.expect("issuer").trust,
        laurel_verify::Trust::Unknown
    );
}
