//! The document an import writes into its job's row when it finishes: how the file was read,
//! the counts, what was awarded (or would be, in a dry run), and one entry per line.
//!
//! Typed so that the writer, the admin API (which reads it back into these types and answers
//! them) and the API's OpenAPI document agree on one shape; the console and the CLI read the
//! same members from the JSON. The fields are declared in the order the
//! document has always been written in, so what is stored now is byte for byte what was
//! stored before these types existed, and rows written before them read back unchanged. The
//! per-line detail (`lines`, a dry run's `recipients`, `not_qualified`) is dropped once it
//! expires (see [`super::super::bounds`]), so those members are optional when reading.

use std::collections::{HashMap, HashSet};

use laurel_attendance::{Attendee, Encoding, Format, LineOutcome};
use laurel_store::Recorded;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Parsed;
use crate::activity::rules::{Minted, Plan};

/// What an import did, or in a dry run would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResult {
    /// Whether this was a dry run: nothing recorded or awarded.
    pub dry_run: bool,
    /// How the header was recognized (mapped: read with the *_column parameters; list: an
    /// attendee list without minutes).
    pub format: Format,
    /// How the file's bytes were decoded.
    pub encoding: Encoding,
    /// 1-based line number of the header row.
    pub header_line: usize,
    /// The offset the report's times were read in (+02:00).
    pub utc_offset: String,
    /// The counts.
    pub summary: Summary,
    /// Per achievement whose rules name the event or its series: what minting did, or in a
    /// dry run what it would do.
    pub awards: Vec<AwardOutcome>,
    /// One entry per data line, in file order; absent once the per-line results expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineResult>>,
    /// When the per-line results (and a dry run's recipients) were dropped: a dry run's after
    /// one day, an import's after 30 days or once the issuer's stored results pass 64 MiB.
    /// `lines` is then absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub lines_expired_at: Option<String>,
}

/// The counts of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ImportSummary))]
pub struct Summary {
    /// Data lines after the header.
    pub lines: usize,
    /// People in the report.
    pub attendees: usize,
    /// People recorded for the first time.
    pub recorded: usize,
    /// People already recorded whose record now says more (more minutes, say).
    pub updated: usize,
    /// People already recorded exactly so: nothing changed.
    pub duplicate: usize,
    /// Lines added to a person seen on an earlier line (a rejoin).
    pub merged: usize,
    /// Lines that are not attendance (a registrant who did not attend, a blank row).
    pub skipped: usize,
    /// Lines that could not be used.
    pub rejected: usize,
}

/// One achievement's part of an import: what minting did, or what a dry run would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ImportAward))]
#[serde(untagged)]
pub enum AwardOutcome {
    /// A dry run: who would be awarded.
    WouldAward(WouldAward),
    /// An import: what minting did.
    Minted(MintedAward),
}

/// What a dry run would award for one achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ImportWouldAward))]
pub struct WouldAward {
    /// The achievement.
    pub achievement_id: Uuid,
    /// Its name.
    pub name: String,
    /// People meeting one of its rules.
    pub qualified: usize,
    /// People meeting one and not holding it yet: credentials the import would mint.
    pub would_award: usize,
    /// Their emails; absent once the per-line results expired. Personal data: null for a
    /// read-only token made without --with-emails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Vec<String>>,
    /// People in the report who attended a session the achievement's rules look at without
    /// meeting them, and by how much; absent once the per-line results expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_qualified: Option<Vec<NotQualified>>,
}

/// What an import's minting did for one achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ImportMinted))]
pub struct MintedAward {
    /// The achievement.
    pub achievement_id: Uuid,
    /// Its name.
    pub name: String,
    /// People meeting one of its rules.
    pub qualified: usize,
    /// Credentials minted now.
    pub created: usize,
    /// Recipients who had it already.
    pub existing: usize,
    /// Recipients whose credential could not be minted; evaluating again retries.
    pub failed: usize,
    /// People in the report who attended a session the achievement's rules look at without
    /// meeting them, and by how much; absent once the per-line results expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_qualified: Option<Vec<NotQualified>>,
}

/// Someone who attended without qualifying, and by how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotQualified {
    /// Their email. Personal data: null for a read-only token made without --with-emails.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub email: String,
    /// "attended 38 of 45 minutes", "2 of 3 sessions", "attended, no minutes recorded".
    pub short: String,
}

/// What became of one line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ImportLine))]
pub struct LineResult {
    /// 1-based line number where the row starts.
    pub line: usize,
    /// The address the line gave (for a rejected line, the text where one was expected).
    /// Personal data: null for a read-only token made without --with-emails.
    pub email: Option<String>,
    /// The line's own time in session; null when the line was not read or gave none (an
    /// attendee list).
    pub minutes: Option<u32>,
    /// recorded, updated, duplicate: the person's first line, and what recording them did.
    pub outcome: LineKind,
    /// recorded, updated, duplicate: the person's minutes over all of their lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_minutes: Option<u32>,
    /// merged: the person's first line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub into_line: Option<usize>,
    /// skipped, rejected: why. May quote the cell it could not read, so it is null for a
    /// read-only token made without --with-emails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The fate of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ImportLineOutcome))]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// The person's first line; they were recorded for the first time.
    Recorded,
    /// The person's first line; their record now says more.
    Updated,
    /// The person's first line; they were recorded exactly so already.
    Duplicate,
    /// A later line of a person (a rejoin), added to their first.
    Merged,
    /// Not attendance (a registrant who did not attend, a blank row).
    Skipped,
    /// Could not be used.
    Rejected,
}

/// A dry run's entry for one achievement's plan.
pub(super) fn would_award(plan: &Plan, in_report: &HashSet<&str>) -> AwardOutcome {
    AwardOutcome::WouldAward(WouldAward {
        achievement_id: plan.achievement.id,
        name: plan.achievement.name.clone(),
        qualified: plan.qualified,
        would_award: plan.pending.len(),
        recipients: Some(plan.pending.iter().map(|r| r.email.clone()).collect()),
        not_qualified: Some(not_qualified(plan, in_report)),
    })
}

/// An import's entry for one achievement: what minting did, and who fell short.
pub(super) fn minted(total: Minted, near: Vec<NotQualified>) -> AwardOutcome {
    AwardOutcome::Minted(MintedAward {
        achievement_id: total.achievement_id,
        name: total.name,
        qualified: total.qualified,
        created: total.created,
        existing: total.existing,
        failed: total.failed,
        not_qualified: Some(near),
    })
}

/// Those in the report who attended a session `plan`'s rules look at and do not qualify,
/// with by how much ("attended 38 of 45 minutes", "2 of 3 sessions").
pub(super) fn not_qualified(plan: &Plan, in_report: &HashSet<&str>) -> Vec<NotQualified> {
    plan.short
        .iter()
        .filter(|near| in_report.contains(near.email.as_str()))
        .map(|near| NotQualified {
            email: near.email.clone(),
            short: near.short.to_string(),
        })
        .collect()
}

/// The job's result: format, summary, awards and one entry per line. Every line says the
/// address it gave (for a rejected line, the text where one was expected) and its minutes
/// (`null` for an attendee list); a person's first line also says their minutes over all of
/// their lines (`person_minutes`).
pub(super) fn outcome(
    parsed: &Parsed,
    recorded: &[Recorded],
    dry_run: bool,
    awards: Vec<AwardOutcome>,
) -> ImportResult {
    let report = &parsed.report;
    // Each attendee, and what recording them did.
    let by_email: HashMap<&str, (&Attendee, Recorded)> = report
        .attendees
        .iter()
        .zip(recorded)
        .map(|(attendee, what)| (attendee.email.as_str(), (attendee, *what)))
        .collect();
    let mut summary = Summary {
        lines: report.lines.len(),
        attendees: report.attendees.len(),
        ..Summary::default()
    };
    let lines = report
        .lines
        .iter()
        .map(|line| {
            let mut entry = LineResult {
                line: line.line,
                email: line.email.clone(),
                minutes: line.minutes,
                outcome: LineKind::Recorded,
                person_minutes: None,
                into_line: None,
                reason: None,
            };
            match &line.outcome {
                LineOutcome::Recorded => {
                    let found = line.email.as_deref().and_then(|email| by_email.get(email));
                    entry.outcome = match found.map_or(Recorded::New, |(_, what)| *what) {
                        Recorded::New => {
                            summary.recorded += 1;
                            LineKind::Recorded
                        }
                        Recorded::Updated => {
                            summary.updated += 1;
                            LineKind::Updated
                        }
                        Recorded::Unchanged => {
                            summary.duplicate += 1;
                            LineKind::Duplicate
                        }
                    };
                    entry.person_minutes = found.map(|(attendee, _)| attendee.minutes);
                }
                LineOutcome::Merged { into_line } => {
                    summary.merged += 1;
                    entry.outcome = LineKind::Merged;
                    entry.into_line = Some(*into_line);
                }
                LineOutcome::Skipped { reason } => {
                    summary.skipped += 1;
                    entry.outcome = LineKind::Skipped;
                    entry.reason = Some(reason.clone());
                }
                LineOutcome::Rejected { reason } => {
                    summary.rejected += 1;
                    entry.outcome = LineKind::Rejected;
                    entry.reason = Some(reason.clone());
                }
            }
            entry
        })
        .collect();
    ImportResult {
        dry_run,
        format: report.format,
        encoding: report.encoding,
        header_line: report.header_line,
        utc_offset: parsed.utc_offset.to_string(),
        summary,
        awards,
        lines: Some(lines),
        lines_expired_at: None,
    }
}
