//! Status, publicly: the signed status lists verifiers fetch, and a credential's status as its
//! issuer keeps it (suspension and reasons are not in any list).
//!
//! A popular list is fetched by every verifier checking any of its 131,072 credentials, so the
//! signed bytes are kept in memory for [`ListCache::TTL`], one second: about as fast as a
//! static file, and a revocation made on another instance of a cluster still shows within the
//! second (on this instance at once: revoking forgets the copy).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use laurel_store::StoreError;
use serde_json::json;
use uuid::Uuid;

use crate::cache::{self, Cache, Representation};
use crate::routes::parse_id;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::ServiceError;

/// `GET /status/{id}`: a status list credential, signed for its current bits.
pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    let id = parse_id(&id, "status list")?;
    let (body, etag) = match state.status_lists.get(id) {
        Some(found) => found,
        None => {
            let (_, credential) =
                laurel_service::status::signed(&state, id)
                    .await
                    .map_err(|error| match error {
                        ServiceError::NotFound(_) => HttpError::not_found("status list", id),
                        other => other.into(),
                    })?;
            state.status_lists.insert(id, Bytes::from(credential))
        }
    };
    Ok(
        Representation::new(body, "application/ld+json", Cache::Minute)
            .with_etag(etag)
            .respond(&headers),
    )
}

/// `GET /credentials/{id}/status`: what the issuer says of a credential now: revoked (and
/// why), suspended (and why), its validity. Never the recipient.
pub async fn credential(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    let id = parse_id(&id, "credential")?;
    let award = state.store.award(id).await.map_err(|error| match error {
        StoreError::NotFound => HttpError::not_found("credential", id),
        other => other.into(),
    })?;
    let now = state.clock.now();
    let document = json!({
        "id": state.urls.credential(award.id),
        "revoked": award.revoked_at.is_some(),
        "revoked_at": award.revoked_at,
        "revocation_reason": award.revocation_reason,
        "suspended": award.suspended_at.is_some(),
        "suspended_at": award.suspended_at,
        "suspension_reason": award.suspension_reason,
        "valid_from": award.issued_at,
        "valid_until": award.valid_until,
        "expired": award.valid_until.is_some_and(|until| until <= now),
        "status_list": award.status.map(|slot| state.urls.status_list(slot.list_id)),
    });
    Ok(Representation::json(&document, "application/json", Cache::Minute).respond(&headers))
}

/// A signed list as served: when it was kept, its bytes and their ETag.
type Served = (Instant, Bytes, Option<HeaderValue>);

/// Signed lists recently served, each for [`ListCache::TTL`].
#[derive(Debug, Default)]
pub struct ListCache {
    entries: Mutex<HashMap<Uuid, Served>>,
}

impl ListCache {
    /// How long a signed list is served from memory.
    pub const TTL: Duration = Duration::from_secs(1);

    fn get(&self, id: Uuid) -> Option<(Bytes, Option<HeaderValue>)> {
        // A poisoned lock only means a panic mid-insert; the map is still a valid cache.
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(&id)
            .filter(|(at, _, _)| at.elapsed() < Self::TTL)
            .map(|(_, body, etag)| (body.clone(), etag.clone()))
    }

    fn insert(&self, id: Uuid, body: Bytes) -> (Bytes, Option<HeaderValue>) {
        let etag = cache::etag(&body);
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Lists are few (131,072 credentials each); dropping stale entries keeps it so.
        entries.retain(|_, (at, _, _)| at.elapsed() < Self::TTL);
        entries.insert(id, (Instant::now(), body.clone(), etag.clone()));
        (body, etag)
    }

    /// Forgets a list whose bits changed.
    pub fn forget(&self, id: Uuid) {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&id);
    }
}
