//! `/console/awards`: find awards (by part of a name or email, badge, dates), open a
//! credential, revoke or suspend one with a reason, resend its email, and export what was found
//! as CSV for reporting.
//!
//! Administrators act on every award, issuer managers on their issuers' awards, viewers only
//! read. Every action needs the session's CSRF token and is written to the audit log.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use laurel_store::{AwardFilter, StatusChange};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::layout::{self, Choice, FieldErrors, Layout, date, query};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};
use laurel_service::lifecycle;

/// Awards per page.
const PAGE: u32 = 50;
/// The most rows one CSV export holds.
const MAX_EXPORT: u32 = 100_000;

/// The search form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct Search {
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
}

impl Search {
    /// The store filter, or what is wrong with a field (name, message).
    fn filter(&self, limit: u32) -> Result<AwardFilter, (&'static str, String)> {
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

    fn query_string(&self, offset: u32) -> String {
        query(&[
            ("q", self.q.clone()),
            ("achievement", self.achievement.clone()),
            ("from", self.from.clone()),
            ("until", self.until.clone()),
            ("offset", offset.to_string()),
        ])
    }
}

/// `GET /console/awards`.
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(search): Query<Search>,
) -> Response {
    match render(&state, &staff, &search, None, &NewAward::default()).await {
        Ok(response) => response,
        Err(error) => layout::error(&error),
    }
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
    let (status, field_error, rows, total) = match search.filter(PAGE) {
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
    let rows = rows
        .iter()
        .map(|award| AwardRow {
            id: award.id,
            name: award.recipient_name.clone().unwrap_or_default(),
            email: award.recipient_email.clone(),
            person_url: super::recipients::person_url(&award.recipient_email),
            badge: names
                .get(&award.achievement_id)
                .copied()
                .unwrap_or("")
                .to_string(),
            awarded: date(award.issued_at),
            state: state_of(award),
            url: state.urls.credential(award.id),
            may_act: staff.may_change_issuer(award.issuer_id) && award.revoked_at.is_none(),
        })
        .collect();
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
            total,
            noun: if total == 1 { "award" } else { "awards" },
            rows,
            next,
            page: PAGE,
        },
    ))
}

/// "revoked", "suspended" or "active".
fn state_of(award: &laurel_store::Award) -> &'static str {
    if award.revoked_at.is_some() {
        "revoked"
    } else if award.suspended_at.is_some() {
        "suspended"
    } else {
        "active"
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
    awarded: String,
    state: &'static str,
    url: String,
    /// Whether revoke, suspend and resend are offered.
    may_act: bool,
}

/// The award-by-hand form (`console/award_form.html`), with what was typed.
struct NewAwardForm<'a> {
    new: &'a NewAward,
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

/// `GET /console/awards.csv`: what the search finds, for reporting.
pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Query(search): Query<Search>,
) -> Response {
    let filter = match search.filter(MAX_EXPORT) {
        Ok(filter) => AwardFilter {
            offset: 0,
            ..filter
        },
        Err((_, message)) => return layout::error(&HttpError::BadRequest(message)),
    };
    let (awards, achievements) = match (
        scoped(&state, &staff, filter).await,
        state.store.list_achievements(None).await,
    ) {
        (Ok((awards, _)), Ok(achievements)) => (awards, achievements),
        (Err(error), _) => return layout::error(&error),
        (_, Err(error)) => return layout::error(&error.into()),
    };
    let names: std::collections::HashMap<Uuid, &str> = achievements
        .iter()
        .map(|a| (a.id, a.name.as_str()))
        .collect();
    let mut out = String::from(
        "recipient_name,recipient_email,badge,awarded,credits_earned,state,credential_url\r\n",
    );
    for award in &awards {
        let credits = serde_json::from_str::<Value>(&award.credential)
            .ok()
            .and_then(|c| c.pointer("/credentialSubject/creditsEarned").cloned())
            .map(|v| v.to_string())
            .unwrap_or_default();
        let state_text = state_of(award);
        let fields = [
            award.recipient_name.clone().unwrap_or_default(),
            award.recipient_email.clone(),
            names
                .get(&award.achievement_id)
                .copied()
                .unwrap_or("")
                .to_string(),
            award.issued_at.format("%Y-%m-%d").to_string(),
            credits,
            state_text.to_string(),
            state.urls.credential(award.id),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    layout::csv(out, "awards.csv")
}

/// One CSV field, always quoted (so a `;` or a tab cannot split it in a spreadsheet that
/// reads another separator), with a leading `=`, `+`, `-`, `@`, tab or carriage return
/// neutralised so a spreadsheet never runs a recipient's name as a formula.
pub(crate) fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// An action form's fields.
#[derive(Debug, Deserialize)]
pub struct Action {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /console/awards/{id}/revoke`, `/suspend` and `/notify`.
pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<Action>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    match try_act(&state, &staff, &id, &action, form.reason.trim()).await {
        Ok(done) => match render(
            &state,
            &staff,
            &Search::default(),
            Some(&done),
            &NewAward::default(),
        )
        .await
        {
            Ok(response) => response,
            Err(error) => layout::error(&error),
        },
        Err(error) => layout::error(&error),
    }
}

async fn try_act(
    state: &AppState,
    staff: &Staff,
    id: &str,
    action: &str,
    reason: &str,
) -> Result<String, HttpError> {
    let id = Uuid::parse_str(id).map_err(|_| HttpError::not_found("award", Uuid::nil()))?;
    let award = state
        .store
        .award(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "award", id))?;
    if !staff.may_change_issuer(award.issuer_id) {
        return Err(HttpError::Forbidden(
            "your account may not change this award".into(),
        ));
    }
    let who = award.recipient_email.clone();
    let message = match action {
        "revoke" | "suspend" if reason.is_empty() => {
            return Err(HttpError::BadRequest(
                "give a reason: it is shown on the credential's page".into(),
            ));
        }
        "revoke" => {
            let change = lifecycle::revoke(state, &[id], reason).await?;
            match change.first() {
                Some(StatusChange::Changed(_)) => format!("Revoked the award of {who}."),
                _ => format!("The award of {who} was revoked already."),
            }
        }
        "suspend" => match lifecycle::suspend(state, id, Some(reason)).await? {
            StatusChange::Changed(_) => format!("Suspended the award of {who}."),
            _ => format!("The award of {who} was suspended already."),
        },
        "notify" => {
            if state.store.email_settings(award.issuer_id).await?.is_none() {
                return Err(HttpError::Conflict(
                    "this issuer has no email settings yet".into(),
                ));
            }
            state
                .store
                .queue_notifications(&[id], state.clock.now())
                .await?;
            state.outbox.wake();
            format!("Queued the email to {who}.")
        }
        _ => return Err(HttpError::NotFound("no such action".into())),
    };
    audit_log(
        state,
        Some(&staff.user),
        &staff.user.username,
        &format!("award.{action}"),
        Some(id.to_string()),
        json!({ "recipient": who, "reason": (!reason.is_empty()).then_some(reason) }),
    )
    .await;
    Ok(message)
}

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
    #[serde(default)]
    notify: Option<String>,
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
    let outcome = try_create(&state, &staff, &form).await;
    let (notice, error) = match outcome {
        Ok(message) => (Some(message), None),
        Err(CreateError::Field(field, message)) => (None, Some((field, message))),
        Err(CreateError::Other(error)) => return layout::error(&error),
    };
    let new = if error.is_some() {
        form.error = error;
        form
    } else {
        NewAward::default()
    };
    match render(&state, &staff, &Search::default(), notice.as_deref(), &new).await {
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

async fn try_create(
    state: &AppState,
    staff: &Staff,
    form: &NewAward,
) -> Result<String, CreateError> {
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
    let recipient = laurel_service::mint::Recipient {
        email: email.clone(),
        name: (!name.is_empty()).then(|| name.to_string()),
        narrative: None,
        evidence: Vec::new(),
        activity_start_date: None,
        activity_end_date: None,
        result: None,
        credits_earned: None,
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
            format!("Awarded “{}” to {email}.", achievement.name)
        }
        laurel_service::mint::Outcome::Existing(_) => {
            format!(
                "{email} already has “{}”: nothing was changed.",
                achievement.name
            )
        }
        laurel_service::mint::Outcome::Failed(error) => return Err(error.into()),
    };
    Ok(message)
}
