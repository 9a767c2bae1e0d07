//! How a report's stored result reads in the console: the review of a dry run and the lines of
//! a finished import, every line with its address and minutes (rejected and merged lines too),
//! and per badge who would be awarded and who attended without qualifying, and by how much.

use serde_json::Value;

use crate::console::recipients::person_url;

/// The review of a dry run: summary, who would be awarded, and every line.
pub(super) struct Review {
    pub(super) lines: u64,
    pub(super) attendees: u64,
    pub(super) recorded: u64,
    pub(super) updated: u64,
    pub(super) duplicate: u64,
    pub(super) merged: u64,
    pub(super) skipped: u64,
    pub(super) rejected: u64,
    pub(super) offset: String,
    pub(super) awards: Vec<ReviewAward>,
    pub(super) rows: Vec<LineRow>,
    /// An attendee list: nobody has minutes.
    pub(super) is_list: bool,
}

/// A badge a dry run would award, to whom, and who attended without qualifying.
pub(super) struct ReviewAward {
    pub(super) name: String,
    pub(super) would_award: u64,
    pub(super) recipients: Vec<Person>,
    pub(super) not_qualified: Vec<NearMiss>,
}

/// A person named in a review or result, with the link to their page.
pub(super) struct Person {
    pub(super) email: String,
    pub(super) url: String,
}

/// Someone who attended without qualifying, and by how much ("attended 38 of 45 minutes").
pub(super) struct NearMiss {
    pub(super) person: Person,
    pub(super) short: String,
}

/// One line of a report and what became of it.
pub(super) struct LineRow {
    pub(super) line: u64,
    pub(super) outcome: String,
    /// The address the line gave (for a rejected line, what was there instead).
    pub(super) email: String,
    /// The recipient page of the line's person, when the line gave an address.
    pub(super) url: Option<String>,
    /// "55", "55 (60 in all)", "none (a list)", or empty when the line was not read.
    pub(super) minutes: String,
    pub(super) why: String,
}

pub(super) fn person(email: &str) -> Person {
    Person {
        email: email.to_string(),
        url: person_url(email),
    }
}

/// The people of an award entry's `not_qualified`, with by how much.
pub(super) fn near_misses(award: &Value) -> Vec<NearMiss> {
    award["not_qualified"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|near| {
            Some(NearMiss {
                person: person(near["email"].as_str()?),
                short: near["short"].as_str().unwrap_or("").to_string(),
            })
        })
        .collect()
}

impl Review {
    pub(super) fn of(result: &Value) -> Self {
        let summary = &result["summary"];
        let count = |key: &str| summary[key].as_u64().unwrap_or(0);
        let awards = result["awards"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| ReviewAward {
                name: a["name"].as_str().unwrap_or("").to_string(),
                would_award: a["would_award"].as_u64().unwrap_or(0),
                recipients: a["recipients"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(person)
                    .collect(),
                not_qualified: near_misses(a),
            })
            .collect();
        Review {
            lines: count("lines"),
            attendees: count("attendees"),
            recorded: count("recorded"),
            updated: count("updated"),
            duplicate: count("duplicate"),
            merged: count("merged"),
            skipped: count("skipped"),
            rejected: count("rejected"),
            offset: result["utc_offset"].as_str().unwrap_or("").to_string(),
            awards,
            rows: line_rows(result),
            is_list: is_list(result),
        }
    }
}

/// Whether a result is an attendee list's.
pub(super) fn is_list(result: &Value) -> bool {
    result["format"] == "list"
}

pub(super) fn line_rows(result: &Value) -> Vec<LineRow> {
    let list = is_list(result);
    result["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let outcome = l["outcome"].as_str().unwrap_or("").to_string();
            let email = l["email"].as_str().unwrap_or("").to_string();
            let read = !matches!(outcome.as_str(), "rejected" | "skipped");
            let minutes = match (l["minutes"].as_u64(), l["person_minutes"].as_u64()) {
                (Some(own), Some(all)) if all != own => format!("{own} ({all} in all)"),
                (Some(own), _) => own.to_string(),
                (None, _) if list && read => "none (a list)".to_string(),
                (None, _) => String::new(),
            };
            LineRow {
                line: l["line"].as_u64().unwrap_or(0),
                url: (read && !email.is_empty()).then(|| person_url(&email)),
                email,
                outcome,
                minutes,
                why: why(l).unwrap_or_default(),
            }
        })
        .collect()
}

/// Why a line was rejected, or which line it was merged into.
pub(super) fn why(line: &Value) -> Option<String> {
    line["reason"].as_str().map(str::to_string).or_else(|| {
        line["into_line"]
            .as_u64()
            .map(|n| format!("same person as line {n}"))
    })
}
