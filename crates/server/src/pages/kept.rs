//! Credential pages just rendered, kept for one second.
//!
//! A credential shared on a social network is opened in bursts, and rendering its page (three
//! store reads, the Markdown cleaned, the template, its ETag) costs several times what serving
//! bytes from memory does. So each page is kept for [`PageCache::TTL`], one second, the same
//! bound the signed status lists are served with ([`crate::public::status::ListCache`]), and
//! far below the minute browsers and proxies may keep the page themselves (`max-age=60`).
//!
//! What may not be served stale is a credential's standing. On the instance that changes it,
//! the copy is dropped at once: the domain's changes ([`laurel_service::Changes`]: revoked,
//! suspended, lifted, re-issued, its status list signed again) forget the credential's page or
//! its list's pages, and any write through this instance's admin API or console forgets every
//! page (an issuer's colour, a key marked compromised: whatever a page may show). Another
//! instance behind the same load balancer, or a `laurel` command on the same database, is seen
//! within two seconds at most (see below). A page is also dropped when the injected clock has reached its
//! credential's expiry or another day (the page says when it was checked), so a kept page
//! never says "valid" past `validUntil`.
//!
//! When a page's second is up, one request renders it again and the others keep getting the
//! page of the second before meanwhile (for at most another second): without that, all 64
//! connections of a burst rendered the same page at once every second, and those requests
//! waited 70–110 ms (the p99). So a page served is at most two seconds old.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderValue;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// One rendered page and what decides when it goes.
#[derive(Debug, Clone)]
pub struct Kept {
    /// The page's HTML.
    pub html: Bytes,
    /// Its ETag, computed once.
    pub etag: Option<HeaderValue>,
    /// The day it was rendered on (by the service's clock).
    pub day: NaiveDate,
    /// The credential's expiry, if any: past it, the page must say so.
    pub valid_until: Option<DateTime<Utc>>,
    /// The status list the credential's bit is in, if any.
    pub list: Option<Uuid>,
}

/// When a page was rendered, the page, and whether a request is rendering it again.
type Entry = (Instant, Kept, bool);

#[derive(Debug, Default)]
struct State {
    entries: HashMap<Uuid, Entry>,
    bytes: usize,
    /// Counts the forgets: a page rendered from reads made before one is not kept.
    generation: u64,
}

/// Pages rendered within the last [`PageCache::TTL`], at most [`PageCache::BUDGET`] bytes.
#[derive(Debug, Default)]
pub struct PageCache {
    state: Mutex<State>,
}

impl PageCache {
    /// How long a page is served without being rendered again.
    pub const TTL: Duration = Duration::from_secs(1);
    /// The most bytes of HTML kept (a page is about 15 KB): only what a second brings.
    pub const BUDGET: usize = 2 * 1024 * 1024;

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means a panic mid-update; the map is still a valid cache.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The page of credential `id`, if rendered less than a second ago, on the same day as
    /// `now`, and `now` is before the credential's expiry; or, up to a second later, while
    /// another request renders it again. `None`: render it (the first such request of a page
    /// is then the one the others wait for).
    pub fn get(&self, id: Uuid, now: DateTime<Utc>) -> Option<Kept> {
        let mut state = self.lock();
        let (at, kept, rendering) = state.entries.get_mut(&id)?;
        let standing =
            kept.day == now.date_naive() && kept.valid_until.is_none_or(|until| now < until);
        let age = at.elapsed();
        if !standing || age >= 2 * Self::TTL {
            return None;
        }
        if age < Self::TTL || *rendering {
            return Some(kept.clone());
        }
        *rendering = true;
        None
    }

    /// What to pass to [`PageCache::insert`]: taken before the store is read for a page.
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Keeps the page of credential `id`, rendered from reads made after [`generation`] gave
    /// `generation`; not if anything was forgotten since (a revocation committed while the
    /// page was being rendered from the state before it).
    ///
    /// [`generation`]: PageCache::generation
    pub fn insert(&self, id: Uuid, kept: Kept, generation: u64) {
        let size = kept.html.len();
        if size > Self::BUDGET {
            return;
        }
        let mut state = self.lock();
        if state.generation != generation {
            return;
        }
        if state.bytes + size > Self::BUDGET {
            state
                .entries
                .retain(|_, (at, _, _)| at.elapsed() < 2 * Self::TTL);
            state.bytes = state.entries.values().map(|(_, k, _)| k.html.len()).sum();
            if state.bytes + size > Self::BUDGET {
                state.entries.clear();
                state.bytes = 0;
            }
        }
        if let Some((_, old, _)) = state.entries.insert(id, (Instant::now(), kept, false)) {
            state.bytes -= old.html.len();
        }
        state.bytes += size;
    }

    /// Forgets the page of a credential that changed.
    pub fn forget(&self, id: Uuid) {
        let mut state = self.lock();
        state.generation += 1;
        if let Some((_, old, _)) = state.entries.remove(&id) {
            state.bytes -= old.html.len();
        }
    }

    /// Forgets the pages of the credentials in a status list that changed.
    pub fn forget_list(&self, list: Uuid) {
        let mut state = self.lock();
        state.generation += 1;
        state
            .entries
            .retain(|_, (_, kept, _)| kept.list != Some(list));
        state.bytes = state.entries.values().map(|(_, k, _)| k.html.len()).sum();
    }

    /// Forgets every page (something an issuer's pages may show was changed here).
    pub fn clear(&self) {
        let mut state = self.lock();
        state.generation += 1;
        state.entries.clear();
        state.bytes = 0;
    }

    /// How many pages are kept.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn kept(list: Option<Uuid>, until: Option<DateTime<Utc>>, size: usize) -> Kept {
        Kept {
            html: Bytes::from(vec![b'x'; size]),
            etag: None,
            day: DateTime::<Utc>::UNIX_EPOCH.date_naive(),
            valid_until: until,
            list,
        }
    }

    #[test]
    fn a_page_goes_with_its_credential_its_list_its_expiry_its_day_and_the_budget() {
        let cache = PageCache::default();
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let list = Uuid::new_v4();
        let until = epoch + chrono::Duration::hours(1);
        cache.insert(a, kept(Some(list), None, 10), 0);
        cache.insert(b, kept(None, Some(until), 10), 0);
        cache.insert(c, kept(None, None, 10), 0);
        assert!(cache.get(a, epoch).is_some());
        assert!(cache.get(b, epoch).is_some());
        // Expired by the service's clock, or another day: rendered again.
        assert!(cache.get(b, until).is_none());
        assert!(cache.get(c, epoch + chrono::Duration::days(1)).is_none());
        cache.forget_list(list);
        assert!(cache.get(a, epoch).is_none());
        cache.forget(c);
        assert!(cache.get(c, epoch).is_none());
        assert_eq!(cache.len(), 1);
        cache.clear();
        assert!(cache.is_empty());

        for _ in 0..10 {
            let generation = cache.generation();
            cache.insert(
                Uuid::new_v4(),
                kept(None, None, PageCache::BUDGET / 3),
                generation,
            );
            let state = cache.lock();
            assert!(state.bytes <= PageCache::BUDGET);
            let counted: usize = state.entries.values().map(|(_, k, _)| k.html.len()).sum();
            assert_eq!(counted, state.bytes);
        }
    }

    #[test]
    fn a_page_rendered_across_a_forget_is_not_kept() {
        let cache = PageCache::default();
        let id = Uuid::new_v4();
        let before = cache.generation();
        // Revoked (another credential, even) while this page was being rendered.
        cache.forget(Uuid::new_v4());
        cache.insert(id, kept(None, None, 10), before);
        assert!(cache.get(id, DateTime::<Utc>::UNIX_EPOCH).is_none());
        cache.insert(id, kept(None, None, 10), cache.generation());
        assert!(cache.get(id, DateTime::<Utc>::UNIX_EPOCH).is_some());
    }

    #[test]
    fn after_its_second_one_request_renders_a_page_while_the_others_get_the_last_one() {
        let cache = PageCache::default();
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let id = Uuid::new_v4();
        let age = |cache: &PageCache, by: Duration| {
            let mut state = cache.lock();
            let at = &mut state.entries.get_mut(&id).unwrap().0;
            *at = at.checked_sub(by).unwrap();
        };
        cache.insert(id, kept(None, None, 10), 0);
        age(&cache, PageCache::TTL);
        assert!(cache.get(id, epoch).is_none(), "this one renders");
        assert!(cache.get(id, epoch).is_some(), "the others meanwhile");
        cache.insert(id, kept(None, None, 10), cache.generation());
        assert!(cache.get(id, epoch).is_some());
        // A render that never came back: after two seconds, everyone renders.
        age(&cache, 2 * PageCache::TTL);
        assert!(cache.get(id, epoch).is_none());
        assert!(cache.get(id, epoch).is_none());
        // A forgotten page is rendered at once, never served while rendered.
        cache.insert(id, kept(None, None, 10), cache.generation());
        age(&cache, PageCache::TTL);
        assert!(cache.get(id, epoch).is_none());
        cache.forget(id);
        assert!(cache.get(id, epoch).is_none());
    }
}
