//! `/console/achievements/{id}/pathway`: how a badge is earned by holding others, in plain
//! words, without any JSON.
//!
//! Staff tick badges from the issuer's list and choose "all of" or "at least N of"; groups
//! (a certificate's competency sets) each have a name, their own badges and their own rule,
//! and count as one step of the top list. The page always offers one more empty group, so a
//! group is added by filling it in and saving; a group left without badges is dropped. The
//! admin API takes deeper nesting; this page edits one level of groups.
//!
//! The page also lists what hangs off the pathway: the badges it gave whose requirements no
//! longer hold (a required badge revoked), and, for an invitation pathway, the invitations
//! sent. Mistakes are shown beside their group; nothing is stored then.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_service::pathways::{
    self, DEFAULT_INVITATION_SUBJECT, OutcomeName, PathwayInput, Unmet,
};
use laurel_store::{Achievement, Invitation};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::email::{Mistakes, load_achievement};
use super::layout::{self, Layout};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};

mod form;

use form::{GROUPS, PathwayForm, form_of, read_form};

/// `?saved=1`, `?removed=1` or `?awarded=N` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    removed: Option<String>,
    #[serde(default)]
    awarded: Option<usize>,
}

/// `console/pathway.html`.
#[derive(Template)]
#[template(path = "console/pathway.html")]
struct PathwayPage {
    layout: Layout,
    notice: Option<String>,
    badge: String,
    badge_url: String,
    action: String,
    /// The stored pathway in words, if there is one.
    summary: Option<String>,
    form: PathwayForm,
    errors: Mistakes,
    may_change: bool,
    /// The stored pathway nests groups in groups (set through the API): this page cannot
    /// show it whole, so it does not offer to change it.
    too_deep: bool,
    unmet: Vec<Unmet>,
    invitations: Vec<InvitationRow>,
    public_url: String,
    default_subject: &'static str,
}

/// One invitation, in words.
struct InvitationRow {
    who: String,
    state: String,
}

async fn badge_of(state: &AppState, staff: &Staff, id: &str) -> Result<Achievement, Response> {
    match load_achievement(state, id).await {
        Ok(a) if staff.may_see(a.issuer_id) => Ok(a),
        Ok(_) => Err(layout::not_allowed(
            staff,
            "This badge is not one of yours.",
        )),
        Err(error) => Err(layout::error(&error)),
    }
}

/// `GET /console/achievements/{id}/pathway`.
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let achievement = match badge_of(&state, &staff, &id).await {
        Ok(a) => a,
        Err(response) => return response,
    };
    let notice = if done.saved.is_some() {
        Some("Saved the pathway: every badge awarded from now on is checked against it.".into())
    } else if done.removed.is_some() {
        Some("Removed the pathway. Badges and invitations already given stay.".into())
    } else {
        done.awarded.map(|n| match n {
            0 => "Nobody else qualifies now.".to_string(),
            1 => "One person completed the pathway now.".to_string(),
            n => format!("{n} people completed the pathway now."),
        })
    };
    let stored = match state.store.pathway(achievement.id).await {
        Ok(stored) => stored,
        Err(error) => return layout::error(&error.into()),
    };
    let input = match &stored {
        Some(p) => match pathways::stored_rule(p) {
            Ok(rule) => Some(PathwayInput {
                outcome: p.outcome.into(),
                rule,
                invitation_subject: p.invitation_subject.clone(),
                invitation_body: p.invitation_body.clone(),
            }),
            Err(error) => return layout::error(&error.into()),
        },
        None => None,
    };
    render(
        &state,
        &staff,
        &achievement,
        input.as_ref(),
        Mistakes::default(),
        notice,
        StatusCode::OK,
    )
    .await
}

/// `POST /console/achievements/{id}/pathway`: save, remove, or award everyone who qualifies.
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if !staff.check_csrf(&value("csrf")) {
        return csrf_rejected();
    }
    let achievement = match badge_of(&state, &staff, &id).await {
        Ok(a) => a,
        Err(response) => return response,
    };
    if !staff.may_change_issuer(achievement.issuer_id) {
        return layout::not_allowed(&staff, "Your account may not change this issuer's badges.");
    }
    let path = format!("/console/achievements/{}/pathway", achievement.id);
    match value("action").as_str() {
        "delete" => {
            if let Err(error) = pathways::delete(&state, achievement.id).await {
                return layout::error(&error.into());
            }
            audit(&state, &staff, &achievement, "pathway.delete").await;
            return Redirect::to(&format!("{path}?removed=1")).into_response();
        }
        "evaluate" => {
            let given = match pathways::evaluate_all(&state, achievement.id).await {
                Ok(given) => given,
                Err(error) => return layout::error(&error.into()),
            };
            audit(&state, &staff, &achievement, "pathway.evaluate").await;
            return Redirect::to(&format!("{path}?awarded={given}")).into_response();
        }
        "save" => {}
        _ => return layout::error(&HttpError::BadRequest("choose Save".into())),
    }
    let (input, mut mistakes) = read_form(&pairs);
    if mistakes.is_empty() {
        match pathways::check(&state, &achievement, &input).await {
            Ok(Ok(pathway)) => {
                if let Err(error) = state.store.set_pathway(&pathway).await {
                    return layout::error(&error.into());
                }
                audit(&state, &staff, &achievement, "pathway.update").await;
                return Redirect::to(&format!("{path}?saved=1")).into_response();
            }
            Ok(Err(refused)) => {
                for problem in refused.0 {
                    let field = if problem.invitation {
                        "invitation"
                    } else {
                        // The page shows the rule's groups in order, numbered from 1.
                        match problem.at.first() {
                            None => "g0",
                            Some(n) => GROUPS.get(*n).copied().unwrap_or("g0"),
                        }
                    };
                    mistakes.push((field, capitalised(&problem.message)));
                }
            }
            Err(error) => return layout::error(&error.into()),
        }
    }
    render(
        &state,
        &staff,
        &achievement,
        Some(&input),
        merge(mistakes),
        None,
        StatusCode::BAD_REQUEST,
    )
    .await
}

/// Several mistakes about one field become one message.
fn merge(list: Vec<(&'static str, String)>) -> Mistakes {
    let mut merged: Vec<(&'static str, String)> = Vec::new();
    for (field, message) in list {
        match merged.iter_mut().find(|(f, _)| *f == field) {
            Some((_, text)) => {
                text.push(' ');
                text.push_str(&message);
            }
            None => merged.push((field, message)),
        }
    }
    Mistakes::new(merged)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => {
            let text = format!("{}{}", first.to_uppercase(), chars.as_str());
            if text.ends_with('.') {
                text
            } else {
                format!("{text}.")
            }
        }
        None => String::new(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    staff: &Staff,
    achievement: &Achievement,
    input: Option<&PathwayInput>,
    errors: Mistakes,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let badges = match state
        .store
        .list_achievements(Some(achievement.issuer_id))
        .await
    {
        Ok(list) => list,
        Err(error) => return layout::error(&error.into()),
    };
    let stored = match pathways::get(state, achievement.id).await {
        Ok(stored) => stored,
        Err(error) => return layout::error(&error.into()),
    };
    let choices: Vec<(Uuid, String)> = badges
        .iter()
        .filter(|a| a.id != achievement.id)
        .map(|a| (a.id, a.name.clone()))
        .collect();
    let form = form_of(input, &choices);
    // Groups inside groups (set through the API) are more than this form edits: saving it
    // would drop them, so it is not offered.
    let too_deep = input.is_some_and(|i| {
        i.rule.steps.iter().any(|s| {
            s.group
                .as_ref()
                .is_some_and(|g| g.steps.iter().any(|inner| inner.group.is_some()))
        })
    });
    let unmet = match pathways::warnings(state, &[achievement.issuer_id]).await {
        Ok(list) => list
            .into_iter()
            .filter(|u| u.achievement_id == achievement.id)
            .collect(),
        Err(error) => return layout::error(&error.into()),
    };
    let invitations = match state.store.invitations(achievement.id).await {
        Ok(list) => list.iter().map(invitation_row).collect(),
        Err(error) => return layout::error(&error.into()),
    };
    let page = PathwayPage {
        layout: Layout::new(format!("Pathway: {}", achievement.name), Some(staff)),
        notice,
        badge: achievement.name.clone(),
        badge_url: format!("/console/achievements/{}", achievement.id),
        action: format!("/console/achievements/{}/pathway", achievement.id),
        summary: stored.map(|s| {
            let words = s.summary;
            match s.outcome {
                OutcomeName::Award => format!("Earned by holding {words}"),
                OutcomeName::Invite => format!("Invitation sent for holding {words}"),
            }
        }),
        form,
        errors,
        may_change: staff.may_change_issuer(achievement.issuer_id) && !too_deep,
        too_deep,
        unmet,
        invitations,
        public_url: state.urls.achievement(achievement.id),
        default_subject: DEFAULT_INVITATION_SUBJECT,
    };
    layout::respond(status, &page)
}

fn invitation_row(i: &Invitation) -> InvitationRow {
    let who = match &i.recipient_name {
        Some(name) => format!("{name} ({})", i.recipient_email),
        None => i.recipient_email.clone(),
    };
    let state = match i.state {
        laurel_store::NotificationState::Queued => "waiting to be sent".to_string(),
        laurel_store::NotificationState::Sending => "being sent".to_string(),
        laurel_store::NotificationState::Sent if i.dry_run => {
            "recorded, not sent (email is in dry mode)".to_string()
        }
        laurel_store::NotificationState::Sent => match i.sent_at {
            Some(at) => format!("sent on {}", layout::date(at)),
            None => "sent".to_string(),
        },
        laurel_store::NotificationState::Failed => format!(
            "not sent: {}",
            i.last_error.as_deref().unwrap_or("it failed")
        ),
    };
    InvitationRow { who, state }
}

async fn audit(state: &AppState, staff: &Staff, achievement: &Achievement, action: &str) {
    audit_log(
        state,
        Some(&staff.user),
        &staff.user.username,
        action,
        Some(achievement.id.to_string()),
        json!({ "badge": achievement.name }),
    )
    .await;
}
