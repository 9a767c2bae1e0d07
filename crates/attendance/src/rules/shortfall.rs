//! Who attended but does not meet a rule, and by how much: "attended 38 of 45 minutes",
//! "2 of 3 sessions", "attended, no minutes recorded".
//!
//! Staff checking an import want to see the near misses as well as the awards: the person
//! who left ten minutes early, the one who came to two workshops of three. An attendee list
//! of an in-person session records people without minutes (0 minutes, no join or leave
//! time: [`AttendanceRecord::minutes_unknown`]). A rule with no threshold counts them, as it
//! counts any attendance; a rule asking for minutes or a percentage cannot, and says so here
//! ("attended, no minutes recorded") rather than skipping them silently.
//!
//! Like [`super::evaluate`], a pure function of the facts; it looks at the same sessions the
//! rule does and never names someone [`super::evaluate`] qualifies.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::facts::{AttendanceRecord, Facts, Session, normalize_email};
use super::rule::{Rule, Threshold};

/// Someone who attended a session a rule looks at without meeting the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    /// Normalized email address.
    pub email: String,
    /// By how much they fall short.
    pub short: Short,
}

/// By how much someone falls short of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Short {
    /// In the one session of a participation rule, fewer minutes than needed.
    Minutes {
        /// Minutes attended.
        attended: u32,
        /// The fewest minutes that would have met the threshold.
        needed: u32,
    },
    /// Attended the one session of a participation rule, but no minutes are recorded (an
    /// attendee list) and the rule asks for some.
    NoMinutes,
    /// Fewer sessions of a series than needed, counting those meeting the threshold.
    Sessions {
        /// Sessions that count.
        counted: usize,
        /// Sessions needed.
        needed: usize,
        /// Sessions attended without minutes recorded, under a rule asking for some.
        without_minutes: usize,
    },
}

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Short::Minutes { attended, needed } => {
                write!(f, "attended {attended} of {needed} minutes")
            }
            Short::NoMinutes => f.write_str("attended, no minutes recorded"),
            Short::Sessions {
                counted,
                needed,
                without_minutes,
            } => {
                let noun = if *needed == 1 { "session" } else { "sessions" };
                write!(f, "{counted} of {needed} {noun}")?;
                if *without_minutes > 0 {
                    write!(f, " ({without_minutes} more attended, no minutes recorded)")?;
                }
                Ok(())
            }
        }
    }
}

impl AttendanceRecord {
    /// Whether the record says only that the person was there: no minutes and no join or
    /// leave time, as an attendee list records. A threshold of minutes or a percentage
    /// cannot be met by it; a rule without one counts it.
    pub fn minutes_unknown(&self) -> bool {
        self.minutes == 0 && self.join.is_none() && self.leave.is_none()
    }
}

impl Threshold {
    /// The fewest minutes that meet the threshold in a session planned for
    /// `duration_minutes`; `None` when any attendance does.
    pub fn minutes_needed(&self, duration_minutes: u32) -> Option<u32> {
        let by_percent = self.min_percent().map(|percent| {
            let product = u64::from(percent) * u64::from(duration_minutes);
            u32::try_from(product.div_ceil(100)).unwrap_or(u32::MAX)
        });
        match (self.min_minutes(), by_percent) {
            (None, None) => None,
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Everyone with attendance in a session `rule` looks at who does not meet it, ordered by
/// email. Completion rules have no near misses: the list is empty.
pub fn shortfalls(rule: &Rule, facts: &Facts) -> Vec<Shortfall> {
    // Only the records of the rule's role, as evaluation counts them.
    let facts = &*super::evaluate::for_role(rule, facts);
    let (sessions, needed, threshold): (Vec<&Session>, usize, Threshold) = match rule {
        Rule::Participation {
            session, threshold, ..
        } => (
            unique(facts.sessions.iter().filter(|s| &s.id == session)),
            1,
            *threshold,
        ),
        Rule::SeriesCompletion {
            series,
            at_least,
            threshold,
            format,
            ..
        } => {
            // The same sessions as evaluation counts (see `evaluate`).
            let sessions = unique(facts.sessions.iter().filter(|s| {
                s.series.as_ref() == Some(series) && format.is_none_or(|f| s.format == Some(f))
            }));
            let needed = at_least.map_or(sessions.len(), |count| count.get());
            (sessions, needed, *threshold)
        }
        Rule::Completion { .. } => return Vec::new(),
    };
    // Per person and session: minutes summed, and whether every record lacked them.
    let mut presence: BTreeMap<String, BTreeMap<&str, (u32, bool)>> = BTreeMap::new();
    for record in &facts.attendance {
        let Some(session) = sessions.iter().find(|s| s.id == record.session) else {
            continue;
        };
        let entry = presence
            .entry(normalize_email(&record.email))
            .or_default()
            .entry(session.id.as_str())
            .or_insert((0, true));
        entry.0 = entry.0.saturating_add(record.minutes);
        entry.1 &= record.minutes_unknown();
    }
    let duration = |id: &str| {
        sessions
            .iter()
            .find(|s| s.id == id)
            .map_or(0, |s| s.duration_minutes)
    };
    let any_threshold = threshold != Threshold::ANY;
    presence
        .into_iter()
        .filter_map(|(email, attended)| {
            let met = |(id, (minutes, _)): &(&&str, &(u32, bool))| {
                threshold.is_met(*minutes, duration(id))
            };
            let counted = attended.iter().filter(met).count();
            if needed > 0 && counted >= needed {
                return None;
            }
            let without_minutes = attended
                .iter()
                .filter(|entry| any_threshold && entry.1.1 && !met(entry))
                .count();
            let short = match rule {
                Rule::Participation { .. } => {
                    let (id, (minutes, unknown)) = attended.iter().next()?;
                    if any_threshold && *unknown {
                        Short::NoMinutes
                    } else {
                        Short::Minutes {
                            attended: *minutes,
                            needed: threshold.minutes_needed(duration(id)).unwrap_or(0),
                        }
                    }
                }
                _ => Short::Sessions {
                    counted,
                    needed,
                    without_minutes,
                },
            };
            Some(Shortfall { email, short })
        })
        .collect()
}

fn unique<'a>(sessions: impl Iterator<Item = &'a Session>) -> Vec<&'a Session> {
    let mut seen = std::collections::HashSet::new();
    sessions.filter(|s| seen.insert(s.id.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::rules::evaluate;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 10, 0, 0)
            .single()
            .expect("valid time")
    }

    fn session(id: &str, day: u32, series: Option<&str>) -> Session {
        Session {
            id: id.to_owned(),
            title: id.to_owned(),
            start: at(day),
            duration_minutes: 60,
            series: series.map(str::to_owned),
            format: None,
        }
    }

    fn record(email: &str, session: &str, minutes: u32) -> AttendanceRecord {
        AttendanceRecord {
            email: email.to_owned(),
            session: session.to_owned(),
            minutes,
            join: None,
            leave: None,
            role: None,
        }
    }

    fn texts(shortfalls: &[Shortfall]) -> Vec<(String, String)> {
        shortfalls
            .iter()
            .map(|s| (s.email.clone(), s.short.to_string()))
            .collect()
    }

    #[test]
    fn minutes_short_and_no_minutes_under_a_threshold() {
        let facts = Facts {
            sessions: vec![session("s1", 3, None)],
            attendance: vec![
                record("ann@x.org", "s1", 50),
                record("bob@x.org", "s1", 38),
                record("cat@x.org", "s1", 0),
            ],
            completions: Vec::new(),
        };
        let rule = Rule::participation("s1", Some(45), None).expect("valid");
        assert_eq!(
            texts(&shortfalls(&rule, &facts)),
            [
                ("bob@x.org".into(), "attended 38 of 45 minutes".into()),
                ("cat@x.org".into(), "attended, no minutes recorded".into()),
            ]
        );
        // A percentage: 75 % of 60 is 45 minutes.
        let rule = Rule::participation("s1", None, Some(75)).expect("valid");
        assert_eq!(
            texts(&shortfalls(&rule, &facts))[0].1,
            "attended 38 of 45 minutes"
        );
        // No threshold: a list's record counts, and nobody falls short.
        let rule = Rule::participation("s1", None, None).expect("valid");
        assert!(shortfalls(&rule, &facts).is_empty());
        assert_eq!(evaluate(&rule, &facts).len(), 3);
    }

    #[test]
    fn sessions_short_of_a_series() {
        let facts = Facts {
            sessions: vec![
                session("w1", 3, Some("x")),
                session("w2", 10, Some("x")),
                session("w3", 17, Some("x")),
                session("other", 4, None),
            ],
            attendance: vec![
                record("ann@x.org", "w1", 60),
                record("ann@x.org", "w2", 60),
                record("ann@x.org", "w3", 60),
                record("bob@x.org", "w1", 60),
                record("bob@x.org", "w2", 60),
                record("cat@x.org", "w1", 60),
                record("cat@x.org", "w2", 0),
                record("dan@x.org", "other", 60),
            ],
            completions: Vec::new(),
        };
        let threshold = Threshold::new(Some(30), None).expect("valid");
        let rule = Rule::series_completion("x", None, threshold).expect("valid");
        assert_eq!(
            texts(&shortfalls(&rule, &facts)),
            [
                ("bob@x.org".into(), "2 of 3 sessions".into()),
                (
                    "cat@x.org".into(),
                    "1 of 3 sessions (1 more attended, no minutes recorded)".into()
                ),
            ]
        );
        let rule = Rule::series_completion("x", Some(2), Threshold::ANY).expect("valid");
        assert!(
            shortfalls(&rule, &facts).is_empty(),
            "without a threshold, a list's record counts"
        );
        let rule = Rule::completion("course").expect("valid");
        assert!(shortfalls(&rule, &facts).is_empty());
    }
}
