//! The component schemas written as JSON Schema: request bodies read row by row, and
//! documents other crates write. Every response the handlers build is derived instead.

mod documents;
mod requests;

use serde_json::Value;

/// Every hand-written component schema, by name.
pub(super) fn all() -> Vec<(&'static str, Value)> {
    [requests::schemas(), documents::schemas()]
        .into_iter()
        .flatten()
        .collect()
}
