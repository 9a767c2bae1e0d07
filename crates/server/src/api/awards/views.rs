//! What the admin API shows of awards: the types the handlers serialize, from which the
//! OpenAPI document's schemas are derived.

use chrono::{DateTime, Utc};
use laurel_store::Award;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::notifications::NotificationView;
use laurel_service::Urls;

/// An award as the admin API shows it, without the credential itself.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Award)]
pub struct AwardView {
    id: Uuid,
    achievement_id: Uuid,
    issuer_id: Uuid,
    /// Personal data: null for a read-only token made without --with-emails
    recipient_email: Option<String>,
    /// Personal data: null for a read-only token made without --with-emails
    recipient_name: Option<String>,
    issued_at: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
    /// The credential's public id
    #[schema(format = "uri")]
    credential_url: String,
    /// The status list credential holding the credential's revocation bit (its credentialStatus.statusListCredential); null for credentials minted before status lists
    #[schema(format = "uri")]
    status_list_url: Option<String>,
    /// The credential's bit in that list (its credentialStatus.statusListIndex, which the credential gives as a string)
    status_list_index: Option<u32>,
    /// When it was revoked (permanent; its bit is set in the status list)
    revoked_at: Option<DateTime<Utc>>,
    /// Why, as the issuer said; never published in the status list
    revocation_reason: Option<String>,
    /// When it was suspended (reversible, kept by the issuer: the status list does not show it)
    suspended_at: Option<DateTime<Utc>>,
    suspension_reason: Option<String>,
    /// The recipient's role as signed into the credential (credentialSubject.role), e.g. Presenter
    role: Option<String>,
}

impl AwardView {
    /// The view of `award`.
    pub fn new(urls: &Urls, award: &Award) -> Self {
        AwardView {
            id: award.id,
            achievement_id: award.achievement_id,
            issuer_id: award.issuer_id,
            recipient_email: Some(award.recipient_email.clone()),
            recipient_name: award.recipient_name.clone(),
            issued_at: award.issued_at,
            valid_until: award.valid_until,
            credential_url: urls.credential(award.id),
            status_list_url: award.status.map(|slot| urls.status_list(slot.list_id)),
            status_list_index: award.status.map(|slot| slot.index),
            revoked_at: award.revoked_at,
            revocation_reason: award.revocation_reason.clone(),
            suspended_at: award.suspended_at,
            suspension_reason: award.suspension_reason.clone(),
            role: award.role.clone(),
        }
    }
}

/// An award with its signed credential (JSON) and the VC-JWT.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardFull {
    #[serde(flatten)]
    award: AwardView,
    /// (Personal data: null for a read-only token made without --with-emails.) The OpenBadgeCredential with its Data Integrity proof, exactly as signed (re-issue replaces it). Its credentialStatus is a BitstringStatusListEntry with statusPurpose revocation, statusListCredential status_list_url and statusListIndex status_list_index (a string)
    #[schema(value_type = Option<Object>)]
    credential: Value,
    /// The same credential as a VC-JWT (Personal data: null for a read-only token made without --with-emails)
    jwt: Option<String>,
}

impl AwardFull {
    /// The view of `award` with its credential.
    pub fn new(urls: &Urls, award: &Award) -> Self {
        AwardFull {
            award: AwardView::new(urls, award),
            credential: serde_json::from_str(&award.credential).unwrap_or(Value::Null),
            jwt: Some(award.jwt.clone()),
        }
    }
}

/// `GET /awards/{id}`: the award with its credential, and its email's delivery state.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardDetail {
    #[serde(flatten)]
    pub full: AwardFull,
    /// The email telling the recipient; null when it has none
    pub notification: Option<NotificationView>,
    /// Earned through a pathway whose requirements no longer hold (a required badge revoked,
    /// suspended or expired): why, in words, for staff to decide (it is never revoked for
    /// that). Null otherwise.
    pub pathway_unmet: Option<Vec<String>>,
}

/// `POST /achievements/{id}/awards`: one award, or a batch's per-row results.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AwardOrBatchResults {
    /// One award
    One(Box<AwardFull>),
    /// A batch's results
    Batch(BatchResults),
}

/// A batch's per-row results, in input order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResults {
    pub created: usize,
    pub existing: usize,
    pub failed: usize,
    pub results: Vec<BatchRow>,
}

/// What became of one row of an award batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchRow {
    pub index: usize,
    #[schema(schema_with = crate::api::openapi::fields::batch_row_status)]
    pub status: &'static str,
    /// The award (created and existing rows)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub award: Option<AwardView>,
    /// Why the row failed; nothing was stored for it
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error: Option<String>,
}

/// `GET /awards`: a page of awards, newest first, and how many match.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardPage {
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
    pub awards: Vec<AwardView>,
}

/// An award after a revocation, suspension or its lifting: whether this call changed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChangeResult {
    #[serde(flatten)]
    pub award: AwardView,
    /// Whether this call changed it (false: it already was so)
    pub changed: bool,
    #[schema(schema_with = crate::api::openapi::fields::status_change_outcome)]
    pub outcome: &'static str,
}
