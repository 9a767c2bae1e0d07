//! `POST /verify`: anyone checks a credential (JSON, VC-JWT, baked PNG or SVG) and gets the
//! verifier's report as JSON, the same report `laurel-verify --json` gives.
//!
//! The verifier library runs unchanged; what it would fetch with `--online` is answered from
//! this service's own store when the URL is under the service's public URL (its issuers' key
//! documents and status lists), so credentials this service issued are checked completely
//! without any network. Anything else is not fetched (the server makes no outbound requests on
//! a visitor's behalf), and the report says it could not be checked.
//!
//! A credential this service issued also gets the issuer's word on it: a suspension, which is
//! kept issuer-side and in no list, fails the check with its reason. Uploads are limited by
//! the body limit and never stored.

use axum::extract::State;
use laurel_store::StoreError;
use laurel_verify::{Fetch, Options, Outcome, Report, Step, Verifier};
use serde_json::Value;
use uuid::Uuid;

use super::extract::{Json, RawBody};
use crate::public::keys;
use crate::{ApiError, ApiResult, AppState, lifecycle};

/// `POST /verify` (no token): the report.
pub async fn verify(
    State(state): State<AppState>,
    RawBody(body): RawBody,
) -> ApiResult<Json<Report>> {
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "send the credential as the body: JSON, a VC-JWT, or a baked PNG or SVG".into(),
        ));
    }
    check(&state, body.to_vec()).await.map(Json)
}

/// Verifies credential bytes (JSON, VC-JWT, baked PNG or SVG) as this service sees them: the
/// verifier's steps with this service's keys and lists from its store, plus the issuer's word
/// on a credential it issued (a suspension fails it; a revocation's reason is added).
pub async fn check(state: &AppState, body: Vec<u8>) -> ApiResult<Report> {
    let mut options = Options::offline(state.clock.now());
    options.fetcher = Some(Box::new(StoreFetcher {
        state: state.clone(),
        handle: tokio::runtime::Handle::current(),
    }));
    let verifier = Verifier::new(options);
    // Canonicalizing and checking signatures is CPU work, and the fetcher blocks on the store:
    // both off the async threads.
    let mut report = tokio::task::spawn_blocking(move || verifier.verify_bytes(&body))
        .await
        .map_err(|error| ApiError::Internal(format!("verification task: {error}")))?;
    if let Some(id) = report
        .credential_id
        .as_deref()
        .and_then(|id| own_credential(state, id))
    {
        match state.store.award(id).await {
            Ok(award) => {
                if let Some(at) = award.suspended_at {
                    let reason = award
                        .suspension_reason
                        .map(|reason| format!(": {reason}"))
                        .unwrap_or_default();
                    report.steps.push(Step {
                        name: "suspension",
                        outcome: Outcome::Failed,
                        detail: format!(
                            "suspended by its issuer on {}{reason}",
                            at.format("%Y-%m-%d")
                        ),
                    });
                } else if let Some(reason) = award
                    .revocation_reason
                    .filter(|_| award.revoked_at.is_some())
                {
                    // The list says revoked; the issuer says why.
                    if let Some(step) = report.steps.iter_mut().find(|s| s.name == "status") {
                        step.detail = format!("{}: {reason}", step.detail);
                    }
                }
                report = Report::from_steps(
                    report.container,
                    report.credential_id,
                    report.issuer,
                    report.steps,
                );
            }
            Err(StoreError::NotFound) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(report)
}

/// The award id of a credential id under this service's public URL.
fn own_credential(state: &AppState, id: &str) -> Option<Uuid> {
    let prefix = state.urls.credential(Uuid::nil());
    let prefix = prefix.strip_suffix(&Uuid::nil().to_string())?;
    Uuid::parse_str(id.strip_prefix(prefix)?).ok()
}

/// Answers the verifier's fetches from the store: this service's key documents and status
/// lists, and nothing else.
struct StoreFetcher {
    state: AppState,
    handle: tokio::runtime::Handle,
}

impl Fetch for StoreFetcher {
    fn fetch_json(&self, url: &str, _deadline: std::time::Instant) -> Result<Value, String> {
        let elsewhere = || {
            format!(
                "{url} is not a document of this service, and this service fetches nothing else: check it with laurel-verify --online"
            )
        };
        let path = url
            .strip_prefix(self.state.urls.origin())
            .ok_or_else(elsewhere)?;
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let id = |text: &str| Uuid::parse_str(text).map_err(|_| elsewhere());
        let state = &self.state;
        let missing = |what: &str| format!("{url}: no such {what} on this service");
        self.handle.block_on(async {
            match segments.as_slice() {
                ["issuers", issuer, "keys"] => {
                    let issuer = id(issuer)?;
                    let found = state
                        .store
                        .issuer_keys(issuer)
                        .await
                        .map_err(|e| e.to_string())?;
                    if found.is_empty() {
                        return Err(missing("issuer"));
                    }
                    keys::controller_document(&state.urls, issuer, &found)
                        .map_err(|e| e.to_string())
                }
                ["issuers", issuer, "keys", key] => {
                    let (issuer, key) = (id(issuer)?, id(key)?);
                    let found = state
                        .store
                        .issuer_keys(issuer)
                        .await
                        .map_err(|e| e.to_string())?;
                    let key = found
                        .iter()
                        .find(|k| k.id == key)
                        .ok_or_else(|| missing("key"))?;
                    match key.purpose {
                        laurel_store::KeyPurpose::DataIntegrity => {
                            keys::multikey_document(&state.urls, key)
                        }
                        laurel_store::KeyPurpose::Jwt => keys::jwk(&state.urls, key),
                    }
                    .map_err(|e| e.to_string())
                }
                ["status", list] => {
                    let (_, credential) = lifecycle::status::signed(state, id(list)?)
                        .await
                        .map_err(|_| missing("status list"))?;
                    serde_json::from_str(&credential).map_err(|e| e.to_string())
                }
                _ => Err(elsewhere()),
            }
        })
    }
}
