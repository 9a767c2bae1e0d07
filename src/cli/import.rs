//! `laurel import attendance`: import a webinar attendance report from the command line.
//!
//! It opens the same database and key-encryption key as `laurel serve` and runs the very code
//! the API's import endpoint runs, so a file gives the same result either way, and the job is
//! listed by the API afterwards. Per-line results and the summary go to standard output;
//! progress goes to standard error, as a bar on a terminal and as plain lines otherwise.
//!
//! Exit status: 0 when every line was recorded (or merged, skipped as not attendance, or found
//! already recorded), 3 when the import finished but some lines were rejected, 1 when it could
//! not run (an unreadable file, an unknown event, the database), 2 for a usage mistake.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use laurel_service::activity::import::{self, Progress};
use laurel_store::{ImportStatus, StoreError};
use serde_json::Value;
use uuid::Uuid;

use super::service::{self, ServiceArgs};
use super::{UsageError, io};

/// The largest report read, in bytes.
const MAX_REPORT: usize = 64 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import an attendance report (Zoom, GoToWebinar or plain email,name,minutes CSV) for
    /// one event: record who attended and award every achievement whose rule they now meet.
    Attendance(AttendanceArgs),
}

#[derive(Debug, Args)]
pub struct AttendanceArgs {
    #[command(flatten)]
    service: ServiceArgs,
    /// The event (session) the report is for: its id.
    #[arg(long, value_name = "ID")]
    event: String,
    /// Show what would be recorded and awarded; record and award nothing.
    #[arg(long)]
    dry_run: bool,
    /// The UTC offset of the report's join and leave times, e.g. -05:00 [default: the
    /// issuer's time zone at the event's start; for an issuer in UTC, guessed from the
    /// earliest join and the event's start].
    #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
    utc_offset: Option<String>,
    /// The column holding emails, for a report whose format is not detected: a header name,
    /// or #N for the N-th column.
    #[arg(long, value_name = "COLUMN")]
    email_column: Option<String>,
    /// The column holding full names.
    #[arg(long, value_name = "COLUMN")]
    name_column: Option<String>,
    /// The column holding first names.
    #[arg(long, value_name = "COLUMN")]
    first_name_column: Option<String>,
    /// The column holding last names.
    #[arg(long, value_name = "COLUMN")]
    last_name_column: Option<String>,
    /// The column holding minutes attended.
    #[arg(long, value_name = "COLUMN")]
    minutes_column: Option<String>,
    /// The column holding join times (with --leave-column, when there are no minutes).
    #[arg(long, value_name = "COLUMN")]
    join_column: Option<String>,
    /// The column holding leave times.
    #[arg(long, value_name = "COLUMN")]
    leave_column: Option<String>,
    /// The column holding each person's role (Presenter, Mentor…); a column named Role is
    /// read without it.
    #[arg(long, value_name = "COLUMN")]
    role_column: Option<String>,
    /// Print the job's full result as JSON instead of lines.
    #[arg(long)]
    json: bool,
    /// The report file (CSV), or - for standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// Some lines were rejected: the import finished, and exits with status 3.
#[derive(Debug)]
pub struct LinesRejected(pub u64);

impl std::fmt::Display for LinesRejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} line(s) of the report were rejected (see above); the other lines were imported",
            self.0
        )
    }
}

impl std::error::Error for LinesRejected {}

pub fn run(command: ImportCommand) -> Result<()> {
    let ImportCommand::Attendance(args) = command;
    let event_id = Uuid::parse_str(args.event.trim()).map_err(|_| {
        UsageError(format!(
            "--event must be an event id (a UUID), got {:?}",
            args.event
        ))
    })?;
    let query = import::ImportOptions {
        dry_run: Some(args.dry_run),
        file_name: None,
        utc_offset: args.utc_offset.clone(),
        email_column: args.email_column.clone(),
        name_column: args.name_column.clone(),
        first_name_column: args.first_name_column.clone(),
        last_name_column: args.last_name_column.clone(),
        minutes_column: args.minutes_column.clone(),
        join_column: args.join_column.clone(),
        leave_column: args.leave_column.clone(),
        role_column: args.role_column.clone(),
    };
    let mapping = query.mapping().map_err(|e| UsageError(e.to_string()))?;
    let offset = query.offset().map_err(|e| UsageError(e.to_string()))?;
    let bytes = io::read_limited(&args.file, MAX_REPORT, "attendance report")?;
    let job = args.service.run(|state| async move {
        let event = match state.store.event(event_id).await {
            Ok(event) => event,
            Err(StoreError::NotFound) => bail!("no event with id {event_id}"),
            Err(error) => return Err(error).context("cannot read the event"),
        };
        let offset = match offset {
            Some(offset) => Some(offset),
            None => laurel_service::activity::local_time::report_offset(&state, &event).await,
        };
        let parsed = import::parse(event, &bytes, mapping.as_ref(), offset, state.clock.now())
            .map_err(|error| anyhow::anyhow!("{}: {error}", io::display(&args.file)))?;
        let file_name = args
            .file
            .file_name()
            .filter(|_| !io::is_stdin(&args.file))
            .map(|name| name.to_string_lossy().into_owned());
        let job = import::new_job(&parsed, args.dry_run, file_name, state.clock.now());
        import::enqueue(&state, &job, &parsed)
            .await
            .map_err(service::api)?;
        if !args.dry_run {
            let detail = serde_json::json!({ "event_id": event_id, "file_name": job.file_name });
            super::service::audit(
                state.store.as_ref(),
                "import.create",
                Some(job.id.to_string()),
                detail,
            )
            .await;
        }
        let mut bar = ProgressDisplay::new();
        let job = import::run(&state, job, parsed, |progress| bar.show(progress)).await;
        bar.finish();
        job.map_err(service::api)
    })?;

    if job.status == ImportStatus::Failed {
        bail!(
            "the import failed: {}",
            job.error.as_deref().unwrap_or("no reason was recorded")
        );
    }
    let result: Value = job
        .result
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .context("the import finished without a result")?;
    if args.json {
        io::print(&format!("{result:#}\n"))?;
    } else {
        io::print(&report(&result, args.dry_run))?;
    }
    match result["summary"]["rejected"].as_u64() {
        Some(rejected) if rejected > 0 => Err(LinesRejected(rejected).into()),
        _ => Ok(()),
    }
}

/// The result as lines: one per line of the file, then the summary.
fn report(result: &Value, dry_run: bool) -> String {
    let mut text = String::new();
    for line in result["lines"].as_array().into_iter().flatten() {
        let number = &line["line"];
        let outcome = line["outcome"].as_str().unwrap_or("?");
        let detail = match outcome {
            "recorded" | "updated" | "duplicate" => {
                line["email"].as_str().unwrap_or("").to_string()
            }
            "merged" => format!("into line {}", line["into_line"]),
            _ => line["reason"].as_str().unwrap_or("").to_string(),
        };
        text.push_str(&format!("line {number}: {outcome} {detail}\n"));
    }
    let summary = &result["summary"];
    let count = |name: &str| summary[name].as_u64().unwrap_or(0);
    text.push_str(&format!(
        "\n{} report, header on line {}, times read at UTC{}\n",
        result["format"].as_str().unwrap_or("?"),
        result["header_line"],
        result["utc_offset"].as_str().unwrap_or("+00:00"),
    ));
    text.push_str(&format!(
        "{} lines, {} people: {} recorded, {} updated, {} duplicate, {} merged, {} skipped, {} rejected{}\n",
        count("lines"),
        count("attendees"),
        count("recorded"),
        count("updated"),
        count("duplicate"),
        count("merged"),
        count("skipped"),
        count("rejected"),
        if dry_run { " (dry run: nothing was recorded)" } else { "" },
    ));
    let awards = result["awards"].as_array().cloned().unwrap_or_default();
    if awards.is_empty() {
        text.push_str("no achievement has a rule for this event or its series\n");
    }
    for award in awards {
        let name = award["name"].as_str().unwrap_or("?");
        let qualified = award["qualified"].as_u64().unwrap_or(0);
        if dry_run {
            text.push_str(&format!(
                "would award {name:?} to {} (of {qualified} who meet its rules)\n",
                award["would_award"].as_u64().unwrap_or(0)
            ));
        } else {
            let failed = award["failed"].as_u64().unwrap_or(0);
            text.push_str(&format!(
                "awarded {name:?} to {} (of {qualified} who meet its rules){}\n",
                award["created"].as_u64().unwrap_or(0),
                if failed > 0 {
                    format!("; {failed} could not be minted: run the import again")
                } else {
                    String::new()
                }
            ));
        }
    }
    text
}

/// Progress on standard error: a redrawn bar on a terminal, a line per step otherwise.
struct ProgressDisplay {
    terminal: bool,
    last: Option<Progress>,
}

impl ProgressDisplay {
    fn new() -> Self {
        ProgressDisplay {
            terminal: std::io::stderr().is_terminal(),
            last: None,
        }
    }

    fn show(&mut self, progress: Progress) {
        if self.last == Some(progress) {
            return;
        }
        self.last = Some(progress);
        let (what, done, total) = match progress {
            Progress::Recording { done, total } => ("recording", done, total),
            Progress::Awarding { done, total } => ("awarding", done, total),
        };
        let mut stderr = std::io::stderr().lock();
        // Progress is a courtesy: a closed standard error must not stop the import.
        if self.terminal {
            const WIDTH: usize = 30;
            let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
            let _ = write!(
                stderr,
                "\r\x1b[2K{what:<9} [{}{}] {done}/{total}",
                "#".repeat(filled),
                "-".repeat(WIDTH - filled)
            );
        } else {
            let _ = writeln!(stderr, "{what}: {done}/{total}");
        }
        let _ = stderr.flush();
    }

    fn finish(&self) {
        if self.terminal && self.last.is_some() {
            eprintln!();
        }
    }
}
