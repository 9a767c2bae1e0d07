//! What happened: sessions and series, who attended them, who completed what, and the imports
//! that brought attendance in.
//!
//! These rows are facts, kept apart from the awards they lead to: the server evaluates an
//! achievement's award rules over them, so a rule changed or a record arriving late is settled by
//! evaluating again, never by editing an award. Recording a fact twice changes nothing, which is
//! what makes re-running an import harmless.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A named group of sessions ("Cataloguing basics, three webinars").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Stable id.
    pub id: Uuid,
    /// The issuer that runs it.
    pub issuer_id: Uuid,
    /// Title.
    pub title: String,
    /// What the series is about.
    pub description: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last edited.
    pub updated_at: DateTime<Utc>,
}

/// How a session is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventFormat {
    /// A webinar or other online session.
    Online,
    /// A workshop in a room.
    InPerson,
}

impl EventFormat {
    /// The name stored in the database and used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            EventFormat::Online => "online",
            EventFormat::InPerson => "in_person",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "online" => Some(EventFormat::Online),
            "in_person" => Some(EventFormat::InPerson),
            _ => None,
        }
    }
}

/// One session: a webinar or a workshop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Stable id.
    pub id: Uuid,
    /// The issuer that runs it.
    pub issuer_id: Uuid,
    /// The series it belongs to, if any (a series of the same issuer).
    pub series_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// When it starts (or started).
    pub starts_at: DateTime<Utc>,
    /// Planned length in minutes: the base of percentage thresholds.
    pub duration_minutes: u32,
    /// Online or in person.
    pub format: EventFormat,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last edited.
    pub updated_at: DateTime<Utc>,
}

/// Which events to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    /// Only this issuer's.
    pub issuer_id: Option<Uuid>,
    /// Only this series'.
    pub series_id: Option<Uuid>,
}

/// One person's attendance of one session. Unique per (event, email): recording it again
/// merges (see [`crate::Store::record_attendance`]), so the same report imported twice, or two
/// overlapping reports, leave one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attendance {
    /// The session.
    pub event_id: Uuid,
    /// Email, normalized (trimmed, lowercased).
    pub recipient_email: String,
    /// Name, when a record gave one.
    pub recipient_name: Option<String>,
    /// Minutes in the session.
    pub minutes: u32,
    /// Earliest join, when known.
    pub first_join: Option<DateTime<Utc>>,
    /// Latest leave, when known.
    pub last_leave: Option<DateTime<Utc>>,
    /// Where the record came from (`api`, `import:zoom`, `cli:plain`, ...).
    pub source: String,
    /// When it was first recorded.
    pub recorded_at: DateTime<Utc>,
    /// The person's role in the session ("Presenter"), when a record gave one: award rules
    /// may count or credit it (checked by `laurel_core::model::check_role`). Recording again
    /// with a role replaces it; without one leaves it.
    #[serde(default)]
    pub role: Option<String>,
}

/// A recorded completion of something (a course, an assignment) by one person. Unique per
/// (issuer, what, email): the first record is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// Stable id.
    pub id: Uuid,
    /// The issuer that recorded it.
    pub issuer_id: Uuid,
    /// What was completed: the issuer's own key for it (`cataloguing-101`).
    pub what: String,
    /// Email, normalized (trimmed, lowercased).
    pub recipient_email: String,
    /// Name, when given.
    pub recipient_name: Option<String>,
    /// When it was completed.
    pub completed_at: DateTime<Utc>,
    /// Result or score as the source gave it (`87`, `pass`).
    pub score: Option<String>,
    /// Evidence: a URL or a description.
    pub evidence: Option<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The person's role in it ("Mentor"), when given (checked by
    /// `laurel_core::model::check_role`).
    #[serde(default)]
    pub role: Option<String>,
}

/// What recording one fact did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    /// A new row.
    New,
    /// An existing row now says more (more minutes, an earlier join, a later leave, a name).
    Updated,
    /// Already known: nothing changed.
    Unchanged,
}

/// Where an import job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Accepted, not started.
    Queued,
    /// Being recorded and awarded.
    Running,
    /// Done (rows may still have been rejected: see its result).
    Succeeded,
    /// Stopped by an error that is not one row's fault (see `error`).
    Failed,
}

impl ImportStatus {
    /// The name stored in the database and used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Queued => "queued",
            ImportStatus::Running => "running",
            ImportStatus::Succeeded => "succeeded",
            ImportStatus::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "queued" => Some(ImportStatus::Queued),
            "running" => Some(ImportStatus::Running),
            "succeeded" => Some(ImportStatus::Succeeded),
            "failed" => Some(ImportStatus::Failed),
            _ => None,
        }
    }

    /// Whether the job is over.
    pub fn is_finished(self) -> bool {
        matches!(self, ImportStatus::Succeeded | ImportStatus::Failed)
    }
}

/// An attendance import: kept in the database so any instance can answer a poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportJob {
    /// Stable id.
    pub id: Uuid,
    /// The session the report is for.
    pub event_id: Uuid,
    /// Where it is.
    pub status: ImportStatus,
    /// A dry run records and awards nothing; it reports what would happen.
    pub dry_run: bool,
    /// The uploaded file's name, when known.
    pub file_name: Option<String>,
    /// Data rows in the file (0 until parsed).
    pub total_rows: u32,
    /// Rows handled so far.
    pub processed_rows: u32,
    /// The outcome as JSON text (summary and per-line results), once finished.
    pub result: Option<String>,
    /// Why the job failed, when it did.
    pub error: Option<String>,
    /// When it was accepted.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
}

/// How many imports one issuer may have waiting or running at once (see
/// [`crate::Store::create_import_within`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportQuota {
    /// The issuer whose session the new import is for.
    pub issuer_id: Uuid,
    /// At most this many of its imports queued or running.
    pub max_unfinished: u32,
    /// Unfinished imports not updated since then are stale (their instance stopped) and do
    /// not count.
    pub fresh_since: DateTime<Utc>,
}

/// A finished import whose stored result still has its per-line detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportResultSize {
    /// The import.
    pub id: Uuid,
    /// The issuer of its session.
    pub issuer_id: Uuid,
    /// Whether it was a dry run (the console's review step).
    pub dry_run: bool,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// The size of its stored result, in bytes.
    pub bytes: u64,
}

/// A W3C Bitstring Status List of one issuer and purpose, with its signed credential.
#[derive(Clone, PartialEq)]
pub struct StatusList {
    /// Stable id; the list credential is served at `{public_url}/status/{id}`.
    pub id: Uuid,
    /// The issuer whose credentials it covers (and who signs it).
    pub issuer_id: Uuid,
    /// `revocation`.
    pub purpose: String,
    /// How many entries (bits) it has: at least 131,072.
    pub size: u32,
    /// How many positions have been handed out (see [`Allocation`]).
    pub allocated: u32,
    /// Keys the order in which indexes are handed out (`laurel_core::status::IndexShuffle`).
    pub key: Vec<u8>,
    /// The bits, `size / 8` bytes; index 0 is the most significant bit of the first byte.
    pub bits: Vec<u8>,
    /// Bumped whenever a bit changes.
    pub version: i64,
    /// The signed `BitstringStatusListCredential` (JSON text), when one was stored.
    pub credential: Option<String>,
    /// The `version` that credential shows (0 when none).
    pub signed_version: i64,
    /// When the list was started.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusList")
            .field("id", &self.id)
            .field("issuer_id", &self.issuer_id)
            .field("purpose", &self.purpose)
            .field("size", &self.size)
            .field("allocated", &self.allocated)
            .field("version", &self.version)
            .field("signed_version", &self.signed_version)
            .finish_non_exhaustive()
    }
}

/// A position handed out on a list: the `position`-th entry of list `list_id`, whose index
/// the caller derives from the list's `key` and `size`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// The list.
    pub list_id: Uuid,
    /// The list's shuffle key.
    pub key: Vec<u8>,
    /// The list's size.
    pub size: u32,
    /// The position: distinct for every allocation of one list.
    pub position: u32,
}

/// What a status change did to one award.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusChange {
    /// Changed: the award as it is now.
    Changed(crate::Award),
    /// Already so: the award, unchanged.
    Unchanged(crate::Award),
    /// No award has this id.
    Missing(Uuid),
}
