//! Transcripts as CSV: one person's (what they hand to a state library), and all of a period's
//! in one file (staff's bulk export: one row per credential, each naming its person, so a
//! spreadsheet filters and totals them).
//!
//! Cells go through [`crate::reports::csv_document`], which quotes every cell and defuses
//! spreadsheet formulas. Excluded credentials are listed with why, never counted.

use crate::reports::csv_document;
use crate::units::credits_number;

use super::{Row, Transcript};

/// The columns of a credential row.
const COLUMNS: [&str; 8] = [
    "Date",
    "Provider",
    "Title",
    "Category",
    "Credits",
    "Status",
    "Credential",
    "Role",
];

fn cells(row: &Row, status: &str, credential_url: &str) -> Vec<String> {
    vec![
        row.date.format("%Y-%m-%d").to_string(),
        row.provider.clone(),
        row.title.clone(),
        row.category.clone().unwrap_or_default(),
        row.credits.map(credits_number).unwrap_or_default(),
        status.to_string(),
        credential_url.to_string(),
        row.award.role.clone().unwrap_or_default(),
    ]
}

/// One person's transcript: a heading (name, email, period), the credentials counted, those
/// excluded (status says why), then the total per category and overall.
/// `credential_url` gives each award's public URL.
pub fn transcript(
    transcript: &Transcript,
    credential_url: &dyn Fn(uuid::Uuid) -> String,
) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        vec![
            "Transcript".into(),
            transcript.name.clone().unwrap_or_default(),
            transcript.email.clone(),
            transcript.period.describe(),
        ],
        COLUMNS.iter().map(|c| c.to_string()).collect(),
    ];
    for row in &transcript.rows {
        rows.push(cells(row, "Counted", &credential_url(row.award.id)));
    }
    for excluded in &transcript.excluded {
        rows.push(cells(
            &Row {
                credits: None,
                ..excluded.row.clone()
            },
            &format!("Not counted: {}", excluded.reason_text),
            &credential_url(excluded.row.award.id),
        ));
    }
    rows.push(Vec::new());
    for total in &transcript.totals {
        rows.push(vec![
            String::new(),
            String::new(),
            format!(
                "Total: {}",
                total.category.as_deref().unwrap_or("No category")
            ),
            total.category.clone().unwrap_or_default(),
            credits_number(total.credits),
        ]);
    }
    rows.push(vec![
        String::new(),
        String::new(),
        "Total".into(),
        String::new(),
        credits_number(transcript.total_credits),
    ]);
    csv_document(rows)
}

/// Every transcript of a period in one table: a header, then one row per credential (counted
/// or not) led by the person's email and name.
pub fn all(transcripts: &[Transcript], credential_url: &dyn Fn(uuid::Uuid) -> String) -> String {
    let mut header: Vec<String> = vec!["Email".into(), "Name".into()];
    header.extend(COLUMNS.iter().map(|c| c.to_string()));
    let mut rows = vec![header];
    for transcript in transcripts {
        let lead = [
            transcript.email.clone(),
            transcript.name.clone().unwrap_or_default(),
        ];
        for row in &transcript.rows {
            let mut line = lead.to_vec();
            line.extend(cells(row, "Counted", &credential_url(row.award.id)));
            rows.push(line);
        }
        for excluded in &transcript.excluded {
            let mut line = lead.to_vec();
            line.extend(cells(
                &Row {
                    credits: None,
                    ..excluded.row.clone()
                },
                &format!("Not counted: {}", excluded.reason_text),
                &credential_url(excluded.row.award.id),
            ));
            rows.push(line);
        }
    }
    csv_document(rows)
}
