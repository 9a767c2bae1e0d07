//! Status lists and revocation, planned the same way for both backends: where new
//! credentials' bits go, and what a revocation changes.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{count, micros};
use crate::{Allocation, Award, StatusChange, StatusList, StatusSlot, StoreError, StoreResult};

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
