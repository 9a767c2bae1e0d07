//! JSON-LD to RDF and RDF Dataset Canonicalization (RDFC-1.0), offline and bounded.
//!
//! `eddsa-rdfc-2022` signs the canonical N-Quads of a credential, not its JSON. Two things make
//! that step dangerous, and this module exists to handle both:
//!
//! - **Silently unsigned fields.** A JSON key (or `type` value) that no context defines is dropped
//!   when JSON-LD becomes RDF, so it is not covered by the signature and anyone may change it. We
//!   detect such terms in the same pass that produces the quads: a sentinel `@vocab` is put
//!   before the document's contexts (so a context that sets its own `@vocab` still wins), so an undefined term expands to an IRI under
//!   [`UNDEFINED_TERM_VOCAB`] instead of vanishing. A document without undefined terms yields
//!   exactly the quads it would have yielded without the sentinel, so one parse serves both the
//!   check and the canonical form.
//! - **Dataset poisoning.** RDFC-1.0 is exponential in the worst case. Our own implementation
//!   of it (`rdfc`) charges every step of its work, including inside the N-degree hashing,
//!   to a [`Budget`], and gives up with [`JsonLdError::TooComplex`] when the budget is spent;
//!   honest credentials use a tiny fraction of [`Budget::for_one_document`].
//!
//! Contexts come only from [`contexts`]: a URL that is not bundled is an error, never a fetch.

mod contexts;
mod rdfc;
mod safe;
mod view;

pub use view::Document;

use std::collections::HashMap;
use std::sync::OnceLock;

use oxjsonld::{
    JsonEvent, JsonLdLoadDocumentOptions, JsonLdParser, JsonLdProfile, JsonLdRemoteDocument,
    JsonLdSyntaxError,
};
use oxrdf::{GraphName, NamedOrBlankNode, Quad, Term};
use serde_json::Value;

use crate::budget::Budget;

/// The IRI prefix that undefined terms expand to during the check; never appears in output.
pub const UNDEFINED_TERM_VOCAB: &str = "urn:laurel:undefined-term:";

/// The most blank nodes one document may have before we refuse to canonicalize it (a learner
/// record nesting whole credentials may have more: [`Budget::with_record`]).
pub const MAX_BLANK_NODES: usize = 512;

/// Why a document could not be turned into canonical N-Quads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonLdError {
    /// The document names a context that is not bundled.
    #[error("unknown JSON-LD context {0}: only bundled contexts are used, nothing is fetched")]
    UnknownContext(String),
    /// The JSON-LD processor rejected the document.
    #[error("invalid JSON-LD: {0}")]
    Syntax(String),
    /// Terms that no context defines, which an RDF signature would silently leave unsigned.
    #[error("{} not defined by the document's JSON-LD contexts and would not be signed: {}",
        if .0.len() == 1 { "this term is" } else { "these terms are" }, .0.join(", "))]
    UndefinedTerms(Vec<String>),
    /// Content that JSON-LD processing would drop or ignore (safe mode), so a signature over
    /// the RDF would not cover it: `path` is where it is in the document (empty if unknown).
    #[error("{}{problem}: JSON-LD processing would drop or ignore it, so no signature can cover it", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Unsafe {
        /// Where, as `credentialSubject.evidence[1].id`.
        path: String,
        /// What is wrong, in words.
        problem: String,
    },
    /// The dataset is shaped so that canonicalization could take exponential time.
    #[error("refused to canonicalize: {0} (a possible RDF dataset poisoning attack)")]
    TooComplex(String),
}

/// The text of a bundled context, if `url` is one.
pub fn bundled_context(url: &str) -> Option<&'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| contexts::BUNDLED.iter().copied().collect())
        .get(url)
        .copied()
}

/// The URLs of every bundled context.
pub fn bundled_context_urls() -> impl Iterator<Item = &'static str> {
    contexts::BUNDLED.iter().map(|(url, _)| *url)
}

/// What converting a document to RDF found.
#[derive(Debug, Clone)]
pub struct Canonical {
    /// The RDFC-1.0 canonical N-Quads, one statement per line, each ending in `\n`.
    pub nquads: String,
    /// Terms no context defines (empty for a well-formed document). Their data is not in
    /// `nquads`.
    pub undefined_terms: Vec<String>,
}

/// Converts a JSON-LD document to RDF and canonicalizes it with RDFC-1.0 (SHA-256).
///
/// Undefined terms are reported in [`Canonical::undefined_terms`] rather than refused, so a
/// verifier can still check a signature made by a lenient signer and say what it left out;
/// callers that sign use [`canonicalize_strict`].
pub fn canonicalize(document: &Value) -> Result<Canonical, JsonLdError> {
    canonicalize_within(document, &Budget::for_one_document())
}

/// [`canonicalize`], charging the canonicalization to `budget` (a verifier shares one budget
/// across every document of one input).
pub fn canonicalize_within(document: &Value, budget: &Budget) -> Result<Canonical, JsonLdError> {
    canonicalize_document_within(&Document::of(document)?, budget)
}

/// [`canonicalize_within`] for a [`Document`]: a JSON object read in place, less some members
/// or with another `@context`, as a Data Integrity proof canonicalizes the credential without
/// its `proof` and the proof without its `proofValue`.
pub fn canonicalize_document_within(
    document: &Document<'_>,
    budget: &Budget,
) -> Result<Canonical, JsonLdError> {
    let quads = to_rdf_with_sentinel(document)?;
    let undefined_terms = undefined_in(&quads);
    let quads = if undefined_terms.is_empty() {
        // Without undefined terms the sentinel changed nothing: these are the document's quads.
        quads
    } else {
        // Re-read without the sentinel, so the terms are dropped exactly as any standard
        // processor drops them and the canonical form matches the signer's. Safe mode would
        // refuse the drop, which is the point: the caller is told of the undefined terms, and
        // a verifier can still say whether the signature covered the rest.
        convert(document, false, false)?
    };
    Ok(Canonical {
        nquads: canonical_nquads_within(quads, budget)?,
        undefined_terms,
    })
}

/// The terms of `document` that no context defines: keys and `type` values that a JSON-LD
/// processor would drop.
pub fn undefined_terms(document: &Value) -> Result<Vec<String>, JsonLdError> {
    undefined_terms_of(&Document::of(document)?)
}

/// [`undefined_terms`] of a [`Document`].
pub fn undefined_terms_of(document: &Document<'_>) -> Result<Vec<String>, JsonLdError> {
    Ok(undefined_in(&to_rdf_with_sentinel(document)?))
}

fn undefined_in(quads: &[Quad]) -> Vec<String> {
    let mut undefined = Vec::new();
    for quad in quads {
        let mut note = |iri: &str| {
            if let Some(term) = iri.strip_prefix(UNDEFINED_TERM_VOCAB)
                && !undefined.iter().any(|known: &String| known == term)
            {
                undefined.push(term.to_string());
            }
        };
        note(quad.predicate.as_str());
        match &quad.object {
            Term::NamedNode(node) => note(node.as_str()),
            Term::Literal(literal) => note(literal.datatype().as_str()),
            _ => {}
        }
    }
    undefined
}

/// Like [`canonicalize`], but refuses a document with undefined terms.
pub fn canonicalize_strict(document: &Value) -> Result<String, JsonLdError> {
    canonicalize_strict_within(document, &Budget::for_one_document())
}

/// [`canonicalize_strict`], charging the canonicalization to `budget`.
pub fn canonicalize_strict_within(
    document: &Value,
    budget: &Budget,
) -> Result<String, JsonLdError> {
    canonicalize_strict_document_within(&Document::of(document)?, budget)
}

/// [`canonicalize_strict_within`] for a [`Document`].
pub fn canonicalize_strict_document_within(
    document: &Document<'_>,
    budget: &Budget,
) -> Result<String, JsonLdError> {
    let canonical = canonicalize_document_within(document, budget)?;
    if canonical.undefined_terms.is_empty() {
        Ok(canonical.nquads)
    } else {
        Err(JsonLdError::UndefinedTerms(canonical.undefined_terms))
    }
}

/// The quads of `document` read with the undefined-term sentinel first in its `@context` (so
/// that any context of the document's own that sets `@vocab` still wins).
fn to_rdf_with_sentinel(document: &Document<'_>) -> Result<Vec<Quad>, JsonLdError> {
    safe::scan_document(document)?;
    convert(document, true, true)
}

/// Converts JSON-LD to RDF quads using only the bundled contexts, in safe mode: anything the
/// conversion would drop is an error (see [`safe`]).
pub fn to_rdf(document: &Value) -> Result<Vec<Quad>, JsonLdError> {
    let document = Document::of(document)?;
    safe::scan_document(&document)?;
    convert(&document, false, true)
}

/// Checks that `document` passes JSON-LD safe mode and defines every term it uses: what
/// signing with any suite, and verifying, require of a credential, since every JSON-LD
/// consumer (and RDF signature) would otherwise see less than its JSON says.
pub fn check_safe(document: &Value) -> Result<(), JsonLdError> {
    check_safe_document(&Document::of(document)?)
}

/// [`check_safe`] for a [`Document`].
pub fn check_safe_document(document: &Document<'_>) -> Result<(), JsonLdError> {
    let undefined = undefined_terms_of(document)?;
    if undefined.is_empty() {
        Ok(())
    } else {
        Err(JsonLdError::UndefinedTerms(undefined))
    }
}

/// The conversion itself, with the undefined-term sentinel if `sentinel`, in safe mode if
/// `safe`.
///
/// In safe mode a document whose member order [`Document::events_in_processing_order`] can
/// give is converted from those events in oxjsonld's streaming mode, which produces the same
/// quads without writing, parsing and buffering it; if that conversion fails for any reason,
/// the document is converted again from its JSON text in the buffering mode, so every error
/// is the one that mode gives.
fn convert(document: &Document<'_>, sentinel: bool, safe: bool) -> Result<Vec<Quad>, JsonLdError> {
    let sentinel = sentinel.then_some(UNDEFINED_TERM_VOCAB);
    if safe
        && let Some((events, json_bytes)) = document.events_in_processing_order(sentinel)
        && let Ok(quads) = convert_events(events, json_bytes)
    {
        return Ok(quads);
    }
    let mode = if safe { Mode::Safe } else { Mode::Lenient };
    convert_bytes(document, &document.json_bytes(sentinel)?, mode)
}

/// How oxjsonld reads a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Anything dropped is an error; objects buffered until all their members are seen.
    Safe,
    /// What other processors do: undefined terms are dropped.
    Lenient,
}

fn convert_bytes(
    document: &Document<'_>,
    bytes: &[u8],
    mode: Mode,
) -> Result<Vec<Quad>, JsonLdError> {
    let parser = match mode {
        Mode::Safe => JsonLdParser::new().safe_mode(),
        Mode::Lenient => JsonLdParser::new(),
    };
    let quads = parser
        .for_slice(bytes)
        .with_load_document_callback(load_bundled);
    collect_quads(Some(document), quads, bytes.len())
}

/// [`convert_bytes`] in safe mode, of the document as JSON events in processing order, read
/// in oxjsonld's streaming mode.
fn convert_events<'a>(
    events: Vec<JsonEvent<'a>>,
    json_bytes: usize,
) -> Result<Vec<Quad>, JsonLdError> {
    let quads = JsonLdParser::new()
        .safe_mode()
        .with_profile(JsonLdProfile::Streaming)
        .for_events(events)
        .with_load_document_callback(load_bundled);
    // Its errors are never shown (the buffering mode's are), so they are not located.
    collect_quads(None, quads, json_bytes)
}

/// The load document callback: bundled contexts only.
fn load_bundled(
    url: &str,
    _options: &JsonLdLoadDocumentOptions,
) -> Result<JsonLdRemoteDocument, Box<dyn std::error::Error + Send + Sync>> {
    match bundled_context(url) {
        Some(text) => Ok(JsonLdRemoteDocument {
            document: text.as_bytes().into(),
            document_url: url.into(),
        }),
        None => Err(Box::new(JsonLdError::UnknownContext(url.into()))),
    }
}

/// The quads of a conversion of a document of `json_bytes` bytes, or its first error (a
/// safe-mode error located in `document`, if given).
fn collect_quads(
    document: Option<&Document<'_>>,
    quads: impl Iterator<Item = Result<Quad, JsonLdSyntaxError>>,
    json_bytes: usize,
) -> Result<Vec<Quad>, JsonLdError> {
    // Every quad repeats its subject and predicate in full: an array of a million small
    // values under one long IRI would make a few megabytes of JSON into terabytes of RDF.
    let limit = RDF_BYTES_PER_JSON_BYTE * json_bytes + RDF_BYTES_FLOOR;
    let mut produced = 0usize;
    let mut collected = Vec::new();
    for quad in quads {
        match quad {
            Ok(quad) => {
                produced += quad_bytes(&quad);
                if produced > limit {
                    return Err(JsonLdError::TooComplex(format!(
                        "the document would become more than {limit} bytes of RDF"
                    )));
                }
                collected.push(quad)
            }
            Err(error) => {
                let message = error.to_string();
                if message.starts_with("safe mode: ")
                    && let Some(document) = document
                {
                    return Err(safe::locate(&document.owned_value(), &message));
                }
                return Err(syntax_error(message));
            }
        }
    }
    Ok(collected)
}

/// How many bytes of RDF terms one byte of JSON may become (terms expand to full IRIs and
/// every quad repeats its subject), plus a floor that no credential comes near.
const RDF_BYTES_PER_JSON_BYTE: usize = 16;
const RDF_BYTES_FLOOR: usize = 1 << 20;

/// The bytes a quad's terms hold.
fn quad_bytes(quad: &Quad) -> usize {
    let subject = match &quad.subject {
        NamedOrBlankNode::NamedNode(node) => node.as_str().len(),
        NamedOrBlankNode::BlankNode(node) => node.as_str().len(),
    };
    let object = match &quad.object {
        Term::NamedNode(node) => node.as_str().len(),
        Term::BlankNode(node) => node.as_str().len(),
        Term::Literal(literal) => literal.value().len() + literal.datatype().as_str().len(),
        #[allow(unreachable_patterns)]
        _ => 0,
    };
    let graph = match &quad.graph_name {
        GraphName::NamedNode(node) => node.as_str().len(),
        GraphName::BlankNode(node) => node.as_str().len(),
        GraphName::DefaultGraph => 0,
    };
    subject + quad.predicate.as_str().len() + object + graph
}

/// Maps oxjsonld's message for a failed context load back to our clearer error.
fn syntax_error(message: String) -> JsonLdError {
    const PREFIX: &str = "unknown JSON-LD context ";
    const SUFFIX: &str = ": only bundled";
    let url = message.find(PREFIX).and_then(|start| {
        let rest = &message[start + PREFIX.len()..];
        rest.find(SUFFIX).map(|end| rest[..end].to_string())
    });
    match url {
        Some(url) => JsonLdError::UnknownContext(url),
        None => JsonLdError::Syntax(message),
    }
}

/// RDFC-1.0 with SHA-256, serialized as sorted canonical N-Quads (one statement per line, each
/// ending in `" .\n"`), charging the work to `budget`.
///
/// Refuses with [`JsonLdError::TooComplex`] a dataset of more than [`MAX_BLANK_NODES`] blank
/// nodes, or one whose canonicalization would spend more than the budget allows (the
/// exponential case of RDFC-1.0: many blank nodes that only their neighbours tell apart).
pub fn canonical_nquads_within(quads: Vec<Quad>, budget: &Budget) -> Result<String, JsonLdError> {
    rdfc::canonical_nquads(quads, budget)
}

#[cfg(test)]
mod tests;
