//! Email: an issuer's SMTP settings ([`settings`]), templates ([`templates`]) and previews
//! ([`preview`]). Credentials' delivery state and resends are in [`super::notifications`].
//!
//! The SMTP password is write-only, templates are checked when saved, and a preview renders
//! one exactly as the worker would. See [`laurel_service::email`].

pub mod preview;
pub mod settings;
pub mod templates;

use laurel_store::{Achievement, Issuer};

use super::extract::PathId;
use crate::auth::Bearer;
use crate::{AppState, HttpResult};

/// The issuer at `id`, if this token may see it (else the same 404 as a missing one).
async fn issuer(state: &AppState, bearer: &Bearer, id: &PathId) -> HttpResult<Issuer> {
    let issuer_id = id.uuid("issuer")?;
    bearer.within(issuer_id, "issuer", issuer_id)?;
    state
        .store
        .issuer(issuer_id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "issuer", issuer_id))
}

/// The achievement at `id`, if this token may see its issuer.
async fn achievement(state: &AppState, bearer: &Bearer, id: &PathId) -> HttpResult<Achievement> {
    super::achievements::load(state, bearer, id).await
}
