//! Component schemas of documents another crate writes and the API passes on as they are: an
//! import's result (written by `laurel_service::activity::import`), the verification report
//! (`laurel_verify::Report`) and the OpenAPI document itself. Written as JSON Schema.

use serde_json::{Value, json};

/// This group's schemas, by component name.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "ImportResult",
            json!({
                "type": "object",
                "required": [
                    "dry_run",
                    "format",
                    "encoding",
                    "header_line",
                    "utc_offset",
                    "summary",
                    "awards"
                ],
                "properties": {
                    "dry_run": {
                        "type": "boolean"
                    },
                    "lines_expired_at": {
                        "type": "string",
                        "format": "date-time",
                        "description": "When the per-line results (and a dry run's recipients) were dropped: a dry run's after one day, an import's after 30 days or once the issuer's stored results pass 64 MiB. lines is then absent"
                    },
                    "format": {
                        "enum": [
                            "zoom",
                            "go_to_webinar",
                            "plain",
                            "mapped"
                        ],
                        "description": "How the header was recognized (mapped: read with the *_column parameters)"
                    },
                    "encoding": {
                        "enum": [
                            "utf8",
                            "utf8_with_bom",
                            "windows1252"
                        ]
                    },
                    "header_line": {
                        "type": "integer",
                        "description": "1-based line number of the header row"
                    },
                    "utc_offset": {
                        "type": "string",
                        "description": "The offset the report's times were read in (+02:00)"
                    },
                    "summary": {
                        "type": "object",
                        "required": [
                            "lines",
                            "attendees",
                            "recorded",
                            "updated",
                            "duplicate",
                            "merged",
                            "skipped",
                            "rejected"
                        ],
                        "properties": {
                            "lines": {
                                "type": "integer",
                                "description": "Data lines after the header"
                            },
                            "attendees": {
                                "type": "integer",
                                "description": "People in the report"
                            },
                            "recorded": {
                                "type": "integer",
                                "description": "People recorded for the first time"
                            },
                            "updated": {
                                "type": "integer",
                                "description": "People already recorded whose record now says more"
                            },
                            "duplicate": {
                                "type": "integer",
                                "description": "People already recorded exactly so"
                            },
                            "merged": {
                                "type": "integer",
                                "description": "Lines added to a person seen on an earlier line (a rejoin)"
                            },
                            "skipped": {
                                "type": "integer",
                                "description": "Lines that are not attendance (a registrant who did not attend, a blank row)"
                            },
                            "rejected": {
                                "type": "integer",
                                "description": "Lines that could not be used"
                            }
                        }
                    },
                    "awards": {
                        "type": "array",
                        "description": "Per achievement whose rules name the event or its series: what minting did, or in a dry run what it would do",
                        "items": {
                            "anyOf": [
                                {
                                    "$ref": "#/components/schemas/RuleOutcome"
                                },
                                {
                                    "type": "object",
                                    "description": "Dry run",
                                    "required": [
                                        "achievement_id",
                                        "name",
                                        "qualified",
                                        "would_award",
                                        "recipients"
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
                                            "type": "integer"
                                        },
                                        "would_award": {
                                            "type": "integer"
                                        },
                                        "recipients": {
                                            "type": [
                                                "array",
                                                "null"
                                            ],
                                            "items": {
                                                "type": "string"
                                            },
                                            "description": "Emails. Personal data: null for a read-only token made without --with-emails"
                                        },
                                        "not_qualified": {
                                            "type": "array",
                                            "description": "People in the report who attended a session the achievement's rules look at without meeting them, and by how much",
                                            "items": {
                                                "type": "object",
                                                "required": ["email", "short"],
                                                "properties": {
                                                    "email": {
                                                        "type": ["string", "null"],
                                                        "description": "Personal data: null for a read-only token made without --with-emails"
                                                    },
                                                    "short": {
                                                        "type": "string",
                                                        "description": "\"attended 38 of 45 minutes\", \"2 of 3 sessions\", \"attended, no minutes recorded\""
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            ]
                        }
                    },
                    "lines": {
                        "type": "array",
                        "description": "One entry per data line, in file order",
                        "items": {
                            "type": "object",
                            "required": [
                                "line",
                                "outcome"
                            ],
                            "properties": {
                                "line": {
                                    "type": "integer",
                                    "description": "1-based line number where the row starts"
                                },
                                "outcome": {
                                    "enum": [
                                        "recorded",
                                        "updated",
                                        "duplicate",
                                        "merged",
                                        "skipped",
                                        "rejected"
                                    ],
                                    "description": "recorded, updated, duplicate: the person's first line, and what recording them did"
                                },
                                "email": {
                                    "type": [
                                        "string",
                                        "null"
                                    ],
                                    "description": "The address the line gave (for a rejected line, the text where one was expected). Personal data: null for a read-only token made without --with-emails"
                                },
                                "minutes": {
                                    "type": [
                                        "integer",
                                        "null"
                                    ],
                                    "description": "The line's own time in session; null when the line was not read or gave none (an attendee list)"
                                },
                                "person_minutes": {
                                    "type": [
                                        "integer",
                                        "null"
                                    ],
                                    "description": "recorded, updated, duplicate: the person's minutes over all of their lines"
                                },
                                "into_line": {
                                    "type": "integer",
                                    "description": "merged: the person's first line"
                                },
                                "reason": {
                                    "type": "string",
                                    "description": "skipped, rejected"
                                }
                            }
                        }
                    }
                }
            }),
        ),
        (
            "VerificationReport",
            json!({
                "type": "object",
                "required": [
                    "verdict",
                    "steps"
                ],
                "properties": {
                    "verdict": {
                        "enum": [
                            "valid",
                            "invalid",
                            "could-not-check"
                        ]
                    },
                    "reason": {
                        "type": "string",
                        "description": "Why, when not valid: the deciding step's detail"
                    },
                    "failed_step": {
                        "type": "string"
                    },
                    "container": {
                        "description": "What the input was (a JSON credential, a VC-JWT, a baked PNG or SVG)"
                    },
                    "credential_id": {
                        "type": "string"
                    },
                    "issuer": {
                        "type": "object",
                        "properties": {
                            "id": {
                                "type": "string"
                            },
                            "name": {
                                "type": "string"
                            },
                            "key": {
                                "type": "string"
                            },
                            "trust": {
                                "type": "string"
                            }
                        }
                    },
                    "steps": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "name",
                                "outcome",
                                "detail"
                            ],
                            "properties": {
                                "name": {
                                    "type": "string"
                                },
                                "outcome": {
                                    "enum": [
                                        "passed",
                                        "failed",
                                        "could-not-check",
                                        "skipped"
                                    ]
                                },
                                "detail": {
                                    "type": "string"
                                }
                            }
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
