//! What both backends share: turning sqlx errors into [`StoreError`], the JSON text that holds
//! list columns, how recorded attendance merges and what a revocation changes, so the two
//! backends cannot disagree on them.
//!
//! Error messages never carry bound values (a token's secret hash, a recipient's email): only
//! the database's own primary message, which names tables and columns, and the SQLSTATE code.

use chrono::{DateTime, Utc};
use sqlx::error::ErrorKind;

use crate::{StoreError, StoreResult};

/// Maps a sqlx error to the store's vocabulary.
///
/// `RowNotFound` is [`StoreError::NotFound`]; a unique violation is a [`StoreError::Conflict`]
/// (callers that know which value clashed say so with a better message); a foreign-key
/// violation means a parent row is missing, so [`StoreError::NotFound`]; a value that cannot be
/// decoded is [`StoreError::Corrupt`]; everything else is [`StoreError::Database`].
pub(crate) fn db(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(e) => match e.kind() {
            ErrorKind::UniqueViolation => StoreError::Conflict("it already exists".into()),
            ErrorKind::ForeignKeyViolation => StoreError::NotFound,
            _ => StoreError::Database(match e.code() {
                Some(code) => format!("{} (code {code})", e.message()),
                None => e.message().to_string(),
            }),
        },
        sqlx::Error::ColumnDecode { index, source } => {
            StoreError::Corrupt(format!("column {index}: {source}"))
        }
        sqlx::Error::Decode(source) => StoreError::Corrupt(source.to_string()),
        sqlx::Error::ColumnNotFound(column) => {
            StoreError::Corrupt(format!("no column {column} (schema out of date?)"))
        }
        // Connection, pool, I/O, TLS, protocol and encoding errors. Their text comes from the
        // driver and the network, not from bound values.
        other => StoreError::Database(other.to_string()),
    }
}

/// Maps a migration failure (a changed or missing migration, or the database failing).
pub(crate) fn migrate_error(err: sqlx::migrate::MigrateError) -> StoreError {
    match err {
        sqlx::migrate::MigrateError::Execute(e) => db(e),
        sqlx::migrate::MigrateError::ExecuteMigration(e, version) => {
            StoreError::Database(format!("migration {version}: {}", db(e)))
        }
        other => StoreError::Database(format!("migrations: {other}")),
    }
}

/// A list of strings as the JSON text stored in a list column.
pub(crate) fn list_to_json(list: &[String]) -> String {
    // A slice of strings always serializes; the fallback is never taken.
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// A `like` pattern matching `text` anywhere, lowercased, its wildcards escaped (with `\\`) so
/// the text is matched as written: compare it with `lower(column) like … escape '\\'`.
pub(crate) fn contains_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A list column's JSON text back as strings.
pub(crate) fn list_from_json(text: &str, column: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("{column} is not a JSON list of strings: {e}")))
}

/// Reads a key purpose stored by [`crate::KeyPurpose::as_str`].
pub(crate) fn purpose(text: &str) -> StoreResult<crate::KeyPurpose> {
    crate::KeyPurpose::parse(text)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown key purpose {text:?}")))
}

/// Reads a stored HTTP status.
pub(crate) fn status(value: i64) -> StoreResult<u16> {
    u16::try_from(value).map_err(|_| StoreError::Corrupt(format!("HTTP status {value}")))
}

/// Reads an event format stored by [`crate::EventFormat::as_str`].
pub(crate) fn event_format(text: &str) -> StoreResult<crate::EventFormat> {
    crate::EventFormat::parse(text)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown event format {text:?}")))
}

/// Reads an import status stored by [`crate::ImportStatus::as_str`].
pub(crate) fn import_status(text: &str) -> StoreResult<crate::ImportStatus> {
    crate::ImportStatus::parse(text)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown import status {text:?}")))
}

/// Reads a stored count (minutes, rows): the columns are 64-bit so that every `u32` fits.
pub(crate) fn notification_state(text: &str) -> StoreResult<crate::NotificationState> {
    crate::NotificationState::parse(text)
        .ok_or_else(|| StoreError::Corrupt(format!("notification state {text:?}")))
}

pub(crate) fn smtp_security(text: &str) -> StoreResult<crate::SmtpSecurity> {
    crate::SmtpSecurity::parse(text)
        .ok_or_else(|| StoreError::Corrupt(format!("smtp security {text:?}")))
}

pub(crate) fn smtp_port(value: i64) -> StoreResult<u16> {
    u16::try_from(value).map_err(|_| StoreError::Corrupt(format!("smtp port {value}")))
}

/// The length of an issuer's rate window.
pub(crate) const RATE_WINDOW_SECONDS: i64 = 60;

/// An issuer's sending budget now: how many notifications may still be claimed in its current
/// rate window (`u32::MAX` without a limit), and the window after claiming (its start and the
/// count before this claim). A window older than [`RATE_WINDOW_SECONDS`] starts afresh now.
pub(crate) fn rate_budget(
    rate_per_minute: Option<u32>,
    window_started_at: Option<DateTime<Utc>>,
    window_count: u32,
    now: DateTime<Utc>,
) -> (u32, DateTime<Utc>, u32) {
    // A start ahead of `now` (another instance's clock runs ahead) is still the current
    // window: throwing it away would reset the count and let the limit be exceeded.
    let current =
        window_started_at.filter(|start| (now - *start).num_seconds() < RATE_WINDOW_SECONDS);
    let (start, count) = match current {
        Some(start) => (start, window_count),
        None => (now, 0),
    };
    match rate_per_minute {
        None => (u32::MAX, start, count),
        Some(rate) => (rate.saturating_sub(count), start, count),
    }
}

pub(crate) fn count(value: i64, column: &str) -> StoreResult<u32> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column} is {value}")))
}

pub(crate) use crate::values::micros;

/// An award as the database keeps it (timestamps cut to microseconds), so a `Created` result
/// equals what a later read returns.
pub(crate) fn as_stored(award: crate::Award) -> crate::Award {
    crate::Award {
        issued_at: micros(award.issued_at),
        valid_until: award.valid_until.map(micros),
        revoked_at: award.revoked_at.map(micros),
        suspended_at: award.suspended_at.map(micros),
        ..award
    }
}

mod batches;
pub(crate) mod categories;
mod columns;
pub(crate) mod endorsements;
pub(crate) mod pathways;
mod status;
pub(crate) mod transcript_links;

pub use batches::merge_attendance;
pub(crate) use batches::{AttendanceBatch, CompletionBatch};
pub(crate) use columns::*;
pub(crate) use status::{
    Revocation, allocations, check_list_size, new_status_list, set_bits, status_slot, unique_ids,
};

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::rate_budget;

    #[test]
    fn a_rate_window_lasts_a_minute_even_if_it_starts_ahead_of_this_clock() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        assert_eq!(rate_budget(None, None, 0, now), (u32::MAX, now, 0));
        assert_eq!(rate_budget(Some(10), None, 0, now), (10, now, 0));
        let started = now - Duration::seconds(30);
        assert_eq!(
            rate_budget(Some(10), Some(started), 7, now),
            (3, started, 7)
        );
        // Another instance's clock runs ahead: its window is still the current one.
        let ahead = now + Duration::seconds(5);
        assert_eq!(rate_budget(Some(10), Some(ahead), 10, now), (0, ahead, 10));
        // A minute on, a new window.
        let old = now - Duration::seconds(60);
        assert_eq!(rate_budget(Some(10), Some(old), 10, now), (10, now, 0));
    }
}
