//! Schemas of fields whose Rust type says less than the API promises: strings that take only
//! some values, and lists the handlers read as raw JSON to check row by row. Named in the
//! request structs and response views with `#[schema(schema_with = …)]`.

use serde_json::{Value, json};
use utoipa::openapi::schema::{
    ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};

/// One of the strings `values` (or `null` where listed), with an optional default and
/// description.
fn one_of(values: Value, default: Option<Value>, description: Option<&str>) -> ObjectBuilder {
    let values = match values {
        Value::Array(values) => values,
        other => vec![other],
    };
    let schema_type: SchemaType = if values.contains(&Value::Null) {
        [Type::String, Type::Null].into_iter().collect()
    } else {
        Type::String.into()
    };
    ObjectBuilder::new()
        .schema_type(schema_type)
        .enum_values(Some(values))
        .default(default)
        .description(description)
}

/// A list of the component schema `items`, at most `max_items` long.
fn list_of(
    items: &str,
    min_items: Option<usize>,
    max_items: usize,
    description: Option<&str>,
) -> Schema {
    ArrayBuilder::new()
        .items(RefOr::<Schema>::Ref(Ref::from_schema_name(items)))
        .min_items(min_items)
        .max_items(Some(max_items))
        .description(description)
        .build()
        .into()
}

/// `POST /issuers` `jwt_algorithm`.
pub(crate) fn create_issuer_jwt_algorithm() -> Schema {
    one_of(
        json!(["ES256", "RS256", "EdDSA", null]),
        Some(json!("ES256")),
        None,
    )
    .build()
    .into()
}

/// An issuer's `paper_size` as shown.
pub(crate) fn paper_size() -> Schema {
    one_of(
        json!(["letter", "a4"]),
        None,
        Some("The paper its printable certificates are laid out for: US Letter or ISO A4"),
    )
    .build()
    .into()
}

/// `POST /issuers` and `PATCH /issuers/{id}` `paper_size`.
pub(crate) fn paper_size_input() -> Schema {
    one_of(
        json!(["letter", "a4", null]),
        Some(json!("letter")),
        Some("The paper the issuer's printable certificates (/credentials/{id}.pdf) are laid out for: US Letter or ISO A4"),
    )
    .build()
    .into()
}

/// `PATCH /issuers/{id}` `jwt_algorithm`.
pub(crate) fn update_issuer_jwt_algorithm() -> Schema {
    let description = "Only the current value is accepted";
    one_of(
        json!(["ES256", "RS256", "EdDSA", null]),
        None,
        Some(description),
    )
    .build()
    .into()
}

/// `POST /tokens` `scope`.
pub(crate) fn new_token_scope() -> Schema {
    one_of(json!(["admin", "issue", "read"]), None, None)
        .build()
        .into()
}

/// `PUT /issuers/{id}/email` `security`.
pub(crate) fn settings_input_security() -> Schema {
    one_of(
        json!(["starttls", "tls", "none"]),
        Some(json!("starttls")),
        None,
    )
    .build()
    .into()
}

/// `POST /achievements/{id}/notify` `which`.
pub(crate) fn resend_input_which() -> Schema {
    let which = one_of(json!(["failed", "unsent", "dry_run"]), None, None);
    ArrayBuilder::new()
        .items(which)
        .default(Some(json!(["failed"])))
        .build()
        .into()
}

/// `POST /events` `format`.
pub(crate) fn create_event_format() -> Schema {
    one_of(json!(["online", "in_person"]), Some(json!("online")), None)
        .build()
        .into()
}

/// `PATCH /events/{id}` `format`.
pub(crate) fn update_event_format() -> Schema {
    one_of(json!(["online", "in_person"]), None, None)
        .build()
        .into()
}

/// `POST /events/{id}/attendance` `attendance`: each row checked on its own.
pub(crate) fn record_attendance_attendance() -> Schema {
    list_of("AttendanceInput", Some(1), 10_000, None)
}

/// `POST /completions` `score`: kept as the source gives it.
pub(crate) fn completion_input_score() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "A result or score as the source gives it (87, pass); published as the credential's result value",
        ))
        .build()
        .into()
}

/// `POST /achievements` `award_rules`: each rule checked by the domain.
pub(crate) fn create_achievement_award_rules() -> Schema {
    list_of(
        "AwardRule",
        None,
        20,
        Some(
            "Award by attendance or completion as soon as it is recorded. Setting rules mints nothing by itself: see /achievements/{id}/rules/preview and /evaluate",
        ),
    )
}

/// `PATCH /achievements/{id}` `award_rules`.
pub(crate) fn update_achievement_award_rules() -> Schema {
    list_of(
        "AwardRule",
        None,
        20,
        Some("Replaces the whole list ([] removes every rule); mints nothing by itself"),
    )
}

/// An issuer key's `purpose`.
pub(crate) fn key_purpose() -> Schema {
    one_of(json!(["data_integrity", "jwt"]), None, None)
        .build()
        .into()
}

/// An issuer key's `algorithm`.
pub(crate) fn key_algorithm() -> Schema {
    one_of(json!(["Ed25519", "P-256", "RSA"]), None, None)
        .build()
        .into()
}

/// A view's `award_rules`: the rules as stored.
pub(crate) fn award_rules() -> Schema {
    list_of("AwardRule", None, 20, None)
}

/// A token's `scopes`.
pub(crate) fn token_scopes() -> Schema {
    ArrayBuilder::new()
        .items(one_of(json!(["admin", "issue", "read"]), None, None))
        .build()
        .into()
}

/// An event's `format`.
pub(crate) fn event_format() -> Schema {
    one_of(json!(["online", "in_person"]), None, None)
        .build()
        .into()
}

/// An award batch row's `status`.
pub(crate) fn batch_row_status() -> Schema {
    one_of(json!(["created", "existing", "failed"]), None, None)
        .build()
        .into()
}

/// What a revocation, suspension or its lifting found (`outcome`).
pub(crate) fn status_change_outcome() -> Schema {
    one_of(
        json!([
            "revoked",
            "already_revoked",
            "suspended",
            "already_suspended",
            "unsuspended",
            "not_suspended"
        ]),
        None,
        None,
    )
    .build()
    .into()
}

/// A notification's `state`.
pub(crate) fn notification_state() -> Schema {
    one_of(json!(["queued", "sending", "sent", "failed"]), None, None)
        .build()
        .into()
}

/// A resend's `which`, as answered.
pub(crate) fn resend_which() -> Schema {
    ArrayBuilder::new()
        .items(one_of(json!(["failed", "unsent", "dry_run"]), None, None))
        .build()
        .into()
}

/// Email settings' `security`, as answered.
pub(crate) fn smtp_security() -> Schema {
    one_of(json!(["starttls", "tls", "none"]), None, None)
        .build()
        .into()
}

/// An email template's `source`.
pub(crate) fn template_source() -> Schema {
    one_of(json!(["achievement", "issuer", "default"]), None, None)
        .build()
        .into()
}

/// An email preview's `template_source` (null for a template given in the request).
pub(crate) fn preview_template_source() -> Schema {
    let description = "Where the template came from; null for one given in the request";
    one_of(
        json!(["achievement", "issuer", "default", null]),
        None,
        Some(description),
    )
    .build()
    .into()
}

/// An import job's `status`.
pub(crate) fn import_status() -> Schema {
    let description = "succeeded: done, though lines may have been rejected (see result); failed: stopped by an error that is no line's fault (see error)";
    one_of(
        json!(["queued", "running", "succeeded", "failed"]),
        None,
        Some(description),
    )
    .build()
    .into()
}

/// An import job's `result`: the document the import wrote, or null until it has succeeded.
pub(crate) fn import_result() -> Schema {
    OneOfBuilder::new()
        .item(Ref::from_schema_name("ImportResult"))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "GET /imports/{id} only: null until the job has succeeded",
        ))
        .build()
        .into()
}
