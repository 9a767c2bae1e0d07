//! Attendee lists: who was at an in-person session, without minutes.
//!
//! A workshop leaves a sign-in sheet, not a webinar report, and the coordinator pastes
//! whatever they have: a column of addresses, the recipients' line of an email
//! (`"Doe, Jane" <jane@x.org>; Sam <sam@x.org>`, as Outlook and Gmail copy it), a `Name,
//! Email` sheet saved as CSV, or cells copied from Excel or Google Sheets (tab-separated).
//! [`parse_list`] reads all of these into the same [`Report`] an attendance report gives, so
//! the import's review, recording and awarding take it unchanged. Every attendee has 0
//! minutes and no join or leave time: a list says only that the person was there, and the
//! award rules treat such a record as "attended, no minutes recorded" (see
//! [`crate::rules::AttendanceRecord::minutes_unknown`]).
//!
//! # Shapes, detected in this order
//!
//! 1. **Cells copied from a spreadsheet**: any line has a tab. Rows are split on tabs.
//! 2. **An address list**: any line has an address in angle brackets (`Name <a@x.org>`) or
//!    more than one address. Entries are separated by `;`, `,` or line ends, except inside
//!    double quotes (`"Doe, Jane"`) and angle brackets; each entry is `Name <address>`,
//!    `"Name" <address>`, `address (Name)` or a bare address.
//! 3. **A sheet** (CSV, one address per line being a sheet of one column): rows are split on
//!    commas (or semicolons, when no line has a comma), with CSV quoting.
//!
//! Sheets (1 and 3) may start with a header row: the first row with no address and a cell
//! naming an email column ("Email", "E-mail address", "Courriel"); its other cells say where
//! the name is ("Name", "Full name", "First name" and "Last name"), and columns it does not
//! name are ignored. A header may also name a role column ("Role", "Attendee role",
//! "Participant role", "Session role", "Role in session", "Capacity"): each person's role
//! (Presenter, Mentor…), checked as any role is; a role that cannot be signed rejects its line
//! with the reason. Rows before the header are skipped. Without a header, the email column
//! is the one holding the most addresses, and the name is the first other column with text,
//! so `Name, Email` and `Email, Name` both read right. A row whose email cell holds no
//! address but another cell does is read from that cell.
//!
//! A line (or entry) without an address is rejected with a plain reason and the rest of the
//! list is read; the same address twice is one attendee (the later line is merged).
//! Blank lines are passed over without a result.

use csv::StringRecord;

use crate::merge::Merger;
use crate::row::{Session, looks_like_email};
use crate::{Format, LineIndex, LineOutcome, LineResult, Report, ReportError, decode, line_of};

/// The most characters of a rejected line quoted back in its result.
const QUOTED: usize = 80;

/// Reads an attendee list (see the module documentation for the shapes).
pub fn parse_list(bytes: &[u8]) -> Result<Report, ReportError> {
    let (text, encoding) = decode::decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ReportError::EmptyList);
    }
    let lines: Vec<&str> = text.lines().collect();
    let (entries, header_line) = if lines.iter().any(|line| line.contains('\t')) {
        read_sheet(&rows(&text, b'\t')?)
    } else if lines.iter().any(|line| is_address_line(line)) {
        (read_addresses(&text), None)
    } else {
        let delimiter = if !text.contains(',') && text.contains(';') {
            b';'
        } else {
            b','
        };
        read_sheet(&rows(&text, delimiter)?)
    };

    let mut merger = Merger::default();
    let mut results = Vec::with_capacity(entries.len());
    for entry in entries {
        let (outcome, email) = match entry.reading {
            Reading::Person { email, name, role } => {
                let outcome = merger.add(
                    entry.line,
                    Session {
                        email: email.clone(),
                        name,
                        seconds: 0,
                        join: None,
                        leave: None,
                        role,
                    },
                );
                (outcome, Some(email))
            }
            Reading::Skipped(reason) => (LineOutcome::Skipped { reason }, None),
            Reading::Rejected { reason, text } => (
                LineOutcome::Rejected { reason },
                Some(text).filter(|t| !t.is_empty()),
            ),
        };
        results.push(LineResult {
            line: entry.line,
            outcome,
            email,
            minutes: None,
        });
    }
    Ok(Report {
        format: Format::List,
        encoding,
        header_line: header_line.unwrap_or(0),
        attendees: merger.finish(),
        lines: results,
    })
}

/// One entry of a list: a person, or why not.
struct Entry {
    line: usize,
    reading: Reading,
}

enum Reading {
    Person {
        /// Normalized.
        email: String,
        name: Option<String>,
        /// Checked.
        role: Option<String>,
    },
    Skipped(String),
    Rejected {
        reason: String,
        /// What the line held, shortened.
        text: String,
    },
}

/// Whether a line is part of an address list: an address in angle brackets, or several
/// addresses on one line.
fn is_address_line(line: &str) -> bool {
    let bracketed = line.split('<').skip(1).any(|rest| {
        rest.split_once('>')
            .is_some_and(|(inside, _)| inside.contains('@'))
    });
    bracketed || line.matches('@').count() > 1
}

/// The rows of a sheet with the line each starts on; blank rows are left out.
fn rows(text: &str, delimiter: u8) -> Result<Vec<(usize, Vec<String>)>, ReportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let index = LineIndex::new(text);
    let mut rows = Vec::new();
    let mut record = StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let line = record
                    .position()
                    .map_or(0, |position| index.line_at(position.byte()));
                let cells: Vec<String> = record.iter().map(|cell| cell.trim().to_owned()).collect();
                if cells.iter().any(|cell| !cell.is_empty()) {
                    rows.push((line_of(&line), cells));
                }
            }
            Ok(false) => return Ok(rows),
            Err(err) => {
                return Err(ReportError::Csv {
                    line: err
                        .position()
                        .map_or(0, |position| line_of(&index.line_at(position.byte()))),
                    message: err.to_string(),
                });
            }
        }
    }
}

/// Which cells of a sheet's rows hold what.
#[derive(Debug, Default, PartialEq, Eq)]
struct SheetColumns {
    email: usize,
    name: Option<usize>,
    first_name: Option<usize>,
    last_name: Option<usize>,
    role: Option<usize>,
}

/// A sheet's entries and its header line, if it has one.
fn read_sheet(rows: &[(usize, Vec<String>)]) -> (Vec<Entry>, Option<usize>) {
    let header = rows
        .iter()
        .take_while(|(_, cells)| !cells.iter().any(|cell| person(cell).1.is_some()))
        .position(|(_, cells)| header_columns(cells).is_some());
    let (columns, data) = match header {
        Some(index) => (
            header_columns(&rows[index].1).unwrap_or_default(),
            index + 1,
        ),
        None => (guess_columns(rows), 0),
    };
    let mut entries: Vec<Entry> = rows[..header.unwrap_or(0)]
        .iter()
        .map(|(line, _)| Entry {
            line: *line,
            reading: Reading::Skipped("before the column names".to_owned()),
        })
        .collect();
    entries.extend(rows[data..].iter().map(|(line, cells)| Entry {
        line: *line,
        reading: read_sheet_row(cells, &columns),
    }));
    (entries, header.map(|index| rows[index].0))
}

fn read_sheet_row(cells: &[String], columns: &SheetColumns) -> Reading {
    let cell = |index: Option<usize>| {
        index
            .and_then(|index| cells.get(index))
            .map(String::as_str)
            .filter(|cell| !cell.is_empty())
    };
    let own = cell(Some(columns.email));
    let found = match own.map(person) {
        Some((name, Some(email))) => Some((name, email, columns.email)),
        // The address is elsewhere in this row (a row shifted by a missing cell).
        _ => cells
            .iter()
            .enumerate()
            .find_map(|(index, text)| match person(text) {
                (name, Some(email)) => Some((name, email, index)),
                _ => None,
            }),
    };
    let Some((name_in_cell, email, at)) = found else {
        return match own {
            Some(text) => Reading::Rejected {
                reason: format!("\"{}\" is not an email address", shorten(text)),
                text: shorten(text),
            },
            None => Reading::Rejected {
                reason: "no email address on this line".to_owned(),
                text: shorten(&cells.join(" ")),
            },
        };
    };
    let first_last: Vec<&str> = [cell(columns.first_name), cell(columns.last_name)]
        .into_iter()
        .flatten()
        .collect();
    let name = if !first_last.is_empty() {
        Some(first_last.join(" "))
    } else {
        cell(columns.name)
            .filter(|_| columns.name != Some(at))
            .filter(|text| person(text).1.is_none())
            .map(str::to_owned)
            .or(name_in_cell)
    };
    let role = match cell(columns.role)
        .map(laurel_core::model::check_role)
        .transpose()
    {
        Ok(role) => role.flatten(),
        Err(error) => {
            return Reading::Rejected {
                reason: error.to_string(),
                text: email,
            };
        }
    };
    Reading::Person { email, name, role }
}

/// The columns a header row names, if it names an email column and holds no address.
fn header_columns(cells: &[String]) -> Option<SheetColumns> {
    let keys: Vec<String> = cells.iter().map(|cell| key(cell)).collect();
    let find = |wanted: &dyn Fn(&str) -> bool| keys.iter().position(|k| wanted(k));
    let email = find(&|k| k.contains("email") || k == "mail" || k == "courriel")?;
    Some(SheetColumns {
        email,
        name: find(&|k| {
            matches!(
                k,
                "name"
                    | "fullname"
                    | "displayname"
                    | "attendee"
                    | "attendeename"
                    | "participant"
                    | "participantname"
                    | "nom"
                    | "yourname"
            )
        }),
        first_name: find(&|k| matches!(k, "firstname" | "givenname" | "first" | "prenom")),
        last_name: find(&|k| {
            matches!(
                k,
                "lastname" | "surname" | "familyname" | "last" | "nomdefamille"
            )
        }),
        role: find(&|k| {
            matches!(
                k,
                "role"
                    | "attendeerole"
                    | "participantrole"
                    | "sessionrole"
                    | "roleinsession"
                    | "capacity"
            )
        }),
    })
}

/// A header cell reduced to lowercase letters and digits ("E-mail Address" → "emailaddress").
fn key(cell: &str) -> String {
    cell.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Columns of a sheet without a header: the email column holds the most addresses; the name
/// is the first other column with text that is not an address.
fn guess_columns(rows: &[(usize, Vec<String>)]) -> SheetColumns {
    let width = rows.iter().map(|(_, cells)| cells.len()).max().unwrap_or(0);
    let addresses = |column: usize| {
        rows.iter()
            .filter(|(_, cells)| {
                cells
                    .get(column)
                    .is_some_and(|cell| person(cell).1.is_some())
            })
            .count()
    };
    let email = (0..width)
        .max_by_key(|&column| (addresses(column), std::cmp::Reverse(column)))
        .unwrap_or(0);
    let name = (0..width)
        .filter(|&column| column != email)
        .find(|&column| {
            rows.iter().any(|(_, cells)| {
                cells
                    .get(column)
                    .is_some_and(|cell| !cell.is_empty() && person(cell).1.is_none())
            })
        });
    SheetColumns {
        email,
        name,
        ..SheetColumns::default()
    }
}

/// The entries of an address list, split on `;`, `,` and line ends outside quotes and angle
/// brackets.
fn read_addresses(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    let mut line = 1;
    let (mut quoted, mut bracketed) = (false, false);
    let mut finish = |current: &mut String, start_line: usize| {
        let entry = current.trim();
        if !entry.is_empty() {
            entries.push(Entry {
                line: start_line,
                reading: match person(entry) {
                    (name, Some(email)) => Reading::Person {
                        email,
                        name,
                        role: None,
                    },
                    (_, None) => Reading::Rejected {
                        reason: format!("\"{}\" has no email address", shorten(entry)),
                        text: shorten(entry),
                    },
                },
            });
        }
        current.clear();
    };
    for c in text.chars() {
        match c {
            '"' if !bracketed => quoted = !quoted,
            '<' if !quoted => bracketed = true,
            '>' if !quoted => bracketed = false,
            _ => {}
        }
        let separator = matches!(c, ';' | ',') && !quoted && !bracketed;
        if separator || c == '\n' {
            finish(&mut current, start_line);
            if c == '\n' {
                line += 1;
                // A quote or bracket never spans lines in an address list.
                (quoted, bracketed) = (false, false);
            }
            continue;
        }
        if current.trim().is_empty() {
            start_line = line;
        }
        current.push(c);
    }
    finish(&mut current, start_line);
    entries
}

/// The name and normalized address in one entry or cell: `Name <address>`, `"Doe, Jane"
/// <address>`, `address (Name)`, `Name address`, `mailto:address` or a bare address. The
/// address is `None` when nothing in the text looks like one.
fn person(text: &str) -> (Option<String>, Option<String>) {
    let text = text.trim();
    if let Some((before, rest)) = text.split_once('<')
        && let Some((inside, after)) = rest.split_once('>')
    {
        let email = clean(inside);
        let name = unquote(before).or_else(|| unquote(after));
        return (name, looks_like_email(&email).then_some(email));
    }
    let mut words = text.split_whitespace();
    let Some(address) = words.clone().find(|word| word.contains('@')) else {
        return (unquote(text), None);
    };
    let email = clean(address);
    if !looks_like_email(&email) {
        return (None, None);
    }
    let rest: Vec<&str> = words.by_ref().filter(|word| *word != address).collect();
    (unquote(&rest.join(" ")), Some(email))
}

/// An address as written, without `mailto:` and surrounding punctuation, normalized.
fn clean(address: &str) -> String {
    let address = address.trim();
    let address = address
        .strip_prefix("mailto:")
        .or_else(|| address.strip_prefix("MAILTO:"))
        .unwrap_or(address);
    laurel_core::model::normalize_email(
        address.trim_matches(|c: char| {
            matches!(c, '"' | '\'' | '(' | ')' | '[' | ']' | '.' | ',' | ';')
        }),
    )
}

/// A display name without surrounding quotes, parentheses and spaces; `None` when empty.
fn unquote(text: &str) -> Option<String> {
    let name = text
        .trim()
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '(' | ')') || c.is_whitespace())
        .replace("\\\"", "\"");
    (!name.is_empty()).then_some(name)
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= QUOTED {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(QUOTED).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Attendee;

    fn list(text: &str) -> Report {
        parse_list(text.as_bytes()).expect("a list")
    }

    fn people(report: &Report) -> Vec<(&str, Option<&str>)> {
        report
            .attendees
            .iter()
            .map(|a: &Attendee| (a.email.as_str(), a.name.as_deref()))
            .collect()
    }

    fn rejected(report: &Report) -> Vec<(usize, &str)> {
        report
            .lines
            .iter()
            .filter_map(|l| match &l.outcome {
                LineOutcome::Rejected { reason } => Some((l.line, reason.as_str())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn one_address_per_line() {
        let report = list("ada@example.org\r\n\r\nBob@Example.org \nsam@example.org\n");
        assert_eq!(report.format, Format::List);
        assert_eq!(
            people(&report),
            [
                ("ada@example.org", None),
                ("bob@example.org", None),
                ("sam@example.org", None)
            ]
        );
        let lines: Vec<usize> = report.lines.iter().map(|l| l.line).collect();
        assert_eq!(lines, [1, 3, 4], "blank lines give no result");
        assert!(
            report
                .attendees
                .iter()
                .all(|a| a.minutes == 0 && a.first_join.is_none())
        );
        assert_eq!(report.lines[1].email.as_deref(), Some("bob@example.org"));
        assert_eq!(report.lines[1].minutes, None);
    }

    #[test]
    fn outlook_and_gmail_address_lists() {
        let outlook = list(
            "\"Doe, Jane\" <jane@x.org>; Sam Lee <SAM@x.org>; bo@x.org;\n'Ana Ruiz' <ana@x.org>",
        );
        assert_eq!(
            people(&outlook),
            [
                ("jane@x.org", Some("Doe, Jane")),
                ("sam@x.org", Some("Sam Lee")),
                ("bo@x.org", None),
                ("ana@x.org", Some("Ana Ruiz")),
            ]
        );
        let lines: Vec<usize> = outlook.lines.iter().map(|l| l.line).collect();
        assert_eq!(lines, [1, 1, 1, 2]);
        let gmail = list("Jane Doe <jane@x.org>, \"Lee, Sam\" <sam@x.org>, bo@x.org (Bo Chen)");
        assert_eq!(
            people(&gmail),
            [
                ("jane@x.org", Some("Jane Doe")),
                ("sam@x.org", Some("Lee, Sam")),
                ("bo@x.org", Some("Bo Chen")),
            ]
        );
    }

    #[test]
    fn sign_in_sheet_with_header_in_either_order() {
        let report = list("Name,Email\n\"Doe, Jane\",jane@x.org\nSam Lee,sam@x.org\n");
        assert_eq!(report.header_line, 1);
        assert_eq!(
            people(&report),
            [
                ("jane@x.org", Some("Doe, Jane")),
                ("sam@x.org", Some("Sam Lee"))
            ]
        );
        let swapped = list("E-mail address;Full name;Signed\njane@x.org;Jane Doe;yes\n");
        assert_eq!(people(&swapped), [("jane@x.org", Some("Jane Doe"))]);
        let split = list("Last name,First name,Email\nDoe,Jane,jane@x.org\n");
        assert_eq!(people(&split), [("jane@x.org", Some("Jane Doe"))]);
    }

    #[test]
    fn a_sign_in_sheet_with_a_role_column() {
        let report = list(
            "Name\tEmail\tRole\nJane Doe\tjane@x.org\tpresenter\nSam Lee\tsam@x.org\t\nBo Chen\tbo@x.org\tSession chair\n",
        );
        let roles: Vec<(&str, Option<&str>)> = report
            .attendees
            .iter()
            .map(|a| (a.email.as_str(), a.role.as_deref()))
            .collect();
        assert_eq!(
            roles,
            [
                ("jane@x.org", Some("Presenter")),
                ("sam@x.org", None),
                ("bo@x.org", Some("Session chair"))
            ]
        );
        let long = format!(
            "Email,Role\njane@x.org,{}\nsam@x.org,Mentor\n",
            "x".repeat(61)
        );
        let report = list(&long);
        assert_eq!(report.attendees.len(), 1, "the long role's line is refused");
        assert_eq!(report.attendees[0].role.as_deref(), Some("Mentor"));
        let reasons = rejected(&report);
        assert_eq!(reasons.len(), 1);
        assert!(
            reasons[0].1.contains("at most 60 characters"),
            "{reasons:?}"
        );
    }

    #[test]
    fn sign_in_sheet_without_header_in_either_order() {
        let name_first = list("Jane Doe, jane@x.org\nSam Lee, sam@x.org\n");
        assert_eq!(name_first.header_line, 0);
        assert_eq!(
            people(&name_first),
            [
                ("jane@x.org", Some("Jane Doe")),
                ("sam@x.org", Some("Sam Lee"))
            ]
        );
        let email_first = list("jane@x.org,Jane Doe\nsam@x.org,\n");
        assert_eq!(
            people(&email_first),
            [("jane@x.org", Some("Jane Doe")), ("sam@x.org", None)]
        );
    }

    #[test]
    fn cells_copied_from_a_spreadsheet() {
        let with_header = list(
            "Workshop sign-in\t\t\nName\tOrganisation\tEmail\tSignature\nJane Doe\tCity Library\tjane@x.org\tJD\n",
        );
        assert_eq!(with_header.header_line, 2);
        assert_eq!(people(&with_header), [("jane@x.org", Some("Jane Doe"))]);
        assert!(matches!(
            &with_header.lines[0].outcome,
            LineOutcome::Skipped { reason } if reason.contains("before the column names")
        ));
        let without = list("jane@x.org\tJane Doe\t3\nsam@x.org\tSam Lee\t\n");
        assert_eq!(
            people(&without),
            [
                ("jane@x.org", Some("Jane Doe")),
                ("sam@x.org", Some("Sam Lee"))
            ]
        );
    }

    #[test]
    fn lines_without_an_address_are_rejected_alone() {
        let report = list("jane@x.org\nJane Doe\njane.x.org\n\"\" <>\nsam@x.org\njane@X.org\n");
        assert_eq!(people(&report), [("jane@x.org", None), ("sam@x.org", None)]);
        let reasons = rejected(&report);
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert_eq!(reasons[0], (2, "\"Jane Doe\" is not an email address"));
        assert_eq!(reasons[1], (3, "\"jane.x.org\" is not an email address"));
        assert_eq!(report.lines[2].email.as_deref(), Some("jane.x.org"));
        assert_eq!(
            report.lines[5].outcome,
            LineOutcome::Merged { into_line: 1 },
            "the same address twice is one attendee"
        );
        let addresses = list("Jane <jane@x.org>; Sam Lee; <nobody>");
        assert_eq!(people(&addresses), [("jane@x.org", Some("Jane"))]);
        assert_eq!(
            rejected(&addresses),
            [
                (1, "\"Sam Lee\" has no email address"),
                (1, "\"<nobody>\" has no email address")
            ]
        );
    }

    #[test]
    fn garbage_is_rejected_line_by_line_and_empty_is_an_error() {
        let report = list("hello world\n1,2,3\n%%%\n");
        assert!(report.attendees.is_empty());
        assert_eq!(rejected(&report).len(), 3);
        assert_eq!(parse_list(b"  \n\n"), Err(ReportError::EmptyList));
        assert!(matches!(
            parse_list(b"PK\x03\x04\x00\x00binary"),
            Err(ReportError::NotText { .. })
        ));
    }
}
