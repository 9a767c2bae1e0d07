//! Acting on one award from the awards table: revoke and suspend behind a confirmation page
//! (it names the recipient and says the reason will be public; no script needed), lift a
//! suspension, resend the email, email a fresh wallet link.
//!
//! `GET /console/awards/{id}/{action}` is the confirmation, `POST` the same path does it. Both
//! carry the table's filters, and a done action redirects to the table as it was with a
//! notice (post/redirect/get: reloading does nothing twice), or, for a form on a person's
//! page (`back=recipient`), to that page with the same notice. A confirmation without a reason
//! is shown again with the message beside the reason, and nothing is changed.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_service::lifecycle;
use laurel_store::{Award, Requeued, StatusChange};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::awards::Search;
use super::email::Mistakes;
use super::layout::{self, Layout, date, query};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};

/// The longest reason accepted, in characters.
const MAX_REASON: usize = 1_000;

/// An action's form: the reason (revoke, suspend) and the table's filters.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    // The table's filters (not `#[serde(flatten)]`: form decoding cannot read numbers then).
    #[serde(default)]
    q: String,
    #[serde(default)]
    achievement: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    offset: u32,
    /// `recipient`: the form is on the recipient's page, which the redirect goes back to.
    #[serde(default)]
    back: String,
}

impl ActionForm {
    fn search(&self) -> Search {
        Search {
            q: self.q.clone(),
            achievement: self.achievement.clone(),
            from: self.from.clone(),
            until: self.until.clone(),
            offset: self.offset,
            ..Search::default()
        }
    }
}

/// `console/award_confirm.html`.
#[derive(Template)]
#[template(path = "console/award_confirm.html")]
struct ConfirmPage<'a> {
    layout: Layout,
    award: &'a Award,
    badge: String,
    /// `revoke` or `suspend`.
    action: &'a str,
    /// "Revoke" or "Suspend".
    verb: &'static str,
    /// The recipient as shown: "Name (email)" or the email.
    recipient: String,
    awarded: String,
    reason: &'a str,
    errors: Mistakes,
    filters: Vec<(&'static str, String)>,
    /// The table as it was, for "Cancel".
    back: String,
    /// A pathway badge whose requirements no longer hold: why, in words.
    pathway_unmet: Option<String>,
    /// Pathway badges the recipient holds that name this badge (they stay if it is revoked).
    pathway_badges: Vec<String>,
}

/// The award and whether `staff` may change it.
async fn load(state: &AppState, staff: &Staff, id: &str) -> Result<Award, Response> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Err(layout::error(&HttpError::NotFound("no such award".into())));
    };
    let award = match state.store.award(id).await {
        Ok(award) => award,
        Err(error) => {
            return Err(layout::error(&crate::error::not_found_in(
                error, "award", id,
            )));
        }
    };
    if !staff.may_change_issuer(award.issuer_id) {
        return Err(layout::not_allowed(
            staff,
            "Your account may not change this award.",
        ));
    }
    Ok(award)
}

/// `GET /console/awards/{id}/{action}`: the confirmation of a revocation or suspension.
pub async fn confirm(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(String, String)>,
    Query(search): Query<Search>,
) -> Response {
    if !matches!(action.as_str(), "revoke" | "suspend") {
        return layout::error(&HttpError::NotFound("no such action".into()));
    }
    let award = match load(&state, &staff, &id).await {
        Ok(award) => award,
        Err(response) => return response,
    };
    confirmation(
        &state,
        &staff,
        &award,
        &action,
        "",
        &search,
        Mistakes::default(),
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn confirmation(
    state: &AppState,
    staff: &Staff,
    award: &Award,
    action: &str,
    reason: &str,
    search: &Search,
    errors: Mistakes,
    status: StatusCode,
) -> Response {
    let badge = state
        .store
        .achievement(award.achievement_id)
        .await
        .map(|a| a.name)
        .unwrap_or_default();
    let verb = if action == "revoke" {
        "Revoke"
    } else {
        "Suspend"
    };
    let recipient = match &award.recipient_name {
        Some(name) if !name.trim().is_empty() => format!("{name} ({})", award.recipient_email),
        _ => award.recipient_email.clone(),
    };
    let (pathway_unmet, pathway_badges) = pathway_notes(state, award).await;
    layout::respond(
        status,
        &ConfirmPage {
            layout: Layout::new(format!("{verb} the badge of {recipient}?"), Some(staff)),
            award,
            badge,
            action,
            verb,
            recipient,
            awarded: date(award.issued_at),
            reason,
            errors,
            filters: search.pairs(search.offset),
            back: format!("/console/awards?{}", search.query_string(search.offset)),
            pathway_unmet,
            pathway_badges,
        },
    )
}

/// What pathways say about an award: its own pathway's requirements no longer met, and the
/// pathway badges the recipient holds that name it. A failed read shows nothing.
async fn pathway_notes(state: &AppState, award: &Award) -> (Option<String>, Vec<String>) {
    let unmet = laurel_service::pathways::unmet_for_award(state, award)
        .await
        .ok()
        .flatten()
        .map(|u| u.reasons.join("; "));
    let mut badges = Vec::new();
    if let Ok(pathways) = state
        .store
        .pathways_requiring(&[award.achievement_id])
        .await
    {
        for pathway in pathways {
            let held = state
                .store
                .awards_for(
                    pathway.achievement_id,
                    std::slice::from_ref(&award.recipient_email),
                )
                .await
                .unwrap_or_default();
            if held.iter().any(|a| a.revoked_at.is_none())
                && let Ok(a) = state.store.achievement(pathway.achievement_id).await
            {
                badges.push(a.name);
            }
        }
    }
    (unmet, badges)
}

/// `POST /console/awards/{id}/{action}`: revoke, suspend, unsuspend, notify (resend) or
/// claim-link (the email again, with a fresh wallet link).
pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let award = match load(&state, &staff, &id).await {
        Ok(award) => award,
        Err(response) => return response,
    };
    let reason = form.reason.trim();
    if matches!(action.as_str(), "revoke" | "suspend") {
        let mut mistakes = Vec::new();
        if reason.is_empty() {
            mistakes.push((
                "reason",
                "Give a reason: it is shown to anyone who opens the badge's page.".to_string(),
            ));
        } else if reason.chars().count() > MAX_REASON {
            mistakes.push(("reason", format!("At most {MAX_REASON} characters.")));
        }
        if !mistakes.is_empty() {
            return confirmation(
                &state,
                &staff,
                &award,
                &action,
                &form.reason,
                &form.search(),
                Mistakes::new(mistakes),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    }
    let done = match try_act(&state, &award, &action, reason).await {
        Ok(done) => done,
        Err(error) => return layout::error(&error),
    };
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        &format!("award.{action}"),
        Some(award.id.to_string()),
        json!({
            "recipient": award.recipient_email,
            "reason": (!reason.is_empty()).then_some(reason),
        }),
    )
    .await;
    let outcome = [("done", done.to_string()), ("award", award.id.to_string())];
    if form.back == "recipient" {
        let person = super::recipients::person_url(&award.recipient_email);
        return Redirect::to(&format!("{person}&{}", query(&outcome))).into_response();
    }
    let mut pairs = form.search().pairs(form.offset);
    pairs.extend(outcome);
    Redirect::to(&format!("/console/awards?{}", query(&pairs))).into_response()
}

/// Does it; what was done (`revoke`, or `revoke-already` when nothing had to change).
async fn try_act(
    state: &AppState,
    award: &Award,
    action: &str,
    reason: &str,
) -> Result<String, HttpError> {
    let changed = |change: &StatusChange| matches!(change, StatusChange::Changed(_));
    let did = match action {
        "revoke" => {
            let change = lifecycle::revoke(state, &[award.id], reason).await?;
            change.first().is_some_and(changed)
        }
        "suspend" => changed(&lifecycle::suspend(state, award.id, Some(reason)).await?),
        "unsuspend" => changed(&lifecycle::unsuspend(state, award.id).await?),
        "notify" => {
            if state.store.email_settings(award.issuer_id).await?.is_none() {
                return Err(HttpError::Conflict(
                    "this issuer has no email settings yet: set up its email first (Issuers, then Email)"
                        .into(),
                ));
            }
            let queued = state
                .store
                .queue_notifications(&[award.id], state.clock.now())
                .await?;
            state.outbox.wake();
            matches!(queued.first(), Some(Requeued::Queued(_)))
        }
        "claim-link" => {
            let sent = laurel_service::wallet::requests::send_claim_link(state, award.id).await?;
            sent == laurel_service::wallet::requests::LinkSent::Queued
        }
        _ => return Err(HttpError::NotFound("no such action".into())),
    };
    Ok(if did {
        action.to_string()
    } else {
        format!("{action}-already")
    })
}
