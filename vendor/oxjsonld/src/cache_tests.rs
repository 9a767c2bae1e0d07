//! The process-wide cache of processed contexts must never change what a parser outputs.

#![expect(clippy::unwrap_used, clippy::panic, clippy::unwrap_in_result)]

use crate::{JsonLdParser, JsonLdRemoteDocument};
use oxrdf::Quad;

const CONTEXT_URL: &str = "http://example.com/cache-test/context.jsonld";

/// Parses `document`, serving `context` at [`CONTEXT_URL`] (or failing if `None`).
fn parse(
    document: &str,
    base: Option<&str>,
    context: Option<&'static str>,
) -> Result<Vec<Quad>, String> {
    let mut parser = JsonLdParser::new();
    if let Some(base) = base {
        parser = parser.with_base_iri(base).unwrap();
    }
    parser
        .for_slice(document)
        .with_load_document_callback(move |url, _| match (url, context) {
            (CONTEXT_URL, Some(context)) => Ok(JsonLdRemoteDocument {
                document: context.as_bytes().to_vec().into(),
                document_url: url.into(),
            }),
            _ => Err(format!("no document at {url}").into()),
        })
        .map(|quad| quad.map_err(|e| e.to_string()))
        .collect()
}

fn predicates(quads: &[Quad]) -> Vec<String> {
    let mut predicates: Vec<String> = quads.iter().map(|q| q.predicate.to_string()).collect();
    predicates.sort();
    predicates
}

const REMOTE_DOCUMENT: &str = r#"{
    "@context": "http://example.com/cache-test/context.jsonld",
    "@id": "http://example.com/s",
    "@type": "Thing",
    "name": "n",
    "part": {"@id": "http://example.com/p", "label": "l"}
}"#;

const CONTEXT_A: &str = r#"{"@context": {
    "name": "http://a.example/name",
    "part": {"@id": "http://a.example/part", "@context": {"label": "http://a.example/label"}},
    "Thing": {"@id": "http://a.example/Thing", "@context": {"name": "http://a.example/typed-name"}}
}}"#;

const CONTEXT_B: &str = r#"{"@context": {
    "name": "http://b.example/name",
    "part": {"@id": "http://b.example/part", "@context": {"label": "http://b.example/label"}},
    "Thing": {"@id": "http://b.example/Thing", "@context": {"name": "http://b.example/typed-name"}}
}}"#;

#[test]
fn repeated_parses_give_the_same_quads() {
    let first = parse(REMOTE_DOCUMENT, None, Some(CONTEXT_A)).unwrap();
    assert_eq!(
        predicates(&first),
        [
            "<http://a.example/label>",
            "<http://a.example/part>",
            "<http://a.example/typed-name>",
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        ]
    );
    for _ in 0..3 {
        assert_eq!(parse(REMOTE_DOCUMENT, None, Some(CONTEXT_A)).unwrap(), first);
    }
}

#[test]
fn other_remote_content_at_the_same_url_is_not_served_from_the_cache() {
    let a = parse(REMOTE_DOCUMENT, None, Some(CONTEXT_A)).unwrap();
    let b = parse(REMOTE_DOCUMENT, None, Some(CONTEXT_B)).unwrap();
    assert!(predicates(&b).iter().all(|p| !p.contains("a.example")), "{b:?}");
    assert_eq!(parse(REMOTE_DOCUMENT, None, Some(CONTEXT_A)).unwrap(), a);
}

#[test]
fn a_failing_callback_is_not_bypassed_by_the_cache() {
    parse(REMOTE_DOCUMENT, None, Some(CONTEXT_A)).unwrap();
    let Err(error) = parse(REMOTE_DOCUMENT, None, None) else {
        panic!("the context could not be loaded; parsing must fail");
    };
    assert!(error.contains("no document at"), "{error}");
}

#[test]
fn errors_are_reported_on_every_parse() {
    let document = r#"{"@context": {"@vocab": 5}, "@id": "http://example.com/s", "p": "v"}"#;
    for _ in 0..3 {
        parse(document, None, None).unwrap_err();
    }
}

#[test]
fn the_base_iri_is_part_of_the_key() {
    let document = r#"{"@context": {"@vocab": "terms/"}, "@id": "s", "p": "v"}"#;
    let a = parse(document, Some("http://a.example/doc"), None).unwrap();
    let b = parse(document, Some("http://b.example/doc"), None).unwrap();
    assert_eq!(predicates(&a), ["<http://a.example/terms/p>"]);
    assert_eq!(predicates(&b), ["<http://b.example/terms/p>"]);
}
