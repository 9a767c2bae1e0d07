//! Schemas of request fields whose Rust type says less than the API promises: strings that
//! take only some values, and lists the handlers read as raw JSON to check row by row. Named in
//! the request structs with `#[schema(schema_with = …)]`.

use serde_json::{Value, json};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
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
