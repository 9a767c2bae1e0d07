//! The OpenAPI 3.1 document of the admin API, generated from the handlers' `#[utoipa::path]`
//! annotations and built once, on first request.
//!
//! Every handler in [`super::ROUTES`] carries its own annotation (method, path, parameters,
//! request body, responses, scope), so a route and its documentation live side by side, and a
//! test checks that the document lists exactly the routed method and path pairs. The shared
//! pieces live here: the problem+json error responses, the `id` path parameter and the bearer
//! scheme.
//!
//! Request bodies are the structs the handlers deserialize, and responses the views they
//! serialize (`IssuerView`, `AwardFull`, …), all deriving `ToSchema` (with [`fields`] for the
//! few fields whose Rust type says less than the API promises), so the document cannot drift
//! from the answers. Request rows the handlers read as raw JSON, one by one (awards,
//! completions, award rules), are documented by the structs each row is then read into
//! (`AwardInput`, `CompletionInput`, `laurel_attendance::rules::Rule`); documents other crates
//! write by theirs (`laurel_service::activity::import::ImportResult`, `laurel_verify::Report`),
//! derived there behind their `openapi` features. Written by hand in [`schemas`] is only the
//! OpenAPI document's own schema; a test checks that it shadows no derived one and that every
//! `$ref` resolves.

pub(crate) mod bodies;
pub(crate) mod fields;
mod schemas;

use std::sync::LazyLock;

use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    Content, InfoBuilder, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder, ServerBuilder,
};
use utoipa::{IntoParams, Modify, OpenApi, ToResponse};
use uuid::Uuid;

use super::PREFIX;

/// The document as served at `{PREFIX}/openapi.json`, built once.
pub static DOCUMENT: LazyLock<String> = LazyLock::new(build);

/// The `id` path parameter of every `/{id}` route: a UUID.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdParam {
    /// The resource's id.
    #[expect(
        dead_code,
        reason = "read by the derive only: the handlers take `PathId`"
    )]
    id: Uuid,
}

/// A shared error response: `application/problem+json` with the `Problem` schema.
macro_rules! problem_response {
    ($(#[$doc:meta])* $name:ident, $description:literal) => {
        $(#[$doc])*
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                let problem = Content::new(Some(Ref::from_schema_name("Problem")));
                let response = ResponseBuilder::new()
                    .description($description)
                    .content("application/problem+json", problem)
                    .build();
                (stringify!($name), response.into())
            }
        }
    };
}

problem_response!(
    /// 401, shared by the operations that can answer it.
    Unauthorized,
    "Missing, malformed, unknown, revoked or expired token (with WWW-Authenticate: Bearer); an expired one says when it expired"
);
problem_response!(
    /// 403, shared by the operations that can answer it.
    Forbidden,
    "The token lacks the scope, or is limited to some issuers and asked to create an issuer"
);
problem_response!(
    /// 400, shared by the operations that can answer it.
    E400,
    "Malformed JSON, an unknown field, or an invalid value; detail names it"
);
problem_response!(
    /// 404, shared by the operations that can answer it.
    E404,
    "No such resource, or one of an issuer the token is not limited to (the same answer)"
);
problem_response!(
    /// 409, shared by the operations that can answer it.
    E409,
    "Conflicts with what is stored"
);
problem_response!(
    /// 413, shared by the operations that can answer it.
    E413,
    "The body is too large"
);
problem_response!(
    /// 415, shared by the operations that can answer it.
    E415,
    "Wrong Content-Type, or an image that is not an acceptable PNG or SVG"
);
problem_response!(
    /// 422, shared by the operations that can answer it.
    E422,
    "Idempotency-Key reused for a different request"
);
problem_response!(
    /// 503, shared by the operations that can answer it.
    E503,
    "The database is unavailable; retry"
);

#[derive(OpenApi)]
#[openapi(
    paths(
        super::openapi,
        super::issuers::list,
        super::issuers::create,
        super::issuers::get,
        super::issuers::update,
        super::issuers::put_image,
        super::issuers::rotate_keys,
        super::achievements::list,
        super::achievements::create,
        super::achievements::get,
        super::achievements::update,
        super::achievements::put_image,
        super::awards::create,
        super::rules::preview,
        super::rules::evaluate,
        super::pathways::get,
        super::pathways::put,
        super::pathways::delete,
        super::pathways::evaluate,
        super::pathways::invitations,
        super::pathways::unmet,
        super::awards::list,
        super::awards::get,
        super::credentials::revoke_batch,
        super::credentials::revoke,
        super::credentials::suspend,
        super::credentials::unsuspend,
        super::credentials::reissue,
        super::events::list_series,
        super::events::create_series,
        super::events::get_series,
        super::events::update_series,
        super::events::list_events,
        super::events::create_event,
        super::events::get_event,
        super::events::update_event,
        super::attendance::list_attendance,
        super::attendance::record_attendance,
        super::imports::create,
        super::imports::list,
        super::imports::get,
        super::completions::list,
        super::completions::create,
        super::verify::verify,
        super::email::settings::get_settings,
        super::email::settings::put_settings,
        super::email::settings::delete_settings,
        super::email::templates::get_issuer_template,
        super::email::templates::put_issuer_template,
        super::email::templates::delete_issuer_template,
        super::email::templates::get_achievement_template,
        super::email::templates::put_achievement_template,
        super::email::templates::delete_achievement_template,
        super::email::preview::preview,
        super::notifications::resend,
        super::notifications::get_notification,
        super::notifications::notify,
        super::awards::claim_link::send,
        super::notifications::list,
        super::tokens::list,
        super::tokens::create,
        super::tokens::get,
        super::tokens::revoke,
        super::transcripts::get_categories,
        super::transcripts::put_categories,
        super::transcripts::get_category,
        super::transcripts::put_category,
        super::transcripts::transcript,
        super::endorsements::list_for_achievement,
        super::endorsements::create_for_achievement,
        super::endorsements::list_for_issuer,
        super::endorsements::create_for_issuer,
        super::endorsements::get,
        super::endorsements::withdraw
    ),
    components(
        // Named only by reference: inside the request bodies built in `bodies`
        // (`AwardRequest`, `CompletionRequest`), in `fields` (award rules, an import's result,
        // `AttendanceBatch`'s rows), and by the shared error responses (`Problem`).
        schemas(
            super::attendance::AttendanceInput,
            super::completions::CompletionInput,
            super::completions::CompletionBatch,
            super::awards::AwardBatch,
            laurel_service::mint::AwardInput,
            laurel_service::activity::import::ImportResult,
            laurel_attendance::rules::Rule,
            crate::error::Problem
        ),
        responses(Unauthorized, Forbidden, E400, E404, E409, E413, E415, E422, E503)
    ),
    modifiers(&DocumentInfo),
    tags(
        (name = "issuers"),
        (name = "achievements"),
        (name = "awards"),
        (name = "credentials"),
        (name = "events"),
        (name = "imports"),
        (name = "completions"),
        (name = "meta"),
        (name = "email", description = "Telling recipients of their badge: SMTP settings, templates, delivery state, resends."),
        (name = "tokens", description = "Bearer tokens for this API: scopes, issuer limits, expiry."),
        (name = "transcripts", description = "Continuing-education transcripts (JSON, signed CLR 2.0, CSV, PDF) and the CE categories they total by."),
        (name = "endorsements", description = "Other organisations' endorsements of an issuer or an achievement: signed here with a hosted endorser's keys, or imported as the endorser signed them (verified); embedded in credentials issued afterwards.")
    )
)]
struct AdminApi;

/// The title, description, server and bearer scheme: the parts no handler owns.
struct DocumentInfo;

impl Modify for DocumentInfo {
    fn modify(&self, document: &mut Document) {
        document.info = InfoBuilder::new()
            .title("Laurel admin API")
            .version("1")
            .description(Some("Define issuers and achievements, and award Open Badges 3.0 credentials (Data Integrity eddsa-rdfc-2022 plus a VC-JWT), exactly once per recipient and achievement. Every error is application/problem+json with an actionable detail. Authenticate with `Authorization: Bearer laurel_…` (create tokens with `laurel token create`). Award rules on achievements award by attendance of events (sessions, alone or in series) and by completions, as soon as they are recorded or imported. Every credential carries a credentialStatus (a W3C BitstringStatusListEntry, purpose revocation) naming a signed status list; credentials can be revoked (set in that list), suspended (kept by the issuer) and re-issued, and issuer keys rotated. Scopes: admin (everything), issue (award, record attendance and completions, revoke, suspend and re-issue credentials, and read), read. A token may be limited to some issuers (`laurel token create --issuer ID`): its scope then holds only within them, everything of another issuer answers 404 exactly as a missing id does, lists hold only its issuers' items, and it cannot create issuers (403). A token may expire (`--expires 90d`): afterwards it gets 401 saying when it expired. A read-only token made without `--with-emails` sees recipients' emails and names (and credentials and JWTs, which name them) as null; issue and admin tokens always see them. Every call that changes data is written to the audit log under the token's name."))
            .build();
        document.servers = Some(vec![ServerBuilder::new().url(PREFIX).build()]);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("laurel_… tokens from `laurel token create --scope admin|issue|read [--issuer ID]… [--expires 90d] [--with-emails]`"))
            .build();
        document
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(bearer));
    }
}

/// The generated document with the hand-written component schemas added, as pretty JSON.
fn build() -> String {
    let mut document = match serde_json::to_value(AdminApi::openapi()) {
        Ok(document) => document,
        // The document is plain data (strings, maps, numbers): serializing it cannot fail.
        Err(error) => unreachable!("the OpenAPI document did not serialize: {error}"),
    };
    if let Some(components) = document
        .get_mut("components")
        .and_then(Value::as_object_mut)
    {
        let schemas = components
            .entry("schemas")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(schemas) = schemas.as_object_mut() {
            for (name, schema) in schemas::all() {
                // A derived schema wins; the tests check that there is no such clash.
                schemas.entry(name.to_string()).or_insert(schema);
            }
            schemas.sort_keys();
        }
    }
    match serde_json::to_string_pretty(&document) {
        Ok(text) => text,
        Err(error) => unreachable!("a JSON value did not serialize: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_schemas_do_not_shadow_derived_ones() {
        let derived = serde_json::to_value(AdminApi::openapi()).expect("serializes");
        let derived = derived["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut names = std::collections::BTreeSet::new();
        for (name, _) in schemas::all() {
            assert!(
                !derived.contains_key(name),
                "{name} is both derived and written by hand"
            );
            assert!(names.insert(name), "{name} is written twice");
        }
    }

    /// `LAUREL_OPENAPI_OUT=target/openapi.json cargo test -p laurel-server --lib -- --ignored
    /// write_the_document` writes the document for an external validator (see `.ci/run`).
    #[test]
    #[ignore = "writes a file; run by .ci/run before openapi-spec-validator"]
    fn write_the_document() {
        let path = std::env::var("LAUREL_OPENAPI_OUT").expect("LAUREL_OPENAPI_OUT names the file");
        std::fs::write(&path, DOCUMENT.as_bytes()).expect("writes the document");
    }
}
