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

/// Every JSON file under `dir`, recursively.
fn json_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("vector directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "json" || extension == "jsonld")
        {
            out.push(path);
        }
    }
}

/// The streaming conversion of a document written in processing order gives exactly the
/// quads of the buffering conversion, or fails where it fails, with and without the
/// undefined-term sentinel, for every object in the vectors (credentials, proof options,
/// presentations, and each with its members reversed at every level) and a few shapes they
/// lack; and it is the path Open Badges credentials take.
#[test]
fn streaming_in_processing_order_converts_as_buffering_does() {
    let mut files = Vec::new();
    json_files(std::path::Path::new(VECTORS), &mut files);
    files.push(
        format!(
            "{}/benches/data/open-badge-credential.json",
            env!("CARGO_MANIFEST_DIR")
        )
        .into(),
    );
    let mut documents: Vec<(String, Value)> = Vec::new();
    for file in &files {
        let Ok(Value::Object(members)) =
            serde_json::from_str(&std::fs::read_to_string(file).expect("read"))
        else {
            continue;
        };
        let name = file.display().to_string();
        // The members reversed at every level: `type` and `id` last, `@context` too.
        documents.push((
            format!("{name} (reversed)"),
            reversed(&Value::Object(members.clone())),
        ));
        if let Some(Value::Object(proof)) = members.get("proof") {
            let mut options = proof.clone();
            options.remove("proofValue");
            if let Some(context) = members.get("@context") {
                options.insert("@context".into(), context.clone());
            }
            documents.push((format!("{name} (proof options)"), Value::Object(options)));
        }
        documents.push((name, Value::Object(members)));
    }
    // Shapes the vectors lack: keywords in every order, both spellings of a keyword, value
    // objects, language tags, nested contexts, empty and nested arrays.
    let ob = json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    ]);
    let shapes = [
        json!({ "name": { "@value": "x", "@language": "en" }, "type": ["VerifiableCredential"],
            "@context": ob, "id": "urn:uuid:1" }),
        json!({ "@context": ob, "description": { "@type": "xsd:string", "@value": "y" },
            "@type": "VerifiableCredential", "type": "OpenBadgeCredential" }),
        json!({ "@context": ob, "id": "urn:uuid:2", "@id": "urn:uuid:3", "name": "twice" }),
        json!({ "credentialSubject": { "achievement": { "name": "a", "type": "Achievement",
            "id": "urn:uuid:4", "criteria": { "narrative": "n" } }, "type": "AchievementSubject" },
            "@context": ob, "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "validFrom": "2024-01-01T00:00:00Z", "issuer": { "name": "i", "id": "https://i.example",
            "type": "Profile" } }),
        json!({ "@context": ob, "type": "VerifiableCredential", "name": [], "description": [[]],
            "evidence": [{ "name": "e", "type": "Evidence" }, {}],
            "credentialSubject": { "type": "AchievementSubject", "@context": ob } }),
        json!({ "@context": ob, "type": "VerifiableCredential",
            "termsOfUse": { "id": "urn:uuid:5", "type": "Policy", "uid": "urn:uuid:6" } }),
        // `verifiableCredential` resets the context (`"@context": null` in VC v2): under a
        // context that only sets `@vocab`, `type` and `id` are plain properties there.
        json!({ "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": "VerifiablePresentation",
            "verifiableCredential": [{
                "@context": ["https://www.w3.org/ns/credentials/examples/v2"],
                "name": "n", "type": "T", "@id": "urn:uuid:7", "id": "urn:uuid:8",
                "nested": { "type": "U", "@id": "urn:uuid:9", "id": "x" } }] }),
    ];
    for (index, shape) in shapes.into_iter().enumerate() {
        documents.push((format!("shape {index} (reversed)"), reversed(&shape)));
        documents.push((format!("shape {index}"), shape));
    }
    let mut streamed = 0;
    for (name, document) in &documents {
        let document = Document {
            without: &["proof"],
            ..Document::of(document).expect("object")
        };
        if safe::scan_document(&document).is_err() {
            continue;
        }
        for sentinel in [None, Some(UNDEFINED_TERM_VOCAB)] {
            let buffered = document
                .json_bytes(sentinel)
                .and_then(|bytes| convert_bytes(&document, &bytes, Mode::Safe));
            let Some((events, json_bytes)) = document.events_in_processing_order(sentinel) else {
                continue;
            };
            let streaming = convert_events(events, json_bytes);
            match (buffered, streaming) {
                (Ok(buffered), Ok(streaming)) => {
                    streamed += 1;
                    let budget = Budget::for_one_document();
                    assert_eq!(
                        canonical_nquads_within(streaming, &budget).expect("canonical"),
                        canonical_nquads_within(buffered, &budget).expect("canonical"),
                        "{name}"
                    );
                }
                (Ok(_), Err(error)) => panic!("{name}: only streaming fails: {error}"),
                // What the buffering mode refuses, streaming refuses too: never more accepted.
                (Err(error), Ok(_)) => panic!("{name}: only buffering fails: {error}"),
                (Err(_), Err(_)) => {}
            }
        }
    }
    assert!(
        streamed >= 300,
        "only {streamed} conversions took the streaming path"
    );
}

/// `value` with the members of every object in reverse order.
fn reversed(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .rev()
                .map(|(key, value)| (key.clone(), reversed(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
        other => other.clone(),
    }
}
