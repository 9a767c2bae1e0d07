use serde_json::json;

use super::*;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{VECTORS}/{path}")).expect("vector file")
}

fn json(path: &str) -> Value {
    serde_json::from_str(&read(path)).expect("vector JSON")
}

#[test]
fn reproduces_w3c_rdfc_canonical_document() {
    let canonical = canonicalize(&json("w3c-vc-di-eddsa/unsigned.json")).expect("canonicalize");
    assert!(canonical.undefined_terms.is_empty());
    assert_eq!(
        canonical.nquads,
        read("w3c-vc-di-eddsa/eddsa-rdfc-2022/canonDocDataInt.txt")
    );
}

#[test]
fn reproduces_w3c_rdfc_canonical_document_with_blank_nodes() {
    let canonical = canonicalize(&json("w3c-vc-di-eddsa/employmentAuth.json")).expect("canon");
    assert_eq!(
        canonical.nquads,
        read("w3c-vc-di-eddsa/eddsa-rdfc-2022/employ/canonDocDataInt.txt")
    );
}

#[test]
fn reproduces_1edtech_open_badge_canonical_document() {
    let canonical = canonicalize(&json(
        "1edtech-openbadges-specification/ob_v3p0/impl/linked-data-proof-ob/credential.json",
    ))
    .expect("canonicalize");
    assert_eq!(
        canonical.nquads,
        read(
            "1edtech-openbadges-specification/ob_v3p0/impl/test-vectors/obv3p0/document-canon.txt"
        )
    );
}

#[test]
fn reports_undefined_terms_and_drops_them_like_a_standard_processor() {
    let mut document = json("w3c-vc-di-eddsa/unsigned.json");
    // The examples context has an @vocab; use only the VC v2 context so nothing catches terms.
    document["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    let plain = canonicalize(&document).expect("canonicalize");
    assert_eq!(plain.undefined_terms, ["AlumniCredential", "alumniOf"]);
    document["favouriteColour"] = json!("green");
    document["type"] = json!(["VerifiableCredential", "MadeUpCredential"]);
    let mut with_extra = canonicalize(&document).expect("canonicalize");
    with_extra.undefined_terms.sort();
    assert_eq!(
        with_extra.undefined_terms,
        ["MadeUpCredential", "alumniOf", "favouriteColour"]
    );
    assert!(!with_extra.nquads.contains(UNDEFINED_TERM_VOCAB));
    assert!(!with_extra.nquads.contains("green"));
    assert_eq!(plain.nquads, with_extra.nquads);
    assert!(matches!(
        canonicalize_strict(&document),
        Err(JsonLdError::UndefinedTerms(terms)) if terms.len() == 3
    ));
}

#[test]
fn never_fetches_an_unknown_context() {
    let document = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/context.json"],
        "type": ["VerifiableCredential"]
    });
    match canonicalize(&document) {
        Err(JsonLdError::UnknownContext(url)) => {
            assert_eq!(url, "https://evil.example/context.json")
        }
        other => panic!("expected UnknownContext, got {other:?}"),
    }
}

#[test]
fn refuses_a_poisoned_dataset() {
    // Many interlinked blank nodes of identical shape: the classic RDFC poisoning pattern,
    // written with bundled contexts only (inline contexts are refused before RDF is made).
    let nodes: Vec<Value> = (0..40)
        .map(|i| {
            json!({ "id": format!("_:b{i}"), "p": [
                { "id": format!("_:b{}", (i + 1) % 40) }, { "id": format!("_:b{}", (i + 7) % 40) }
            ]})
        })
        .collect();
    let document = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "links": nodes,
    });
    assert!(matches!(
        canonicalize(&document),
        Err(JsonLdError::TooComplex(_))
    ));
}

#[test]
fn every_bundled_context_parses_as_json() {
    for url in bundled_context_urls() {
        let text = bundled_context(url).expect("listed");
        let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert!(value.get("@context").is_some(), "{url} has no @context");
    }
}

#[test]
fn finds_no_undefined_terms_in_documents_with_scoped_contexts() {
    let document = json("w3c-vc-di-eddsa/employmentAuth.json");
    assert_eq!(
        undefined_terms(&document).expect("check"),
        Vec::<String>::new()
    );
}

mod safe_mode;

#[test]
fn a_long_iri_repeated_over_many_values_is_refused_before_it_fills_memory() {
    // Each quad repeats the subject and predicate: 2,000 values under a 4 KB id and a 4 KB
    // property would be 16 MB of RDF from 20 KB of JSON.
    let id = format!("https://x.example/{}", "a".repeat(4096));
    let property = format!("https://x.example/p/{}", "b".repeat(4096));
    let document = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "credentialSubject": { "id": id, property: (0..2000).collect::<Vec<_>>() },
    });
    match canonicalize(&document) {
        Err(JsonLdError::TooComplex(reason)) => {
            assert!(reason.contains("bytes of RDF"), "{reason}")
        }
        other => panic!("expected TooComplex, got {other:?}"),
    }
}

#[test]
fn a_clique_under_a_long_property_is_charged_for_its_length() {
    // Five indistinguishable blank nodes cost little with a short property; with a 64 KB one
    // every related-node hash reads 64 KB, and the budget counts it.
    let clique = |property: &str| {
        let nodes: Vec<Value> = (0..5)
            .map(|i| {
                let links: Vec<Value> = (0..5)
                    .filter(|j| *j != i)
                    .map(|j| json!({ "id": format!("_:n{j}") }))
                    .collect();
                json!({ "id": format!("_:n{i}"), property: links })
            })
            .collect();
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "https://x.example/links": nodes,
        })
    };
    assert!(canonicalize(&clique("https://x.example/p")).is_ok());
    let long = format!("https://x.example/{}", "p".repeat(65_536));
    assert!(matches!(
        canonicalize(&clique(&long)),
        Err(JsonLdError::TooComplex(_))
    ));
}
