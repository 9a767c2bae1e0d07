//! `POST /verify`: anyone checks a credential (JSON, VC-JWT, baked PNG or SVG) and gets the
//! verifier's report as JSON, the same report `laurel-verify --json` gives.
//!
//! The verifier library runs unchanged; what it would fetch with `--online` is answered from
//! this service's own store when the URL is under the service's public URL (its issuers' key
//! documents and status lists), so credentials this service issued are checked completely
//! without any network. Anything else is not fetched (the server makes no outbound requests on
//! a visitor's behalf), and the report says it could not be checked.
//!
//! The service knows its own issuers: each one's keys (from the store) are pinned, and a
//! credential that names a hosted issuer, by id or by name, but was signed with another key is
//! reported as forged (see the verifier's key-binding rules). A credential id under this
//! service's address that the store has never issued is forged too.
//!
//! A credential this service issued also gets the issuer's word on it: a suspension, which is
//! kept issuer-side and in no list, fails the check with its reason. Uploads are limited by
//! the body limit and never stored.
//!
//! Verification is CPU work that anyone can ask for: it runs on the blocking pool, at most one
//! per core at a time ([`SLOTS`]), and each check carries a deadline so that its work stops
//! when the request's time is up instead of burning on after the answer.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use axum::extract::State;
use laurel_store::StoreError;
use laurel_verify::{
    Fetch, KeySource, KeyStore, Options, Outcome, Report, Step, TrustList, Verifier,
};
use serde_json::Value;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::extract::{Json, RawBody};
use crate::{AppState, HttpError, HttpResult};
use laurel_service::documents::keys;

/// How the service names itself in reports: a key "listed by this site".
pub const HOSTED: &str = "this site";

/// How long one verification may take, waiting for a slot included.
const DEADLINE: Duration = Duration::from_secs(10);

/// Verifications running at once: one per core, so that anonymous checks cannot take every
/// thread of the blocking pool or starve the rest of the service.
static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
});

/// `POST /verify` (no token): the report.
#[utoipa::path(
    post,
    path = "/verify",
    operation_id = "verify_verify",
    tag = "credentials",
    summary = "Verify a credential (no token)",
    description = "The body is the credential: JSON, a compact VC-JWT, or a baked PNG or SVG, at most the server's body limit; it is never stored. The answer is the verifier's report, as `laurel-verify --json` gives it: a verdict (`valid`, `invalid`, `could-not-check`), the reason, and every step (parse, context, schema, proof, status, dates, recipient, endorsements). Keys and status lists of this service's issuers are read from its own store; nothing else is fetched, so another issuer's credential is reported as could-not-check where its keys or lists are needed. A credential of this service that its issuer suspended fails with a `suspension` step giving the date and reason.",
    request_body(content((serde_json::Map<String, serde_json::Value> = "application/json"), (String = "application/jwt"), (inline(crate::api::openapi::bodies::PngBody) = "image/png"), (inline(crate::api::openapi::bodies::SvgBody) = "image/svg+xml"))),
    responses(
        (status = 200, description = "The report", body = laurel_verify::Report, content_type = "application/json"),
        (status = 400, response = crate::api::openapi::E400),
        (status = 413, response = crate::api::openapi::E413),
    ),
)]
pub async fn verify(
    State(state): State<AppState>,
    RawBody(body): RawBody,
) -> HttpResult<Json<Report>> {
    if body.is_empty() {
        return Err(HttpError::BadRequest(
            "send the credential as the body: JSON, a VC-JWT, or a baked PNG or SVG".into(),
        ));
    }
    check(&state, body.to_vec()).await.map(Json)
}

/// Verifies credential bytes (JSON, VC-JWT, baked PNG or SVG) as this service sees them: the
/// verifier's steps with this service's keys and lists from its store, plus the issuer's word
/// on a credential it issued (a suspension fails it; a revocation's reason is added).
pub async fn check(state: &AppState, body: Vec<u8>) -> HttpResult<Report> {
    check_with(state, body, None).await
}

/// [`check`], also checking that the credential was awarded to `recipient` (an email): the
/// `recipient` step passes or fails instead of being skipped.
pub async fn check_with(
    state: &AppState,
    body: Vec<u8>,
    recipient: Option<String>,
) -> HttpResult<Report> {
    let deadline = Instant::now() + DEADLINE;
    let mut options = Options::offline(state.clock.now());
    options.recipient = recipient;
    let (keys, trust) = hosted_issuers(state).await?;
    options.keys = keys;
    options.trust = Some(trust);
    options.deadline = Some(deadline);
    options.fetcher = Some(Box::new(StoreFetcher::new(state)));
    let verifier = Verifier::new(options);
    let busy = || {
        HttpError::Unavailable(
            "too many credentials are being checked right now; try again in a moment".into(),
        )
    };
    let _slot = tokio::time::timeout_at(deadline.into(), SLOTS.acquire())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    // Canonicalizing and checking signatures is CPU work, and the fetcher blocks on the store:
    // both off the async threads.
    let mut report = tokio::task::spawn_blocking(move || verifier.verify_bytes(&body))
        .await
        .map_err(|error| HttpError::Internal(format!("verification task: {error}")))?;
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
                report = report.redecided();
            }
            Err(StoreError::NotFound) => {
                report.steps.push(Step {
                    name: "issued here",
                    outcome: Outcome::Failed,
                    detail: "forged: the credential's id is an address on this site, but this site never issued a credential with that id".into(),
                });
                report = report.redecided();
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(report)
}

/// Every hosted issuer's keys, pinned (their controller documents, with any `revoked` marks),
/// and a trust list of the hosted issuers by id and name.
pub(crate) async fn hosted_issuers(state: &AppState) -> HttpResult<(KeyStore, TrustList)> {
    let issuers = state.store.list_issuers().await?;
    let all_keys = state.store.all_keys().await?;
    let mut store = KeyStore::default();
    let mut trust = TrustList::new(HOSTED);
    for issuer in issuers {
        let own: Vec<_> = all_keys
            .iter()
            .filter(|key| key.issuer_id == issuer.id)
            .cloned()
            .collect();
        let public = own
            .iter()
            .map(keys::public_key)
            .collect::<Result<Vec<_>, _>>()?;
        if !own.is_empty() {
            let document = keys::controller_document(&state.urls, issuer.id, &own)?;
            store
                .add_with_source(&document, &KeySource::Listed(HOSTED.into()))
                .map_err(HttpError::Internal)?;
        }
        trust.add(
            state.urls.issuer(issuer.id),
            Some(issuer.name.clone()),
            public,
        );
    }
    Ok((store, trust))
}

/// The award id of a credential id under this service's public URL.
pub(crate) fn own_credential(state: &AppState, id: &str) -> Option<Uuid> {
    let prefix = state.urls.credential(Uuid::nil());
    let prefix = prefix.strip_suffix(&Uuid::nil().to_string())?;
    Uuid::parse_str(id.strip_prefix(prefix)?).ok()
}

/// Answers the verifier's fetches from the store: this service's key documents and status
/// lists, and nothing else.
pub(crate) struct StoreFetcher {
    state: AppState,
    handle: tokio::runtime::Handle,
}

impl StoreFetcher {
    /// A fetcher over `state`'s store; call from within the runtime (it keeps its handle).
    pub(crate) fn new(state: &AppState) -> Self {
        StoreFetcher {
            state: state.clone(),
            handle: tokio::runtime::Handle::current(),
        }
    }

    /// Whether `url` is under this service's public URL (a document it answers itself).
    pub(crate) fn is_own(&self, url: &str) -> bool {
        url.strip_prefix(self.state.urls.origin())
            .is_some_and(|rest| rest.starts_with('/'))
    }
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
                // The issuer id: its controller document (what a verifier binds keys with).
                ["issuers", issuer] | ["issuers", issuer, "keys"] => {
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
                    let (_, credential) = laurel_service::status::signed(state, id(list)?)
                        .await
                        .map_err(|_| missing("status list"))?;
                    serde_json::from_str(&credential).map_err(|e| e.to_string())
                }
                _ => Err(elsewhere()),
            }
        })
    }
}
