//! JSON-LD safe mode: nothing in a document may be dropped or ignored on its way to RDF.
//!
//! An `eddsa-rdfc-2022` signature covers the RDF a document becomes, not its JSON. Whatever
//! JSON-LD processing drops (a node whose `id` is not an absolute IRI, a term mapped to
//! `null`, a value with a bad language tag, a key that looks like a keyword) is therefore not
//! signed, and anyone can add or change it while the signature still verifies. Data Integrity
//! recommends "safe mode" for this reason, and jsonld.js (which Digital Bazaar's verifiers use)
//! implements it: anything that would be dropped is an error.
//!
//! We check in two places, and both must pass:
//! - here, on the JSON, for what is plainly unsafe whatever the processor does: contexts other
//!   than the bundled ones (an inline context can map any term to `null`, a blank node or an
//!   invalid IRI, or set `@vocab`), keywords beyond the few a credential needs, and `null`
//!   values;
//! - in the vendored oxjsonld's safe mode (`JsonLdParser::safe_mode`), for everything the
//!   expansion and RDF conversion algorithms would skip. Its errors name the offending value;
//!   [`locate`] finds that value's path in the document so the message can name it.
//!
//! The rule is deliberately stricter than jsonld.js where they could differ: an input on
//! which two implementations might produce different canonical forms is refused.

use std::fmt::Write as _;

use serde_json::Value;

use super::{Document, JsonLdError, UNDEFINED_TERM_VOCAB, bundled_context};

/// The keywords a credential may use as keys. `@context` may appear at any level (a nested
/// credential carries its own), but only naming bundled contexts.
const ALLOWED_KEYWORDS: [&str; 6] = [
    "@context",
    "@id",
    "@type",
    "@value",
    "@language",
    "@direction",
];

/// Checks the JSON of `document` for content that JSON-LD processing would drop or that only
/// a context we do not know could define.
pub(crate) fn scan_document(document: &Document<'_>) -> Result<(), JsonLdError> {
    let mut path = String::new();
    for (key, child) in document.entries() {
        member(key, child, &mut path, 0)?;
    }
    Ok(())
}

/// The deepest nesting we follow; deeper documents are refused rather than recursed into.
const MAX_DEPTH: usize = 64;

fn walk(value: &Value, path: &mut String, depth: usize) -> Result<(), JsonLdError> {
    if depth > MAX_DEPTH {
        return Err(unsafe_at(path, "the document is nested too deeply"));
    }
    match value {
        Value::Null => Err(unsafe_at(
            path,
            "null, which JSON-LD drops (leave the field out instead)",
        )),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let mark = path.len();
                // Writing to a String cannot fail.
                let _ = write!(path, "[{index}]");
                walk(item, path, depth + 1)?;
                path.truncate(mark);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, child) in map {
                member(key, child, path, depth)?;
            }
            Ok(())
        }
        Value::Bool(_) | Value::Number(_) | Value::String(_) => Ok(()),
    }
}

/// One member of an object at `depth`, whose path is `path`.
fn member(key: &str, child: &Value, path: &mut String, depth: usize) -> Result<(), JsonLdError> {
    let mark = path.len();
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
    if key == "@context" {
        contexts(child, path)?;
    } else {
        if key.starts_with('@') && !ALLOWED_KEYWORDS.contains(&key) {
            return Err(unsafe_at(
                path,
                &format!("the keyword {key} is not accepted in a credential"),
            ));
        }
        walk(child, path, depth + 1)?;
    }
    path.truncate(mark);
    Ok(())
}

/// A `@context` value: a bundled context's URL, or a list of them.
fn contexts(value: &Value, path: &str) -> Result<(), JsonLdError> {
    let one = |value: &Value, path: &str| match value {
        Value::String(url) if bundled_context(url).is_some() => Ok(()),
        Value::String(url) => Err(JsonLdError::UnknownContext(url.clone())),
        _ => Err(unsafe_at(
            path,
            "an inline context: only the URLs of the bundled contexts are accepted, since an inline context can make terms vanish from what is signed",
        )),
    };
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(index, item)| one(item, &format!("{path}[{index}]"))),
        other => one(other, path),
    }
}

pub(super) fn unsafe_at(path: &str, problem: &str) -> JsonLdError {
    JsonLdError::Unsafe {
        path: path.to_string(),
        problem: problem.to_string(),
    }
}

/// Turns a safe-mode error of the JSON-LD processor into one that names the path of the
/// offending key or value in `document`, when it can be found.
pub(crate) fn locate(document: &Value, message: &str) -> JsonLdError {
    let readable = message
        .trim_start_matches("safe mode: ")
        .replace(UNDEFINED_TERM_VOCAB, "");
    let path = find(document, message, &mut String::new(), 0);
    JsonLdError::Unsafe {
        path: path.unwrap_or_default(),
        problem: readable,
    }
}

/// The path of the first key or string value whose quoted form (or, for a key, the quoted
/// IRI it became under the undefined-term vocabulary) appears in `message`.
fn find(value: &Value, message: &str, path: &mut String, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    match value {
        Value::String(text) => message.contains(&format!("{text:?}")).then(|| path.clone()),
        Value::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
            let mark = path.len();
            path.push_str(&format!("[{index}]"));
            let found = find(item, message, path, depth + 1);
            path.truncate(mark);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(key, child)| {
            if key == "@context" {
                return None;
            }
            let mark = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let as_term = format!("{UNDEFINED_TERM_VOCAB}{key}");
            let found = find(child, message, path, depth + 1).or_else(|| {
                (message.contains(&format!("{key:?}")) || message.contains(&format!("{as_term:?}")))
                    .then(|| path.clone())
            });
            path.truncate(mark);
            found
        }),
        _ => None,
    }
}
