//! Local times: each issuer has a time zone (an IANA name such as `America/Chicago`), and the
//! console reads and shows session times in it, so staff never convert to UTC by hand. The API
//! stays UTC (RFC 3339 with an offset) everywhere.
//!
//! The zone rules come from `chrono-tz` (the IANA database compiled in, so a server without
//! `/usr/share/zoneinfo` behaves the same). A local time is turned into an instant with the
//! zone's rules *for that date*, so 09:00 in Chicago is 15:00 UTC in January and 14:00 UTC in
//! April. Two local times need a decision: one that does not exist (02:30 on the night clocks
//! go forward) is refused in plain words; one that happens twice (01:30 on the night clocks go
//! back) is read as the earlier of the two, and shown back with its abbreviation (`CDT`), so
//! the choice is visible.

use chrono::{DateTime, Days, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::{Service, ServiceError, ServiceResult};

/// The zone of an issuer that never chose one.
pub const DEFAULT_ZONE: &str = "UTC";

/// The most sessions one run creates (two years of weekly sessions).
pub const MAX_RUN: u32 = 104;

/// An IANA time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Zone {
    /// UTC.
    pub fn utc() -> Self {
        Zone(Tz::UTC)
    }

    /// A zone by its IANA name, ignoring case and reading spaces as underscores
    /// (`america/new york` is `America/New_York`); a plain-words error for any other text.
    pub fn parse(name: &str) -> ServiceResult<Self> {
        let wanted = name.trim().replace(' ', "_");
        if let Ok(zone) = wanted.parse::<Tz>() {
            return Ok(Zone(zone));
        }
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|zone| zone.name().eq_ignore_ascii_case(&wanted))
            .map(|zone| Zone(*zone))
            .ok_or_else(|| {
                ServiceError::Invalid(if wanted.is_empty() {
                    "Choose a time zone, such as America/Chicago or Europe/London.".into()
                } else {
                    format!(
                        "“{}” is not a time zone we know. Use a name such as America/Chicago, Europe/London or UTC.",
                        name.trim()
                    )
                })
            })
    }

    /// The stored zone of an issuer; a name the compiled-in database no longer knows (it was
    /// renamed) is read as UTC, and logged.
    pub fn stored(name: &str) -> Self {
        Zone::parse(name).unwrap_or_else(|_| {
            tracing::warn!(name, "an issuer's time zone is unknown; UTC is used");
            Zone::utc()
        })
    }

    /// Its IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Whether it is UTC (or an alias of it), where report times are guessed as before.
    pub fn is_utc(&self) -> bool {
        matches!(
            self.name(),
            "UTC"
                | "Etc/UTC"
                | "Etc/UCT"
                | "UCT"
                | "Zulu"
                | "Etc/Zulu"
                | "Universal"
                | "Etc/Universal"
        )
    }

    /// The instant of a local time in this zone: an error if the clocks skip it, the earlier
    /// one if it happens twice.
    pub fn instant(&self, local: NaiveDateTime) -> ServiceResult<DateTime<Utc>> {
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
            LocalResult::Ambiguous(earlier, _) => Ok(earlier.with_timezone(&Utc)),
            LocalResult::None => Err(ServiceError::Invalid(format!(
                "{} does not exist in {}: the clocks go forward then. Choose a time an hour later.",
                local.format("%H:%M on %-d %B %Y"),
                self.name()
            ))),
        }
    }

    /// A date-time typed in a form (`2026-03-10T09:00` from a date-time picker, or
    /// `2026-03-10 09:00`) read in this zone.
    pub fn parse_local(&self, text: &str) -> ServiceResult<DateTime<Utc>> {
        let text = text.trim();
        let local = [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
        ]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .ok_or_else(|| {
            ServiceError::Invalid(if text.is_empty() {
                "Give the date and time it starts.".into()
            } else {
                format!("“{text}” is not a date and time such as 2026-03-10 14:00.")
            })
        })?;
        self.instant(local)
    }

    /// An instant as this zone's wall-clock time.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.0).naive_local()
    }

    /// The value of a date-time picker (`2026-03-10T09:00`) showing `at` in this zone.
    pub fn picker(&self, at: DateTime<Utc>) -> String {
        self.local(at).format("%Y-%m-%dT%H:%M").to_string()
    }

    /// `at` for people: `Tue 10 March 2026, 09:00 CDT`.
    pub fn show(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0)
            .format("%a %-d %B %Y, %H:%M %Z")
            .to_string()
    }

    /// The zone's UTC offset at `at` (what a report's times are read in by default).
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        self.0.offset_from_utc_datetime(&at.naive_utc()).fix()
    }

    /// The start of each session of a run: `count` sessions, the first at `first` (local), then
    /// every `every_days` days at the same local time (so a weekly 09:00 webinar stays at 09:00
    /// when the clocks change). A session whose local time does not exist is refused, named
    /// by its number.
    pub fn run(
        &self,
        first: NaiveDateTime,
        count: u32,
        every_days: u32,
    ) -> ServiceResult<Vec<DateTime<Utc>>> {
        if !(1..=MAX_RUN).contains(&count) {
            return Err(ServiceError::Invalid(format!(
                "Give how many sessions, from 1 to {MAX_RUN}."
            )));
        }
        if count > 1 && !(1..=366).contains(&every_days) {
            return Err(ServiceError::Invalid(
                "Give how often: every 1 to 366 days, or 1 to 52 weeks.".into(),
            ));
        }
        (0..count)
            .map(|n| {
                let local = first
                    .checked_add_days(Days::new(u64::from(n) * u64::from(every_days)))
                    .ok_or_else(|| ServiceError::Invalid("That run goes too far ahead.".into()))?;
                self.instant(local)
                    .map_err(|error| ServiceError::Invalid(format!("Session {}: {error}", n + 1)))
            })
            .collect()
    }
}

/// Every zone name the console offers (for a list to pick from as one types).
pub fn zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name())
}

/// An issuer's zone.
pub async fn issuer_zone(service: &Service, issuer_id: Uuid) -> ServiceResult<Zone> {
    let name = service
        .store
        .issuer_time_zone(issuer_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "issuer", issuer_id))?;
    Ok(Zone::stored(&name))
}

/// Sets an issuer's zone from its name (checked first): the zone, as stored.
pub async fn set_issuer_zone(
    service: &Service,
    issuer_id: Uuid,
    name: &str,
) -> ServiceResult<Zone> {
    let zone = Zone::parse(name)?;
    service
        .store
        .set_issuer_time_zone(issuer_id, zone.name())
        .await
        .map_err(|error| ServiceError::from_store(error, "issuer", issuer_id))?;
    Ok(zone)
}

/// The UTC offset an attendance report of `event` is read in when none is given: the issuer's
/// zone at the session's start (a report's times are that day's wall-clock times). `None` for
/// an issuer in UTC (the default, likely never set): the import then guesses the offset from
/// the report, as it always did.
pub async fn report_offset(service: &Service, event: &laurel_store::Event) -> Option<FixedOffset> {
    match issuer_zone(service, event.issuer_id).await {
        Ok(zone) if !zone.is_utc() => Some(zone.offset_at(event.starts_at)),
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "an issuer's time zone could not be read; the report's offset is guessed");
            None
        }
    }
}

/// The title of session `number` of a run: `{n}` in the pattern replaced by the number, or the
/// number added at the end when there is no `{n}` (`Webinar` gives `Webinar 1`, `Webinar 2`).
pub fn numbered_title(pattern: &str, number: u32) -> String {
    let pattern = pattern.trim();
    if pattern.contains("{n}") {
        pattern.replace("{n}", &number.to_string())
    } else {
        format!("{pattern} {number}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn names_are_read_forgivingly_and_refused_in_plain_words() {
        assert_eq!(
            Zone::parse("America/Chicago").unwrap().name(),
            "America/Chicago"
        );
        assert_eq!(
            Zone::parse(" america/new york ").unwrap().name(),
            "America/New_York"
        );
        assert_eq!(Zone::parse("utc").unwrap().name(), "UTC");
        assert!(Zone::parse("UTC").unwrap().is_utc());
        let error = Zone::parse("America/Chicag").unwrap_err().to_string();
        assert!(
            error.contains("“America/Chicag” is not a time zone we know"),
            "{error}"
        );
        assert!(
            Zone::parse("")
                .unwrap_err()
                .to_string()
                .starts_with("Choose a time zone")
        );
        assert_eq!(Zone::stored("Nowhere/Else"), Zone::utc());
    }

    #[test]
    fn chicago_in_march_skips_an_hour() {
        let chicago = Zone::parse("America/Chicago").unwrap();
        // Sunday 8 March 2026: 02:00 CST becomes 03:00 CDT.
        assert_eq!(
            chicago.instant(local(2026, 3, 7, 9, 0)).unwrap(),
            utc("2026-03-07T15:00:00Z")
        );
        assert_eq!(
            chicago.instant(local(2026, 3, 9, 9, 0)).unwrap(),
            utc("2026-03-09T14:00:00Z")
        );
        let error = chicago
            .instant(local(2026, 3, 8, 2, 30))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "02:30 on 8 March 2026 does not exist in America/Chicago: the clocks go forward then. Choose a time an hour later."
        );
        assert_eq!(
            chicago.instant(local(2026, 3, 8, 3, 30)).unwrap(),
            utc("2026-03-08T08:30:00Z")
        );
        assert_eq!(
            chicago.show(utc("2026-03-07T15:00:00Z")),
            "Sat 7 March 2026, 09:00 CST"
        );
        assert_eq!(
            chicago.show(utc("2026-03-09T14:00:00Z")),
            "Mon 9 March 2026, 09:00 CDT"
        );
    }

    #[test]
    fn chicago_in_november_has_an_hour_twice_and_takes_the_first() {
        let chicago = Zone::parse("America/Chicago").unwrap();
        // Sunday 1 November 2026: 02:00 CDT becomes 01:00 CST, so 01:30 happens twice.
        let twice = chicago.instant(local(2026, 11, 1, 1, 30)).unwrap();
        assert_eq!(twice, utc("2026-11-01T06:30:00Z"));
        assert_eq!(chicago.show(twice), "Sun 1 November 2026, 01:30 CDT");
        assert_eq!(
            chicago.instant(local(2026, 11, 2, 9, 0)).unwrap(),
            utc("2026-11-02T15:00:00Z")
        );
        assert_eq!(
            chicago.picker(utc("2026-11-02T15:00:00Z")),
            "2026-11-02T09:00"
        );
        assert_eq!(
            chicago
                .offset_at(utc("2026-11-02T15:00:00Z"))
                .local_minus_utc(),
            -6 * 3600
        );
        assert_eq!(
            chicago
                .offset_at(utc("2026-10-30T15:00:00Z"))
                .local_minus_utc(),
            -5 * 3600
        );
    }

    #[test]
    fn picker_values_are_read_in_the_zone() {
        let chicago = Zone::parse("America/Chicago").unwrap();
        assert_eq!(
            chicago.parse_local("2026-03-10T09:00").unwrap(),
            utc("2026-03-10T14:00:00Z")
        );
        assert_eq!(
            chicago.parse_local("2026-01-10 09:00").unwrap(),
            utc("2026-01-10T15:00:00Z")
        );
        assert!(
            chicago
                .parse_local("next Tuesday")
                .unwrap_err()
                .to_string()
                .contains("“next Tuesday”")
        );
        assert_eq!(
            chicago.parse_local("  ").unwrap_err().to_string(),
            "Give the date and time it starts."
        );
    }

    #[test]
    fn a_weekly_run_keeps_its_local_time_across_the_change() {
        let chicago = Zone::parse("America/Chicago").unwrap();
        let starts = chicago.run(local(2026, 2, 24, 9, 0), 10, 7).unwrap();
        assert_eq!(starts.len(), 10);
        assert_eq!(starts[0], utc("2026-02-24T15:00:00Z"));
        assert_eq!(starts[1], utc("2026-03-03T15:00:00Z"));
        assert_eq!(starts[2], utc("2026-03-10T14:00:00Z"));
        assert!(
            starts
                .iter()
                .all(|at| chicago.picker(*at).ends_with("T09:00"))
        );
        let error = chicago
            .run(local(2026, 3, 1, 2, 30), 3, 7)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("Session 2: 02:30 on 8 March 2026 does not exist"),
            "{error}"
        );
        assert!(chicago.run(local(2026, 3, 1, 9, 0), 0, 7).is_err());
        assert!(chicago.run(local(2026, 3, 1, 9, 0), 3, 0).is_err());
        assert_eq!(chicago.run(local(2026, 3, 1, 9, 0), 1, 0).unwrap().len(), 1);
    }

    #[test]
    fn run_titles_are_numbered() {
        assert_eq!(
            numbered_title("Webinar {n}: cataloguing", 3),
            "Webinar 3: cataloguing"
        );
        assert_eq!(numbered_title("Webinar", 10), "Webinar 10");
    }
}
