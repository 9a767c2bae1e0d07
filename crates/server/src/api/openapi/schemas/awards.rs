//! Component schemas: Awards, their batches and pages, and the credential status changes.
//!
//! Written as JSON Schema literals because these bodies are built with `json!` in the handlers
//! (see `crate::api::openapi` for which are derived from Rust types instead).

use serde_json::{Value, json};

/// This group's schemas, by component name.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "AwardInput",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "email"
                ],
                "properties": {
                    "email": {
                        "type": "string",
                        "format": "email",
                        "description": "Normalized (trimmed, lowercased); only its salted hash is published"
                    },
                    "name": {
                        "type": "string",
                        "description": "Kept for staff, never published"
                    },
                    "narrative": {
                        "type": "string"
                    },
                    "evidence": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Evidence"
                        },
                        "maxItems": 20
                    },
                    "activity_start_date": {
                        "type": "string",
                        "description": "A date or an RFC 3339 date-time"
                    },
                    "activity_end_date": {
                        "type": "string",
                        "description": "A date or an RFC 3339 date-time"
                    },
                    "result": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                            "status"
                        ],
                        "properties": {
                            "status": {
                                "type": "string",
                                "enum": [
                                    "Completed",
                                    "Enrolled",
                                    "Failed",
                                    "InProgress",
                                    "OnHold",
                                    "Provisional",
                                    "Withdrew"
                                ],
                                "description": "An OB 3.0 ResultStatusType"
                            },
                            "value": {
                                "type": "string",
                                "description": "e.g. a grade"
                            }
                        },
                        "description": "Published as credentialSubject.result: [{\"type\": [\"Result\"], \"status\", \"value\"?}]"
                    },
                    "credits_earned": {
                        "type": "number",
                        "minimum": 0,
                        "description": "Published as credentialSubject.creditsEarned; at most the achievement's credits_available when it has one (else 400)"
                    },
                    "notify": {
                        "type": "boolean",
                        "default": true,
                        "description": "Email the recipient (when the issuer has email settings). In a batch, give it beside awards."
                    }
                }
            }),
        ),
        (
            "Evidence",
            json!({
                "type": "object",
                "additionalProperties": false,
                "description": "Give at least one of id, narrative, name, description.",
                "properties": {
                    "id": {
                        "type": "string",
                        "format": "uri",
                        "description": "URL of the evidence (url is accepted as a synonym)"
                    },
                    "narrative": {
                        "type": "string"
                    },
                    "name": {
                        "type": "string"
                    },
                    "description": {
                        "type": "string"
                    },
                    "genre": {
                        "type": "string"
                    },
                    "audience": {
                        "type": "string"
                    }
                }
            }),
        ),
        (
            "AwardBatch",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "awards"
                ],
                "properties": {
                    "awards": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/AwardInput"
                        },
                        "minItems": 1,
                        "maxItems": 1000
                    },
                    "notify": {
                        "type": "boolean",
                        "default": true,
                        "description": "Email the recipients (when the issuer has email settings)."
                    }
                }
            }),
        ),
        (
            "BatchResults",
            json!({
                "type": "object",
                "required": [
                    "created",
                    "existing",
                    "failed",
                    "results"
                ],
                "properties": {
                    "created": {
                        "type": "integer"
                    },
                    "existing": {
                        "type": "integer"
                    },
                    "failed": {
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
                                        "created",
                                        "existing",
                                        "failed"
                                    ]
                                },
                                "award": {
                                    "$ref": "#/components/schemas/Award"
                                },
                                "error": {
                                    "type": "string"
                                }
                            }
                        }
                    }
                }
            }),
        ),
        (
            "Award",
            json!({
                "type": "object",
                "properties": {
                    "id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "achievement_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "issuer_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "recipient_email": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "Personal data: null for a read-only token made without --with-emails"
                    },
                    "recipient_name": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "Personal data: null for a read-only token made without --with-emails"
                    },
                    "issued_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "valid_until": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "credential_url": {
                        "type": "string",
                        "format": "uri",
                        "description": "The credential's public id"
                    },
                    "status_list_url": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "uri",
                        "description": "The status list credential holding the credential's revocation bit (its credentialStatus.statusListCredential); null for credentials minted before status lists"
                    },
                    "status_list_index": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "minimum": 0,
                        "description": "The credential's bit in that list (its credentialStatus.statusListIndex, which the credential gives as a string)"
                    },
                    "revoked_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time",
                        "description": "When it was revoked (permanent; its bit is set in the status list)"
                    },
                    "revocation_reason": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "Why, as the issuer said; never published in the status list"
                    },
                    "suspended_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time",
                        "description": "When it was suspended (reversible, kept by the issuer: the status list does not show it)"
                    },
                    "suspension_reason": {
                        "type": [
                            "string",
                            "null"
                        ]
                    }
                }
            }),
        ),
        (
            "AwardFull",
            json!({
                "allOf": [
                    {
                        "$ref": "#/components/schemas/Award"
                    },
                    {
                        "type": "object",
                        "properties": {
                            "credential": {
                                "type": [
                                    "object",
                                    "null"
                                ],
                                "description": "(Personal data: null for a read-only token made without --with-emails.) The OpenBadgeCredential with its Data Integrity proof, exactly as signed (re-issue replaces it). Its credentialStatus is a BitstringStatusListEntry with statusPurpose revocation, statusListCredential status_list_url and statusListIndex status_list_index (a string)"
                            },
                            "jwt": {
                                "type": [
                                    "string",
                                    "null"
                                ],
                                "description": "The same credential as a VC-JWT (Personal data: null for a read-only token made without --with-emails)"
                            }
                        }
                    }
                ]
            }),
        ),
        (
            "AwardDetail",
            json!({
                "allOf": [
                    {
                        "$ref": "#/components/schemas/AwardFull"
                    },
                    {
                        "type": "object",
                        "properties": {
                            "notification": {
                                "oneOf": [
                                    {
                                        "$ref": "#/components/schemas/Notification"
                                    },
                                    {
                                        "type": "null"
                                    }
                                ]
                            }
                        }
                    }
                ]
            }),
        ),
        (
            "AwardOrBatchResults",
            json!({
                "anyOf": [
                    {
                        "$ref": "#/components/schemas/AwardFull"
                    },
                    {
                        "$ref": "#/components/schemas/BatchResults"
                    }
                ]
            }),
        ),
        (
            "AwardPage",
            json!({
                "type": "object",
                "required": [
                    "total",
                    "limit",
                    "offset",
                    "awards"
                ],
                "properties": {
                    "total": {
                        "type": "integer"
                    },
                    "limit": {
                        "type": "integer"
                    },
                    "offset": {
                        "type": "integer"
                    },
                    "awards": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Award"
                        }
                    }
                }
            }),
        ),
        (
            "RevokeBatchResult",
            json!({
                "type": "object",
                "required": [
                    "revoked",
                    "already_revoked",
                    "missing"
                ],
                "properties": {
                    "revoked": {
                        "type": "integer",
                        "description": "Credentials revoked now"
                    },
                    "already_revoked": {
                        "type": "integer",
                        "description": "Ids of credentials already revoked, or named earlier in the request (their first reason kept)"
                    },
                    "missing": {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "format": "uuid"
                        },
                        "description": "Ids that name no credential, in input order"
                    }
                }
            }),
        ),
        (
            "SuspendInput",
            json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "reason": {
                        "type": "string",
                        "description": "Why: trimmed, at most 1000 bytes; blank or absent is none. Kept by the issuer"
                    }
                }
            }),
        ),
        (
            "StatusChangeResult",
            json!({
                "allOf": [
                    {
                        "$ref": "#/components/schemas/Award"
                    },
                    {
                        "type": "object",
                        "required": [
                            "changed",
                            "outcome"
                        ],
                        "properties": {
                            "changed": {
                                "type": "boolean",
                                "description": "Whether this call changed it (false: it already was so)"
                            },
                            "outcome": {
                                "enum": [
                                    "revoked",
                                    "already_revoked",
                                    "suspended",
                                    "already_suspended",
                                    "unsuspended",
                                    "not_suspended"
                                ]
                            }
                        }
                    }
                ]
            }),
        ),
    ]
}
