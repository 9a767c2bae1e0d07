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
//! document's, and verifying always canonicalizes. One entry per thread, options of at most
//! [`MAX_CANONICAL`] bytes.

use std::cell::RefCell;

use serde_json::{Map, Value};

/// Larger canonical options are not kept (Laurel's are about 600 bytes).
const MAX_CANONICAL: usize = 4096;

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
    if canonical.len() <= MAX_CANONICAL {
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
