//! What both backends share: turning sqlx errors into [`StoreError`], the JSON text that holds
//! list columns, how recorded attendance merges and what a revocation changes, so the two
//! backends cannot disagree on them.
//!
//! Error messages never carry bound values (a token's secret hash, a recipient's email): only
//! the database's own primary message, which names tables and columns, and the SQLSTATE code.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::error::ErrorKind;
use uuid::Uuid;

use crate::{
    Allocation, Attendance, Award, Completion, Recorded, StatusChange, StatusList, StatusSlot,
    StoreError, StoreResult,
};

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

/// A timestamp as the database keeps it: cut to microseconds, the precision of PostgreSQL's
/// `timestamptz` (and of SQLite's stored text).
pub(crate) fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// An award as the database keeps it (timestamps cut to microseconds), so a `Created` result
/// equals what a later read returns.
pub(crate) fn as_stored(award: &crate::Award) -> crate::Award {
    crate::Award {
        issued_at: micros(award.issued_at),
        valid_until: award.valid_until.map(micros),
        revoked_at: award.revoked_at.map(micros),
        suspended_at: award.suspended_at.map(micros),
        ..award.clone()
    }
}

/// Reads an award's status columns: both set, or neither.
pub(crate) fn status_slot(
    list_id: Option<Uuid>,
    index: Option<i64>,
) -> StoreResult<Option<StatusSlot>> {
    match (list_id, index) {
        (Some(list_id), Some(index)) => Ok(Some(StatusSlot {
            list_id,
            index: count(index, "awards.status_index")?,
        })),
        (None, None) => Ok(None),
        _ => Err(StoreError::Corrupt(
            "awards.status_list_id and status_index are not both set".into(),
        )),
    }
}

/// A new status list of `size` entries, all bits 0, with a fresh random key, of which the
/// first `taken` positions are handed out.
pub(crate) fn new_status_list(
    issuer_id: Uuid,
    purpose: &str,
    size: u32,
    taken: u32,
    now: DateTime<Utc>,
) -> StatusList {
    let now = micros(now);
    StatusList {
        id: Uuid::now_v7(),
        issuer_id,
        purpose: purpose.to_string(),
        size,
        allocated: taken,
        // A v4 UUID's 16 bytes (122 of them random bits): keys the order in which indexes are
        // handed out. Never published, so indexes tell nothing about issuance order.
        key: Uuid::new_v4().as_bytes().to_vec(),
        bits: vec![0; size.div_ceil(8) as usize],
        version: 1,
        credential: None,
        signed_version: 0,
        created_at: now,
        updated_at: now,
    }
}

/// Refuses a list size of 0, which no position fits (and with which allocating would never
/// finish).
pub(crate) fn check_list_size(size: u32) -> StoreResult<()> {
    match size {
        0 => Err(StoreError::Config(
            "a status list needs at least one entry".into(),
        )),
        _ => Ok(()),
    }
}

/// Positions `from..from + n` of a list, as allocations.
pub(crate) fn allocations(
    list_id: Uuid,
    key: &[u8],
    size: u32,
    from: u32,
    n: u32,
) -> impl Iterator<Item = Allocation> + '_ {
    (from..from + n).map(move |position| Allocation {
        list_id,
        key: key.to_vec(),
        size,
        position,
    })
}

/// The ids of a call, each once, in order of first appearance.
pub(crate) fn unique_ids(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// A revocation, planned: what [`crate::Store::revoke_awards`] answers and writes, given the
/// awards stored (and, on PostgreSQL, locked).
pub(crate) struct Revocation {
    /// For each id asked for, in input order, what revoking did.
    pub(crate) outcomes: Vec<StatusChange>,
    /// The awards that become revoked, each once.
    pub(crate) revoked: Vec<Uuid>,
    /// For each list with an award revoked, the indexes whose bit is set.
    pub(crate) bits: BTreeMap<Uuid, Vec<u32>>,
}

impl Revocation {
    /// Revokes, in input order, every award of `ids` among `stored` that is not revoked yet;
    /// the first occurrence of an id is `Changed`, a later one `Unchanged`.
    pub(crate) fn plan(
        ids: &[Uuid],
        stored: Vec<Award>,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Revocation {
        let at = micros(at);
        let mut awards: HashMap<Uuid, Award> = stored.into_iter().map(|a| (a.id, a)).collect();
        let mut revocation = Revocation {
            outcomes: Vec::with_capacity(ids.len()),
            revoked: Vec::new(),
            bits: BTreeMap::new(),
        };
        for id in ids {
            let outcome = match awards.get_mut(id) {
                None => StatusChange::Missing(*id),
                Some(award) if award.revoked_at.is_some() => StatusChange::Unchanged(award.clone()),
                Some(award) => {
                    award.revoked_at = Some(at);
                    award.revocation_reason = Some(reason.to_string());
                    revocation.revoked.push(*id);
                    if let Some(slot) = award.status {
                        revocation
                            .bits
                            .entry(slot.list_id)
                            .or_default()
                            .push(slot.index);
                    }
                    StatusChange::Changed(award.clone())
                }
            };
            revocation.outcomes.push(outcome);
        }
        revocation
    }
}

/// Sets the bits at `indexes` (index 0 is the most significant bit of the first byte); says
/// whether any was 0. An index past the end is [`StoreError::Corrupt`]: awards only hold
/// indexes of their list.
pub(crate) fn set_bits(bits: &mut [u8], indexes: &[u32], list_id: Uuid) -> StoreResult<bool> {
    let mut changed = false;
    for &index in indexes {
        let byte = bits.get_mut((index / 8) as usize).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "index {index} is past the end of status list {list_id}"
            ))
        })?;
        let mask = 0x80 >> (index % 8);
        changed |= *byte & mask == 0;
        *byte |= mask;
    }
    Ok(changed)
}

/// An attendance batch, planned: what [`crate::Store::record_attendance`] stores and answers.
///
/// Records are grouped by (event, email). A group is merged in Rust, in input order, into the
/// one row to insert when none is stored, so a backend writes each (event, email) once per
/// call: PostgreSQL refuses to touch a row twice in one statement, and writing all rows in one
/// statement is what keeps 10,000 records fast. Once the backend knows which rows were
/// already stored (and holds them locked), [`AttendanceBatch::outcomes`] replays the records
/// in order over them, which gives each record its exact outcome, a duplicate included.
pub(crate) struct AttendanceBatch {
    /// The records with timestamps cut to microseconds, so comparing them with stored rows is
    /// comparing what the database would hold.
    records: Vec<Attendance>,
    /// For each record, its group's index in `merged`.
    slots: Vec<usize>,
    /// For each (event, email), its index in `merged`.
    index: HashMap<(Uuid, String), usize>,
    /// One row per (event, email), in order of first appearance: the group's records merged in
    /// order. This is the row inserted when none is stored.
    pub(crate) merged: Vec<Attendance>,
}

impl AttendanceBatch {
    pub(crate) fn new(records: &[Attendance]) -> Self {
        let records: Vec<Attendance> = records
            .iter()
            .map(|r| Attendance {
                first_join: r.first_join.map(micros),
                last_leave: r.last_leave.map(micros),
                recorded_at: micros(r.recorded_at),
                ..r.clone()
            })
            .collect();
        let mut index = HashMap::with_capacity(records.len());
        let mut slots = Vec::with_capacity(records.len());
        let mut merged: Vec<Attendance> = Vec::with_capacity(records.len());
        for r in &records {
            let key = (r.event_id, r.recipient_email.clone());
            match index.get(&key) {
                Some(&slot) => {
                    merge_attendance(&mut merged[slot], r);
                    slots.push(slot);
                }
                None => {
                    index.insert(key, merged.len());
                    slots.push(merged.len());
                    merged.push(r.clone());
                }
            }
        }
        AttendanceBatch {
            records,
            slots,
            index,
            merged,
        }
    }

    /// The index in `merged` of this (event, email), if the batch has it.
    pub(crate) fn slot(&self, key: &(Uuid, String)) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// The outcome of every record, in input order, and the stored rows that change (with their
    /// new values), given `before`: for each of `merged`, the row stored before this call, or
    /// `None` if there was none (the backend inserts `merged` for those).
    pub(crate) fn outcomes(
        &self,
        before: Vec<Option<Attendance>>,
    ) -> (Vec<Recorded>, Vec<Attendance>) {
        let stored: Vec<bool> = before.iter().map(Option::is_some).collect();
        let mut changed = vec![false; before.len()];
        let mut rows = before;
        let mut outcomes = Vec::with_capacity(self.records.len());
        for (r, &slot) in self.records.iter().zip(&self.slots) {
            let outcome = match &mut rows[slot] {
                Some(row) => match merge_attendance(row, r) {
                    true => Recorded::Updated,
                    false => Recorded::Unchanged,
                },
                empty => {
                    *empty = Some(r.clone());
                    Recorded::New
                }
            };
            changed[slot] |= outcome == Recorded::Updated;
            outcomes.push(outcome);
        }
        let updates = rows
            .into_iter()
            .zip(stored.into_iter().zip(changed))
            .filter_map(|(row, (stored, changed))| row.filter(|_| stored && changed))
            .collect();
        (outcomes, updates)
    }
}

/// Merges a record into a row: the larger minutes, the earlier join, the later leave, the row's
/// name or else the record's; the row's source and recording time stay. Says whether the row
/// changed. This is what [`crate::Store::record_attendance`] does to a stored row, exported so
/// a dry run can predict it exactly.
pub fn merge_attendance(row: &mut Attendance, record: &Attendance) -> bool {
    let minutes = row.minutes.max(record.minutes);
    let first_join = either(row.first_join, record.first_join, std::cmp::min);
    let last_leave = either(row.last_leave, record.last_leave, std::cmp::max);
    let name_missing = row.recipient_name.is_none() && record.recipient_name.is_some();
    let changed = minutes != row.minutes
        || first_join != row.first_join
        || last_leave != row.last_leave
        || name_missing;
    row.minutes = minutes;
    row.first_join = first_join;
    row.last_leave = last_leave;
    if name_missing {
        row.recipient_name.clone_from(&record.recipient_name);
    }
    changed
}

/// Two optional times combined by `pick`; an unknown one (`None`) is ignored.
fn either(
    a: Option<DateTime<Utc>>,
    b: Option<DateTime<Utc>>,
    pick: fn(DateTime<Utc>, DateTime<Utc>) -> DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

/// A completions batch, planned: the first record of each (issuer, what, email), to insert
/// unless one is stored, and how to answer for every record.
pub(crate) struct CompletionBatch {
    /// The first record of each (issuer, what, email), timestamps cut to microseconds.
    pub(crate) firsts: Vec<Completion>,
    /// For each record, its index in `firsts` if it is the first of its key.
    first: Vec<Option<usize>>,
}

impl CompletionBatch {
    pub(crate) fn new(records: &[Completion]) -> Self {
        let mut seen = std::collections::HashSet::with_capacity(records.len());
        let mut firsts = Vec::with_capacity(records.len());
        let mut first = Vec::with_capacity(records.len());
        for r in records {
            if seen.insert((r.issuer_id, r.what.as_str(), r.recipient_email.as_str())) {
                first.push(Some(firsts.len()));
                firsts.push(Completion {
                    completed_at: micros(r.completed_at),
                    recorded_at: micros(r.recorded_at),
                    ..r.clone()
                });
            } else {
                first.push(None);
            }
        }
        CompletionBatch { firsts, first }
    }

    /// The outcome of every record, in input order, given the ids of the `firsts` that were
    /// inserted: those are `New`; every other record, a later duplicate included, `Unchanged`.
    pub(crate) fn outcomes(&self, inserted: &std::collections::HashSet<Uuid>) -> Vec<Recorded> {
        self.first
            .iter()
            .map(|first| match first {
                Some(i) if inserted.contains(&self.firsts[*i].id) => Recorded::New,
                _ => Recorded::Unchanged,
            })
            .collect()
    }
}

// Column lists, in the order the row readers of both backends expect. Macros rather than
// constants so `concat!` can build `&'static str` statements from them.

/// The columns of `api_tokens` a token is read from.
macro_rules! token_columns {
    () => {
        "id, name, scopes, created_at, revoked_at, issuer_ids, expires_at, last_used_at, with_emails"
    };
}

/// The columns of `issuers`.
macro_rules! issuer_columns {
    () => {
        "id, name, url, email, description, image, jwt_algorithm, brand_color, show_award_count, \
         linkedin_organization_id, created_at, updated_at"
    };
}

/// The columns of `issuer_keys`.
macro_rules! key_columns {
    () => {
        "id, issuer_id, purpose, algorithm, public_jwk, sealed_private_key, created_at, \
         retired_at, compromised_since"
    };
}

/// The columns of `achievements`.
macro_rules! achievement_columns {
    () => {
        "id, issuer_id, name, description, criteria_narrative, criteria_url, image, \
         achievement_type, tags, alignment, credits_available, valid_for_days, award_rules, \
         created_at, updated_at"
    };
}

/// The columns of `awards`.
macro_rules! award_columns {
    () => {
        "id, achievement_id, issuer_id, recipient_email, recipient_name, issued_at, valid_until, \
         credential, jwt, status_list_id, status_index, revoked_at, revocation_reason, \
         suspended_at, suspension_reason"
    };
}

/// The columns of `status_lists`.
macro_rules! status_list_columns {
    () => {
        "id, issuer_id, purpose, size, allocated, key, bits, version, credential, \
         signed_version, created_at, updated_at"
    };
}

/// The columns of `idempotency`.
macro_rules! idempotent_columns {
    () => {
        "key, token_id, request_hash, status, body, created_at"
    };
}

/// The columns of `series`.
macro_rules! series_columns {
    () => {
        "id, issuer_id, title, description, created_at, updated_at"
    };
}

/// The columns of `events`.
macro_rules! event_columns {
    () => {
        "id, issuer_id, series_id, title, starts_at, duration_minutes, format, created_at, \
         updated_at"
    };
}

/// The columns of `attendance`.
macro_rules! attendance_columns {
    () => {
        "event_id, recipient_email, recipient_name, minutes, first_join, last_leave, source, \
         recorded_at"
    };
}

/// The columns of `completions`.
macro_rules! completion_columns {
    () => {
        "id, issuer_id, what, recipient_email, recipient_name, completed_at, score, evidence, \
         recorded_at"
    };
}

/// The columns of `import_jobs`, all but `result`, which can be large: listings leave it out
/// and reading one job adds it.
macro_rules! import_columns {
    () => {
        "id, event_id, status, dry_run, file_name, total_rows, processed_rows, error, \
         created_at, updated_at, finished_at"
    };
}

/// The columns of `issuer_email`.
macro_rules! email_settings_columns {
    () => {
        "issuer_id, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password, \
         from_address, from_name, reply_to, rate_per_minute, dry_run, updated_at"
    };
}

/// The columns of `email_templates`.
macro_rules! email_template_columns {
    () => {
        "issuer_id, achievement_id, subject, text_body, html_body, updated_at"
    };
}

/// The columns of `notifications`.
macro_rules! notification_columns {
    () => {
        "award_id, issuer_id, achievement_id, state, attempts, created_at, queued_at, \
         next_attempt_at, claim, claimed_until, last_attempt_at, sent_at, failed_at, \
         last_error, smtp_reply, message_id, subject, dry_run"
    };
}

pub(crate) use {email_settings_columns, email_template_columns, notification_columns};

pub(crate) use {
    achievement_columns, attendance_columns, award_columns, completion_columns, event_columns,
    idempotent_columns, import_columns, issuer_columns, key_columns, series_columns,
    status_list_columns, token_columns,
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
