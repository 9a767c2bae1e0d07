//! `/console/awards`: find awards (by part of a name or email, badge, dates), open a
//! credential, revoke or suspend one with a reason, resend its email, and export what was found
//! as CSV for reporting.
//!
//! Administrators act on every award, issuer managers on their issuers' awards, viewers only
//! read. Every action needs the session's CSRF token and is written to the audit log.

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use laurel_store::{AwardFilter, StatusChange};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::session::Staff;
use super::{audit_log, forged, pages};
use crate::pages::html::{date, esc, query};
use crate::{ApiError, AppState};
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
        Err(error) => pages::error(&error),
    }
}

async fn render(
    state: &AppState,
    staff: &Staff,
    search: &Search,
    notice: Option<&str>,
    new: &NewAward,
) -> Result<Response, ApiError> {
    let achievements: Vec<_> = state
        .store
        .list_achievements(None)
        .await?
        .into_iter()
        .filter(|a| staff.may_see(a.issuer_id))
        .collect();
    let award_form = new_award_form(staff, &achievements, new);
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
    let error_for = |field: &str| match &field_error {
        Some((f, message)) if *f == field => (
            format!(
                r#"<span class="error" id="{field}-error">{}</span>"#,
                esc(message)
            ),
            format!(r#" aria-invalid="true" aria-describedby="{field}-error""#),
        ),
        _ => (String::new(), String::new()),
    };
    let (from_error, from_attr) = error_for("from");
    let (until_error, until_attr) = error_for("until");
    let (badge_error, badge_attr) = error_for("achievement");
    let options: String = achievements
        .iter()
        .map(|a| {
            let selected = if a.id.to_string() == search.achievement.trim() {
                " selected"
            } else {
                ""
            };
            format!(
                r#"<option value="{}"{selected}>{}</option>"#,
                a.id,
                esc(&a.name)
            )
        })
        .collect();
    let names: std::collections::HashMap<Uuid, &str> = achievements
        .iter()
        .map(|a| (a.id, a.name.as_str()))
        .collect();
    let csrf = esc(&staff.session.csrf_token);
    let table: String = rows
        .iter()
        .map(|award| {
            let state_text = if award.revoked_at.is_some() {
                "revoked"
            } else if award.suspended_at.is_some() {
                "suspended"
            } else {
                "active"
            };
            let actions = if staff.may_change_issuer(award.issuer_id) && award.revoked_at.is_none() {
                format!(
                    r#"<form method="post" action="/console/awards/{id}/revoke" class="inline">
<input type="hidden" name="csrf" value="{csrf}">
<label for="reason-{id}" class="muted">Reason</label> <input id="reason-{id}" name="reason" required maxlength="1000">
<button type="submit" name="action" value="revoke">Revoke</button>
<button type="submit" name="action" value="suspend" formaction="/console/awards/{id}/suspend">Suspend</button>
</form>
<form method="post" action="/console/awards/{id}/notify" class="inline">
<input type="hidden" name="csrf" value="{csrf}"><button type="submit">Resend email</button></form>"#,
                    id = award.id
                )
            } else {
                String::new()
            };
            format!(
                r#"<tr id="award-{id}"><td>{name}</td><td>{email}</td><td>{badge}</td><td>{awarded}</td><td>{state_text}</td><td><a href="{url}">Open</a></td><td>{actions}</td></tr>
"#,
                id = award.id,
                name = esc(award.recipient_name.as_deref().unwrap_or("")),
                email = esc(&award.recipient_email),
                badge = esc(names.get(&award.achievement_id).copied().unwrap_or("")),
                awarded = date(award.issued_at),
                url = esc(&state.urls.credential(award.id)),
            )
        })
        .collect();
    let more = if u64::from(search.offset) + u64::from(PAGE) < total {
        format!(
            r#"<p><a href="/console/awards?{}">Next {PAGE}</a></p>"#,
            esc(&search.query_string(search.offset + PAGE))
        )
    } else {
        String::new()
    };
    let notice = pages::notice(notice);
    let status = if new.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let body = format!(
        r#"{notice}{award_form}<h2>Find awards</h2>
<form method="get" action="/console/awards">
<p><label for="q">Name or email contains</label><br><input id="q" name="q" value="{q}"></p>
<p><label for="achievement">Badge</label><br><select id="achievement" name="achievement"{badge_attr}><option value="">Any</option>{options}</select> {badge_error}</p>
<p><label for="from">Awarded from</label><br><input id="from" name="from" placeholder="2026-01-31" value="{from}"{from_attr}> {from_error}</p>
<p><label for="until">Awarded until</label><br><input id="until" name="until" placeholder="2026-12-31" value="{until}"{until_attr}> {until_error}</p>
<p><button type="submit">Search</button> <a href="/console/awards.csv?{export}">Export these as CSV</a></p>
</form>
<p id="found">{total} {noun} found.</p>
<table><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Badge</th><th scope="col">Awarded</th><th scope="col">State</th><th scope="col">Credential</th><th scope="col">Actions</th></tr></thead>
<tbody>
{table}</tbody></table>
{more}"#,
        noun = if total == 1 { "award" } else { "awards" },
        q = esc(&search.q),
        from = esc(&search.from),
        until = esc(&search.until),
        export = esc(&search.query_string(0)),
    );
    Ok(pages::respond(
        status,
        pages::page("Awards", Some(staff), &body),
    ))
}

/// The awards `filter` finds among those `staff` may see, and how many there are: none at
/// all for a manager of no issuer.
pub async fn scoped(
    state: &AppState,
    staff: &Staff,
    filter: AwardFilter,
) -> Result<(Vec<laurel_store::Award>, u64), ApiError> {
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
        Err((_, message)) => return pages::error(&ApiError::BadRequest(message)),
    };
    let (awards, achievements) = match (
        scoped(&state, &staff, filter).await,
        state.store.list_achievements(None).await,
    ) {
        (Ok((awards, _)), Ok(achievements)) => (awards, achievements),
        (Err(error), _) => return pages::error(&error),
        (_, Err(error)) => return pages::error(&error.into()),
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
        let state_text = if award.revoked_at.is_some() {
            "revoked"
        } else if award.suspended_at.is_some() {
            "suspended"
        } else {
            "active"
        };
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
    pages::csv(out, "awards.csv")
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
        return forged();
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
            Err(error) => pages::error(&error),
        },
        Err(error) => pages::error(&error),
    }
}

async fn try_act(
    state: &AppState,
    staff: &Staff,
    id: &str,
    action: &str,
    reason: &str,
) -> Result<String, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found("award", Uuid::nil()))?;
    let award = state
        .store
        .award(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "award", id))?;
    if !staff.may_change_issuer(award.issuer_id) {
        return Err(ApiError::Forbidden(
            "your account may not change this award".into(),
        ));
    }
    let who = award.recipient_email.clone();
    let message = match action {
        "revoke" | "suspend" if reason.is_empty() => {
            return Err(ApiError::BadRequest(
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
                return Err(ApiError::Conflict(
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
        _ => return Err(ApiError::NotFound("no such action".into())),
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

fn new_award_form(
    staff: &Staff,
    achievements: &[laurel_store::Achievement],
    new: &NewAward,
) -> String {
    let mine: Vec<&laurel_store::Achievement> = achievements
        .iter()
        .filter(|a| staff.may_change_issuer(a.issuer_id))
        .collect();
    if mine.is_empty() {
        return String::new();
    }
    let error_for = |field: &str| match &new.error {
        Some((f, message)) if *f == field => (
            format!(
                r#"<span class="error" id="new-{field}-error">{}</span>"#,
                esc(message)
            ),
            format!(r#" aria-invalid="true" aria-describedby="new-{field}-error""#),
        ),
        _ => (String::new(), String::new()),
    };
    let (badge_error, badge_attr) = error_for("achievement");
    let (email_error, email_attr) = error_for("email");
    let (name_error, name_attr) = error_for("name");
    let options: String = mine
        .iter()
        .map(|a| {
            let selected = if a.id.to_string() == new.achievement {
                " selected"
            } else {
                ""
            };
            format!(
                r#"<option value="{}"{selected}>{}</option>"#,
                a.id,
                esc(&a.name)
            )
        })
        .collect();
    let notify = if new.error.is_some() && new.notify.is_none() {
        ""
    } else {
        " checked"
    };
    format!(
        r#"<h2>Award by hand</h2>
<form method="post" action="/console/awards/new" id="award-form">
<input type="hidden" name="csrf" value="{csrf}">
<p><label for="new-achievement">Badge</label><br><select id="new-achievement" name="achievement"{badge_attr}>{options}</select> {badge_error}</p>
<p><label for="new-email">Recipient's email</label><br><input id="new-email" name="email" type="email" required value="{email}"{email_attr}> {email_error}</p>
<p><label for="new-name">Recipient's name (shown on the badge page)</label><br><input id="new-name" name="name" value="{name}"{name_attr}> {name_error}</p>
<p><label><input type="checkbox" name="notify" value="yes"{notify}> Email the recipient</label></p>
<p><button type="submit">Award</button></p>
</form>"#,
        csrf = esc(&staff.session.csrf_token),
        email = esc(&new.email),
        name = esc(&new.name),
    )
}

/// `POST /console/awards/new`: awards a badge to one person.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(mut form): Form<NewAward>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return forged();
    }
    let outcome = try_create(&state, &staff, &form).await;
    let (notice, error) = match outcome {
        Ok(message) => (Some(message), None),
        Err(CreateError::Field(field, message)) => (None, Some((field, message))),
        Err(CreateError::Other(error)) => return pages::error(&error),
    };
    let new = if error.is_some() {
        form.error = error;
        form
    } else {
        NewAward::default()
    };
    match render(&state, &staff, &Search::default(), notice.as_deref(), &new).await {
        Ok(response) => response,
        Err(error) => pages::error(&error),
    }
}

enum CreateError {
    Field(&'static str, String),
    Other(ApiError),
}

impl From<ApiError> for CreateError {
    fn from(error: ApiError) -> Self {
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
        return Err(CreateError::Other(ApiError::Forbidden(
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
        .ok_or_else(|| ApiError::Internal("no outcome for one award".into()))?;
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
