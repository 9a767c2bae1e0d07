//! Attendance and completion batches, planned the same way for both backends: which rows to
//! write once, and what to answer for every record, duplicates included.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::micros;
use crate::{Attendance, Completion, Recorded};

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
/// name or else the record's, the record's role when it gives one (a corrected sign-in sheet
/// re-imported says who presented) or else the row's; the row's source and recording time stay.
/// Says whether the row changed. This is what [`crate::Store::record_attendance`] does to a stored row, exported so
/// a dry run can predict it exactly.
pub fn merge_attendance(row: &mut Attendance, record: &Attendance) -> bool {
    let minutes = row.minutes.max(record.minutes);
    let first_join = either(row.first_join, record.first_join, std::cmp::min);
    let last_leave = either(row.last_leave, record.last_leave, std::cmp::max);
    let name_missing = row.recipient_name.is_none() && record.recipient_name.is_some();
    let role_changed = record.role.is_some() && record.role != row.role;
    let changed = minutes != row.minutes
        || first_join != row.first_join
        || last_leave != row.last_leave
        || name_missing
        || role_changed;
    if role_changed {
        row.role.clone_from(&record.role);
    }
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
