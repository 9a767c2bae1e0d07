//! A session, or a run of sessions, as typed in a form: every field checked at once, each
//! mistake in plain words beside the field it is about, and times read in the issuer's zone
//! (see [`super::local_time`]). The console uses these; the API has its own checks of JSON
//! input (in [`super::sessions`]), which name fields as the API does.

use chrono::{DateTime, NaiveDateTime, Utc};
use laurel_store::EventFormat;
use uuid::Uuid;

use super::local_time::{MAX_RUN, Zone, numbered_title};
use super::sessions::MAX_DURATION_MINUTES;
use crate::Service;
use crate::fields::MAX_NAME;

/// Mistakes of a form: the field each is about, and what to say.
pub type Mistakes = Vec<(&'static str, String)>;

/// The fields every session form has, as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionText<'a> {
    /// A series id, or empty for none.
    pub series: &'a str,
    pub title: &'a str,
    /// A local date-time (`2026-03-10T09:00`).
    pub starts_at: &'a str,
    pub duration_minutes: &'a str,
    /// `online` or `in_person`.
    pub format: &'a str,
}

/// A session's details, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionDetails {
    pub series_id: Option<Uuid>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub format: EventFormat,
}

/// Checks a session form for `issuer_id` (none when the issuer field itself was wrong: the
/// rest is still checked, so every mistake is shown at once), reading its time in `zone`.
pub async fn check(
    service: &Service,
    issuer_id: Option<Uuid>,
    zone: Zone,
    text: &SessionText<'_>,
) -> Result<SessionDetails, Mistakes> {
    let mut mistakes = Mistakes::new();
    let series_id = series(service, issuer_id, text.series, &mut mistakes).await;
    let title = title(text.title, &mut mistakes);
    let starts_at = zone
        .parse_local(text.starts_at)
        .map_err(|error| mistakes.push(("starts_at", error.to_string())))
        .ok();
    let duration_minutes = minutes(text.duration_minutes, &mut mistakes);
    let format = format(text.format, &mut mistakes);
    match (series_id, title, starts_at, duration_minutes, format) {
        (Some(series_id), Some(title), Some(starts_at), Some(duration_minutes), Some(format))
            if mistakes.is_empty() =>
        {
            Ok(SessionDetails {
                series_id,
                title,
                starts_at,
                duration_minutes,
                format,
            })
        }
        _ => Err(mistakes),
    }
}

/// A run of sessions as typed: the first start, how many, how often, a title pattern; the
/// series, length and format are the same for all.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunText<'a> {
    pub series: &'a str,
    /// The title pattern: `{n}` becomes the session's number.
    pub title: &'a str,
    /// The first session's local date-time.
    pub first_start: &'a str,
    pub count: &'a str,
    pub every: &'a str,
    /// `days` or `weeks`.
    pub unit: &'a str,
    pub duration_minutes: &'a str,
    pub format: &'a str,
}

/// Checks a run form: the sessions it makes, numbered from 1.
pub async fn check_run(
    service: &Service,
    issuer_id: Option<Uuid>,
    zone: Zone,
    text: &RunText<'_>,
) -> Result<Vec<SessionDetails>, Mistakes> {
    let mut mistakes = Mistakes::new();
    let series_id = series(service, issuer_id, text.series, &mut mistakes).await;
    let pattern = title(text.title, &mut mistakes);
    let first = local(text.first_start, &mut mistakes);
    let count = match text.count.trim().parse::<u32>() {
        Ok(count) if (1..=MAX_RUN).contains(&count) => Some(count),
        _ => {
            mistakes.push((
                "count",
                format!("Give how many sessions, a whole number from 1 to {MAX_RUN}."),
            ));
            None
        }
    };
    let days_per = match text.unit.trim() {
        "days" => Some(1),
        "weeks" | "" => Some(7),
        _ => {
            mistakes.push(("unit", "Choose days or weeks.".into()));
            None
        }
    };
    let every = match text.every.trim().parse::<u32>() {
        Ok(every) if (1..=366).contains(&every) => Some(every),
        _ => {
            mistakes.push((
                "every",
                "Give how often, a whole number such as 1 (every week).".into(),
            ));
            None
        }
    };
    let duration_minutes = minutes(text.duration_minutes, &mut mistakes);
    let format = format(text.format, &mut mistakes);
    let starts = match (first, count, every, days_per) {
        (Some(first), Some(count), Some(every), Some(days_per)) => zone
            .run(first, count, every * days_per)
            .map_err(|error| mistakes.push(("first_start", error.to_string())))
            .ok(),
        _ => None,
    };
    match (series_id, pattern, starts, duration_minutes, format) {
        (Some(series_id), Some(pattern), Some(starts), Some(duration_minutes), Some(format))
            if mistakes.is_empty() =>
        {
            Ok(starts
                .into_iter()
                .zip(1..)
                .map(|(starts_at, number)| SessionDetails {
                    series_id,
                    title: numbered_title(&pattern, number),
                    starts_at,
                    duration_minutes,
                    format,
                })
                .collect())
        }
        _ => Err(mistakes),
    }
}

/// The series chosen (outer `None` when it is wrong).
async fn series(
    service: &Service,
    issuer_id: Option<Uuid>,
    text: &str,
    mistakes: &mut Mistakes,
) -> Option<Option<Uuid>> {
    let text = text.trim();
    if text.is_empty() {
        return Some(None);
    }
    let choose = "Choose one of this issuer's series, or none.";
    let Ok(id) = Uuid::parse_str(text) else {
        mistakes.push(("series", choose.into()));
        return None;
    };
    // Without a valid issuer there is nothing to check the series against; the issuer's own
    // mistake is shown.
    let issuer_id = issuer_id?;
    match super::sessions::check_series(service, id, issuer_id).await {
        Ok(()) => Some(Some(id)),
        Err(_) => {
            mistakes.push(("series", choose.into()));
            None
        }
    }
}

fn title(text: &str, mistakes: &mut Mistakes) -> Option<String> {
    let title = text.trim();
    if title.is_empty() {
        mistakes.push(("title", "Give the session a title.".into()));
        None
    } else if title.chars().count() > MAX_NAME {
        mistakes.push((
            "title",
            format!("Shorten the title to at most {MAX_NAME} characters."),
        ));
        None
    } else {
        Some(title.to_string())
    }
}

fn local(text: &str, mistakes: &mut Mistakes) -> Option<NaiveDateTime> {
    let text = text.trim();
    let parsed = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok());
    if parsed.is_none() {
        mistakes.push((
            "first_start",
            if text.is_empty() {
                "Give the date and time the first session starts.".into()
            } else {
                format!("“{text}” is not a date and time such as 2026-03-10 14:00.")
            },
        ));
    }
    parsed
}

fn minutes(text: &str, mistakes: &mut Mistakes) -> Option<u32> {
    match text.trim().parse::<u32>() {
        Ok(minutes) if (1..=MAX_DURATION_MINUTES).contains(&minutes) => Some(minutes),
        _ => {
            mistakes.push((
                "duration_minutes",
                format!(
                    "Give the length in whole minutes, from 1 to {MAX_DURATION_MINUTES} (a week)."
                ),
            ));
            None
        }
    }
}

fn format(text: &str, mistakes: &mut Mistakes) -> Option<EventFormat> {
    match text.trim() {
        "" => Some(EventFormat::Online),
        name => EventFormat::parse(name).or_else(|| {
            mistakes.push(("format", "Choose online or in person.".into()));
            None
        }),
    }
}
