//! Component schemas: Award rules on achievements, their preview and evaluation.
//!
//! Written as JSON Schema literals because these bodies are built with `json!` in the handlers
//! (see `crate::api::openapi` for which are derived from Rust types instead).

use serde_json::{Value, json};

/// This group's schemas, by component name.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
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
        (
            "RuleOutcome",
            json!({
                "type": "object",
                "description": "What evaluating one achievement's award rules minted",
                "required": [
                    "achievement_id",
                    "name",
                    "qualified",
                    "created",
                    "existing",
                    "failed"
                ],
                "properties": {
                    "achievement_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "name": {
                        "type": "string"
                    },
                    "qualified": {
                        "type": "integer",
                        "description": "People meeting one of its rules, awarded or not"
                    },
                    "created": {
                        "type": "integer",
                        "description": "Credentials minted now"
                    },
                    "existing": {
                        "type": "integer",
                        "description": "Recipients who had it already (minted meanwhile by a concurrent request)"
                    },
                    "failed": {
                        "type": "integer",
                        "description": "Recipients whose credential could not be minted (logged); evaluating again retries"
                    }
                }
            }),
        ),
        (
            "RulePreview",
            json!({
                "type": "object",
                "required": [
                    "achievement_id",
                    "award_rules",
                    "qualified",
                    "already_awarded",
                    "would_award",
                    "pending"
                ],
                "properties": {
                    "achievement_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "award_rules": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/AwardRule"
                        }
                    },
                    "qualified": {
                        "type": "integer",
                        "description": "People meeting one of the rules, awarded or not"
                    },
                    "already_awarded": {
                        "type": "integer"
                    },
                    "would_award": {
                        "type": "integer",
                        "description": "The length of pending"
                    },
                    "pending": {
                        "type": "array",
                        "description": "Who evaluating would award now, with what their credential would say",
                        "items": {
                            "type": "object",
                            "properties": {
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
                                "activity_start_date": {
                                    "type": "string",
                                    "format": "date-time"
                                },
                                "activity_end_date": {
                                    "type": "string",
                                    "format": "date-time"
                                },
                                "sessions": {
                                    "type": "array",
                                    "items": {
                                        "type": "string",
                                        "format": "uuid"
                                    },
                                    "description": "The events that count (empty for a completion rule)"
                                },
                                "result": {
                                    "enum": [
                                        "Completed",
                                        null
                                    ],
                                    "description": "Completed when a completion rule is met"
                                },
                                "credits_earned": {
                                    "type": [
                                        "number",
                                        "null"
                                    ],
                                    "description": "The achievement's credits_available"
                                }
                            }
                        }
                    }
                }
            }),
        ),
    ]
}
