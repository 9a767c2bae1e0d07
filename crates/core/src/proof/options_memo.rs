//! The canonical form of the proof options this thread signed with last.
//!
//! An `eddsa-rdfc-2022` signature canonicalizes two documents: the credential and the proof
//! options (type, cryptosuite, `created`, `verificationMethod`, `proofPurpose`, given the
//! credential's `@context`). Every credential of an awarding batch is signed with the same
//! options (one issuer key, one `created`), and canonicalizing them was about 12 % of each
//! signature. The canonical form is a function of the options and the context alone, so the
//! last one is kept per thread and reused when both are equal, compared in full (no hash).
//!
//! Signing only: the options compared are the ones [`super::sign_within`] builds, never a
//! document's, and verifying always canonicalizes. One entry per thread, kept only when small:
//! canonical options of at most [`MAX_CANONICAL`] bytes, under a context of at most
//! [`MAX_CONTEXTS`] URLs (the only contexts signing accepts are bundled URLs).

use std::cell::RefCell;

use serde_json::{Map, Value};

/// Larger canonical options are not kept (Laurel's are about 600 bytes).
const MAX_CANONICAL: usize = 4096;

/// Longer `@context` lists are not kept (Laurel's credentials have two or three).
const MAX_CONTEXTS: usize = 16;

/// Whether `context` is one URL or a short list of them: what a kept entry may hold.
fn small(context: &Value) -> bool {
    match context {
        Value::String(_) => true,
        Value::Array(items) => items.len() <= MAX_CONTEXTS && items.iter().all(Value::is_string),
        _ => false,
    }
}

struct Entry {
    context: Value,
    proof: Map<String, Value>,
    canonical: String,
}

thread_local! {
    static LAST: RefCell<Option<Entry>> = const { RefCell::new(None) };
}

/// The canonical N-Quads of the proof options `proof` given `context`: the kept one when both
/// are equal to the last ones, else `canonicalize()`, kept on success.
pub(super) fn canonical_proof_options<E>(
    context: &Value,
    proof: &Map<String, Value>,
    canonicalize: impl FnOnce() -> Result<String, E>,
) -> Result<String, E> {
    let kept = LAST.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|entry| entry.proof == *proof && entry.context == *context)
            .map(|entry| entry.canonical.clone())
    });
    if let Some(canonical) = kept {
        return Ok(canonical);
    }
    let canonical = canonicalize()?;
    if canonical.len() <= MAX_CANONICAL && small(context) {
        LAST.with(|last| {
            *last.borrow_mut() = Some(Entry {
                context: context.clone(),
                proof: proof.clone(),
                canonical: canonical.clone(),
            });
        });
    }
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_short_lists_of_urls_are_kept() {
        assert!(small(&json!("https://www.w3.org/ns/credentials/v2")));
        assert!(small(&json!(["https://a.example", "https://b.example"])));
        assert!(!small(&json!(vec!["https://a.example"; MAX_CONTEXTS + 1])));
        assert!(!small(
            &json!(["https://a.example", { "term": "https://t.example" }])
        ));
        assert!(!small(&json!({ "term": "https://t.example" })));
    }
}
