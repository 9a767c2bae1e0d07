//! One person as staff look them up: their badges, the sessions they attended with their
//! minutes, the emails sent to them, and the credits they earned.
//!
//! A coordinator answering "did Jane get her certificate?" needs all of it on one page,
//! keyed by the email address (the one thing every record of a person shares). Only the
//! issuers the caller may see count: an issuer manager sees a person's records at their
//! issuers and nothing else, not even that the person has others.

use std::collections::HashMap;

use laurel_attendance::rules::AttendanceRecord;
use laurel_store::{Achievement, Attendance, Award, AwardFilter, Event, Notification, StoreError};
use uuid::Uuid;

use crate::{Service, ServiceResult};

/// The most awards one person's page lists.
const MAX_AWARDS: u32 = 1_000;

/// Everything known about one person at the issuers the caller may see.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// The address, normalized.
    pub email: String,
    /// A name from their awards or attendance, if any gave one.
    pub name: Option<String>,
    /// Their badges, newest first.
    pub badges: Vec<Badge>,
    /// The sessions they attended, earliest first.
    pub sessions: Vec<Attended>,
    /// Credits over their badges that are not revoked.
    pub credits: f64,
}

/// One award of the person, with its email.
#[derive(Debug, Clone)]
pub struct Badge {
    /// The award.
    pub award: Award,
    /// Its achievement's name.
    pub achievement: String,
    /// The credits the credential says were earned, if it says.
    pub credits: Option<f64>,
    /// The notification email, if one was queued.
    pub email: Option<Notification>,
}

/// One session the person attended.
#[derive(Debug, Clone)]
pub struct Attended {
    /// The session.
    pub event: Event,
    /// The attendance record.
    pub record: Attendance,
    /// Whether the record has no minutes (an attendee list): "attended, no minutes recorded".
    pub minutes_unknown: bool,
}

impl Recipient {
    /// Whether nothing is known about the person here.
    pub fn is_unknown(&self) -> bool {
        self.badges.is_empty() && self.sessions.is_empty()
    }
}

/// Who may be seen: `None` for every issuer, else only these.
pub type Visible<'a> = Option<&'a [Uuid]>;

/// The person with this email (normalized here), as far as the issuers in `visible` go.
pub async fn recipient(
    service: &Service,
    email: &str,
    visible: Visible<'_>,
) -> ServiceResult<Recipient> {
    let email = laurel_core::model::normalize_email(email);
    let may_see = |issuer: Uuid| visible.is_none_or(|ids| ids.contains(&issuer));
    let awards = match visible {
        Some([]) => Vec::new(),
        _ => {
            let filter = AwardFilter {
                recipient_email: Some(email.clone()),
                issuer_ids: visible.map(<[Uuid]>::to_vec).unwrap_or_default(),
                limit: MAX_AWARDS,
                ..AwardFilter::default()
            };
            service.store.list_awards(&filter).await?.0
        }
    };
    let achievements: HashMap<Uuid, Achievement> = service
        .store
        .list_achievements(None)
        .await?
        .into_iter()
        .map(|achievement| (achievement.id, achievement))
        .collect();
    let mut badges = Vec::with_capacity(awards.len());
    for award in awards {
        let email = service.store.notification(award.id).await?;
        badges.push(Badge {
            achievement: achievements
                .get(&award.achievement_id)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            credits: credits_of(&award.credential),
            email,
            award,
        });
    }

    let mut sessions = Vec::new();
    let mut events: HashMap<Uuid, Option<Event>> = HashMap::new();
    for record in service.store.attendance_of_recipient(&email).await? {
        let event = match events.get(&record.event_id) {
            Some(event) => event.clone(),
            None => {
                let event = match service.store.event(record.event_id).await {
                    Ok(event) => Some(event),
                    Err(StoreError::NotFound) => None,
                    Err(error) => return Err(error.into()),
                };
                events.insert(record.event_id, event.clone());
                event
            }
        };
        let Some(event) = event.filter(|event| may_see(event.issuer_id)) else {
            continue;
        };
        let minutes_unknown = AttendanceRecord {
            email: record.recipient_email.clone(),
            session: event.id.to_string(),
            minutes: record.minutes,
            join: record.first_join,
            leave: record.last_leave,
            role: None,
        }
        .minutes_unknown();
        sessions.push(Attended {
            event,
            record,
            minutes_unknown,
        });
    }

    let credits = badges
        .iter()
        .filter(|badge| badge.award.revoked_at.is_none())
        .filter_map(|badge| badge.credits)
        .sum();
    let name = badges
        .iter()
        .find_map(|badge| badge.award.recipient_name.clone())
        .or_else(|| {
            sessions
                .iter()
                .find_map(|session| session.record.recipient_name.clone())
        });
    Ok(Recipient {
        email,
        name,
        badges,
        sessions,
        credits,
    })
}

/// The `creditsEarned` a signed credential states, if it states one.
pub fn credits_of(credential: &str) -> Option<f64> {
    let value: serde_json::Value = serde_json::from_str(credential).ok()?;
    value["credentialSubject"]["creditsEarned"].as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_are_read_from_the_credential() {
        assert_eq!(
            credits_of(r#"{"credentialSubject":{"creditsEarned":1.5}}"#),
            Some(1.5)
        );
        assert_eq!(credits_of(r#"{"credentialSubject":{}}"#), None);
        assert_eq!(credits_of("not json"), None);
    }
}
