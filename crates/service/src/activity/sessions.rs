//! Sessions (events) and series: checks of their input, shared by the admin API and the
//! console so both refuse the same things in the same words; and editing a session, which
//! settles its award rules again.
//!
//! An edit that can change who qualifies (its start, length, format or series) evaluates the
//! rules that name the session or its old or new series, before and after: whoever qualifies
//! now and has no credential is awarded through the one award path ([`rules::mint`]); nobody
//! loses a credential (an edit never revokes), and those already awarded who would no longer
//! qualify are counted, so staff are told their badges are kept.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use laurel_store::{Event, EventFormat};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::activity::rules::{self, Minted, Scope};
use crate::{Service, ServiceError, ServiceResult};

/// The longest session accepted, in minutes (a week).
pub const MAX_DURATION_MINUTES: u32 = 7 * 24 * 60;

/// A series must exist and belong to the event's issuer.
pub async fn check_series(service: &Service, id: Uuid, issuer_id: Uuid) -> ServiceResult<()> {
    let series = service
        .store
        .series(id)
        .await
        .map_err(|error| match error {
            laurel_store::StoreError::NotFound => {
                ServiceError::Invalid(format!("series_id: no series with id {id}"))
            }
            other => other.into(),
        })?;
    if series.issuer_id != issuer_id {
        // As if missing: a token limited to some issuers learns nothing of the others' ids.
        return Err(ServiceError::Invalid(format!(
            "series_id: no series with id {id}"
        )));
    }
    Ok(())
}

/// An RFC 3339 date-time with its offset, as UTC.
pub fn instant(field: &str, text: &str) -> ServiceResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| {
            ServiceError::Invalid(format!(
                "{field} must be an RFC 3339 date-time with its offset, such as 2026-03-10T14:00:00Z or 2026-03-10T09:00:00-05:00, got {text:?}"
            ))
        })
}

/// A session's length in minutes, within bounds.
pub fn duration(minutes: u32) -> ServiceResult<u32> {
    if (1..=MAX_DURATION_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(ServiceError::Invalid(format!(
            "duration_minutes must be between 1 and {MAX_DURATION_MINUTES}, got {minutes}"
        )))
    }
}

/// A session's format: `online` (the default) or `in_person`.
pub fn format(name: Option<&str>) -> ServiceResult<EventFormat> {
    match name.map(str::trim) {
        None => Ok(EventFormat::Online),
        Some(name) => EventFormat::parse(name).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "format must be \"online\" or \"in_person\", got {name:?}"
            ))
        }),
    }
}

/// What an edit did.
#[derive(Debug, Clone)]
pub struct Edited {
    /// The session as stored now.
    pub event: Event,
    /// Each field that changed, as `{"field": {"from": .., "to": ..}}` (for the audit log).
    pub changes: Map<String, Value>,
    /// Whether the award rules were evaluated again (the start, length, format or series
    /// changed).
    pub evaluated: bool,
    /// What evaluating awarded, per achievement.
    pub awards: Vec<Minted>,
    /// People already awarded by a rule that names the session or its series who would not
    /// qualify under the new details: their badges are kept.
    pub kept: usize,
}

impl Edited {
    /// Credentials minted by the edit.
    pub fn awarded(&self) -> usize {
        self.awards.iter().map(|minted| minted.created).sum()
    }
}

/// Stores `after` in place of `before` (the same session, checked by the caller: a new series
/// with [`check_series`]) and settles the rules it touches.
pub async fn edit(service: &Service, before: &Event, after: Event) -> ServiceResult<Edited> {
    let changes = changes(before, &after);
    let evaluated = before.series_id != after.series_id
        || before.starts_at != after.starts_at
        || before.duration_minutes != after.duration_minutes
        || before.format != after.format;
    let qualified_before = if evaluated {
        qualified(service, &scopes(before, &after)).await?.0
    } else {
        HashMap::new()
    };
    service
        .store
        .update_event(&after)
        .await
        .map_err(|error| ServiceError::from_store(error, "event", after.id))?;
    let mut edited = Edited {
        event: after,
        changes,
        evaluated,
        awards: Vec::new(),
        kept: 0,
    };
    if !evaluated {
        return Ok(edited);
    }
    let (qualified_after, plans) = qualified(service, &scopes(&edited.event, before)).await?;
    edited.awards = rules::mint(service, plans).await?;
    for (achievement_id, was) in qualified_before {
        let empty = HashSet::new();
        let now = qualified_after.get(&achievement_id).unwrap_or(&empty);
        let lost: Vec<String> = was.difference(now).cloned().collect();
        if !lost.is_empty() {
            edited.kept += service
                .store
                .awards_for(achievement_id, &lost)
                .await?
                .iter()
                .filter(|award| award.revoked_at.is_none())
                .count();
        }
    }
    Ok(edited)
}

/// What the rules of `event` see, with the series of `other` (the same session before or after
/// the edit) too when it differs: a session leaving a series changes that series' rules.
fn scopes(event: &Event, other: &Event) -> Vec<Scope> {
    let mut scopes = vec![Scope::Event(event.clone())];
    if let Some(series_id) = other.series_id.filter(|id| Some(*id) != event.series_id) {
        scopes.push(Scope::Series {
            issuer_id: event.issuer_id,
            series_id,
        });
    }
    scopes
}

/// Per achievement the scopes touch, who qualifies now; and the plans (each achievement once).
async fn qualified(
    service: &Service,
    scopes: &[Scope],
) -> ServiceResult<(HashMap<Uuid, HashSet<String>>, Vec<rules::Plan>)> {
    let mut by_achievement = HashMap::new();
    let mut plans = Vec::new();
    for scope in scopes {
        for plan in rules::plan(service, scope, &[]).await? {
            if by_achievement.contains_key(&plan.achievement.id) {
                continue;
            }
            by_achievement.insert(
                plan.achievement.id,
                plan.qualified_emails.iter().cloned().collect(),
            );
            plans.push(plan);
        }
    }
    Ok((by_achievement, plans))
}

/// The fields that differ between two versions of a session.
pub fn changes(before: &Event, after: &Event) -> Map<String, Value> {
    let mut changes = Map::new();
    let mut note = |field: &str, from: Value, to: Value| {
        if from != to {
            changes.insert(field.into(), json!({ "from": from, "to": to }));
        }
    };
    note("title", json!(before.title), json!(after.title));
    note("starts_at", json!(before.starts_at), json!(after.starts_at));
    note(
        "duration_minutes",
        json!(before.duration_minutes),
        json!(after.duration_minutes),
    );
    note(
        "format",
        json!(before.format.as_str()),
        json!(after.format.as_str()),
    );
    note("series_id", json!(before.series_id), json!(after.series_id));
    changes
}
