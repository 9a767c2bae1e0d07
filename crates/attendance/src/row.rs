//! Reading one data row into a session of one person, or a reason it is not one.
//!
//! A row is judged alone here; combining several rows of one person happens in
//! [`crate::merge`]. Rows are either whole or refused: a row with a bad email, an unreadable
//! duration or the wrong number of cells yields no session at all.

use chrono::NaiveDateTime;
use laurel_core::model::{check_role, normalize_email};

use crate::duration::parse_seconds;
use crate::format::Columns;
use crate::timestamp::parse_timestamp;

/// One row's session: a person in the event from `join` to `leave`, for `seconds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    /// Normalized (trimmed, lowercased) email address.
    pub email: String,
    pub name: Option<String>,
    pub seconds: u64,
    pub join: Option<NaiveDateTime>,
    pub leave: Option<NaiveDateTime>,
    /// The role the row gives, checked.
    pub role: Option<String>,
}

/// What one data row turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RowReading {
    Session(Session),
    /// Not attendance, but not an error either (blank row, "Attended: No").
    Skipped(String),
    /// Meant as attendance but unusable; the reason says how to fix it.
    Rejected(String),
}

/// Reads one data row against the header's columns.
pub(crate) fn read_row(record: &[String], columns: &Columns) -> RowReading {
    let cell = |index: Option<usize>| {
        index
            .and_then(|index| record.get(index))
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    };

    if record.iter().all(|value| value.trim().is_empty()) {
        return RowReading::Skipped("empty row".to_owned());
    }
    if let Some(reason) = ragged(record, columns.width) {
        return RowReading::Rejected(reason);
    }
    if let Some(attended) = cell(columns.attended)
        && attended.eq_ignore_ascii_case("no")
    {
        return RowReading::Skipped("registered but did not attend (Attended: No)".to_owned());
    }

    let Some(raw_email) = cell(Some(columns.email)) else {
        return RowReading::Rejected("no email address".to_owned());
    };
    let email = normalize_email(raw_email);
    if !looks_like_email(&email) {
        return RowReading::Rejected(format!("\"{raw_email}\" is not an email address"));
    }

    let role = match cell(columns.role).map(check_role).transpose() {
        Ok(role) => role.flatten(),
        Err(error) => return RowReading::Rejected(error.to_string()),
    };
    let join = cell(columns.join).and_then(parse_timestamp);
    let leave = cell(columns.leave).and_then(parse_timestamp);
    let seconds = match cell(columns.minutes) {
        Some(raw) => match parse_seconds(raw) {
            Some(seconds) => seconds,
            None => {
                return RowReading::Rejected(format!(
                    "time in session \"{raw}\" is not a duration \
                     (expected minutes such as 65, \"1 hr 5 min\" or 1:05:00)"
                ));
            }
        },
        None => match (join, leave) {
            (Some(join), Some(leave)) if leave >= join => {
                // Non-negative by the guard, so the conversion cannot fail.
                u64::try_from((leave - join).num_seconds()).unwrap_or(0)
            }
            _ => {
                return RowReading::Rejected(
                    "no time in session, and no join and leave times to compute it from".to_owned(),
                );
            }
        },
    };

    RowReading::Session(Session {
        email,
        name: name(&cell, columns),
        seconds,
        join,
        leave,
        role,
    })
}

/// The display name: first and last name when the report has them, else the name column.
fn name<'a>(cell: &impl Fn(Option<usize>) -> Option<&'a str>, columns: &Columns) -> Option<String> {
    let parts: Vec<&str> = [cell(columns.first_name), cell(columns.last_name)]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        cell(columns.name).map(str::to_owned)
    } else {
        Some(parts.join(" "))
    }
}

/// A reason when the row's cell count does not fit the header. Extra cells are fine when
/// empty: spreadsheet programs pad rows with trailing commas.
fn ragged(record: &[String], width: usize) -> Option<String> {
    let filled = record
        .iter()
        .rposition(|value| !value.trim().is_empty())
        .map_or(0, |last| last + 1);
    if record.len() >= width && filled <= width {
        return None;
    }
    let spans = record
        .iter()
        .map(|value| value.matches('\n').count())
        .sum::<usize>();
    let hint = if spans > 0 {
        format!(
            "; it runs over {} lines, so a quote is probably unbalanced",
            spans + 1
        )
    } else if record.len() < width {
        "; a value is probably missing".to_owned()
    } else {
        "; a value probably contains an unquoted comma".to_owned()
    };
    Some(format!(
        "the row has {} values but the header has {width}{hint}",
        record.len().max(filled)
    ))
}

/// A deliberately loose check: one `@`, something before it, a dotted domain after it,
/// no spaces or list separators. Deliverability is not our business; typos like
/// "jane.example.org" or "jane@" are.
pub(crate) fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '"'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::detect;

    fn columns(header: &str) -> Columns {
        let cells: Vec<String> = header.split(',').map(str::to_owned).collect();
        detect(&cells).expect("known header").1
    }

    fn read(header: &str, row: &[&str]) -> RowReading {
        let row: Vec<String> = row.iter().map(|cell| (*cell).to_owned()).collect();
        read_row(&row, &columns(header))
    }

    #[test]
    fn plain_row() {
        let reading = read(
            "email,name,minutes",
            &[" Jane@Example.ORG ", "Jane Doe", "45"],
        );
        assert_eq!(
            reading,
            RowReading::Session(Session {
                email: "jane@example.org".to_owned(),
                name: Some("Jane Doe".to_owned()),
                seconds: 45 * 60,
                join: None,
                leave: None,
                role: None,
            })
        );
    }

    #[test]
    fn a_role_column_is_read_and_checked() {
        let header = "email,name,minutes,Attendee Role";
        match read(header, &["jane@x.org", "Jane", "45", " PRESENTER "]) {
            RowReading::Session(session) => assert_eq!(session.role.as_deref(), Some("Presenter")),
            other => panic!("{other:?}"),
        }
        match read(header, &["jane@x.org", "Jane", "45", ""]) {
            RowReading::Session(session) => assert_eq!(session.role, None),
            other => panic!("{other:?}"),
        }
        match read(header, &["jane@x.org", "Jane", "45", "line\nbreak"]) {
            RowReading::Rejected(reason) => {
                assert!(reason.contains("control character"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn first_and_last_name_win_over_display_name() {
        let header = "Attended,User Name (Original Name),First Name,Last Name,Email,Time in Session (minutes)";
        let RowReading::Session(session) =
            read(header, &["Yes", "jd", "Jane", "Doe", "j@example.org", "3"])
        else {
            panic!("expected a session");
        };
        assert_eq!(session.name.as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn attended_no_is_skipped() {
        let header = "Attended,Email,Time in Session (minutes)";
        assert!(matches!(
            read(header, &["No", "j@example.org", "--"]),
            RowReading::Skipped(reason) if reason.contains("Attended: No")
        ));
    }

    #[test]
    fn minutes_from_join_and_leave() {
        let header = "Email,Join Time,Leave Time,Time in Session (minutes)";
        let reading = read(
            header,
            &[
                "j@example.org",
                "03/14/2024 10:00 AM",
                "03/14/2024 10:42 AM",
                "",
            ],
        );
        assert!(matches!(
            reading,
            RowReading::Session(Session { seconds: 2520, .. })
        ));
    }

    #[test]
    fn rejections_say_why() {
        let plain = "email,name,minutes";
        let reason = |row: &[&str]| match read(plain, row) {
            RowReading::Rejected(reason) => reason,
            other => panic!("expected a rejection, got {other:?}"),
        };
        assert_eq!(reason(&["", "x", "5"]), "no email address");
        assert!(reason(&["jane.example.org", "x", "5"]).contains("not an email address"));
        assert!(reason(&["j@example.org", "x", "soon"]).contains("not a duration"));
        assert!(reason(&["j@example.org", "x", ""]).contains("no time in session"));
        assert!(reason(&["j@example.org", "x"]).contains("has 2 values but the header has 3"));
        assert!(reason(&["j@example.org", "Doe", " Jane", "5"]).contains("unquoted comma"));
    }

    #[test]
    fn trailing_empty_cells_are_fine() {
        let reading = read("email,name,minutes", &["j@example.org", "J", "5", "", ""]);
        assert!(matches!(reading, RowReading::Session(_)));
    }

    #[test]
    fn email_shapes() {
        for good in ["a@b.co", "first.last+tag@sub.example.org"] {
            assert!(looks_like_email(good), "{good}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a@b..co", "a@@b.co", "a b@c.co", "a@b.co.",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
