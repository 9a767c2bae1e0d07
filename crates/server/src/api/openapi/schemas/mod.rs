//! The one component schema written by hand: `OpenApiDocument`, the answer of
//! `GET /openapi.json`. It is this very document, which no struct of ours describes (utoipa's
//! own `OpenApi` type is what serializes it, and it has no schema of itself), so it is
//! documented as what it is to a client: a JSON object. Every other schema, request or
//! response, is derived from the types the handlers deserialize and serialize.

use serde_json::{Value, json};

/// Every hand-written component schema, by name.
pub(super) fn all() -> Vec<(&'static str, Value)> {
    vec![(
        "OpenApiDocument",
        json!({
            "type": "object",
            "description": "An OpenAPI 3.1 document: this one"
        }),
    )]
}
