//! Reading join and leave times.
//!
//! Exports write local wall-clock times with no offset, in the account's display format:
//! Zoom "Mar 14, 2024 10:02:11" or "03/14/2024 10:02:11 AM", GoToWebinar
//! "Mar 14, 2024 10:01 AM CET" (a zone abbreviation we cannot resolve reliably, so it is
//! dropped), spreadsheets "2024-03-14 10:02". We therefore keep them as [`NaiveDateTime`]:
//! good for ordering the sessions of one report and for computing a duration, but the zone is
//! the event's, which the caller knows and we do not. Numeric dates are read month first, as
//! both platforms write them for US-English accounts.

use chrono::NaiveDateTime;

const FORMATS: &[&str] = &[
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y %H:%M",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
];

/// Parses a join or leave cell, or returns `None` when it is in no shape we know.
pub fn parse_timestamp(cell: &str) -> Option<NaiveDateTime> {
    let cell = strip_zone_abbreviation(cell.trim());
    if cell.is_empty() {
        return None;
    }
    FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(cell, format).ok())
}

/// Drops a trailing "CET", "EST", "GMT", … (but not AM/PM).
fn strip_zone_abbreviation(cell: &str) -> &str {
    match cell.rsplit_once(' ') {
        Some((rest, last))
            if (2..=5).contains(&last.len())
                && last.chars().all(|c| c.is_ascii_uppercase())
                && !matches!(last, "AM" | "PM") =>
        {
            rest.trim_end()
        }
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("test timestamp")
    }

    #[test]
    fn export_shapes() {
        let expected = at("2024-03-14 10:02:00");
        for cell in [
            "Mar 14, 2024 10:02:00",
            "Mar 14, 2024 10:02",
            "Mar 14, 2024 10:02 AM",
            "Mar 14, 2024 10:02 AM CET",
            "03/14/2024 10:02:00 AM",
            "03/14/2024 10:02",
            "2024-03-14 10:02",
            "2024-03-14T10:02:00",
        ] {
            assert_eq!(parse_timestamp(cell), Some(expected), "{cell:?}");
        }
        assert_eq!(
            parse_timestamp("03/14/2024 01:30:15 PM"),
            Some(at("2024-03-14 13:30:15"))
        );
    }

    #[test]
    fn unknown_shapes() {
        for cell in ["", "yesterday", "14.03.2024 10:02", "Mar 14 2024"] {
            assert_eq!(parse_timestamp(cell), None, "{cell:?}");
        }
    }
}
