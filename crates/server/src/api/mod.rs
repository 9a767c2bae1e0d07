//! The admin API under `/api/v1`: JSON in and out, bearer tokens with scopes, and every error
//! as `application/problem+json`.
//!
//! The routes live in one table, [`ROUTES`], from which the router is built. The OpenAPI
//! document served at `/api/v1/openapi.json` is generated from the handlers' own
//! `#[utoipa::path]` annotations ([`openapi`]), and a test checks that it describes exactly
//! these routes, so the two cannot drift apart.
//!
//! Scopes: `admin` for issuers (and their key rotation, email settings and templates),
//! achievements, images, series and events; `issue` to award, to record attendance and completions (which award by rule), and to
//! revoke, suspend and re-issue credentials and to resend their emails; `admin` also to record
//! and withdraw endorsements; `read` for GETs. A
//! token limited to some issuers keeps its scope within them only (see [`crate::auth`]), and
//! every call that changes data is written to the audit log by one layer ([`audit`]).

pub mod achievements;
pub mod attendance;
pub mod audit;
pub mod awards;
pub mod completions;
pub mod credentials;
pub mod email;
pub mod endorsements;
pub mod events;
pub mod extract;
pub mod images;
pub mod imports;
pub mod issuers;
pub mod notifications;
pub mod openapi;
pub mod pathways;
pub mod rules;
pub mod tokens;
pub mod transcripts;
pub mod verify;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::on;

use crate::{AppState, HttpError, HttpResult};

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

pub use crate::routes::Route;
use crate::routes::route;

/// Every route of the admin API.
pub const ROUTES: &[Route] = &[
    route(Method::GET, "/openapi.json", |m| on(m, openapi)),
    route(Method::GET, "/issuers", |m| on(m, issuers::list)),
    route(Method::POST, "/issuers", |m| on(m, issuers::create)),
    route(Method::GET, "/issuers/{id}", |m| on(m, issuers::get)),
    route(Method::PATCH, "/issuers/{id}", |m| on(m, issuers::update)),
    route(Method::PUT, "/issuers/{id}/image", |m| {
        on(m, issuers::put_image)
    }),
    route(Method::GET, "/achievements", |m| on(m, achievements::list)),
    route(Method::POST, "/achievements", |m| {
        on(m, achievements::create)
    }),
    route(Method::GET, "/achievements/{id}", |m| {
        on(m, achievements::get)
    }),
    route(Method::PATCH, "/achievements/{id}", |m| {
        on(m, achievements::update)
    }),
    route(Method::PUT, "/achievements/{id}/image", |m| {
        on(m, achievements::put_image)
    }),
    route(Method::POST, "/achievements/{id}/awards", |m| {
        on(m, awards::create)
    }),
    route(Method::GET, "/achievements/{id}/rules/preview", |m| {
        on(m, rules::preview)
    }),
    route(Method::POST, "/achievements/{id}/rules/evaluate", |m| {
        on(m, rules::evaluate)
    }),
    route(Method::GET, "/achievements/{id}/pathway", |m| {
        on(m, pathways::get)
    }),
    route(Method::PUT, "/achievements/{id}/pathway", |m| {
        on(m, pathways::put)
    }),
    route(Method::DELETE, "/achievements/{id}/pathway", |m| {
        on(m, pathways::delete)
    }),
    route(Method::POST, "/achievements/{id}/pathway/evaluate", |m| {
        on(m, pathways::evaluate)
    }),
    route(Method::GET, "/achievements/{id}/pathway/invitations", |m| {
        on(m, pathways::invitations)
    }),
    route(Method::GET, "/achievements/{id}/pathway/unmet", |m| {
        on(m, pathways::unmet)
    }),
    route(Method::POST, "/issuers/{id}/keys/rotate", |m| {
        on(m, issuers::rotate_keys)
    }),
    route(Method::POST, "/credentials/revoke", |m| {
        on(m, credentials::revoke_batch)
    }),
    route(Method::POST, "/credentials/{id}/revoke", |m| {
        on(m, credentials::revoke)
    }),
    route(Method::POST, "/credentials/{id}/suspend", |m| {
        on(m, credentials::suspend)
    }),
    route(Method::POST, "/credentials/{id}/unsuspend", |m| {
        on(m, credentials::unsuspend)
    }),
    route(Method::POST, "/credentials/{id}/reissue", |m| {
        on(m, credentials::reissue)
    }),
    route(Method::POST, "/verify", |m| on(m, verify::verify)),
    route(Method::GET, "/awards", |m| on(m, awards::list)),
    route(Method::GET, "/awards/{id}", |m| on(m, awards::get)),
    route(Method::POST, "/awards/{id}/claim-link", |m| {
        on(m, awards::send_claim_link)
    }),
    route(Method::GET, "/series", |m| on(m, events::list_series)),
    route(Method::POST, "/series", |m| on(m, events::create_series)),
    route(Method::GET, "/series/{id}", |m| on(m, events::get_series)),
    route(Method::PATCH, "/series/{id}", |m| {
        on(m, events::update_series)
    }),
    route(Method::GET, "/events", |m| on(m, events::list_events)),
    route(Method::POST, "/events", |m| on(m, events::create_event)),
    route(Method::GET, "/events/{id}", |m| on(m, events::get_event)),
    route(Method::PATCH, "/events/{id}", |m| {
        on(m, events::update_event)
    }),
    route(Method::GET, "/events/{id}/attendance", |m| {
        on(m, attendance::list_attendance)
    }),
    route(Method::POST, "/events/{id}/attendance", |m| {
        on(m, attendance::record_attendance)
    }),
    route(Method::POST, "/events/{id}/attendance/import", |m| {
        on(m, imports::create)
    }),
    route(Method::GET, "/imports", |m| on(m, imports::list)),
    route(Method::GET, "/imports/{id}", |m| on(m, imports::get)),
    route(Method::GET, "/completions", |m| on(m, completions::list)),
    route(Method::GET, "/issuers/{id}/email", |m| {
        on(m, email::settings::get_settings)
    }),
    route(Method::PUT, "/issuers/{id}/email", |m| {
        on(m, email::settings::put_settings)
    }),
    route(Method::DELETE, "/issuers/{id}/email", |m| {
        on(m, email::settings::delete_settings)
    }),
    route(Method::GET, "/issuers/{id}/email/template", |m| {
        on(m, email::templates::get_issuer_template)
    }),
    route(Method::PUT, "/issuers/{id}/email/template", |m| {
        on(m, email::templates::put_issuer_template)
    }),
    route(Method::DELETE, "/issuers/{id}/email/template", |m| {
        on(m, email::templates::delete_issuer_template)
    }),
    route(Method::GET, "/achievements/{id}/email/template", |m| {
        on(m, email::templates::get_achievement_template)
    }),
    route(Method::PUT, "/achievements/{id}/email/template", |m| {
        on(m, email::templates::put_achievement_template)
    }),
    route(Method::DELETE, "/achievements/{id}/email/template", |m| {
        on(m, email::templates::delete_achievement_template)
    }),
    route(Method::POST, "/achievements/{id}/email/preview", |m| {
        on(m, email::preview::preview)
    }),
    route(Method::POST, "/achievements/{id}/notify", |m| {
        on(m, notifications::resend)
    }),
    route(Method::GET, "/credentials/{id}/notification", |m| {
        on(m, notifications::get_notification)
    }),
    route(Method::POST, "/credentials/{id}/notify", |m| {
        on(m, notifications::notify)
    }),
    route(Method::GET, "/notifications", |m| {
        on(m, notifications::list)
    }),
    route(Method::POST, "/completions", |m| on(m, completions::create)),
    route(Method::GET, "/tokens", |m| on(m, tokens::list)),
    route(Method::POST, "/tokens", |m| on(m, tokens::create)),
    route(Method::GET, "/tokens/{id}", |m| on(m, tokens::get)),
    route(Method::POST, "/tokens/{id}/revoke", |m| {
        on(m, tokens::revoke)
    }),
    route(Method::GET, "/issuers/{id}/categories", |m| {
        on(m, transcripts::get_categories)
    }),
    route(Method::PUT, "/issuers/{id}/categories", |m| {
        on(m, transcripts::put_categories)
    }),
    route(Method::GET, "/achievements/{id}/category", |m| {
        on(m, transcripts::get_category)
    }),
    route(Method::PUT, "/achievements/{id}/category", |m| {
        on(m, transcripts::put_category)
    }),
    route(Method::GET, "/recipients/{email}/transcript", |m| {
        on(m, transcripts::transcript)
    }),
    route(Method::GET, "/achievements/{id}/endorsements", |m| {
        on(m, endorsements::list_for_achievement)
    }),
    route(Method::POST, "/achievements/{id}/endorsements", |m| {
        on(m, endorsements::create_for_achievement)
    }),
    route(Method::GET, "/issuers/{id}/endorsements", |m| {
        on(m, endorsements::list_for_issuer)
    }),
    route(Method::POST, "/issuers/{id}/endorsements", |m| {
        on(m, endorsements::create_for_issuer)
    }),
    route(Method::GET, "/endorsements/{id}", |m| {
        on(m, endorsements::get)
    }),
    route(Method::POST, "/endorsements/{id}/withdraw", |m| {
        on(m, endorsements::withdraw)
    }),
];

/// The admin API, mounted at [`PREFIX`]; unknown paths and methods under it get problem+json.
pub fn router() -> Router<AppState> {
    let api = crate::routes::router(ROUTES)
        .route_layer(axum::middleware::from_fn(audit::record))
        .fallback(|| async {
            HttpError::NotFound(format!(
                "no such endpoint; the API is described at {PREFIX}/openapi.json"
            ))
        })
        .method_not_allowed_fallback(|method: Method| async move {
            HttpError::MethodNotAllowed(format!(
                "{method} is not allowed on this endpoint; see {PREFIX}/openapi.json"
            ))
        });
    Router::new().nest(PREFIX, api)
}

/// A response view as JSON, for the handlers that null personal data (`Bearer::redact`)
/// before answering: the view's type still names the schema the document gives.
pub(crate) fn to_json(view: &impl serde::Serialize) -> HttpResult<serde_json::Value> {
    serde_json::to_value(view).map_err(|error| HttpError::Internal(error.to_string()))
}

/// A `201 Created` (or `202 Accepted`) answer with the new resource's `Location`.
pub(crate) fn located(status: StatusCode, location: &str, body: impl serde::Serialize) -> Response {
    let mut response = (status, extract::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `GET /openapi.json` (no token needed: it describes, it does not reveal).
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "meta",
    summary = "This document",
    responses(
        (status = 200, description = "The OpenAPI document", body = ref("#/components/schemas/OpenApiDocument"), content_type = "application/json"),
    ),
)]
async fn openapi() -> Response {
    let mut response = openapi::DOCUMENT.as_str().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn openapi_documents_exactly_the_routes() {
        let document: serde_json::Value =
            serde_json::from_str(&openapi::DOCUMENT).expect("valid JSON");
        assert_eq!(document["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
        let mut documented = BTreeSet::new();
        for (path, item) in document["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                    documented.insert(format!("{} {path}", method.to_uppercase()));
                }
            }
        }
        let routed: BTreeSet<String> = ROUTES
            .iter()
            .map(|route| format!("{} {}", route.method, route.path))
            .collect();
        assert_eq!(documented, routed);
        assert_eq!(document["servers"][0]["url"], PREFIX);
    }

    /// Every `$ref` in `value`, anywhere.
    fn references<'v>(value: &'v serde_json::Value, found: &mut Vec<&'v str>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    match (key.as_str(), item.as_str()) {
                        ("$ref", Some(reference)) => found.push(reference),
                        _ => references(item, found),
                    }
                }
            }
            serde_json::Value::Array(items) => {
                items.iter().for_each(|item| references(item, found));
            }
            _ => {}
        }
    }

    #[test]
    fn openapi_references_all_resolve() {
        let document: serde_json::Value =
            serde_json::from_str(&openapi::DOCUMENT).expect("valid JSON");
        let mut found = Vec::new();
        references(&document, &mut found);
        assert!(found.len() > 100, "only {} references", found.len());
        for reference in found {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{reference} is not local"));
            assert!(
                document.pointer(pointer).is_some(),
                "{reference} does not resolve"
            );
        }
    }

    #[test]
    fn every_operation_documents_a_success_body_or_no_content() {
        let document: serde_json::Value =
            serde_json::from_str(&openapi::DOCUMENT).expect("valid JSON");
        for (path, item) in document["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("path item") {
                let responses = operation["responses"].as_object().expect("responses");
                let success = responses.iter().any(|(status, response)| {
                    let with_schema = response["content"].as_object().is_some_and(|content| {
                        !content.is_empty()
                            && content.values().all(|media| media.get("schema").is_some())
                    });
                    status.starts_with('2') && (with_schema || status == "204")
                });
                assert!(success, "{method} {path} documents no 2xx body (nor a 204)");
                assert!(
                    operation["operationId"].is_string(),
                    "{method} {path} has no operationId"
                );
            }
        }
    }

    #[test]
    fn openapi_operation_ids_are_unique() {
        let document: serde_json::Value =
            serde_json::from_str(&openapi::DOCUMENT).expect("valid JSON");
        let mut seen = BTreeSet::new();
        for item in document["paths"].as_object().expect("paths").values() {
            for operation in item.as_object().expect("path item").values() {
                let id = operation["operationId"].as_str().expect("operationId");
                assert!(seen.insert(id.to_string()), "operationId {id} twice");
            }
        }
    }

    #[test]
    fn every_route_method_has_a_filter() {
        for route in ROUTES {
            assert!(
                matches!(
                    route.method,
                    Method::GET | Method::POST | Method::PATCH | Method::PUT | Method::DELETE
                ),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}
