//! Reading a report or an attendee list into attendance rows of one event, before any job
//! exists: a file that cannot be read at all is refused here, at once. Report times carry no
//! usable time zone, so they are placed in the offset the caller gives, or else in the one
//! that puts the median first join nearest the session's start.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset as _, Utc};
use laurel_attendance::{ColumnMapping, Report};
use laurel_store::{Attendance, Event};

use crate::{ServiceError, ServiceResult};

/// A report that parsed, ready to import into one event.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The session the report is for.
    pub event: Event,
    /// The report.
    pub report: Report,
    /// The attendees as attendance rows, in the report's order.
    pub attendance: Vec<Attendance>,
    /// The offset report times were read in.
    pub utc_offset: FixedOffset,
}

/// Parses a report for `event`; a whole-file problem is a 422 naming it.
pub fn parse(
    event: Event,
    bytes: &[u8],
    mapping: Option<&ColumnMapping>,
    utc_offset: Option<FixedOffset>,
    now: DateTime<Utc>,
) -> ServiceResult<Parsed> {
    let report = match mapping {
        Some(mapping) => laurel_attendance::parse_with_mapping(bytes, mapping),
        None => laurel_attendance::parse(bytes),
    }
    .map_err(|error| {
        ServiceError::Unreadable(format!("the attendance report cannot be read: {error}"))
    })?;
    let utc_offset = utc_offset.unwrap_or_else(|| {
        let mut joins: Vec<NaiveDateTime> = report
            .attendees
            .iter()
            .filter_map(|a| a.first_join)
            .collect();
        joins.sort_unstable();
        guess_offset(event.starts_at, joins.get(joins.len() / 2).copied())
    });
    Ok(with_attendance(event, report, utc_offset, now))
}

/// Parses an attendee list for `event` (addresses, with names or not, and no minutes: see
/// [`laurel_attendance::parse_list`]); a list with nothing in it is a 422 naming it. Its
/// people are recorded with 0 minutes and no times, which award rules read as "attended, no
/// minutes recorded".
pub fn parse_list(event: Event, bytes: &[u8], now: DateTime<Utc>) -> ServiceResult<Parsed> {
    let report = laurel_attendance::parse_list(bytes).map_err(|error| {
        ServiceError::Unreadable(format!("the attendee list cannot be read: {error}"))
    })?;
    Ok(with_attendance(event, report, Utc.fix(), now))
}

/// A parsed report with its attendees as attendance rows of `event`, times read at `utc_offset`.
fn with_attendance(
    event: Event,
    report: Report,
    utc_offset: FixedOffset,
    now: DateTime<Utc>,
) -> Parsed {
    let source = format!(
        "import:{}",
        serde_json::to_value(report.format)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_else(|| "report".into())
    );
    let to_utc = |time: Option<NaiveDateTime>| {
        time.and_then(|naive| naive.and_local_timezone(utc_offset).single())
            .map(|time| time.with_timezone(&Utc))
    };
    let attendance = report
        .attendees
        .iter()
        .map(|attendee| Attendance {
            event_id: event.id,
            recipient_email: attendee.email.clone(),
            recipient_name: attendee.name.clone(),
            minutes: attendee.minutes,
            first_join: to_utc(attendee.first_join),
            last_leave: to_utc(attendee.last_leave),
            source: source.clone(),
            recorded_at: now,
            role: attendee.role.clone(),
        })
        .collect();
    Parsed {
        event,
        report,
        attendance,
        utc_offset,
    }
}

/// The offset in which `join` (the median first join), read as local time, is nearest to
/// `start`, rounded to 15 minutes; UTC when there is no join time or it is more than 14 hours
/// off. The median, so one attendee waiting in the lobby early cannot shift everyone.
fn guess_offset(start: DateTime<Utc>, join: Option<NaiveDateTime>) -> FixedOffset {
    let utc = Utc.fix();
    let Some(join) = join else { return utc };
    let minutes = (join - start.naive_utc()).num_minutes();
    if minutes.abs() > 14 * 60 {
        return utc;
    }
    let rounded = (minutes as f64 / 15.0).round() as i32 * 15;
    FixedOffset::east_opt(rounded * 60).unwrap_or(utc)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeDelta, TimeZone};

    use super::*;

    fn naive(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 10)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("valid")
    }

    #[test]
    fn offsets_are_guessed_from_the_earliest_join() {
        let start = Utc
            .with_ymd_and_hms(2026, 3, 10, 14, 0, 0)
            .single()
            .expect("valid");
        // Joined at 08:55 local for a 14:00 UTC start: UTC-5.
        assert_eq!(
            guess_offset(start, Some(naive(8, 55))).local_minus_utc(),
            -5 * 3600
        );
        assert_eq!(guess_offset(start, Some(naive(14, 3))).local_minus_utc(), 0);
        // India, +05:30.
        assert_eq!(
            guess_offset(start, Some(naive(19, 28))).local_minus_utc(),
            5 * 3600 + 1800
        );
        assert_eq!(guess_offset(start, None).local_minus_utc(), 0);
        assert_eq!(
            guess_offset(start, Some(naive(0, 0) - TimeDelta::days(3))).local_minus_utc(),
            0
        );
    }
}
