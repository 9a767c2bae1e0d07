//! Combining the sessions of one person into one attendee.
//!
//! Platforms write one row per connection, so a person whose connection dropped, or who left
//! for a meeting and came back, has several rows. Those are one attendance: minutes are summed
//! (in seconds, rounded once at the end), the first join and the last leave are kept. Email
//! case and surrounding spaces are already normalized, so "Jane@X.org" and "jane@x.org " meet
//! here. A row identical in email, join and leave to an earlier one is not a rejoin but the
//! same session written twice (a report pasted into itself), and is not counted again.

use std::collections::HashMap;

use crate::row::Session;
use crate::{Attendee, LineOutcome};

/// Accumulates sessions in file order.
#[derive(Debug, Default)]
pub(crate) struct Merger {
    attendees: Vec<Pending>,
    by_email: HashMap<String, usize>,
}

#[derive(Debug)]
struct Pending {
    attendee: Attendee,
    seconds: u64,
    /// (join, leave, line) of each counted session that has both times, to spot repeats.
    sessions: Vec<(chrono::NaiveDateTime, chrono::NaiveDateTime, usize)>,
}

impl Merger {
    /// Adds the session read from `line`, saying what became of it.
    pub fn add(&mut self, line: usize, session: Session) -> LineOutcome {
        let Some(&index) = self.by_email.get(&session.email) else {
            self.by_email
                .insert(session.email.clone(), self.attendees.len());
            self.attendees.push(Pending {
                sessions: match (session.join, session.leave) {
                    (Some(join), Some(leave)) => vec![(join, leave, line)],
                    _ => Vec::new(),
                },
                seconds: session.seconds,
                attendee: Attendee {
                    email: session.email,
                    name: session.name,
                    role: session.role,
                    minutes: 0,
                    first_join: session.join,
                    last_leave: session.leave,
                    lines: vec![line],
                },
            });
            return LineOutcome::Recorded;
        };

        let pending = &mut self.attendees[index];
        if let (Some(join), Some(leave)) = (session.join, session.leave) {
            if let Some(&(_, _, earlier)) = pending
                .sessions
                .iter()
                .find(|(j, l, _)| *j == join && *l == leave)
            {
                return LineOutcome::Skipped {
                    reason: format!("same session as line {earlier} (same join and leave time)"),
                };
            }
            pending.sessions.push((join, leave, line));
        }
        let attendee = &mut pending.attendee;
        pending.seconds = pending.seconds.saturating_add(session.seconds);
        attendee.first_join = earliest(attendee.first_join, session.join);
        attendee.last_leave = latest(attendee.last_leave, session.leave);
        if attendee.name.is_none() {
            attendee.name = session.name;
        }
        if attendee.role.is_none() {
            attendee.role = session.role;
        }
        attendee.lines.push(line);
        LineOutcome::Merged {
            into_line: attendee.lines[0],
        }
    }

    /// The attendees in order of first appearance, with minutes rounded to the nearest minute.
    pub fn finish(self) -> Vec<Attendee> {
        self.attendees
            .into_iter()
            .map(|pending| Attendee {
                minutes: u32::try_from(pending.seconds.saturating_add(30) / 60).unwrap_or(u32::MAX),
                ..pending.attendee
            })
            .collect()
    }
}

fn earliest<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn latest<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;

    fn at(text: &str) -> Option<NaiveDateTime> {
        Some(NaiveDateTime::parse_from_str(text, "%H:%M %Y-%m-%d").expect("test time"))
    }

    fn session(email: &str, seconds: u64, join: &str, leave: &str) -> Session {
        Session {
            email: email.to_owned(),
            name: None,
            role: None,
            seconds,
            join: at(&format!("{join} 2024-03-14")),
            leave: at(&format!("{leave} 2024-03-14")),
        }
    }

    #[test]
    fn rejoiner_is_summed() {
        let mut merger = Merger::default();
        assert_eq!(
            merger.add(5, session("a@x.org", 1230, "10:30", "10:50")),
            LineOutcome::Recorded
        );
        assert_eq!(
            merger.add(6, session("b@x.org", 600, "10:00", "10:10")),
            LineOutcome::Recorded
        );
        assert_eq!(
            merger.add(9, session("a@x.org", 1200, "10:00", "10:20")),
            LineOutcome::Merged { into_line: 5 }
        );
        let attendees = merger.finish();
        assert_eq!(attendees.len(), 2);
        let a = &attendees[0];
        assert_eq!(a.minutes, 41); // 2430 s = 40.5 min, rounded half up
        assert_eq!(a.first_join, at("10:00 2024-03-14"));
        assert_eq!(a.last_leave, at("10:50 2024-03-14"));
        assert_eq!(a.lines, vec![5, 9]);
    }

    #[test]
    fn repeated_session_is_not_counted_twice() {
        let mut merger = Merger::default();
        merger.add(2, session("a@x.org", 600, "10:00", "10:10"));
        let outcome = merger.add(7, session("a@x.org", 600, "10:00", "10:10"));
        assert!(matches!(outcome, LineOutcome::Skipped { reason } if reason.contains("line 2")));
        assert_eq!(merger.finish()[0].minutes, 10);
    }
}
