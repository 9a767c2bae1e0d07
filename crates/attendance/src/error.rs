//! Whole-file errors: the file cannot be read as an attendance report at all.
//!
//! Problems with single rows are not errors; they are [`crate::LineOutcome::Rejected`] results
//! so that one bad row never stops the others. Messages here are shown to programme staff, so
//! each says what was found and what would have worked.

use thiserror::Error;

/// Why a file could not be read as an attendance report.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportError {
    /// The file has no bytes, or only whitespace.
    #[error("the file is empty; export the attendee report again and upload the CSV file")]
    Empty,
    /// An attendee list with nothing in it.
    #[error(
        "the list is empty; paste one email address per line, the addresses copied from an \
         email, or the sign-in sheet's cells"
    )]
    EmptyList,
    /// The bytes are not CSV text (a workbook, UTF-16, …).
    #[error("the file is not a CSV text file: {hint}")]
    NotText {
        /// What the file looks like and what to upload instead.
        hint: String,
    },
    /// No row looks like the header of a known report format.
    #[error("{}", no_header_message(*.line, .found))]
    NoHeader {
        /// Line of the row shown in `found`, when the file has any row with several columns.
        line: Option<usize>,
        /// The columns of the first row that had several columns, to compare with what we expect.
        found: Vec<String>,
    },
    /// An explicit column mapping names columns the header row does not have.
    #[error(
        "the header row (line {line}) has no column {}; it has: {}",
        quoted(.missing, " or "),
        quoted(.found, ", ")
    )]
    MissingColumns {
        /// Line of the header row that was searched.
        line: usize,
        /// Mapped column names not present in the header.
        missing: Vec<String>,
        /// The header row's columns.
        found: Vec<String>,
    },
    /// The CSV reader failed; with text input this means a malformed file beyond repair.
    #[error("the file could not be read as CSV near line {line}: {message}")]
    Csv {
        /// Line where reading stopped.
        line: usize,
        /// The CSV reader's description.
        message: String,
    },
}

/// The header shapes we recognize, as a user would compare them with their file.
pub(crate) const EXPECTED_HEADERS: &str = "a Zoom attendee report header (\"Attended\", \
\"User Name (Original Name)\", \"Email\", …, \"Time in Session (minutes)\"), a GoToWebinar \
attendee report header (\"Attended\", \"Interest Rating\", \"Last Name\", \"First Name\", \
\"Email Address\", …, \"Time in Session\"), or Laurel's plain header \"email,name,minutes\"";

fn no_header_message(line: Option<usize>, found: &[String]) -> String {
    let seen = match line {
        Some(line) => format!(
            "the first row with several columns (line {line}) has: {}",
            quoted(found, ", ")
        ),
        None => "no row has more than one column (is the file comma-separated?)".to_owned(),
    };
    format!(
        "no attendee header row found; expected {EXPECTED_HEADERS}, or give a column mapping. \
         In this file, {seen}"
    )
}

fn quoted(names: &[String], separator: &str) -> String {
    names
        .iter()
        .map(|name| format!("\"{name}\""))
        .collect::<Vec<_>>()
        .join(separator)
}
