//! Component schemas: Bearer tokens, and the document itself.
//!
//! Written as JSON Schema literals because these bodies are built with `json!` in the handlers
//! (see `crate::api::openapi` for which are derived from Rust types instead).

use serde_json::{Value, json};

/// This group's schemas, by component name.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Token",
            json!({
                "type": "object",
                "required": [
                    "id",
                    "name",
                    "scopes",
                    "issuer_ids",
                    "expires_at",
                    "with_emails",
                    "created_at",
                    "last_used_at",
                    "revoked_at",
                    "url"
                ],
                "properties": {
                    "id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "name": {
                        "type": "string"
                    },
                    "scopes": {
                        "type": "array",
                        "items": {
                            "enum": [
                                "admin",
                                "issue",
                                "read"
                            ]
                        }
                    },
                    "issuer_ids": {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "format": "uuid"
                        },
                        "description": "The issuers it is limited to; empty: every issuer"
                    },
                    "expires_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "with_emails": {
                        "type": "boolean",
                        "description": "For a read-only token: whether it sees recipients' emails and names"
                    },
                    "created_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "last_used_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time",
                        "description": "Recorded at most once a minute"
                    },
                    "revoked_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "url": {
                        "type": "string",
                        "format": "uri-reference"
                    },
                    "secret": {
                        "type": "string",
                        "description": "POST /tokens only: the bearer secret (laurel_…), shown this once; only its SHA-256 is stored"
                    }
                }
            }),
        ),
        (
            "TokenList",
            json!({
                "type": "object",
                "required": [
                    "tokens"
                ],
                "properties": {
                    "tokens": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Token"
                        }
                    }
                }
            }),
        ),
        (
            "OpenApiDocument",
            json!({
                "type": "object"
            }),
        ),
    ]
}
