//! `/console/awards`: find awards (by part of a name or email, badge, dates), see each
//! recipient's email delivery and each revocation's reason and date, award a badge by hand,
//! and reach the actions (revoke and suspend behind a confirmation, resend: see
//! [`super::award_actions`]) and the CSV export ([`super::reports`]).
//!
//! Administrators act on every award, issuer managers on their issuers' awards, viewers only
//! read. The search's filters travel with every action, so the table comes back as it was.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use laurel_store::AwardFilter;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::email::DeliveryView;
use super::layout::{self, Choice, FieldErrors, Layout, date, query};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};

/// Awards per page.
const PAGE: u32 = 50;

/// The search form's fields, and what an action just did (after its redirect).
#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    pub(crate) q: String,
    #[serde(default)]
    pub(crate) achievement: String,
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) until: String,
    #[serde(default)]
    pub(crate) offset: u32,
    /// The action just done (`revoke`, `suspend`, `unsuspend`, `notify`, `award`), with
    /// `already` when nothing had to change.
    #[serde(default)]
    pub(crate) done: String,
    /// The award it was done to.
    #[serde(default)]
    pub(crate) award: String,
}

impl Search {
    /// The store filter, or what is wrong with a field (name, message).
    pub(crate) fn filter(&self, limit: u32) -> Result<AwardFilter, (&'static str, String)> {
        let day = |field: &'static str,
                   text: &str|
         -> Result<Option<DateTime<Utc>>, (&'static str, String)> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| Some(d.and_utc()))
                .ok_or((field, format!("“{text}” is not a date such as 2026-03-01.")))
        };
        let achievement_id = match self.achievement.trim() {
            "" => None,
            text => Some(
                Uuid::parse_str(text)
                    .map_err(|_| ("achievement", "Choose a badge from the list.".to_string()))?,
            ),
        };
        let until = day("until", &self.until)?.map(|d| d + chrono::Duration::days(1));
        Ok(AwardFilter {
            achievement_id,
            recipient_contains: Some(self.q.trim().to_string()).filter(|q| !q.is_empty()),
            issued_from: day("from", &self.from)?,
            issued_until: until,
            limit,
            offset: self.offset,
            ..AwardFilter::default()
        })
    }

    /// The filters as a query string (without what was just done).
    pub(crate) fn query_string(&self, offset: u32) -> String {
        query(&self.pairs(offset))
    }

    /// The filters as (name, value) pairs, for hidden fields and query strings.
    pub(crate) fn pairs(&self, offset: u32) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("achievement", self.achievement.clone()),
            ("from", self.from.clone()),
            ("until", self.until.clone()),
            ("offset", offset.to_string()),
        ]
    }
}

/// `GET /console/awards`.
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(search): Query<Search>,
) -> Response {
    let notice = match done_notice(&state, &search).await {
        Ok(notice) => notice,
        Err(error) => return layout::error(&error),
    };
    match render(
        &state,
        &staff,
        &search,
        notice.as_deref(),
        &NewAward::default(),
    )
    .await
    {
        Ok(response) => response,
        Err(error) => layout::error(&error),
    }
}

/// What the action just done (named in the query after its redirect) says.
async fn done_notice(state: &AppState, search: &Search) -> Result<Option<String>, HttpError> {
    action_notice(state, &search.done, &search.award).await
}

/// What the action `done` on the award `award` (both named in the query after its redirect)
/// says; the awards table and a person's page show it alike.
pub(super) async fn action_notice(
    state: &AppState,
    done: &str,
    award: &str,
) -> Result<Option<String>, HttpError> {
    if done.is_empty() {
        return Ok(None);
    }
    let Ok(id) = Uuid::parse_str(award.trim()) else {
        return Ok(None);
    };
    let Ok(award) = state.store.award(id).await else {
        return Ok(None);
    };
    let who = award.recipient_email;
    let badge = state
        .store
        .achievement(award.achievement_id)
        .await
        .map(|a| a.name)
        .unwrap_or_default();
    Ok(Some(match done {
        "revoke" => format!("Revoked the award of “{badge}” to {who}."),
        "revoke-already" => format!("The award of “{badge}” to {who} was revoked already."),
        "suspend" => format!("Suspended the award of “{badge}” to {who}."),
        "suspend-already" => format!("The award of “{badge}” to {who} was suspended already."),
        "unsuspend" => format!("Lifted the suspension of “{badge}” for {who}."),
        "unsuspend-already" => format!("The award of “{badge}” to {who} was not suspended."),
        "notify" => format!("Queued the email to {who}."),
        "notify-already" => format!("The email to {who} is on its way already."),
        "claim-link" => format!("Queued an email to {who} with a fresh wallet link."),
        "claim-link-already" => {
            format!("The email to {who} is on its way already; it carries a fresh wallet link.")
        }
        "award" => format!("Awarded “{badge}” to {who}."),
        "award-already" => format!("{who} already has “{badge}”: nothing was changed."),
        _ => return Ok(None),
    }))
}

async fn render(
    state: &AppState,
    staff: &Staff,
    search: &Search,
    notice: Option<&str>,
    new: &NewAward,
) -> Result<Response, HttpError> {
    let achievements: Vec<_> = state
        .store
        .list_achievements(None)
        .await?
        .into_iter()
        .filter(|a| staff.may_see(a.issuer_id))
        .collect();
    let award_form = NewAwardForm::new(staff, &achievements, new);
    let (status, field_error, found, total) = match search.filter(PAGE) {
        Ok(filter) => {
            let (awards, total) = scoped(state, staff, filter).await?;
            (StatusCode::OK, None, awards, total)
        }
        Err((field, message)) => (
            StatusCode::BAD_REQUEST,
            Some((field, message)),
            Vec::new(),
            0,
        ),
    };
    let badges = achievements
        .iter()
        .map(|a| {
            Choice::new(
                a.id,
                a.name.clone(),
                a.id.to_string() == search.achievement.trim(),
            )
        })
        .collect();
    let names: std::collections::HashMap<Uuid, &str> = achievements
        .iter()
        .map(|a| (a.id, a.name.as_str()))
        .collect();
    // Badges earned through a pathway, whose awards may no longer meet it.
    let pathway_badges: std::collections::HashSet<Uuid> = state
        .store
        .pathways(None)
        .await?
        .iter()
        .filter(|p| p.outcome == laurel_store::PathwayOutcome::Award)
        .map(|p| p.achievement_id)
        .collect();
    let mut rows = Vec::with_capacity(found.len());
    for award in &found {
        let pathway_unmet = if pathway_badges.contains(&award.achievement_id) {
            laurel_service::pathways::unmet_for_award(state, award)
                .await?
                .map(|unmet| unmet.reasons.join("; "))
        } else {
            None
        };
        let notification = state.store.notification(award.id).await?;
        let may_change = staff.may_change_issuer(award.issuer_id);
        let delivery = DeliveryView::of(notification.as_ref());
        rows.push(AwardRow {
            id: award.id,
            name: award.recipient_name.clone().unwrap_or_default(),
            email: award.recipient_email.clone(),
            person_url: super::recipients::person_url(&award.recipient_email),
            badge: names
                .get(&award.achievement_id)
                .copied()
                .unwrap_or("")
                .to_string(),
            role: award.role.clone().unwrap_or_default(),
            awarded: date(award.issued_at),
            state: state_of(award),
            status_detail: status_detail(award),
            url: state.urls.credential(award.id),
            may_act: may_change && award.revoked_at.is_none(),
            may_unsuspend: may_change && award.revoked_at.is_none() && award.suspended_at.is_some(),
            may_resend: may_change && award.revoked_at.is_none() && delivery.resendable,
            delivery,
            pathway_unmet,
        });
    }
    let next = (u64::from(search.offset) + u64::from(PAGE) < total)
        .then(|| search.query_string(search.offset + PAGE));
    let status = if new.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    Ok(layout::respond(
        status,
        &AwardsPage {
            layout: Layout::new("Awards", Some(staff)),
            notice,
            award_form,
            search,
            badges,
            errors: FieldErrors::new(field_error.as_ref()),
            export: search.query_string(0),
            filters: search.pairs(search.offset),
            total,
            noun: if total == 1 { "award" } else { "awards" },
            rows,
            next,
            page: PAGE,
        },
    ))
}

/// "revoked", "suspended" or "active".
pub(crate) fn state_of(award: &laurel_store::Award) -> &'static str {
    if award.revoked_at.is_some() {
        "revoked"
    } else if award.suspended_at.is_some() {
        "suspended"
    } else {
        "active"
    }
}

/// "Revoked 4 December 2026: reason" (or suspended), empty for an active award.
fn status_detail(award: &laurel_store::Award) -> String {
    let detail = |what: &str, at: DateTime<Utc>, reason: Option<&str>| match reason {
        Some(reason) if !reason.trim().is_empty() => format!("{what} {}: {reason}", date(at)),
        _ => format!("{what} {}", date(at)),
    };
    if let Some(at) = award.revoked_at {
        detail("Revoked", at, award.revocation_reason.as_deref())
    } else if let Some(at) = award.suspended_at {
        detail("Suspended", at, award.suspension_reason.as_deref())
    } else {
        String::new()
    }
}

/// `console/awards.html`.
#[derive(Template)]
#[template(path = "console/awards.html")]
struct AwardsPage<'a> {
    layout: Layout,
    notice: Option<&'a str>,
    /// The award-by-hand form, for those who may award a badge.
    award_form: Option<NewAwardForm<'a>>,
    search: &'a Search,
    badges: Vec<Choice>,
    errors: FieldErrors,
    /// The query string of this search, for the CSV export.
    export: String,
    /// The search's filters, carried by every action's form.
    filters: Vec<(&'static str, String)>,
    total: u64,
    noun: &'static str,
    rows: Vec<AwardRow>,
    /// The query string of the next page, if there is one.
    next: Option<String>,
    page: u32,
}

/// One award found.
struct AwardRow {
    id: Uuid,
    name: String,
    email: String,
    /// The recipient's page in the console.
    person_url: String,
    badge: String,
    /// The recipient's role, empty when none.
    role: String,
    awarded: String,
    state: &'static str,
    /// When and why it was revoked or suspended.
    status_detail: String,
    url: String,
    /// Whether revoke and suspend are offered.
    may_act: bool,
    /// Whether lifting a suspension is offered.
    may_unsuspend: bool,
    /// Whether "Resend" is offered.
    may_resend: bool,
    delivery: DeliveryView,
    /// Earned through a pathway whose requirements no longer hold: why, in words.
    pathway_unmet: Option<String>,
}

/// A message with its first letter capitalised, as the console writes sentences.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The award-by-hand form (`console/award_form.html`), with what was typed.
struct NewAwardForm<'a> {
    new: &'a NewAward,
    /// The roles offered as suggestions (any other words may be typed).
    roles: [&'static str; 4],
    badges: Vec<Choice>,
    errors: FieldErrors,
    notify: bool,
}

impl<'a> NewAwardForm<'a> {
    /// The form, if `staff` may award any of `achievements`.
    fn new(
        staff: &Staff,
        achievements: &[laurel_store::Achievement],
        new: &'a NewAward,
    ) -> Option<Self> {
        let badges: Vec<Choice> = achievements
            .iter()
            .filter(|a| staff.may_change_issuer(a.issuer_id))
            .map(|a| Choice::new(a.id, a.name.clone(), a.id.to_string() == new.achievement))
            .collect();
        (!badges.is_empty()).then(|| NewAwardForm {
            new,
            roles: laurel_core::model::KNOWN_ROLES,
            badges,
            errors: FieldErrors::prefixed(new.error.as_ref(), "new-"),
            notify: new.error.is_none() || new.notify.is_some(),
        })
    }
}

/// The awards `filter` finds among those `staff` may see, and how many there are: none at
/// all for a manager of no issuer.
pub async fn scoped(
    state: &AppState,
    staff: &Staff,
    filter: AwardFilter,
) -> Result<(Vec<laurel_store::Award>, u64), HttpError> {
    let Some(issuer_ids) = staff.issuer_filter() else {
        return Ok((Vec::new(), 0));
    };
    Ok(state
        .store
        .list_awards(&AwardFilter {
            issuer_ids,
            ..filter
        })
        .await?)
}

pub(crate) use super::reports::csv_field;

/// The award-by-hand form's fields (and, shown again, what was typed).
#[derive(Debug, Default, Deserialize)]
pub struct NewAward {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    achievement: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    /// The recipient's role (participant, mentor, instructor, presenter or own words).
    #[serde(default)]
    role: String,
    #[serde(default)]
    notify: Option<String>,
    /// Ticked: the name is not signed into this credential, whatever the issuer's setting.
    #[serde(default)]
    leave_name_out: Option<String>,
    /// The field at fault and why (set when the form is shown again).
    #[serde(skip)]
    error: Option<(&'static str, String)>,
}

/// `POST /console/awards/new`: awards a badge to one person.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(mut form): Form<NewAward>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    match try_create(&state, &staff, &form).await {
        // Post/redirect/get: reloading the page awards nothing twice.
        Ok((done, id)) => {
            return Redirect::to(&format!("/console/awards?done={done}&award={id}"))
                .into_response();
        }
        Err(CreateError::Field(field, message)) => form.error = Some((field, message)),
        Err(CreateError::Other(error)) => return layout::error(&error),
    }
    match render(&state, &staff, &Search::default(), None, &form).await {
        Ok(response) => response,
        Err(error) => layout::error(&error),
    }
}

enum CreateError {
    Field(&'static str, String),
    Other(HttpError),
}

impl From<HttpError> for CreateError {
    fn from(error: HttpError) -> Self {
        CreateError::Other(error)
    }
}

impl From<laurel_service::ServiceError> for CreateError {
    fn from(error: laurel_service::ServiceError) -> Self {
        CreateError::Other(error.into())
    }
}

/// What was done (`award`, or `award-already`) and to which award.
async fn try_create(
    state: &AppState,
    staff: &Staff,
    form: &NewAward,
) -> Result<(&'static str, Uuid), CreateError> {
    let achievement_id = Uuid::parse_str(form.achievement.trim())
        .map_err(|_| CreateError::Field("achievement", "Choose a badge.".into()))?;
    let achievement = state
        .store
        .achievement(achievement_id)
        .await
        .map_err(|_| CreateError::Field("achievement", "Choose a badge.".into()))?;
    if !staff.may_change_issuer(achievement.issuer_id) {
        return Err(CreateError::Other(HttpError::Forbidden(
            "your account may not award this badge".into(),
        )));
    }
    let email = laurel_service::mint::recipient_email(&form.email)
        .map_err(|e| CreateError::Field("email", format!("{e}.")))?;
    let name = form.name.trim();
    if name.chars().count() > 500 {
        return Err(CreateError::Field("name", "At most 500 characters.".into()));
    }
    let role = laurel_core::model::check_role(&form.role)
        .map_err(|e| CreateError::Field("role", format!("{}.", capitalised(&e.to_string()))))?;
    let recipient = laurel_service::mint::Recipient {
        email: email.clone(),
        name: (!name.is_empty()).then(|| name.to_string()),
        include_name: form.leave_name_out.is_some().then_some(false),
        narrative: None,
        evidence: Vec::new(),
        activity_start_date: None,
        activity_end_date: None,
        result: None,
        credits_earned: None,
        role,
        awarded_date: None,
    };
    let notify = form.notify.is_some();
    let outcome = laurel_service::mint::award(state, achievement.id, vec![Ok(recipient)], notify)
        .await?
        .pop()
        .ok_or_else(|| HttpError::Internal("no outcome for one award".into()))?;
    let message = match outcome {
        laurel_service::mint::Outcome::Created(award) => {
            audit_log(
                state,
                Some(&staff.user),
                &staff.user.username,
                "award.create",
                Some(award.id.to_string()),
                json!({ "recipient": email, "achievement": achievement.name, "notify": notify }),
            )
            .await;
            ("award", award.id)
        }
        laurel_service::mint::Outcome::Existing(award) => ("award-already", award.id),
        laurel_service::mint::Outcome::Failed(error) => return Err(error.into()),
    };
    Ok(message)
}
