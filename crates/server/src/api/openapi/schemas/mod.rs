//! The component schemas written as JSON Schema, in groups by part of the API.

mod awards;
mod completions;
mod email;
mod events;
mod imports;
mod issuers;
mod rules;
mod tokens;

use serde_json::Value;

/// Every hand-written component schema, by name.
pub(super) fn all() -> Vec<(&'static str, Value)> {
    [
        issuers::schemas(),
        awards::schemas(),
        rules::schemas(),
        events::schemas(),
        completions::schemas(),
        imports::schemas(),
        email::schemas(),
        tokens::schemas(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
