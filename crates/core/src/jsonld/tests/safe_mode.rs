//! JSON-LD safe mode: each way of slipping content past an RDF signature is refused, and the
//! error names where it is.

use serde_json::{Value, json};

use super::super::*;

fn credential() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/credentials/unsigned-basic.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

/// The credential with `change` applied must be refused as unsafe at `path`.
fn refused_at(change: impl FnOnce(&mut Value), path: &str) {
    let mut document = credential();
    change(&mut document);
    match canonicalize(&document) {
        Err(JsonLdError::Unsafe {
            path: found,
            problem,
        }) => {
            assert_eq!(found, path, "{problem}");
        }
        other => panic!("expected Unsafe at {path}, got {other:?}"),
    }
    assert!(check_safe(&document).is_err());
}

#[test]
fn the_genuine_credential_is_safe() {
    check_safe(&credential()).expect("safe");
}

#[test]
fn evidence_ids_that_are_not_iris_are_refused() {
    for bad in [
        "https://registrar.example.edu/transcript\"",
        "https://x.example/with space",
        "https://x.example/<x>",
        "relative/path",
    ] {
        refused_at(
            |c| {
                c["evidence"] = json!([
                    { "id": "https://ok.example/1", "type": ["Evidence"], "name": "fine" },
                    { "id": bad, "type": ["Evidence"], "name": "Official transcript: Summa cum laude" }
                ]);
            },
            "evidence[1].id",
        );
    }
}

#[test]
fn an_added_result_with_an_invalid_iri_is_refused() {
    refused_at(
        |c| {
            c["credentialSubject"]["result"] =
                json!([{ "id": "https://x.example/r\"", "type": ["Result"], "value": "A+" }]);
        },
        "credentialSubject.result[0].id",
    );
}

#[test]
fn inline_contexts_are_refused_whatever_they_say() {
    for inline in [
        json!({ "honors": null }),
        json!({ "honors": "_:h" }),
        json!({ "honors": { "@id": "https://x/bad iri" } }),
        json!({ "@vocab": "_:" }),
        json!({ "@vocab": "https://evil.example/#" }),
    ] {
        refused_at(
            |c| {
                c["@context"].as_array_mut().expect("list").push(inline);
                c["credentialSubject"]["honors"] = json!("Summa cum laude");
            },
            "@context[2]",
        );
    }
}

#[test]
fn keywords_a_credential_does_not_need_are_refused() {
    for keyword in [
        "@reverse",
        "@graph",
        "@included",
        "@nest",
        "@index",
        "@set",
        "@list",
        "@vocab",
        "@foo",
    ] {
        refused_at(
            |c| c["credentialSubject"][keyword] = json!({ "https://x.example/p": "v" }),
            &format!("credentialSubject.{keyword}"),
        );
    }
}

#[test]
fn nulls_are_refused() {
    refused_at(|c| c["name"] = Value::Null, "name");
}

#[test]
fn bad_language_tags_and_datatypes_are_refused() {
    refused_at(
        |c| c["name"] = json!({ "@value": "Honours", "@language": "not a tag!" }),
        "name.@value",
    );
    // A datatype that is not an IRI is already a JSON-LD error.
    let mut document = credential();
    document["name"] = json!({ "@value": "Honours", "@type": "not an iri" });
    assert!(matches!(
        canonicalize(&document),
        Err(JsonLdError::Syntax(_) | JsonLdError::Unsafe { .. })
    ));
}

#[test]
fn keys_that_are_not_iris_are_refused() {
    for key in ["_:blank", "https://x.example/bad key"] {
        let mut document = credential();
        document["credentialSubject"][key] = json!("hidden");
        assert!(
            matches!(canonicalize(&document), Err(JsonLdError::Unsafe { .. })),
            "{key}"
        );
    }
}

#[test]
fn undefined_terms_are_still_reported() {
    let mut document = credential();
    document["credentialSubject"]["honors"] = json!("Summa cum laude");
    match check_safe(&document) {
        Err(JsonLdError::UndefinedTerms(terms)) => assert_eq!(terms, vec!["honors"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn contexts_outside_the_bundle_are_unknown_not_fetched() {
    let mut document = credential();
    document["@context"]
        .as_array_mut()
        .expect("list")
        .push(json!("https://evil.example/context.json"));
    assert!(matches!(
        check_safe(&document),
        Err(JsonLdError::UnknownContext(_))
    ));
}
