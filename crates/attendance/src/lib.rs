//! Reading webinar attendance reports: bytes in, attendees and per-line results out.
//!
//! Programme staff get attendance as CSV exports from their webinar platform, opened and
//! re-saved in a spreadsheet more often than not. This crate turns such a file into one
//! [`Attendee`] per email address, and says for every data line what became of it, so the
//! import can show "line 14: rejected, \"jane.example.org\" is not an email address" instead
//! of failing the whole file. It does no I/O: the caller decides what an attendee's minutes
//! are worth, with the help of [`rules`], which says who meets an achievement's award rule
//! given sessions, attendance and completions (also pure: no storage, no clock).
//!
//! # Formats
//!
//! The format is detected from the header row, the first row whose column names match one
//! of these, checked in this order:
//!
//! 1. **Zoom**: has "Email" and "Time in Session (minutes)".
//! 2. **GoToWebinar**: has "Email Address", and "Time in Session" or "Interest Rating".
//! 3. **Plain**: has "email" and "minutes".
//!
//! The result says which was used ([`Format`]). Lines before the header
//! (report title, "Report Generated:", webinar details, host and panelist sections) are
//! skipped. When the file has a line whose first cell is "Attendee Details", as Zoom and
//! GoToWebinar attendee reports do, the header is looked for after it, so hosts and panelists
//! listed earlier are not counted as attendees.
//!
//! - **Zoom webinar attendee report** (Reports → Webinar → Attendee report → CSV): a
//!   preamble ("Attendee Report", "Report Generated:", a topic/ID/start-time table), "Host
//!   Details" and "Panelist Details" sections, then "Attendee Details" with the header
//!   `Attended, User Name (Original Name), First Name, Last Name, Email, Registration Time,
//!   Approval Status, Join Time, Leave Time, Time in Session (minutes), Is Guest,
//!   Country/Region Name`. One row per connection.
//! - **GoToWebinar attendee report** (CSV download): "Attendee Report:", "Report Generated:",
//!   a "Webinar ID" table, then "Attendee Details" with `Attended, Interest Rating, Last Name,
//!   First Name, Email Address, Registration Date, Join Time, Leave Time, Time in Session,
//!   Unsubscribed, …`, where time in session reads "1 hour 5 minutes", "65 minutes" or
//!   "1:05:00" depending on the report version.
//! - **Laurel's plain format**, for everything else (a course platform, a sign-in sheet):
//!
//!   ```text
//!   email,name,minutes
//!   jane.doe@example.org,Jane Doe,55
//!   sam@example.org,,40
//!   ```
//!
//!   A header row naming the columns `email` and `minutes` (any order, any case) is required;
//!   `name` and `role` are optional, other columns are ignored. Minutes may be whole or decimal minutes,
//!   or any duration shape GoToWebinar uses. Values containing commas are quoted
//!   (`"Doe, Jane"`).
//!
//! These shapes come from what we know of the two platforms' CSV exports, checked against
//! GoTo's help pages on the attendee report and public projects that parse Zoom reports
//! (which look for the "Attendee Details" section). The platforms add, rename and reorder
//! columns between versions, so we match only the few columns we need, by name; the sample
//! files under `tests/data/attendance/` are made up by us in these shapes. Column names are
//! matched trimmed and case-insensitively, so column order and extra columns do not
//! matter. For anything else, pass a [`ColumnMapping`] to [`parse_with_mapping`].
//!
//! Attendee lists of in-person sessions (addresses, with names or not, and no minutes) are
//! read by [`parse_list`] into the same [`Report`].
//!
//! # Roles
//!
//! Any of these files may have a role column, named "Role", "Attendee Role", "Participant
//! Role", "Session Role", "Role in Session" or "Capacity" (any case): the role each person
//! had (Presenter, Mentor, or the issuer's own words), which award rules may count or credit.
//! A role that cannot be signed (longer than 60 characters, a control character) rejects its
//! row with the reason; an empty cell is no role.
//!
//! # What is done with messy files
//!
//! - Encoding: UTF-8, UTF-8 with a byte order mark, or Windows-1252 (see [`Encoding`]).
//! - Quoting: standard CSV quoting (commas and doubled quotes inside quoted values).
//! - Several rows for one email (a person who left and rejoined) become one attendee:
//!   minutes summed, earliest join, latest leave. Emails are compared trimmed and lowercased.
//! - Rows with "Attended" = "No" (registered, never came) are skipped, with that reason.
//! - Missing minutes are computed from join and leave times when both are there.
//! - A malformed row (bad email, unreadable duration, wrong number of values) is rejected
//!   with a reason and never stops the other rows. Only whole-file problems are errors
//!   ([`ReportError`]).

mod decode;
mod duration;
mod error;
mod format;
mod list;
mod merge;
mod row;
pub mod rules;
mod timestamp;

use chrono::NaiveDateTime;
use csv::StringRecord;
use serde::Serialize;

pub use decode::Encoding;
pub use error::ReportError;
pub use format::{Column, ColumnMapping, Format};
pub use list::parse_list;

use format::Columns;
use merge::Merger;
use row::{RowReading, read_row};

/// A parsed attendance report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// How the header was recognized.
    pub format: Format,
    /// How the bytes were decoded.
    pub encoding: Encoding,
    /// Line number of the header row.
    pub header_line: usize,
    /// One entry per distinct email, in order of first appearance.
    pub attendees: Vec<Attendee>,
    /// One entry per data row after the header, in file order.
    pub lines: Vec<LineResult>,
}

/// One person's attendance, merged over all of their rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendee {
    /// Email address, trimmed and lowercased.
    pub email: String,
    /// Name from the first row that had one.
    pub name: Option<String>,
    /// Role ("Presenter") from the first row that had one, from a role column (see
    /// [`parse`]); checked by `laurel_core::model::check_role`.
    pub role: Option<String>,
    /// Time in session over all rows, rounded to the nearest minute.
    pub minutes: u32,
    /// Earliest join time, as the report's wall-clock time: exports carry no usable time
    /// zone, so placing it in the event's zone is up to the caller.
    pub first_join: Option<NaiveDateTime>,
    /// Latest leave time.
    pub last_leave: Option<NaiveDateTime>,
    /// Lines whose sessions were counted for this person.
    pub lines: Vec<usize>,
}

/// What became of one data row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineResult {
    /// 1-based line number in the file where the row starts.
    pub line: usize,
    /// The row's outcome.
    pub outcome: LineOutcome,
    /// The address the row gave (normalized); for a rejected row, the text found where an
    /// address was expected, if any, so a reviewer sees what was there.
    pub email: Option<String>,
    /// The time in session this row gave, rounded to the nearest minute; `None` when the row
    /// was not read or gave none (an attendee list).
    pub minutes: Option<u32>,
}

/// The fate of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LineOutcome {
    /// The first row of a person: a new attendee.
    Recorded,
    /// Another session of a person already seen; added to the attendee first seen on `into_line`.
    Merged {
        /// Line of the person's first row.
        into_line: usize,
    },
    /// Not attendance, and not a mistake (a blank row, a registrant who did not attend).
    Skipped {
        /// Why the row was passed over.
        reason: String,
    },
    /// Meant as attendance, but unusable.
    Rejected {
        /// What is wrong with the row.
        reason: String,
    },
}

/// Reads a report whose format is detected from its header row.
pub fn parse(bytes: &[u8]) -> Result<Report, ReportError> {
    let (text, encoding) = decode::decode(bytes)?;
    let records = read_records(&text)?;
    let start = section_start(&records);
    let Some((index, (format, columns))) = records[start..]
        .iter()
        .enumerate()
        .find_map(|(offset, (_, cells))| Some((start + offset, format::detect(cells)?)))
    else {
        let found = records[start..]
            .iter()
            .chain(&records[..start])
            .find(|(_, cells)| cells.iter().filter(|cell| !cell.trim().is_empty()).count() > 1);
        return Err(ReportError::NoHeader {
            line: found.map(|(line, _)| line_of(line)),
            found: found.map(|(_, cells)| cells.clone()).unwrap_or_default(),
        });
    };
    Ok(read_data(&records, index, format, &columns, encoding))
}

/// Reads a report with explicitly mapped columns.
///
/// The file still needs a header row. When any column is mapped by name, the header is the
/// first row (after an "Attendee Details" line, if any) that has all mapped names; when all
/// columns are mapped by position, it is the first non-empty row.
pub fn parse_with_mapping(bytes: &[u8], mapping: &ColumnMapping) -> Result<Report, ReportError> {
    let (text, encoding) = decode::decode(bytes)?;
    let records = read_records(&text)?;
    let start = section_start(&records);
    let candidates = || {
        records[start..]
            .iter()
            .enumerate()
            .map(move |(offset, (_, cells))| (start + offset, cells))
            .filter(|(_, cells)| cells.iter().any(|cell| !cell.trim().is_empty()))
    };
    let header = if mapping.has_names() {
        candidates().find(|(_, cells)| mapping.missing_in(cells).is_empty())
    } else {
        candidates().next()
    };
    let Some((index, columns)) = header
        .and_then(|(index, cells)| format::resolve(mapping, cells).map(|columns| (index, columns)))
    else {
        // Name the row that looks most like a header: the first with several columns.
        let (line, found) = candidates()
            .find(|(_, cells)| cells.len() > 1)
            .or_else(|| candidates().next())
            .map(|(index, cells)| (records[index].0, cells.clone()))
            .unwrap_or_default();
        return Err(ReportError::MissingColumns {
            line: line_of(&line),
            missing: mapping.missing_in(&found),
            found,
        });
    };
    Ok(read_data(
        &records,
        index,
        Format::Mapped,
        &columns,
        encoding,
    ))
}

/// A record's cells with the physical line it starts on.
type Numbered = (u64, Vec<String>);

fn read_records(text: &str) -> Result<Vec<Numbered>, ReportError> {
    if text.trim().is_empty() {
        return Err(ReportError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let lines = LineIndex::new(text);
    let mut records: Vec<Numbered> = Vec::new();
    let mut record = StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let line = record
                    .position()
                    .map_or(0, |position| lines.line_at(position.byte()));
                records.push((line, record.iter().map(str::to_owned).collect()));
            }
            Ok(false) => break,
            Err(err) => {
                return Err(ReportError::Csv {
                    line: err
                        .position()
                        .map_or(0, |position| line_of(&lines.line_at(position.byte()))),
                    message: err.to_string(),
                });
            }
        }
    }
    Ok(records)
}

/// Index of the first record after an "Attendee Details" line, or 0.
fn section_start(records: &[Numbered]) -> usize {
    records
        .iter()
        .position(|(_, cells)| {
            cells
                .first()
                .is_some_and(|cell| cell.trim().eq_ignore_ascii_case("attendee details"))
        })
        .map_or(0, |index| index + 1)
}

fn read_data(
    records: &[Numbered],
    header: usize,
    format: Format,
    columns: &Columns,
    encoding: Encoding,
) -> Report {
    let mut merger = Merger::default();
    let mut lines = Vec::with_capacity(records.len().saturating_sub(header + 1));
    for (line, cells) in &records[header + 1..] {
        let line = line_of(line);
        let email_cell = || {
            cells
                .get(columns.email)
                .map(|cell| cell.trim().to_owned())
                .filter(|cell| !cell.is_empty())
        };
        let (outcome, email, minutes) = match read_row(cells, columns) {
            RowReading::Session(session) => {
                let email = Some(session.email.clone());
                let minutes = u32::try_from(session.seconds.saturating_add(30) / 60).ok();
                (merger.add(line, session), email, minutes)
            }
            RowReading::Skipped(reason) => (LineOutcome::Skipped { reason }, email_cell(), None),
            RowReading::Rejected(reason) => (LineOutcome::Rejected { reason }, email_cell(), None),
        };
        lines.push(LineResult {
            line,
            outcome,
            email,
            minutes,
        });
    }
    Report {
        format,
        encoding,
        header_line: line_of(&records[header].0),
        attendees: merger.finish(),
        lines,
    }
}

fn line_of(line: &u64) -> usize {
    usize::try_from(*line).unwrap_or(usize::MAX)
}

/// Physical line numbers from byte offsets.
///
/// The CSV reader's own line counter miscounts CRLF line ends and blank lines (it reports
/// the second row of a CRLF file as line 1), and users compare our line numbers with their
/// editor's, so we count newlines ourselves.
struct LineIndex<'a> {
    text: &'a str,
    /// Byte offsets of every `\n`.
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let newlines = text
            .bytes()
            .enumerate()
            .filter_map(|(offset, byte)| (byte == b'\n').then_some(offset))
            .collect();
        LineIndex { text, newlines }
    }

    /// The 1-based line of the record starting at `byte`. The reader may report the start of
    /// the blank lines before a record, so line ends there are stepped over: a record never
    /// begins with one (blank lines are not records).
    fn line_at(&self, byte: u64) -> u64 {
        let start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let skipped = self.text.as_bytes()[start..]
            .iter()
            .take_while(|byte| matches!(byte, b'\r' | b'\n'))
            .count();
        let before = self
            .newlines
            .partition_point(|&offset| offset < start + skipped);
        u64::try_from(before).unwrap_or(u64::MAX - 1) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<u64> {
        read_records(text)
            .expect("records")
            .into_iter()
            .map(|(line, _)| line)
            .collect()
    }

    #[test]
    fn line_numbers_are_physical_lines() {
        assert_eq!(lines("a\r\nb\r\nc\r\n"), [1, 2, 3]);
        assert_eq!(lines("a\nb\n\n\nc\n"), [1, 2, 5]);
        assert_eq!(lines("a\r\n\r\nb"), [1, 3]);
        assert_eq!(lines("a\n\"x\ny\"\nc\n"), [1, 2, 4]);
        assert_eq!(lines("\n\na,b\n"), [3]);
    }

    #[test]
    fn unbalanced_quote_is_reported_on_its_line() {
        let text = "email,name,minutes\na@x.org,A,5\nb@x.org,\"Open,6\nc@x.org,C,7\n";
        let report = parse(text.as_bytes()).expect("parses");
        assert_eq!(report.attendees.len(), 1);
        let [_, rejected] = report.lines.as_slice() else {
            panic!("expected two results: {:?}", report.lines);
        };
        assert_eq!(rejected.line, 3);
        assert!(
            matches!(&rejected.outcome, LineOutcome::Rejected { reason } if reason.contains("quote is probably unbalanced")),
            "{rejected:?}"
        );
    }
}
