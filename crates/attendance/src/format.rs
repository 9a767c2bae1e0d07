//! Recognizing a report's format from its header row, and explicit column mappings.
//!
//! Detection looks only at column names (trimmed, case-insensitive), never at data, so a
//! file is read the same way whatever its rows contain:
//!
//! - **Zoom**: the header has "Email" and "Time in Session (minutes)".
//! - **GoToWebinar**: the header has "Email Address" and "Time in Session" or "Interest Rating".
//! - **Plain** (Laurel's own): the header has "email" and "minutes".
//!
//! The checks run in that order, so a Zoom header that also happened to have a "minutes"
//! column is still read as Zoom.

use serde::{Deserialize, Serialize};

/// Which kind of report a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReportFormat))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    /// Zoom webinar attendee report.
    Zoom,
    /// GoToWebinar (GoTo Webinar) attendee report.
    GoToWebinar,
    /// Laurel's plain `email,name,minutes` format.
    Plain,
    /// Read with a caller-supplied [`ColumnMapping`].
    Mapped,
    /// An attendee list without minutes (see [`crate::parse_list`]).
    List,
}

/// A column of the report, by header name or by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// The column whose header cell matches this name (trimmed, case-insensitive).
    Named(String),
    /// The column at this zero-based position.
    Index(usize),
}

impl From<&str> for Column {
    fn from(name: &str) -> Self {
        Column::Named(name.to_owned())
    }
}

impl From<usize> for Column {
    fn from(index: usize) -> Self {
        Column::Index(index)
    }
}

/// Which columns hold what, for files whose header we do not recognize.
///
/// Only `email` is required. Minutes come from `minutes`, or else from `join` and `leave`.
/// The name comes from `first_name` and `last_name` when either is filled in, else `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    /// The participant's email address.
    pub email: Column,
    /// Full display name.
    pub name: Option<Column>,
    /// Given name (joined with `last_name`).
    pub first_name: Option<Column>,
    /// Family name.
    pub last_name: Option<Column>,
    /// Time in session, in any shape [`crate::parse`] documents.
    pub minutes: Option<Column>,
    /// When the participant joined.
    pub join: Option<Column>,
    /// When the participant left.
    pub leave: Option<Column>,
    /// The participant's role (Presenter, Mentor…).
    pub role: Option<Column>,
}

impl ColumnMapping {
    /// A mapping with only the email column; set the other fields as needed.
    pub fn new(email: impl Into<Column>) -> Self {
        ColumnMapping {
            email: email.into(),
            name: None,
            first_name: None,
            last_name: None,
            minutes: None,
            join: None,
            leave: None,
            role: None,
        }
    }

    pub(crate) fn columns(&self) -> impl Iterator<Item = &Column> {
        [
            Some(&self.email),
            self.name.as_ref(),
            self.first_name.as_ref(),
            self.last_name.as_ref(),
            self.minutes.as_ref(),
            self.join.as_ref(),
            self.leave.as_ref(),
            self.role.as_ref(),
        ]
        .into_iter()
        .flatten()
    }

    /// Whether any column is given by name, so the header row must be found by its names.
    pub(crate) fn has_names(&self) -> bool {
        self.columns()
            .any(|column| matches!(column, Column::Named(_)))
    }

    /// Names of mapped columns that `header` lacks.
    pub(crate) fn missing_in(&self, header: &[String]) -> Vec<String> {
        self.columns()
            .filter_map(|column| match column {
                Column::Named(name) if position(header, name).is_none() => Some(name.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Positions of the cells a row is read from, resolved against one header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Columns {
    pub email: usize,
    pub name: Option<usize>,
    pub first_name: Option<usize>,
    pub last_name: Option<usize>,
    pub minutes: Option<usize>,
    pub join: Option<usize>,
    pub leave: Option<usize>,
    /// Zoom's and GoToWebinar's "Attended" (Yes/No).
    pub attended: Option<usize>,
    /// The person's role (see [`role_column`]).
    pub role: Option<usize>,
    /// Number of cells in the header row.
    pub width: usize,
}

/// Recognizes a header row, returning its format and where each value is.
pub(crate) fn detect(header: &[String]) -> Option<(Format, Columns)> {
    let find = |name: &str| position(header, name);
    let common = |email: usize, minutes: Option<usize>, name: Option<usize>| Columns {
        email,
        name,
        first_name: find("First Name"),
        last_name: find("Last Name"),
        minutes,
        join: find("Join Time"),
        leave: find("Leave Time"),
        attended: find("Attended"),
        role: role_column(header),
        width: header.len(),
    };
    if let (Some(email), Some(minutes)) = (find("Email"), find("Time in Session (minutes)")) {
        let name = find("User Name (Original Name)")
            .or_else(|| find("Name (Original Name)"))
            .or_else(|| find("User Name"));
        return Some((Format::Zoom, common(email, Some(minutes), name)));
    }
    if let Some(email) = find("Email Address") {
        let minutes = find("Time in Session");
        if minutes.is_some() || find("Interest Rating").is_some() {
            return Some((Format::GoToWebinar, common(email, minutes, None)));
        }
    }
    if let (Some(email), Some(minutes)) = (find("email"), find("minutes")) {
        let columns = Columns {
            email,
            name: find("name"),
            first_name: None,
            last_name: None,
            minutes: Some(minutes),
            join: None,
            leave: None,
            attended: None,
            role: role_column(header),
            width: header.len(),
        };
        return Some((Format::Plain, columns));
    }
    None
}

/// Resolves a mapping against a header row; `None` if a named column is missing.
pub(crate) fn resolve(mapping: &ColumnMapping, header: &[String]) -> Option<Columns> {
    let at = |column: &Column| match column {
        Column::Named(name) => position(header, name),
        Column::Index(index) => Some(*index),
    };
    let optional = |column: &Option<Column>| match column {
        Some(column) => at(column).map(Some),
        None => Some(None),
    };
    Some(Columns {
        email: at(&mapping.email)?,
        name: optional(&mapping.name)?,
        first_name: optional(&mapping.first_name)?,
        last_name: optional(&mapping.last_name)?,
        minutes: optional(&mapping.minutes)?,
        join: optional(&mapping.join)?,
        leave: optional(&mapping.leave)?,
        attended: None,
        role: optional(&mapping.role)?,
        width: header.len(),
    })
}

/// The header names read as a role column, trimmed and in any case.
pub(crate) const ROLE_COLUMNS: [&str; 6] = [
    "Role",
    "Attendee Role",
    "Participant Role",
    "Session Role",
    "Role in Session",
    "Capacity",
];

/// The position of the role column (the first of [`ROLE_COLUMNS`] the header has), if any.
pub(crate) fn role_column(header: &[String]) -> Option<usize> {
    ROLE_COLUMNS.iter().find_map(|name| position(header, name))
}

fn position(header: &[String], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|cell| cell.trim().eq_ignore_ascii_case(name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(line: &str) -> Vec<String> {
        line.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn zoom_header() {
        let row = header(
            "Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,\
             Approval Status,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name",
        );
        let (format, columns) = detect(&row).expect("zoom");
        assert_eq!(format, Format::Zoom);
        assert_eq!(columns.email, 4);
        assert_eq!(columns.minutes, Some(9));
        assert_eq!(columns.name, Some(1));
        assert_eq!(columns.attended, Some(0));
        assert_eq!((columns.join, columns.leave), (Some(7), Some(8)));
    }

    #[test]
    fn gotowebinar_header() {
        let row = header(
            "Attended,Interest Rating,Last Name,First Name,Email Address,Registration Date,\
             Join Time,Leave Time,Time in Session,Unsubscribed",
        );
        let (format, columns) = detect(&row).expect("gotowebinar");
        assert_eq!(format, Format::GoToWebinar);
        assert_eq!((columns.email, columns.minutes), (4, Some(8)));
        assert_eq!((columns.first_name, columns.last_name), (Some(3), Some(2)));
    }

    #[test]
    fn plain_header_any_case_and_order() {
        let (format, columns) = detect(&header(" Minutes ,EMAIL")).expect("plain");
        assert_eq!(format, Format::Plain);
        assert_eq!(
            (columns.email, columns.minutes, columns.name),
            (1, Some(0), None)
        );
    }

    #[test]
    fn unknown_headers() {
        assert_eq!(detect(&header("Topic,Webinar ID,Actual Start Time")), None);
        assert_eq!(detect(&header("email,name")), None);
    }

    #[test]
    fn mapping_by_name_and_index() {
        let mut mapping = ColumnMapping::new("E-Mail");
        mapping.minutes = Some(Column::Index(2));
        mapping.name = Some("Teilnehmer".into());
        let row = header("Teilnehmer,e-mail,Dauer");
        let columns = resolve(&mapping, &row).expect("resolves");
        assert_eq!(
            (columns.email, columns.minutes, columns.name),
            (1, Some(2), Some(0))
        );
        assert_eq!(
            mapping.missing_in(&header("a,b")),
            vec!["E-Mail", "Teilnehmer"]
        );
    }
}
