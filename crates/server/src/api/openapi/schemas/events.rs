//! Component schemas: Series, events and attendance.
//!
//! Written as JSON Schema literals because these bodies are built with `json!` in the handlers
//! (see `crate::api::openapi` for which are derived from Rust types instead).

use serde_json::{Value, json};

/// This group's schemas, by component name.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Series",
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
                    "title": {
                        "type": "string"
                    },
                    "description": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "created_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "updated_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "events": {
                        "type": "array",
                        "description": "Its events, by start time (GET /series/{id} only)",
                        "items": {
                            "$ref": "#/components/schemas/Event"
                        }
                    }
                }
            }),
        ),
        (
            "SeriesList",
            json!({
                "type": "object",
                "required": [
                    "series"
                ],
                "properties": {
                    "series": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Series"
                        }
                    }
                }
            }),
        ),
        (
            "Event",
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
                    "series_id": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "uuid"
                    },
                    "title": {
                        "type": "string"
                    },
                    "starts_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "duration_minutes": {
                        "type": "integer"
                    },
                    "format": {
                        "enum": [
                            "online",
                            "in_person"
                        ]
                    },
                    "created_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "updated_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "awards": {
                        "type": "array",
                        "description": "What evaluating the award rules minted, per achievement (POST and PATCH, only when they were evaluated)",
                        "items": {
                            "$ref": "#/components/schemas/RuleOutcome"
                        }
                    },
                    "kept": {
                        "type": "integer",
                        "description": "PATCH, when the rules were evaluated: people already awarded by a rule naming the event or its series who would not qualify under the new details; their credentials are kept (an edit never revokes)"
                    }
                }
            }),
        ),
        (
            "EventList",
            json!({
                "type": "object",
                "required": [
                    "events"
                ],
                "properties": {
                    "events": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Event"
                        }
                    }
                }
            }),
        ),
        (
            "AttendanceRecord",
            json!({
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
                    "minutes": {
                        "type": "integer"
                    },
                    "joined_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "left_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "source": {
                        "type": "string",
                        "description": "api, or import:FORMAT (import:zoom, import:go_to_webinar, import:plain, import:mapped)"
                    },
                    "recorded_at": {
                        "type": "string",
                        "format": "date-time"
                    }
                }
            }),
        ),
        (
            "AttendanceList",
            json!({
                "type": "object",
                "required": [
                    "event_id",
                    "attendance"
                ],
                "properties": {
                    "event_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "attendance": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/AttendanceRecord"
                        }
                    }
                }
            }),
        ),
        (
            "AttendanceResults",
            json!({
                "type": "object",
                "required": [
                    "recorded",
                    "updated",
                    "duplicate",
                    "rejected",
                    "results",
                    "awards"
                ],
                "properties": {
                    "recorded": {
                        "type": "integer"
                    },
                    "updated": {
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
                                        "updated",
                                        "duplicate",
                                        "rejected"
                                    ],
                                    "description": "recorded: new; updated: merged into a record that now says more; duplicate: nothing changed"
                                },
                                "email": {
                                    "type": "string",
                                    "description": "Normalized (not for rejected records)"
                                },
                                "error": {
                                    "type": "string",
                                    "description": "Why the record was rejected"
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
