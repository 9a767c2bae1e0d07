//! Award rules built from menus, for people who have never seen JSON: "attended ‹session ▾›
//! for at least ‹45› minutes", "attended at least ‹3› of the ‹webinars ▾› of ‹series ▾›",
//! "completed ‹course key›", or no rule (the badge is awarded by hand); and, for any of them,
//! "count only those recorded as ‹Presenter›" and "those recorded as ‹Presenter› earn ‹2›
//! times the badge's credits".
//!
//! The console's badge form posts plain fields ([`RuleAnswers`]); [`build`] turns them into a
//! [`Rule`] or says, in words, every mistake at once, each tied to its field. The menus
//! ([`Menus`]) list the issuer's own sessions and series, and a chosen id must be one of them,
//! so a forged form cannot name another issuer's session. [`would_award`] answers "who would
//! be awarded now" for rules not saved yet, with the same evaluation that awards.

use super::local_time::Zone;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use laurel_attendance::rules::{Names, RoleTerms, Rule, SessionFormat, Threshold};
use laurel_store::{Achievement, Event, EventFilter, EventFormat, Series};
use serde::Deserialize;
use uuid::Uuid;

use super::rules::{Scope, plan};
use crate::{Service, ServiceResult};

/// The longest course key accepted (what completions are recorded with).
pub const MAX_COMPLETION_KEY: usize = 500;

/// A mistake in one of the answers: the field (a [`RuleAnswers`] field name) and what to say.
pub type Mistake = (&'static str, String);

/// The rule builder's fields as posted; all plain text, checked by [`build`].
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct RuleAnswers {
    /// `none`, `session`, `series`, `completion`, or `keep` (the rules stay as they are: for
    /// badges whose several rules were set through the API).
    #[serde(default)]
    pub rule_kind: String,
    /// The session's id (from the menu).
    #[serde(default)]
    pub rule_session: String,
    /// At least this many minutes of the session (empty: no minimum).
    #[serde(default)]
    pub rule_session_minutes: String,
    /// At least this percentage of the session (empty: no minimum).
    #[serde(default)]
    pub rule_session_percent: String,
    /// The series' id (from the menu).
    #[serde(default)]
    pub rule_series: String,
    /// At least this many of its sessions (empty: every one).
    #[serde(default)]
    pub rule_series_at_least: String,
    /// `any` (or empty), `online` or `in_person`.
    #[serde(default)]
    pub rule_series_format: String,
    /// Each session counted for at least this many minutes (empty: no minimum).
    #[serde(default)]
    pub rule_series_minutes: String,
    /// Each session counted for at least this percentage (empty: no minimum).
    #[serde(default)]
    pub rule_series_percent: String,
    /// The course key completions are recorded with.
    #[serde(default)]
    pub rule_completion: String,
    /// Count only records with this role (empty: everyone's).
    #[serde(default)]
    pub rule_role: String,
    /// A role that earns a multiple of the badge's credits (with `rule_credit_times`).
    #[serde(default)]
    pub rule_credit_role: String,
    /// How many times the badge's credits that role earns ("2", "1.5").
    #[serde(default)]
    pub rule_credit_times: String,
}

/// What the answers say to do with the badge's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Built {
    /// No rule: awarded by hand.
    NoRule,
    /// Leave the stored rules as they are.
    Keep,
    /// This one rule.
    One(Rule),
}

impl Built {
    /// The rules to store, given those stored now.
    pub fn rules(self, current: &[Rule]) -> Vec<Rule> {
        match self {
            Built::NoRule => Vec::new(),
            Built::Keep => current.to_vec(),
            Built::One(rule) => vec![rule],
        }
    }
}

/// The issuer's sessions (newest first) and series (by title), for the menus and for naming
/// what rules refer to.
#[derive(Debug, Clone)]
pub struct Menus {
    /// The issuer's time zone, in which session dates are written.
    pub zone: Zone,
    /// Sessions, newest first.
    pub sessions: Vec<Event>,
    /// Series, by title.
    pub series: Vec<Series>,
}

/// The menus of an issuer.
pub async fn menus(service: &Service, issuer_id: Uuid) -> ServiceResult<Menus> {
    let filter = EventFilter {
        issuer_id: Some(issuer_id),
        ..EventFilter::default()
    };
    let mut sessions = service.store.list_events(&filter).await?;
    sessions.sort_by(|a, b| b.starts_at.cmp(&a.starts_at).then(a.title.cmp(&b.title)));
    let mut series = service.store.list_series(Some(issuer_id)).await?;
    series.sort_by_key(|s| s.title.to_lowercase());
    let zone = super::local_time::issuer_zone(service, issuer_id).await?;
    Ok(Menus {
        zone,
        sessions,
        series,
    })
}

impl Default for Menus {
    fn default() -> Self {
        Menus {
            zone: Zone::utc(),
            sessions: Vec::new(),
            series: Vec::new(),
        }
    }
}

impl Menus {
    /// A session's date as staff read it: "3 March 2026", in the issuer's time zone.
    pub fn date(&self, at: DateTime<Utc>) -> String {
        self.zone.local(at).format("%-d %B %Y").to_string()
    }

    /// What [`laurel_attendance::rules::describe`] calls each session ("Title (3 March
    /// 2026)", the date written by `date`, in the issuer's time zone) and series (its title).
    pub fn names(&self, date: impl Fn(DateTime<Utc>) -> String) -> Names {
        Names {
            sessions: self
                .sessions
                .iter()
                .map(|s| {
                    (
                        s.id.to_string(),
                        format!("{} ({})", s.title, date(s.starts_at)),
                    )
                })
                .collect(),
            series: self
                .series
                .iter()
                .map(|s| (s.id.to_string(), s.title.clone()))
                .collect(),
        }
    }
}

/// The answers that show `rules` in the builder: one rule in its fields, none as "no rule",
/// several (set through the API), or one giving credits to several roles, as "keep".
pub fn answers_of(rules: &[Rule]) -> RuleAnswers {
    let [rule] = rules else {
        return condition_answers(rules);
    };
    let terms = rule.roles();
    let credits: Vec<_> = terms.role_credits().collect();
    if credits.len() > 1 {
        return RuleAnswers {
            rule_kind: "keep".into(),
            ..RuleAnswers::default()
        };
    }
    let (credit_role, credit_times) = credits
        .first()
        .map(|(role, times)| ((*role).to_owned(), times.get().to_string()))
        .unwrap_or_default();
    RuleAnswers {
        rule_role: terms.role().unwrap_or_default().to_owned(),
        rule_credit_role: credit_role,
        rule_credit_times: credit_times,
        ..condition_answers(rules)
    }
}

/// The answers of the rules' conditions (session, series, completion), roles aside.
fn condition_answers(rules: &[Rule]) -> RuleAnswers {
    let text = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let percent = |threshold: &Threshold| text(threshold.min_percent().map(u32::from));
    match rules {
        [] => RuleAnswers {
            rule_kind: "none".into(),
            ..RuleAnswers::default()
        },
        [
            Rule::Participation {
                session, threshold, ..
            },
        ] => RuleAnswers {
            rule_kind: "session".into(),
            rule_session: session.clone(),
            rule_session_minutes: text(threshold.min_minutes()),
            rule_session_percent: percent(threshold),
            ..RuleAnswers::default()
        },
        [
            Rule::SeriesCompletion {
                series,
                at_least,
                threshold,
                format,
                ..
            },
        ] => RuleAnswers {
            rule_kind: "series".into(),
            rule_series: series.clone(),
            rule_series_at_least: at_least.map(|n| n.to_string()).unwrap_or_default(),
            rule_series_format: format_value(*format).into(),
            rule_series_minutes: text(threshold.min_minutes()),
            rule_series_percent: percent(threshold),
            ..RuleAnswers::default()
        },
        [Rule::Completion { what, .. }] => RuleAnswers {
            rule_kind: "completion".into(),
            rule_completion: what.clone(),
            ..RuleAnswers::default()
        },
        _ => RuleAnswers {
            rule_kind: "keep".into(),
            ..RuleAnswers::default()
        },
    }
}

/// The form value of a series' format filter.
pub fn format_value(format: Option<SessionFormat>) -> &'static str {
    match format {
        None => "any",
        Some(SessionFormat::Online) => "online",
        Some(SessionFormat::InPerson) => "in_person",
    }
}

/// The rule format of a session's format.
pub fn session_format(format: EventFormat) -> SessionFormat {
    match format {
        EventFormat::Online => SessionFormat::Online,
        EventFormat::InPerson => SessionFormat::InPerson,
    }
}

/// The rule the answers describe, or every mistake in them, each beside its field.
/// `may_keep` says whether "keep the current rules" is offered (a saved badge).
pub fn build(answers: &RuleAnswers, menus: &Menus, may_keep: bool) -> Result<Built, Vec<Mistake>> {
    let mut mistakes = Vec::new();
    let built = match answers.rule_kind.trim() {
        "" | "none" => Some(Built::NoRule),
        "keep" if may_keep => Some(Built::Keep),
        "session" => {
            let session = chosen(
                "rule_session",
                &answers.rule_session,
                menus.sessions.iter().map(|s| s.id),
                "Choose the session.",
                "Choose one of this issuer's sessions.",
                &mut mistakes,
            );
            let threshold = threshold(
                ("rule_session_minutes", &answers.rule_session_minutes),
                ("rule_session_percent", &answers.rule_session_percent),
                &mut mistakes,
            );
            match (session, threshold) {
                (Some(session), Some(threshold)) => Rule::participation(
                    session.to_string(),
                    threshold.min_minutes(),
                    threshold.min_percent(),
                )
                .ok()
                .map(Built::One),
                _ => None,
            }
        }
        "series" => {
            let series = chosen(
                "rule_series",
                &answers.rule_series,
                menus.series.iter().map(|s| s.id),
                "Choose the series.",
                "Choose one of this issuer's series.",
                &mut mistakes,
            );
            let at_least = whole(
                "rule_series_at_least",
                &answers.rule_series_at_least,
                "sessions",
                &mut mistakes,
            );
            if at_least == Some(Some(0)) {
                mistakes.push((
                    "rule_series_at_least",
                    "Give at least 1 session, or leave it empty to ask for every session.".into(),
                ));
            }
            let format = match answers.rule_series_format.trim() {
                "" | "any" => Some(None),
                "online" => Some(Some(SessionFormat::Online)),
                "in_person" => Some(Some(SessionFormat::InPerson)),
                _ => {
                    mistakes.push((
                        "rule_series_format",
                        "Choose webinars, in-person sessions or any session.".into(),
                    ));
                    None
                }
            };
            let threshold = threshold(
                ("rule_series_minutes", &answers.rule_series_minutes),
                ("rule_series_percent", &answers.rule_series_percent),
                &mut mistakes,
            );
            match (series, at_least, format, threshold) {
                (Some(series), Some(at_least), Some(format), Some(threshold)) => {
                    Rule::series_completion_in(
                        series.to_string(),
                        at_least.map(|n| n as usize),
                        threshold,
                        format,
                    )
                    .ok()
                    .map(Built::One)
                }
                _ => None,
            }
        }
        "completion" => {
            let key = answers.rule_completion.trim();
            if key.is_empty() {
                mistakes.push((
                    "rule_completion",
                    "Give the course key that completions are recorded with.".into(),
                ));
                None
            } else if key.len() > MAX_COMPLETION_KEY {
                mistakes.push((
                    "rule_completion",
                    format!("The course key is too long: at most {MAX_COMPLETION_KEY} letters."),
                ));
                None
            } else {
                Rule::completion(key).ok().map(Built::One)
            }
        }
        _ => {
            mistakes.push(("rule_kind", "Choose who earns the badge.".into()));
            None
        }
    };
    // Roles apply to whichever rule was built; with no rule (or the rules kept) they say nothing.
    let built = match built {
        Some(Built::NoRule) => Some(Built::NoRule),
        Some(Built::Keep) => Some(Built::Keep),
        other => {
            let terms = role_terms(answers, &mut mistakes);
            match (other, terms) {
                (Some(Built::One(rule)), Some(terms)) => Some(Built::One(rule.with_roles(terms))),
                _ => None,
            }
        }
    };
    match built {
        Some(built) if mistakes.is_empty() => Ok(built),
        _ => {
            if mistakes.is_empty() {
                // Every case above that builds nothing says why; this is a safety net.
                mistakes.push(("rule_kind", "This rule cannot be used.".into()));
            }
            Err(mistakes)
        }
    }
}

/// The role fields in terms of a rule; `None` after a mistake.
fn role_terms(answers: &RuleAnswers, mistakes: &mut Vec<Mistake>) -> Option<RoleTerms> {
    let before = mistakes.len();
    let sentence = |error: &dyn std::fmt::Display| {
        let text = error.to_string();
        let mut chars = text.chars();
        let first: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        format!("{first}{}.", chars.as_str())
    };
    let only = match laurel_core::model::check_role(&answers.rule_role) {
        Ok(role) => role,
        Err(error) => {
            mistakes.push(("rule_role", sentence(&error)));
            None
        }
    };
    let credit_role = match laurel_core::model::check_role(&answers.rule_credit_role) {
        Ok(role) => role,
        Err(error) => {
            mistakes.push(("rule_credit_role", sentence(&error)));
            None
        }
    };
    let times_text = answers.rule_credit_times.trim();
    let times = if times_text.is_empty() {
        None
    } else {
        // "2", "1,5", "2x" and "× 2" all mean a number of times.
        let number = times_text
            .trim_matches(|c: char| c == 'x' || c == 'X' || c == '×' || c.is_whitespace())
            .replace(',', ".");
        match number.parse::<f64>() {
            Ok(times) if times.is_finite() => Some(times),
            _ => {
                mistakes.push((
                    "rule_credit_times",
                    format!("“{times_text}” is not a number; give how many times the credits, such as 2."),
                ));
                None
            }
        }
    };
    let mut credits = BTreeMap::new();
    match (&credit_role, times) {
        (Some(role), Some(times)) => {
            credits.insert(role.clone(), times);
        }
        (Some(_), None) if times_text.is_empty() => mistakes.push((
            "rule_credit_times",
            "Give how many times the badge's credits this role earns, such as 2.".into(),
        )),
        (None, Some(_)) if answers.rule_credit_role.trim().is_empty() => mistakes.push((
            "rule_credit_role",
            "Name the role that earns these credits, such as Presenter.".into(),
        )),
        _ => {}
    }
    if mistakes.len() > before {
        return None;
    }
    match RoleTerms::new(only.as_deref(), &credits) {
        Ok(terms) => Some(terms),
        Err(error) => {
            mistakes.push(("rule_credit_times", sentence(&error)));
            None
        }
    }
}

/// The id chosen in a menu, if it is one of `ids`.
fn chosen(
    field: &'static str,
    answer: &str,
    mut ids: impl Iterator<Item = Uuid>,
    empty: &str,
    unknown: &str,
    mistakes: &mut Vec<Mistake>,
) -> Option<Uuid> {
    let answer = answer.trim();
    if answer.is_empty() {
        mistakes.push((field, empty.to_owned()));
        return None;
    }
    match Uuid::parse_str(answer) {
        Ok(id) if ids.any(|known| known == id) => Some(id),
        _ => {
            mistakes.push((field, unknown.to_owned()));
            None
        }
    }
}

/// A whole number or nothing: `Some(None)` for empty, `None` after a mistake.
fn whole(
    field: &'static str,
    answer: &str,
    unit: &str,
    mistakes: &mut Vec<Mistake>,
) -> Option<Option<u32>> {
    match answer.trim() {
        "" => Some(None),
        text => match text.parse::<u32>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                mistakes.push((field, format!("“{text}” is not a whole number of {unit}.")));
                None
            }
        },
    }
}

/// Minutes and percentage of a session, each optional; `None` after a mistake.
fn threshold(
    minutes: (&'static str, &str),
    percent: (&'static str, &str),
    mistakes: &mut Vec<Mistake>,
) -> Option<Threshold> {
    let before = mistakes.len();
    let min_minutes = whole(minutes.0, minutes.1, "minutes", mistakes).flatten();
    if min_minutes == Some(0) {
        mistakes.push((
            minutes.0,
            "Give at least 1 minute, or leave it empty to count any attendance.".into(),
        ));
    }
    let min_percent = whole(percent.0, percent.1, "per cent", mistakes).flatten();
    let min_percent = match min_percent {
        None => None,
        Some(p @ 1..=100) => u8::try_from(p).ok(),
        Some(_) => {
            mistakes.push((
                percent.0,
                "A percentage is between 1 and 100; leave it empty to count any attendance.".into(),
            ));
            None
        }
    };
    if mistakes.len() > before {
        return None;
    }
    Threshold::new(min_minutes, min_percent).ok()
}

/// "Who would be awarded now" by an achievement's rules as given (saved or not): how many
/// meet them, how many of those have the badge already, and who would get it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WouldAward {
    /// People who meet one of the rules.
    pub qualified: usize,
    /// Of those, people who have the badge already.
    pub already: usize,
    /// Those who would be awarded, by email.
    pub people: Vec<WouldPerson>,
}

/// One person a rule would award, with what their credential would say of role and credits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WouldPerson {
    /// Their email.
    pub email: String,
    /// Their name, if known.
    pub name: Option<String>,
    /// The role they would earn it with, if their records give one.
    pub role: Option<String>,
    /// The credits they would earn, if the badge has credits.
    pub credits: Option<f64>,
}

/// Evaluates `achievement`'s rules (as they stand in it, saved or not) against every fact
/// recorded now; mints nothing. A badge not saved yet has nobody awarded.
pub async fn would_award(
    service: &Service,
    achievement: &Achievement,
) -> ServiceResult<WouldAward> {
    if achievement.award_rules.trim() == "[]" {
        return Ok(WouldAward::default());
    }
    let plan = plan(service, &Scope::Achievement(achievement.clone()), &[])
        .await?
        .pop()
        .unwrap_or_else(|| super::rules::Plan {
            achievement: achievement.clone(),
            qualified: 0,
            pending: Vec::new(),
            sessions: Vec::new(),
            qualified_emails: Vec::new(),
            short: Vec::new(),
        });
    Ok(WouldAward {
        qualified: plan.qualified,
        already: plan.qualified - plan.pending.len(),
        people: plan
            .pending
            .into_iter()
            .map(|recipient| WouldPerson {
                email: recipient.email,
                name: recipient.name,
                role: recipient.role,
                credits: recipient.credits_earned,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn menus() -> Menus {
        let at = Utc
            .with_ymd_and_hms(2026, 3, 3, 15, 0, 0)
            .single()
            .expect("time");
        let issuer_id = Uuid::nil();
        Menus {
            zone: Zone::utc(),
            sessions: vec![Event {
                id: Uuid::from_u128(1),
                issuer_id,
                series_id: Some(Uuid::from_u128(2)),
                title: "Cataloguing basics".into(),
                starts_at: at,
                duration_minutes: 60,
                format: EventFormat::Online,
                created_at: at,
                updated_at: at,
            }],
            series: vec![Series {
                id: Uuid::from_u128(2),
                issuer_id,
                title: "Metadata month".into(),
                description: None,
                created_at: at,
                updated_at: at,
            }],
        }
    }

    #[test]
    fn a_series_rule_from_the_menus() {
        let answers = RuleAnswers {
            rule_kind: "series".into(),
            rule_series: Uuid::from_u128(2).to_string(),
            rule_series_at_least: "3".into(),
            rule_series_format: "online".into(),
            ..RuleAnswers::default()
        };
        let built = build(&answers, &menus(), false).expect("valid");
        let rule = Rule::series_completion_in(
            Uuid::from_u128(2).to_string(),
            Some(3),
            Threshold::ANY,
            Some(SessionFormat::Online),
        )
        .expect("valid");
        assert_eq!(built, Built::One(rule.clone()));
        assert_eq!(answers_of(&[rule]).rule_series_at_least, "3");
        let names = menus().names(|at| at.format("%-d %B %Y").to_string());
        assert_eq!(
            names.sessions[&Uuid::from_u128(1).to_string()],
            "Cataloguing basics (3 March 2026)"
        );
    }

    #[test]
    fn presenters_earn_twice_the_credits_in_plain_fields() {
        let answers = RuleAnswers {
            rule_kind: "session".into(),
            rule_session: Uuid::from_u128(1).to_string(),
            rule_credit_role: "presenters".into(),
            rule_credit_times: "2x".into(),
            ..RuleAnswers::default()
        };
        let Ok(Built::One(rule)) = build(&answers, &menus(), false) else {
            panic!("a rule");
        };
        assert_eq!(rule.roles().times_for(Some("Presenter")).get(), 2.0);
        assert_eq!(rule.roles().role(), None);
        let shown = answers_of(std::slice::from_ref(&rule));
        assert_eq!(
            (
                shown.rule_credit_role.as_str(),
                shown.rule_credit_times.as_str()
            ),
            ("Presenter", "2")
        );
        let json = serde_json::to_string(&[rule]).expect("serializes");
        assert!(
            json.contains(r#""role_credits":{"Presenter":2.0}"#),
            "{json}"
        );
        let only = RuleAnswers {
            rule_role: "Mentor".into(),
            ..answers.clone()
        };
        let Ok(Built::One(rule)) = build(&only, &menus(), false) else {
            panic!("a rule");
        };
        assert_eq!(rule.roles().role(), Some("Mentor"));
    }

    #[test]
    fn role_mistakes_are_said_beside_their_fields() {
        let answers = RuleAnswers {
            rule_kind: "session".into(),
            rule_session: Uuid::from_u128(1).to_string(),
            rule_role: "x".repeat(61),
            rule_credit_role: "Presenter".into(),
            rule_credit_times: "20".into(),
            ..RuleAnswers::default()
        };
        let mistakes = build(&answers, &menus(), false).expect_err("wrong");
        assert_eq!(mistakes[0].0, "rule_role");
        assert!(
            mistakes[0].1.starts_with("The role is 61 characters"),
            "{mistakes:?}"
        );
        let answers = RuleAnswers {
            rule_role: String::new(),
            ..answers
        };
        let mistakes = build(&answers, &menus(), false).expect_err("20 times");
        assert_eq!(mistakes[0].0, "rule_credit_times");
        assert!(mistakes[0].1.contains("from 0.01 to 5"), "{mistakes:?}");
        let no_times = RuleAnswers {
            rule_credit_times: String::new(),
            ..answers.clone()
        };
        assert_eq!(
            build(&no_times, &menus(), false).expect_err("no times")[0].0,
            "rule_credit_times"
        );
        let no_role = RuleAnswers {
            rule_credit_role: String::new(),
            rule_credit_times: "2".into(),
            ..answers
        };
        assert_eq!(
            build(&no_role, &menus(), false).expect_err("no role")[0].0,
            "rule_credit_role"
        );
    }

    #[test]
    fn every_mistake_is_named_beside_its_field() {
        let answers = RuleAnswers {
            rule_kind: "series".into(),
            rule_series: Uuid::from_u128(99).to_string(),
            rule_series_at_least: "three".into(),
            rule_series_format: "hybrid".into(),
            rule_series_minutes: "0".into(),
            rule_series_percent: "140".into(),
            ..RuleAnswers::default()
        };
        let mistakes = build(&answers, &menus(), false).expect_err("all wrong");
        let fields: Vec<&str> = mistakes.iter().map(|(field, _)| *field).collect();
        assert_eq!(
            fields,
            [
                "rule_series",
                "rule_series_at_least",
                "rule_series_format",
                "rule_series_minutes",
                "rule_series_percent"
            ]
        );
        assert_eq!(mistakes[0].1, "Choose one of this issuer's series.");
        let keep = RuleAnswers {
            rule_kind: "keep".into(),
            ..RuleAnswers::default()
        };
        assert!(
            build(&keep, &menus(), false).is_err(),
            "nothing to keep yet"
        );
        assert_eq!(build(&keep, &menus(), true), Ok(Built::Keep));
        let session = RuleAnswers {
            rule_kind: "session".into(),
            ..RuleAnswers::default()
        };
        assert_eq!(
            build(&session, &menus(), false).expect_err("no session")[0].1,
            "Choose the session."
        );
    }
}
