//! Component schemas: Email settings, templates, previews and notifications.
//!
//! Written as JSON Schema literals because these bodies are built with `json!` in the handlers
//! (see `crate::api::openapi` for which are derived from Rust types instead).

use serde_json::{Value, json};

/// This group's schemas, by component name.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "EmailSettings",
            json!({
                "type": "object",
                "properties": {
                    "issuer_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "host": {
                        "type": "string"
                    },
                    "port": {
                        "type": "integer"
                    },
                    "security": {
                        "type": "string",
                        "enum": [
                            "starttls",
                            "tls",
                            "none"
                        ]
                    },
                    "username": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "password_set": {
                        "type": "boolean"
                    },
                    "from_address": {
                        "type": "string"
                    },
                    "from_name": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "reply_to": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "rate_per_minute": {
                        "type": [
                            "integer",
                            "null"
                        ]
                    },
                    "dry_run": {
                        "type": "boolean"
                    },
                    "updated_at": {
                        "type": "string",
                        "format": "date-time"
                    }
                }
            }),
        ),
        (
            "EmailTemplate",
            json!({
                "type": "object",
                "properties": {
                    "subject": {
                        "type": "string"
                    },
                    "text": {
                        "type": "string"
                    },
                    "html": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "source": {
                        "type": "string",
                        "enum": [
                            "achievement",
                            "issuer",
                            "default"
                        ]
                    }
                }
            }),
        ),
        (
            "EmailPreview",
            json!({
                "type": "object",
                "properties": {
                    "from": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "reply_to": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "to": {
                        "type": "string"
                    },
                    "subject": {
                        "type": "string"
                    },
                    "text": {
                        "type": "string"
                    },
                    "html": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "template_source": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "enum": [
                            "achievement",
                            "issuer",
                            "default",
                            null
                        ]
                    },
                    "email_configured": {
                        "type": "boolean"
                    },
                    "dry_run": {
                        "type": "boolean"
                    }
                }
            }),
        ),
        (
            "ResendResult",
            json!({
                "type": "object",
                "properties": {
                    "achievement_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "which": {
                        "type": "array",
                        "items": {
                            "type": "string"
                        }
                    },
                    "queued": {
                        "type": "integer"
                    }
                }
            }),
        ),
        (
            "Notification",
            json!({
                "type": "object",
                "properties": {
                    "credential_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "issuer_id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "achievement_id": {
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
                    "state": {
                        "type": "string",
                        "enum": [
                            "queued",
                            "sending",
                            "sent",
                            "failed"
                        ]
                    },
                    "attempts": {
                        "type": "integer"
                    },
                    "created_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "queued_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "next_attempt_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "last_attempt_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "sent_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "failed_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "last_error": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "smtp_reply": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "message_id": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "subject": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "dry_run": {
                        "type": "boolean"
                    },
                    "queued": {
                        "type": "boolean",
                        "description": "Only in the answer to POST /credentials/{id}/notify"
                    }
                }
            }),
        ),
        (
            "NotificationPage",
            json!({
                "type": "object",
                "properties": {
                    "notifications": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Notification"
                        }
                    },
                    "total": {
                        "type": "integer"
                    },
                    "limit": {
                        "type": "integer"
                    },
                    "offset": {
                        "type": "integer"
                    }
                }
            }),
        ),
    ]
}
