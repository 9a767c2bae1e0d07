//! Request bodies that no single struct describes: the award and completion requests (one row,
//! or a batch whose rows the handlers read as raw JSON to check one by one) and the revoke
//! request (the handler shares its struct with suspend, where the reason is optional); and the
//! raw bodies (images, CSV reports) by media type. Named types, so the annotations can point at
//! them and mark them required.

use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// `POST /achievements/{id}/awards`: one award, or `{"awards": [...]}`.
pub struct AwardRequest;

impl PartialSchema for AwardRequest {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Ref::from_schema_name("AwardInput"))
            .item(Ref::from_schema_name("AwardBatch"))
            .into()
    }
}

impl ToSchema for AwardRequest {}

/// `POST /completions`: one completion, or `{"completions": [...]}`.
pub struct CompletionRequest;

impl PartialSchema for CompletionRequest {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Ref::from_schema_name("CompletionInput"))
            .item(Ref::from_schema_name("CompletionBatch"))
            .into()
    }
}

impl ToSchema for CompletionRequest {}

/// `POST /credentials/{id}/revoke`: the reason is required.
pub struct RevokeInput;

impl PartialSchema for RevokeInput {
    fn schema() -> RefOr<Schema> {
        let reason = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .description(Some(
                "Why: trimmed, at most 1000 bytes. Kept by the issuer (admin API), never published in the status list",
            ));
        ObjectBuilder::new()
            .property("reason", reason)
            .required("reason")
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
            .into()
    }
}

impl ToSchema for RevokeInput {}

/// A raw (not JSON) body: a string of the given media type.
macro_rules! raw_body {
    ($(#[$doc:meta])* $name:ident, $media_type:literal) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .content_media_type($media_type)
                    .into()
            }
        }

        impl ToSchema for $name {}
    };
}

raw_body!(
    /// A PNG image as the body.
    PngBody,
    "image/png"
);
raw_body!(
    /// An SVG image as the body.
    SvgBody,
    "image/svg+xml"
);
raw_body!(
    /// A CSV report as the body.
    CsvBody,
    "text/csv"
);
