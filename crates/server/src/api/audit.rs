//! One audit-log entry per API call that changes data: who (the token's name), what (an action
//! such as `award.create`), on what (the id in the path, or the id a create made) and how it
//! went, written after the handler succeeded.
//!
//! It is a layer on the API's routes rather than a line in every handler, so no route can be
//! forgotten: [`action`] names every route that writes, and a test walks [`super::ROUTES`] to
//! check that only reads go unnamed. The token is handed over by the [`crate::auth::Bearer`]
//! extractor through a [`Slot`] in the request, so auditing costs no second token lookup. A
//! handler adds what only it knows (counts, the fields that changed) with [`Detail`]. Failed
//! requests change nothing and write nothing; an idempotent replay is not a second change.

use std::sync::{Arc, OnceLock};

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use laurel_store::{ApiToken, AuditEntry, VIA_API};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;

/// Where the bearer extractor leaves the authenticated token for the audit layer.
#[derive(Clone, Default)]
pub struct Slot(Arc<OnceLock<(ApiToken, AppState)>>);

impl Slot {
    /// Records the request's token (the first one wins).
    pub fn fill(&self, token: &ApiToken, state: &AppState) {
        let _ = self.0.set((token.clone(), state.clone()));
    }
}

/// What a handler adds to its audit entry's detail (a response extension).
#[derive(Debug, Clone)]
pub struct Detail(pub Value);

pub use laurel_service::audit::{MAX_IDS, some_ids};

/// `body` as a response carrying `detail` for its audit entry.
pub fn with_detail(body: impl IntoResponse, detail: Value) -> Response {
    let mut response = body.into_response();
    response.extensions_mut().insert(Detail(detail));
    response
}

/// The audit action of a route, or `None` for a route that changes nothing.
pub fn action(method: &Method, path: &str) -> Option<&'static str> {
    let action = match (method.as_str(), path) {
        ("POST", "/issuers") => "issuer.create",
        ("PATCH", "/issuers/{id}") => "issuer.update",
        ("PUT", "/issuers/{id}/image") => "issuer.image",
        ("POST", "/issuers/{id}/keys/rotate") => "issuer.rotate_keys",
        ("PUT", "/issuers/{id}/email") => "email_settings.update",
        ("DELETE", "/issuers/{id}/email") => "email_settings.delete",
        ("PUT", "/issuers/{id}/email/template" | "/achievements/{id}/email/template") => {
            "email_template.update"
        }
        ("DELETE", "/issuers/{id}/email/template" | "/achievements/{id}/email/template") => {
            "email_template.delete"
        }
        ("POST", "/achievements") => "achievement.create",
        ("PATCH", "/achievements/{id}") => "achievement.update",
        ("PUT", "/achievements/{id}/image") => "achievement.image",
        ("POST", "/achievements/{id}/awards") => "award.create",
        ("POST", "/achievements/{id}/rules/evaluate") => "rules.evaluate",
        ("PUT", "/achievements/{id}/pathway") => "pathway.update",
        ("DELETE", "/achievements/{id}/pathway") => "pathway.delete",
        ("POST", "/achievements/{id}/pathway/evaluate") => "pathway.evaluate",
        ("POST", "/achievements/{id}/notify") => "notification.resend",
        ("POST", "/credentials/revoke" | "/credentials/{id}/revoke") => "credential.revoke",
        ("POST", "/credentials/{id}/suspend") => "credential.suspend",
        ("POST", "/credentials/{id}/unsuspend") => "credential.unsuspend",
        ("POST", "/credentials/{id}/reissue") => "credential.reissue",
        ("POST", "/credentials/{id}/notify") => "notification.send",
        ("POST", "/awards/{id}/claim-link") => "claim_link.send",
        ("POST", "/series") => "series.create",
        ("PATCH", "/series/{id}") => "series.update",
        ("POST", "/events") => "event.create",
        ("PATCH", "/events/{id}") => "event.update",
        ("POST", "/events/{id}/attendance") => "attendance.record",
        ("POST", "/events/{id}/attendance/import") => "import.create",
        ("POST", "/completions") => "completion.record",
        ("POST", "/tokens") => "token.create",
        ("POST", "/tokens/{id}/revoke") => "token.revoke",
        ("POST", "/achievements/{id}/endorsements" | "/issuers/{id}/endorsements") => {
            "endorsement.create"
        }
        ("POST", "/endorsements/{id}/withdraw") => "endorsement.withdraw",
        ("PUT", "/issuers/{id}/categories") => "categories.update",
        ("PUT", "/achievements/{id}/category") => "achievement.category",
        _ => return None,
    };
    Some(action)
}

/// The layer: runs the handler, then writes the entry if the call changed something.
pub async fn record(mut request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| {
            let path = path.as_str();
            path.strip_prefix(super::PREFIX).unwrap_or(path).to_string()
        })
        .unwrap_or_default();
    let Some(action) = action(&method, &template) else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_string();
    let slot = Slot::default();
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    if !response.status().is_success() || response.headers().contains_key("idempotent-replayed") {
        return response;
    }
    let Some((token, state)) = slot.0.get() else {
        return response;
    };
    let target = path_id(&template, &path).or_else(|| {
        response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|location| location.rsplit('/').next())
            .map(str::to_string)
    });
    let mut detail = response
        .extensions()
        .get::<Detail>()
        .map_or_else(|| json!({}), |detail| detail.0.clone());
    if let Value::Object(members) = &mut detail {
        members.insert("status".into(), json!(response.status().as_u16()));
        members.insert("token_id".into(), json!(token.id));
    }
    let entry = AuditEntry {
        id: Uuid::now_v7(),
        at: state.clock.now(),
        user_id: None,
        username: token.name.clone(),
        action: action.to_string(),
        target,
        detail: detail.to_string(),
        via: VIA_API.to_string(),
    };
    if let Err(error) = state.store.append_audit(&entry).await {
        tracing::error!(%error, action, "could not write the audit log");
    }
    response
}

/// The `{id}` of `path` where `template` has one.
fn path_id(template: &str, path: &str) -> Option<String> {
    let path = path.strip_prefix(super::PREFIX).unwrap_or(path);
    template
        .split('/')
        .zip(path.split('/'))
        .find(|(part, _)| *part == "{id}")
        .map(|(_, id)| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_that_writes_has_an_action() {
        // These take a POST body but change nothing.
        let reads = ["POST /verify", "POST /achievements/{id}/email/preview"];
        for route in super::super::ROUTES {
            let name = format!("{} {}", route.method, route.path);
            let named = action(&route.method, route.path).is_some();
            if route.method == Method::GET || reads.contains(&name.as_str()) {
                assert!(!named, "{name} reads only");
            } else {
                assert!(named, "{name} changes data but has no audit action");
            }
        }
    }

    #[test]
    fn the_target_is_the_path_id() {
        assert_eq!(
            path_id("/credentials/{id}/revoke", "/api/v1/credentials/abc/revoke").as_deref(),
            Some("abc")
        );
        assert_eq!(
            path_id("/credentials/revoke", "/api/v1/credentials/revoke"),
            None
        );
    }
}
