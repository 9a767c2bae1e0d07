//! Component schemas: Issuers and achievements, and the problem details every error carries.
//!
//! Written as JSON Schema literals because these bodies are built with `json!` in the handlers
//! (see `crate::api::openapi` for which are derived from Rust types instead).

use serde_json::{Value, json};

/// This group's schemas, by component name.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Problem",
            json!({
                "type": "object",
                "description": "RFC 9457 problem details",
                "required": [
                    "type",
                    "title",
                    "status",
                    "detail"
                ],
                "properties": {
                    "type": {
                        "type": "string"
                    },
                    "title": {
                        "type": "string"
                    },
                    "status": {
                        "type": "integer"
                    },
                    "detail": {
                        "type": "string"
                    }
                }
            }),
        ),
        (
            "Issuer",
            json!({
                "type": "object",
                "properties": {
                    "id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "public_id": {
                        "type": "string",
                        "format": "uri",
                        "description": "The issuer's Open Badges id (its Profile URL)"
                    },
                    "name": {
                        "type": "string"
                    },
                    "url": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "email": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "description": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "image": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "uri"
                    },
                    "jwt_algorithm": {
                        "type": "string"
                    },
                    "brand_color": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "#rrggbb, lowercase"
                    },
                    "show_award_count": {
                        "type": "boolean"
                    },
                    "linkedin_organization_id": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "time_zone": {
                        "type": "string",
                        "description": "IANA time zone (America/Chicago) in which the console enters and shows session times and reads attendance reports by default; UTC until set. The API's times are always UTC"
                    },
                    "created_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "updated_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "keys": {
                        "type": "array",
                        "description": "Public keys, oldest first, retired ones included (single-issuer responses only)",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {
                                    "type": "string",
                                    "format": "uuid"
                                },
                                "url": {
                                    "type": "string",
                                    "format": "uri",
                                    "description": "verificationMethod / kid"
                                },
                                "purpose": {
                                    "enum": [
                                        "data_integrity",
                                        "jwt"
                                    ]
                                },
                                "algorithm": {
                                    "enum": [
                                        "Ed25519",
                                        "P-256",
                                        "RSA"
                                    ]
                                },
                                "public_jwk": {
                                    "type": "object"
                                },
                                "created_at": {
                                    "type": "string",
                                    "format": "date-time"
                                },
                                "retired_at": {
                                    "type": [
                                        "string",
                                        "null"
                                    ],
                                    "format": "date-time",
                                    "description": "When a rotation retired it: it signs nothing new and stays published, so what it signed keeps verifying"
                                },
                                "compromised_since": {
                                    "type": [
                                        "string",
                                        "null"
                                    ],
                                    "format": "date-time",
                                    "description": "When the key is known to have been compromised: its signatures from then on are not to be trusted (published as the key's revoked time)"
                                }
                            }
                        }
                    }
                }
            }),
        ),
        (
            "IssuerList",
            json!({
                "type": "object",
                "required": [
                    "issuers"
                ],
                "properties": {
                    "issuers": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Issuer"
                        }
                    }
                }
            }),
        ),
        (
            "Achievement",
            json!({
                "type": "object",
                "properties": {
                    "id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "public_id": {
                        "type": "string",
                        "format": "uri"
                    },
                    "issuer_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "name": {
                        "type": "string"
                    },
                    "description": {
                        "type": "string"
                    },
                    "criteria_narrative": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "criteria_url": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "image": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "uri"
                    },
                    "achievement_type": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "tags": {
                        "type": "array",
                        "items": {
                            "type": "string"
                        }
                    },
                    "alignment": {
                        "type": "array",
                        "items": {
                            "type": "object"
                        }
                    },
                    "credits_available": {
                        "type": [
                            "number",
                            "null"
                        ]
                    },
                    "valid_for_days": {
                        "type": [
                            "integer",
                            "null"
                        ]
                    },
                    "award_rules": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/AwardRule"
                        }
                    },
                    "created_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "updated_at": {
                        "type": "string",
                        "format": "date-time"
                    }
                }
            }),
        ),
        (
            "AchievementList",
            json!({
                "type": "object",
                "required": [
                    "achievements"
                ],
                "properties": {
                    "achievements": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Achievement"
                        }
                    }
                }
            }),
        ),
    ]
}
