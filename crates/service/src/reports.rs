//! Reports on awards: the facts a report reads from a credential (activity date, credits),
//! what a spreadsheet cell must not start with, and a programme's summary over a period
//! (awards per badge, credits per person).
//!
//! Everything here is a pure function of awards already read, so the console's page, its
//! CSV files and any later command agree on every figure.

use std::collections::BTreeMap;

use laurel_store::{Achievement, Award};
use serde_json::Value;
use uuid::Uuid;

/// What a report reads from a signed credential.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CredentialFacts {
    /// The activity's date, `2026-03-01` (its end, else its start), if the credential has one.
    pub activity_date: Option<String>,
    /// `creditsEarned`, if the credential has it.
    pub credits: Option<f64>,
}

/// Reads the facts from a credential's JSON text (nothing when it does not parse).
pub fn credential_facts(credential: &str) -> CredentialFacts {
    let Ok(json) = serde_json::from_str::<Value>(credential) else {
        return CredentialFacts::default();
    };
    let subject = json.get("credentialSubject");
    let text = |name: &str| {
        subject
            .and_then(|s| s.get(name))
            .and_then(Value::as_str)
            .map(|t| t.get(..10).unwrap_or(t).to_string())
    };
    CredentialFacts {
        activity_date: text("activityEndDate").or_else(|| text("activityStartDate")),
        credits: subject
            .and_then(|s| s.get("creditsEarned"))
            .and_then(Value::as_f64),
    }
}

/// A number of credits for people: `1.5`, `2` (no trailing zeros).
pub fn credits_text(credits: f64) -> String {
    crate::units::credits_number(credits)
}

/// One CSV cell, always quoted (so a `;` or a tab cannot split it in a spreadsheet that reads
/// another separator), with a leading `=`, `+`, `-`, `@`, tab or carriage return prefixed by
/// `'` so a spreadsheet never runs a recipient's name as a formula.
pub fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A CSV file that Excel opens as UTF-8: a byte-order mark, then each row's cells
/// ([`csv_cell`]) ending in CRLF.
pub fn csv_document<R, C>(rows: R) -> String
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let mut out = String::from('\u{feff}');
    for row in rows {
        let cells: Vec<String> = row.into_iter().map(|c| csv_cell(&c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One badge's line of a summary.
#[derive(Debug, Clone, PartialEq)]
pub struct BadgeLine {
    pub achievement_id: Uuid,
    pub name: String,
    /// Awards in the period, revoked ones included.
    pub awards: u64,
    /// Of those, revoked.
    pub revoked: u64,
    /// Credits of the awards not revoked.
    pub credits: f64,
}

/// One person's line of a summary.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonLine {
    pub email: String,
    /// The name on their latest award, if any has one.
    pub name: String,
    /// Badges held (not revoked) from the period.
    pub badges: u64,
    /// Credits of those.
    pub credits: f64,
}

/// A programme's figures over a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// By badge name.
    pub per_badge: Vec<BadgeLine>,
    /// Most credits first, then by email.
    pub per_person: Vec<PersonLine>,
    pub awards: u64,
    pub credits: f64,
}

/// Sums `awards` (already limited to an issuer and a period) per badge and per person;
/// revoked awards count as awards of their badge but earn nobody credits.
pub fn summarize(awards: &[Award], achievements: &[Achievement]) -> Summary {
    let mut per_badge: BTreeMap<Uuid, BadgeLine> = achievements
        .iter()
        .map(|a| {
            (
                a.id,
                BadgeLine {
                    achievement_id: a.id,
                    name: a.name.clone(),
                    awards: 0,
                    revoked: 0,
                    credits: 0.0,
                },
            )
        })
        .collect();
    let mut per_person: BTreeMap<String, PersonLine> = BTreeMap::new();
    let mut summary = Summary::default();
    for award in awards {
        let credits = credential_facts(&award.credential).credits.unwrap_or(0.0);
        let badge = per_badge
            .entry(award.achievement_id)
            .or_insert_with(|| BadgeLine {
                achievement_id: award.achievement_id,
                name: String::new(),
                awards: 0,
                revoked: 0,
                credits: 0.0,
            });
        badge.awards += 1;
        summary.awards += 1;
        if award.revoked_at.is_some() {
            badge.revoked += 1;
            continue;
        }
        badge.credits += credits;
        summary.credits += credits;
        let person = per_person
            .entry(award.recipient_email.clone())
            .or_insert_with(|| PersonLine {
                email: award.recipient_email.clone(),
                name: String::new(),
                badges: 0,
                credits: 0.0,
            });
        if person.name.is_empty()
            && let Some(name) = &award.recipient_name
        {
            person.name = name.clone();
        }
        person.badges += 1;
        person.credits += credits;
    }
    summary.per_badge = per_badge.into_values().collect();
    summary.per_badge.sort_by_key(|b| b.name.to_lowercase());
    summary.per_person = per_person.into_values().collect();
    summary.per_person.sort_by(|a, b| {
        b.credits
            .total_cmp(&a.credits)
            .then_with(|| a.email.cmp(&b.email))
    });
    summary
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn facts_come_from_the_credential_subject() {
        let facts = credential_facts(
            r#"{"credentialSubject":{"activityStartDate":"2026-03-01T15:00:00Z","creditsEarned":1.5}}"#,
        );
        assert_eq!(facts.activity_date.as_deref(), Some("2026-03-01"));
        assert_eq!(facts.credits, Some(1.5));
        assert_eq!(credential_facts("not json"), CredentialFacts::default());
        assert_eq!(credits_text(1.5), "1.5");
        assert_eq!(credits_text(2.0), "2");
    }

    #[test]
    fn cells_that_look_like_formulas_are_defused() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "\"'+1\"");
        assert_eq!(csv_cell("-1"), "\"'-1\"");
        assert_eq!(csv_cell("@SUM"), "\"'@SUM\"");
        assert_eq!(csv_cell("Zoë"), "\"Zoë\"");
        let document = csv_document([vec!["a".to_string()], vec!["b".to_string()]]);
        assert_eq!(document, "\u{feff}\"a\"\r\n\"b\"\r\n");
    }
}
