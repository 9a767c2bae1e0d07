//! Component schemas: Completions recorded against an issuer.
//!
//! Written as JSON Schema literals because these bodies are built with `json!` in the handlers
//! (see `crate::api::openapi` for which are derived from Rust types instead).

use serde_json::{Value, json};

/// This group's schemas, by component name.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "CompletionBatch",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "completions"
                ],
                "properties": {
                    "completions": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/CompletionInput"
                        },
                        "minItems": 1,
                        "maxItems": 10000
                    }
                }
            }),
        ),
        (
            "Completion",
            json!({
                "type": "object",
                "properties": {
                    "id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "issuer_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "what": {
                        "type": "string"
                    },
                    "email": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "Personal data: null for a read-only token made without --with-emails"
                    },
                    "name": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "Personal data: null for a read-only token made without --with-emails"
                    },
                    "completed_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "score": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "evidence": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "recorded_at": {
                        "type": "string",
                        "format": "date-time"
                    }
                }
            }),
        ),
        (
            "CompletionList",
            json!({
                "type": "object",
                "required": [
                    "completions"
                ],
                "properties": {
                    "completions": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Completion"
                        }
                    }
                }
            }),
        ),
        (
            "CompletionResults",
            json!({
                "type": "object",
                "required": [
                    "recorded",
                    "duplicate",
                    "rejected",
                    "results",
                    "awards"
                ],
                "properties": {
                    "recorded": {
                        "type": "integer"
                    },
                    "duplicate": {
                        "type": "integer"
                    },
                    "rejected": {
                        "type": "integer"
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "index",
                                "status"
                            ],
                            "properties": {
                                "index": {
                                    "type": "integer"
                                },
                                "status": {
                                    "enum": [
                                        "recorded",
                                        "duplicate",
                                        "rejected"
                                    ]
                                },
                                "email": {
                                    "type": "string",
                                    "description": "Normalized (not for rejected rows)"
                                },
                                "what": {
                                    "type": "string",
                                    "description": "Not for rejected rows"
                                },
                                "error": {
                                    "type": "string",
                                    "description": "Why the row was rejected"
                                }
                            }
                        }
                    },
                    "awards": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/RuleOutcome"
                        }
                    }
                }
            }),
        ),
    ]
}
