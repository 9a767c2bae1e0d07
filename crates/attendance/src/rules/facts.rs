//! What is known when a rule is evaluated: sessions, attendance, completions.
//!
//! These are plain records as the server loads them; nothing here is validated beyond
//! what the types say, because they describe what happened, not what should happen.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::rule::SessionFormat;

/// One webinar or workshop session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The caller's id for the session.
    pub id: String,
    /// Title, for people reading previews.
    pub title: String,
    /// When the session started (or was scheduled to).
    pub start: DateTime<Utc>,
    /// Planned length; the base of percentage thresholds.
    pub duration_minutes: u32,
    /// The series the session belongs to, if any. A series has no record of its own: its
    /// sessions are the sessions naming it.
    pub series: Option<String>,
    /// How it is held, when known; a session of unknown format counts only for rules that
    /// take any format.
    #[serde(default)]
    pub format: Option<SessionFormat>,
}

impl Session {
    /// Planned end: start plus duration.
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(i64::from(self.duration_minutes))
    }
}

/// Time one person spent in one session, as one report row or connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceRecord {
    /// Email address; compared after [`normalize_email`].
    pub email: String,
    /// Id of the session attended.
    pub session: String,
    /// Minutes in session.
    pub minutes: u32,
    /// When the person joined, when known.
    pub join: Option<DateTime<Utc>>,
    /// When the person left, when known.
    pub leave: Option<DateTime<Utc>>,
    /// The person's role in the session ("Presenter"), when recorded.
    #[serde(default)]
    pub role: Option<String>,
}

/// A recorded completion of something (a course, an assignment) by one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionRecord {
    /// Email address; compared after [`normalize_email`].
    pub email: String,
    /// Id of what was completed.
    pub what: String,
    /// When it was completed.
    pub date: DateTime<Utc>,
    /// Result or score as the source gave it ("87", "pass"), when any.
    pub score: Option<String>,
    /// Evidence of the completion (a URL or a description), when any.
    pub evidence: Option<String>,
    /// The person's role in it, when recorded.
    #[serde(default)]
    pub role: Option<String>,
}

/// Everything a rule may look at. The caller may pass more than the rule needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Known sessions; attendance for sessions not listed here is ignored.
    pub sessions: Vec<Session>,
    /// Attendance records, any number per person and session.
    pub attendance: Vec<AttendanceRecord>,
    /// Completion records.
    pub completions: Vec<CompletionRecord>,
}

/// The form in which emails are compared: trimmed and lowercased, as everywhere in Laurel.
pub use laurel_core::model::normalize_email;
