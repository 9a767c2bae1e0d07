//! Component schemas of request bodies the handlers read as raw JSON, row by row (awards,
//! completions), or whose shape belongs to another crate (award rules are
//! `laurel_attendance::rules::Rule`), and the suspend body the handler shares with revoke.
//! Written as JSON Schema; every response schema is derived from the types the handlers
//! serialize.

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
                        "description": "The recipient's name. Signed into the credential (an unhashed IdentityObject with identityType name, public wherever the badge is shown) when the issuer's include_recipient_name is true and include_name is not false; always kept for staff"
                    },
                    "include_name": {
                        "type": "boolean",
                        "description": "false leaves the name out of this credential whatever the issuer's setting; true or absent follows the issuer's include_recipient_name (an award cannot publish a name the issuer keeps out)"
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
            "AwardRule",
            json!({
                "description": "When the achievement is earned. With both min_minutes and min_percent, meeting either counts; with neither, any attendance record counts. Events and series named must be the achievement issuer's. Returned with absent optional fields as null.",
                "oneOf": [
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                            "kind",
                            "session"
                        ],
                        "description": "Attended one session, meeting the threshold",
                        "properties": {
                            "kind": {
                                "const": "participation"
                            },
                            "session": {
                                "type": "string",
                                "format": "uuid",
                                "description": "The event's id"
                            },
                            "min_minutes": {
                                "type": [
                                    "integer",
                                    "null"
                                ],
                                "minimum": 1,
                                "description": "Attended at least this many minutes of a session (absent or null: no minutes threshold)"
                            },
                            "min_percent": {
                                "type": [
                                    "integer",
                                    "null"
                                ],
                                "minimum": 1,
                                "maximum": 100,
                                "description": "Attended at least this percentage of a session's duration_minutes (absent or null: no percentage threshold)"
                            }
                        }
                    },
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                            "kind",
                            "series"
                        ],
                        "description": "Attended at least at_least of the series' sessions (all of them when absent; only those of format when given), meeting the threshold in each session counted",
                        "properties": {
                            "kind": {
                                "const": "series_completion"
                            },
                            "series": {
                                "type": "string",
                                "format": "uuid",
                                "description": "The series' id"
                            },
                            "at_least": {
                                "type": [
                                    "integer",
                                    "null"
                                ],
                                "minimum": 1,
                                "description": "Sessions needed (absent or null: every session of the series)"
                            },
                            "format": {
                                "type": "string",
                                "enum": [
                                    "online",
                                    "in_person"
                                ],
                                "description": "Count only the series' sessions held this way (the event's format): online for webinars, in_person for workshops in a room. Absent: every session, whatever its format"
                            },
                            "min_minutes": {
                                "type": [
                                    "integer",
                                    "null"
                                ],
                                "minimum": 1,
                                "description": "Attended at least this many minutes of a session (absent or null: no minutes threshold)"
                            },
                            "min_percent": {
                                "type": [
                                    "integer",
                                    "null"
                                ],
                                "minimum": 1,
                                "maximum": 100,
                                "description": "Attended at least this percentage of a session's duration_minutes (absent or null: no percentage threshold)"
                            }
                        }
                    },
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                            "kind",
                            "what"
                        ],
                        "description": "A completion of what is recorded (POST /completions)",
                        "properties": {
                            "kind": {
                                "const": "completion"
                            },
                            "what": {
                                "type": "string",
                                "minLength": 1,
                                "description": "The issuer's key for what is completed, as in completions (cataloguing-101)"
                            }
                        }
                    }
                ]
            }),
        ),
    ]
}
