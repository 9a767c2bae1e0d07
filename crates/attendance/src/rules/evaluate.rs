//! Evaluating a rule against the facts: who qualifies, and what their credential says.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::facts::{CompletionRecord, Facts, Session, normalize_email};
use super::roles::usual_role;
use super::rule::{Rule, Threshold};

/// One person who meets a rule, with what their credential should carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Qualified {
    /// Normalized email address.
    pub email: String,
    /// `activityStartDate`: the earliest join in the sessions counted (the session's start
    /// when the join time is unknown), or the earliest completion date.
    pub activity_start: DateTime<Utc>,
    /// `activityEndDate`: the latest leave in the sessions counted (the session's planned
    /// end when unknown), or the latest completion date.
    pub activity_end: DateTime<Utc>,
    /// When the rule was first met, the date the badge was earned: the end of the session that
    /// completed it (the one attended, or the `at_least`-th of a series by start), or the
    /// first completion date. Awards made later still say this date (`awardedDate`).
    pub earned: DateTime<Utc>,
    /// Ids of the sessions that count, in start order: the evidence. Empty for completions.
    pub sessions: Vec<String>,
    /// A result with status Completed, for series and completion rules. Attending a single
    /// session is participation, not completion, so participation has none.
    pub result: Option<Completed>,
    /// Evidence given with the completion records (URLs or descriptions), in date order.
    pub evidence: Vec<String>,
    /// The role the person earned it with: the one they had in most of the sessions (or
    /// completions) counted, the earliest on a tie; `None` when no record gave one.
    pub role: Option<String>,
}

/// A `result` with status Completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completed {
    /// Score or result from the latest completion record that has one.
    pub score: Option<String>,
}

/// Everyone who meets `rule` given `facts`, ordered by email.
///
/// A pure function: the same facts give the same answer, so it can be re-run whenever a
/// record arrives, late or not.
pub fn evaluate(rule: &Rule, facts: &Facts) -> Vec<Qualified> {
    let facts = &*for_role(rule, facts);
    match rule {
        Rule::Participation {
            session, threshold, ..
        } => {
            let sessions = unique(facts.sessions.iter().filter(|s| &s.id == session));
            attended(&sessions, 1, *threshold, facts, None)
        }
        Rule::SeriesCompletion {
            series,
            at_least,
            threshold,
            format,
            ..
        } => {
            let sessions = unique(facts.sessions.iter().filter(|s| {
                s.series.as_ref() == Some(series) && format.is_none_or(|f| s.format == Some(f))
            }));
            let needed = at_least.map_or(sessions.len(), |count| count.get());
            attended(
                &sessions,
                needed,
                *threshold,
                facts,
                Some(Completed { score: None }),
            )
        }
        Rule::Completion { what, .. } => completed(what, facts),
    }
}

/// The facts a rule looks at: only the records with its role, when it names one.
pub(crate) fn for_role<'a>(rule: &Rule, facts: &'a Facts) -> Cow<'a, Facts> {
    let terms = rule.roles();
    if terms.role().is_none() {
        return Cow::Borrowed(facts);
    }
    Cow::Owned(Facts {
        sessions: facts.sessions.clone(),
        attendance: facts
            .attendance
            .iter()
            .filter(|record| terms.counts(record.role.as_deref()))
            .cloned()
            .collect(),
        completions: facts
            .completions
            .iter()
            .filter(|record| terms.counts(record.role.as_deref()))
            .cloned()
            .collect(),
    })
}

/// Those who meet `rule` and are not in `already_awarded`: "who would be awarded now".
/// Emails in `already_awarded` are normalized before comparing.
pub fn pending(rule: &Rule, facts: &Facts, already_awarded: &HashSet<String>) -> Vec<Qualified> {
    let awarded: HashSet<String> = already_awarded
        .iter()
        .map(|email| normalize_email(email))
        .collect();
    evaluate(rule, facts)
        .into_iter()
        .filter(|qualified| !awarded.contains(&qualified.email))
        .collect()
}

/// One person's merged attendance of one session.
struct Presence<'a> {
    session: &'a Session,
    minutes: u32,
    first_join: Option<DateTime<Utc>>,
    last_leave: Option<DateTime<Utc>>,
    /// The first role a record of it gave.
    role: Option<&'a str>,
}

/// A session that counts for someone, with their span and role in it.
struct Counted<'a> {
    session: &'a Session,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    role: Option<&'a str>,
}

/// People who attended at least `needed` of `sessions`, each meeting `threshold`.
/// `needed == 0` (a series with no sessions) qualifies nobody.
fn attended(
    sessions: &[&Session],
    needed: usize,
    threshold: Threshold,
    facts: &Facts,
    result: Option<Completed>,
) -> Vec<Qualified> {
    if needed == 0 || sessions.len() < needed {
        return Vec::new();
    }
    let by_id: HashMap<&str, &Session> = sessions.iter().map(|s| (s.id.as_str(), *s)).collect();
    let mut presence: BTreeMap<(String, &str), Presence<'_>> = BTreeMap::new();
    for record in &facts.attendance {
        let Some(session) = by_id.get(record.session.as_str()) else {
            continue;
        };
        let entry = presence
            .entry((normalize_email(&record.email), session.id.as_str()))
            .or_insert(Presence {
                session,
                minutes: 0,
                first_join: None,
                last_leave: None,
                role: None,
            });
        entry.role = entry.role.or(record.role.as_deref());
        entry.minutes = entry.minutes.saturating_add(record.minutes);
        entry.first_join = earliest(entry.first_join, record.join);
        entry.last_leave = latest(entry.last_leave, record.leave);
    }

    // Per person: the sessions that count, with their activity span.
    let mut counted: BTreeMap<String, Vec<Counted<'_>>> = BTreeMap::new();
    for ((email, _), presence) in presence {
        let session = presence.session;
        if threshold.is_met(presence.minutes, session.duration_minutes) {
            let start = presence.first_join.unwrap_or(session.start);
            let end = presence.last_leave.unwrap_or_else(|| session.end());
            counted.entry(email).or_default().push(Counted {
                session,
                start,
                end,
                role: presence.role,
            });
        }
    }

    counted
        .into_iter()
        .filter(|(_, sessions)| sessions.len() >= needed)
        .filter_map(|(email, mut sessions)| {
            sessions.sort_by(|a, b| {
                (a.session.start, &a.session.id).cmp(&(b.session.start, &b.session.id))
            });
            let activity_start = sessions.iter().map(|counted| counted.start).min()?;
            let activity_end = sessions.iter().map(|counted| counted.end).max()?;
            // Met once the needed-th session (by start) ended.
            let earned = sessions.get(needed - 1)?.end;
            Some(Qualified {
                email,
                activity_start,
                activity_end,
                earned,
                sessions: sessions
                    .iter()
                    .map(|counted| counted.session.id.clone())
                    .collect(),
                result: result.clone(),
                evidence: Vec::new(),
                role: usual_role(sessions.iter().map(|counted| counted.role)),
            })
        })
        .collect()
}

/// People with a completion of `what`, each once, however many records they have.
fn completed(what: &str, facts: &Facts) -> Vec<Qualified> {
    let mut by_email: BTreeMap<String, Vec<&CompletionRecord>> = BTreeMap::new();
    for record in facts
        .completions
        .iter()
        .filter(|record| record.what == what)
    {
        by_email
            .entry(normalize_email(&record.email))
            .or_default()
            .push(record);
    }
    by_email
        .into_iter()
        .filter_map(|(email, mut records)| {
            records.sort_by(|a, b| {
                (a.date, &a.score, &a.evidence).cmp(&(b.date, &b.score, &b.evidence))
            });
            let activity_start = records.first()?.date;
            let activity_end = records.last()?.date;
            let score = records.iter().rev().find_map(|record| record.score.clone());
            let mut seen = HashSet::new();
            let evidence = records
                .iter()
                .filter_map(|record| record.evidence.clone())
                .filter(|item| seen.insert(item.clone()))
                .collect();
            Some(Qualified {
                email,
                activity_start,
                activity_end,
                earned: activity_start,
                sessions: Vec::new(),
                result: Some(Completed { score }),
                evidence,
                role: usual_role(records.iter().map(|record| record.role.as_deref())),
            })
        })
        .collect()
}

/// Sessions by id, each once: a session listed twice in the facts must not raise the
/// count "all sessions of the series" asks for.
fn unique<'a>(sessions: impl Iterator<Item = &'a Session>) -> Vec<&'a Session> {
    let mut seen = HashSet::new();
    sessions.filter(|s| seen.insert(s.id.as_str())).collect()
}

fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn latest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::rules::{AttendanceRecord, CompletionRecord};

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, hour, minute, 0)
            .single()
            .expect("valid time")
    }

    fn session(id: &str, start: DateTime<Utc>, minutes: u32) -> Session {
        Session {
            id: id.to_owned(),
            title: format!("Webinar {id}"),
            start,
            duration_minutes: minutes,
            series: None,
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

    fn emails(qualified: &[Qualified]) -> Vec<&str> {
        qualified.iter().map(|q| q.email.as_str()).collect()
    }

    #[test]
    fn rejoins_are_summed_and_emails_merged_before_the_threshold() {
        let facts = Facts {
            sessions: vec![session("s1", at(10, 0), 60)],
            attendance: vec![
                AttendanceRecord {
                    join: Some(at(10, 2)),
                    leave: Some(at(10, 22)),
                    ..record("Jane@Example.org", "s1", 20)
                },
                AttendanceRecord {
                    join: Some(at(10, 30)),
                    leave: Some(at(10, 55)),
                    ..record(" jane@example.org", "s1", 25)
                },
            ],
            completions: Vec::new(),
        };
        let rule = Rule::participation("s1", Some(45), None).expect("valid");
        let qualified = evaluate(&rule, &facts);
        assert_eq!(emails(&qualified), ["jane@example.org"]);
        assert_eq!(qualified[0].activity_start, at(10, 2));
        assert_eq!(qualified[0].activity_end, at(10, 55));
        assert_eq!(qualified[0].sessions, ["s1"]);
        assert_eq!(qualified[0].result, None);
    }

    #[test]
    fn unknown_session_and_attendance_elsewhere_qualify_nobody() {
        let facts = Facts {
            sessions: vec![session("s1", at(10, 0), 60)],
            attendance: vec![record("a@x.org", "s2", 60)],
            completions: Vec::new(),
        };
        let rule = Rule::participation("s1", None, None).expect("valid");
        assert!(evaluate(&rule, &facts).is_empty());
        let rule = Rule::participation("s2", None, None).expect("valid");
        assert!(
            evaluate(&rule, &facts).is_empty(),
            "s2 is not a known session"
        );
    }

    #[test]
    fn a_session_listed_twice_is_one_session_of_the_series() {
        let mut first = session("s1", at(10, 0), 60);
        first.series = Some("x".to_owned());
        let facts = Facts {
            sessions: vec![first.clone(), first],
            attendance: vec![record("a@x.org", "s1", 60)],
            completions: Vec::new(),
        };
        let rule = Rule::series_completion("x", None, Threshold::ANY).expect("valid");
        assert_eq!(emails(&evaluate(&rule, &facts)), ["a@x.org"]);
    }

    #[test]
    fn empty_series_qualifies_nobody() {
        let facts = Facts {
            sessions: vec![session("s1", at(10, 0), 60)],
            attendance: vec![record("a@x.org", "s1", 60)],
            completions: Vec::new(),
        };
        let rule = Rule::series_completion("nothing", None, Threshold::ANY).expect("valid");
        assert!(evaluate(&rule, &facts).is_empty());
    }

    #[test]
    fn completion_keeps_latest_score_and_all_evidence() {
        let completion = |date, score: Option<&str>, evidence: Option<&str>| CompletionRecord {
            email: "Sam@x.org".to_owned(),
            what: "course".to_owned(),
            date,
            score: score.map(str::to_owned),
            evidence: evidence.map(str::to_owned),
            role: None,
        };
        let facts = Facts {
            completions: vec![
                completion(at(12, 0), Some("91"), Some("https://lms.example/2")),
                completion(at(9, 0), Some("70"), Some("https://lms.example/1")),
                CompletionRecord {
                    what: "other".to_owned(),
                    ..completion(at(8, 0), None, None)
                },
            ],
            ..Facts::default()
        };
        let qualified = evaluate(&Rule::completion("course").expect("valid"), &facts);
        assert_eq!(qualified.len(), 1);
        let sam = &qualified[0];
        assert_eq!(sam.email, "sam@x.org");
        assert_eq!(
            (sam.activity_start, sam.activity_end),
            (at(9, 0), at(12, 0))
        );
        assert_eq!(
            sam.result,
            Some(Completed {
                score: Some("91".to_owned())
            })
        );
        assert_eq!(
            sam.evidence,
            ["https://lms.example/1", "https://lms.example/2"]
        );
    }
}
