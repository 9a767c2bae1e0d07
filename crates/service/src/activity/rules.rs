//! Award rules at work: which achievements a fact may earn, who meets their rules now, and
//! minting for them through the one award path.
//!
//! Evaluation is `laurel_attendance::rules`' pure function over every stored fact the rules
//! look at, run again whenever a fact arrives. So a record that comes late, a session added
//! to a series after some awards, or a rule edited later are all settled the same way: whoever
//! meets a rule now and has no credential yet gets one, and whoever has one keeps it (minting
//! is exactly once per recipient and achievement).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use laurel_attendance::rules::{self, CreditTimes, Facts, Qualified, Rule, Shortfall};
use laurel_core::model::{AchievementResult, Evidence};
use laurel_store::{Achievement, Attendance, Event, EventFilter, StoreError};
use serde::Serialize;
use uuid::Uuid;

use crate::mint::{self, Outcome, Recipient};
use crate::{Service, ServiceError, ServiceResult};

/// How many recipients one minting call takes: one store transaction each.
pub const MINT_CHUNK: usize = 1_000;

/// What a new fact can affect.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Attendance of this event: rules naming it or its series.
    Event(Event),
    /// A change to the sessions of a series (one left it): rules naming the series.
    Series {
        /// The series' issuer.
        issuer_id: Uuid,
        /// The series.
        series_id: Uuid,
    },
    /// A completion of `what` at this issuer: rules asking for it.
    Completion {
        /// The issuer whose achievements may be earned.
        issuer_id: Uuid,
        /// What was completed.
        what: String,
    },
    /// Every rule of one achievement.
    Achievement(Achievement),
}

/// An achievement's rules evaluated now: who meets them and has no credential yet.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The achievement.
    pub achievement: Achievement,
    /// How many people meet one of its rules, awarded or not.
    pub qualified: usize,
    /// Those who meet a rule and have no credential yet, by email: what minting would award.
    pub pending: Vec<Recipient>,
    /// For each pending recipient, the ids of the sessions that count (evidence).
    pub sessions: Vec<Vec<String>>,
    /// Everyone who meets one of its rules, awarded or not, by email (see
    /// [`crate::activity::sessions::edit`], which compares them before and after an edit).
    pub qualified_emails: Vec<String>,
    /// Those who attended a session its rules look at but meet none of them, with by how
    /// much they fall short (the first rule's answer), ordered by email.
    pub short: Vec<Shortfall>,
}

/// What minting a plan did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Minted {
    /// The achievement.
    pub achievement_id: Uuid,
    /// Its name.
    pub name: String,
    /// People meeting one of its rules.
    pub qualified: usize,
    /// Credentials minted now.
    pub created: usize,
    /// Recipients who had it already (minted meanwhile by a concurrent request).
    pub existing: usize,
    /// Recipients whose credential could not be minted (see the log); evaluating again retries.
    pub failed: usize,
}

/// The award rules of an achievement, as stored.
pub fn rules_of(achievement: &Achievement) -> ServiceResult<Vec<Rule>> {
    serde_json::from_str(&achievement.award_rules).map_err(|error| {
        ServiceError::Internal(format!(
            "achievement {} has unreadable award rules: {error}",
            achievement.id
        ))
    })
}

/// Evaluates the rules that `scope` touches. `extra` is attendance not yet stored (a dry-run
/// import), merged into the stored attendance as storing it would.
pub async fn plan(
    service: &Service,
    scope: &Scope,
    extra: &[Attendance],
) -> ServiceResult<Vec<Plan>> {
    let achievements: Vec<(Achievement, Vec<Rule>)> = match scope {
        Scope::Achievement(achievement) => vec![(achievement.clone(), rules_of(achievement)?)],
        Scope::Event(event) => touched(service, event.issuer_id, |rule| match rule {
            Rule::Participation { session, .. } => *session == event.id.to_string(),
            Rule::SeriesCompletion { series, .. } => {
                event.series_id.map(|id| id.to_string()).as_ref() == Some(series)
            }
            Rule::Completion { .. } => false,
        })
        .await?,
        Scope::Series {
            issuer_id,
            series_id,
        } => touched(service, *issuer_id, |rule| {
            matches!(rule, Rule::SeriesCompletion { series, .. } if *series == series_id.to_string())
        })
        .await?,
        Scope::Completion { issuer_id, what } => touched(service, *issuer_id, |rule| {
            matches!(rule, Rule::Completion { what: wanted, .. } if wanted == what)
        })
        .await?,
    };
    let mut facts = FactCache::new(extra);
    let mut plans = Vec::with_capacity(achievements.len());
    for (achievement, rules) in achievements {
        plans.push(plan_one(service, &mut facts, achievement, &rules).await?);
    }
    Ok(plans)
}

/// Mints what the plans say is pending, in chunks of [`MINT_CHUNK`]; the outcome per
/// achievement.
pub async fn mint(service: &Service, plans: Vec<Plan>) -> ServiceResult<Vec<Minted>> {
    let mut minted = Vec::with_capacity(plans.len());
    let mut award_ids = Vec::new();
    for plan in plans {
        let mut result = Minted {
            achievement_id: plan.achievement.id,
            name: plan.achievement.name.clone(),
            qualified: plan.qualified,
            created: 0,
            existing: 0,
            failed: 0,
        };
        for chunk in plan.pending.chunks(MINT_CHUNK) {
            let rows = chunk.iter().cloned().map(Ok).collect();
            for outcome in mint::award(service, plan.achievement.id, rows, true).await? {
                match outcome {
                    Outcome::Created(award) => {
                        result.created += 1;
                        if award_ids.len() < crate::audit::MAX_IDS {
                            award_ids.push(award.id);
                        }
                    }
                    Outcome::Existing(_) => result.existing += 1,
                    Outcome::Failed(error) => {
                        tracing::warn!(achievement = %plan.achievement.id, %error, "an award by rule failed");
                        result.failed += 1;
                    }
                }
            }
        }
        minted.push(result);
    }
    // One audit entry per evaluation that awarded anything, however many it awarded.
    let created: usize = minted.iter().map(|m| m.created).sum();
    if created > 0 {
        let target = match minted.as_slice() {
            [one] => Some(one.achievement_id.to_string()),
            _ => None,
        };
        let achievements: Vec<_> = minted
            .iter()
            .filter(|m| m.created + m.failed > 0)
            .map(|m| serde_json::json!({ "achievement_id": m.achievement_id, "created": m.created, "failed": m.failed }))
            .collect();
        crate::audit::write(
            service.store.as_ref(),
            service.clock.now(),
            &crate::audit::Actor::system("rules"),
            "rules.award",
            target,
            serde_json::json!({ "created": created, "achievements": achievements, "award_ids": award_ids }),
        )
        .await;
    }
    Ok(minted)
}

/// The issuer's achievements with a rule for which `touches` holds.
async fn touched(
    service: &Service,
    issuer_id: Uuid,
    touches: impl Fn(&Rule) -> bool,
) -> ServiceResult<Vec<(Achievement, Vec<Rule>)>> {
    let mut touched = Vec::new();
    for achievement in service.store.list_achievements(Some(issuer_id)).await? {
        if achievement.award_rules.trim() == "[]" {
            continue;
        }
        let rules = rules_of(&achievement)?;
        if rules.iter().any(&touches) {
            touched.push((achievement, rules));
        }
    }
    Ok(touched)
}

/// One achievement's plan: every rule evaluated, the rule a person meets that gives their role
/// the most credits (the first of those) deciding what their credential says.
async fn plan_one(
    service: &Service,
    cache: &mut FactCache<'_>,
    achievement: Achievement,
    rules: &[Rule],
) -> ServiceResult<Plan> {
    let mut qualified: Vec<(Qualified, CreditTimes)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut short: std::collections::BTreeMap<String, Shortfall> = Default::default();
    for rule in rules {
        let sessions = match rule {
            Rule::Participation { session, .. } => match Uuid::parse_str(session) {
                Ok(id) => cache.event(service, id).await?.into_iter().collect(),
                Err(_) => Vec::new(),
            },
            Rule::SeriesCompletion { series, .. } => match Uuid::parse_str(series) {
                Ok(id) => cache.series_events(service, id).await?,
                Err(_) => Vec::new(),
            },
            Rule::Completion { .. } => Vec::new(),
        };
        let mut facts = Facts::default();
        for event in &sessions {
            facts.sessions.push(session_of(event));
            for record in cache.attendance(service, event.id).await? {
                facts.attendance.push(rules::AttendanceRecord {
                    email: record.recipient_email.clone(),
                    session: event.id.to_string(),
                    minutes: record.minutes,
                    join: record.first_join,
                    leave: record.last_leave,
                    role: record.role.clone(),
                });
            }
        }
        if let Rule::Completion { what, .. } = rule {
            facts.completions = service
                .store
                .completions(achievement.issuer_id, Some(what))
                .await?
                .into_iter()
                .map(|completion| rules::CompletionRecord {
                    email: completion.recipient_email,
                    what: completion.what,
                    date: completion.completed_at,
                    score: completion.score,
                    evidence: completion.evidence,
                    role: completion.role,
                })
                .collect();
        }
        for person in rules::evaluate(rule, &facts) {
            let times = rule.roles().times_for(person.role.as_deref());
            match seen.get(&person.email) {
                None => {
                    seen.insert(person.email.clone(), qualified.len());
                    qualified.push((person, times));
                }
                Some(&index) if times > qualified[index].1 => qualified[index] = (person, times),
                Some(_) => {}
            }
        }
        for near in rules::shortfalls(rule, &facts) {
            short.entry(near.email.clone()).or_insert(near);
        }
    }
    let short: Vec<Shortfall> = short
        .into_values()
        .filter(|near| !seen.contains_key(&near.email))
        .collect();

    let emails: Vec<String> = qualified.iter().map(|(q, _)| q.email.clone()).collect();
    let awarded: HashSet<String> = if emails.is_empty() {
        HashSet::new()
    } else {
        service
            .store
            .awards_for(achievement.id, &emails)
            .await?
            .into_iter()
            .map(|award| award.recipient_email)
            .collect()
    };
    let total = qualified.len();
    let mut pending = Vec::new();
    let mut sessions = Vec::new();
    for (person, times) in qualified {
        if awarded.contains(&person.email) {
            continue;
        }
        let recipient = recipient(cache, &achievement, &person, times);
        sessions.push(person.sessions);
        pending.push(recipient);
    }
    Ok(Plan {
        achievement,
        qualified: total,
        pending,
        sessions,
        qualified_emails: emails,
        short,
    })
}

/// What the credential of someone who met a rule says: the activity's span, a Completed
/// result where the rule is a completion, their role, the achievement's credits times what
/// the rule gives that role, and the sessions (or completion evidence) as evidence.
fn recipient(
    cache: &FactCache<'_>,
    achievement: &Achievement,
    person: &Qualified,
    times: CreditTimes,
) -> Recipient {
    let mut evidence = Vec::new();
    let mut name = None;
    for session in &person.sessions {
        let Some(event) = Uuid::parse_str(session)
            .ok()
            .and_then(|id| cache.events.get(&id).cloned().flatten())
        else {
            continue;
        };
        let record = cache.record(event.id, &person.email);
        if name.is_none() {
            name = record.and_then(|record| record.recipient_name.clone());
        }
        let mut item = Evidence::new();
        item.name = Some(event.title.clone());
        item.genre = Some("Attendance".into());
        item.description = Some(match record {
            Some(record) => format!(
                "Attended {} of {} minutes of the {} session on {}.",
                record.minutes,
                event.duration_minutes,
                match event.format {
                    laurel_store::EventFormat::Online => "online",
                    laurel_store::EventFormat::InPerson => "in-person",
                },
                event.starts_at.format("%Y-%m-%d")
            ),
            None => format!(
                "Attended the session on {}.",
                event.starts_at.format("%Y-%m-%d")
            ),
        });
        evidence.push(item);
    }
    for item in &person.evidence {
        let mut entry = Evidence::new();
        if laurel_core::model::is_http_iri(item) {
            entry.id = Some(item.clone());
        } else {
            entry.narrative = Some(item.clone());
        }
        evidence.push(entry);
    }
    evidence.truncate(mint::MAX_EVIDENCE);
    let result = person.result.as_ref().map(|completed| {
        let mut result = AchievementResult::new();
        result.status = Some("Completed".into());
        result.value = completed.score.clone();
        result
    });
    Recipient {
        email: person.email.clone(),
        name,
        include_name: None,
        narrative: None,
        evidence,
        activity_start_date: Some(timestamp(person.activity_start)),
        activity_end_date: Some(timestamp(person.activity_end)),
        result,
        credits_earned: achievement
            .credits_available
            .map(|credits| times.of(credits)),
        role: person.role.clone(),
        // The date the rule was met (the session's), so an award made after the event says
        // when it was earned; minting keeps `validFrom` at the signing time.
        awarded_date: Some(person.earned),
    }
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The most an award of `achievement` with `role` may multiply its credits by: the largest
/// multiplier its award rules give the role, and never less than once (staff awarding by hand
/// may always give the achievement's full credits). Rules that cannot be read give none.
pub fn credit_multiplier(achievement: &Achievement, role: Option<&str>) -> f64 {
    rules_of(achievement)
        .unwrap_or_default()
        .iter()
        .map(|rule| rule.roles().times_for(role).get())
        .fold(1.0, f64::max)
}

/// An event as the rules see it.
fn session_of(event: &Event) -> rules::Session {
    rules::Session {
        id: event.id.to_string(),
        title: event.title.clone(),
        start: event.starts_at,
        duration_minutes: event.duration_minutes,
        series: event.series_id.map(|id| id.to_string()),
        format: Some(match event.format {
            laurel_store::EventFormat::Online => rules::SessionFormat::Online,
            laurel_store::EventFormat::InPerson => rules::SessionFormat::InPerson,
        }),
    }
}

/// Events and attendance loaded once per evaluation, with not-yet-stored attendance merged in.
struct FactCache<'a> {
    extra: &'a [Attendance],
    events: HashMap<Uuid, Option<Event>>,
    series: HashMap<Uuid, Vec<Uuid>>,
    attendance: HashMap<Uuid, HashMap<String, Attendance>>,
}

impl<'a> FactCache<'a> {
    fn new(extra: &'a [Attendance]) -> Self {
        FactCache {
            extra,
            events: HashMap::new(),
            series: HashMap::new(),
            attendance: HashMap::new(),
        }
    }

    async fn event(&mut self, service: &Service, id: Uuid) -> ServiceResult<Option<Event>> {
        if let Some(event) = self.events.get(&id) {
            return Ok(event.clone());
        }
        let event = match service.store.event(id).await {
            Ok(event) => Some(event),
            Err(StoreError::NotFound) => None,
            Err(error) => return Err(error.into()),
        };
        self.events.insert(id, event.clone());
        Ok(event)
    }

    async fn series_events(
        &mut self,
        service: &Service,
        series: Uuid,
    ) -> ServiceResult<Vec<Event>> {
        if let std::collections::hash_map::Entry::Vacant(entry) = self.series.entry(series) {
            let filter = EventFilter {
                series_id: Some(series),
                ..EventFilter::default()
            };
            let events = service.store.list_events(&filter).await?;
            entry.insert(events.iter().map(|event| event.id).collect());
            for event in events {
                self.events.insert(event.id, Some(event));
            }
        }
        Ok(self.series[&series]
            .iter()
            .filter_map(|id| self.events.get(id).cloned().flatten())
            .collect())
    }

    async fn attendance(
        &mut self,
        service: &Service,
        event: Uuid,
    ) -> ServiceResult<Vec<Attendance>> {
        if !self.attendance.contains_key(&event) {
            let mut by_email: HashMap<String, Attendance> = service
                .store
                .attendance_of(&[event])
                .await?
                .into_iter()
                .map(|record| (record.recipient_email.clone(), record))
                .collect();
            for record in self.extra.iter().filter(|record| record.event_id == event) {
                merge_into(&mut by_email, record);
            }
            self.attendance.insert(event, by_email);
        }
        Ok(self.attendance[&event].values().cloned().collect())
    }

    fn record(&self, event: Uuid, email: &str) -> Option<&Attendance> {
        self.attendance.get(&event)?.get(email)
    }
}

/// Merges a record into one event's attendance exactly as the store does when recording it
/// (see `Store::record_attendance` and [`laurel_store::merge_attendance`]): what it did.
pub fn merge_into(
    by_email: &mut HashMap<String, Attendance>,
    record: &Attendance,
) -> laurel_store::Recorded {
    use laurel_store::Recorded;
    match by_email.get_mut(&record.recipient_email) {
        None => {
            by_email.insert(record.recipient_email.clone(), record.clone());
            Recorded::New
        }
        Some(stored) => {
            if laurel_store::merge_attendance(stored, record) {
                Recorded::Updated
            } else {
                Recorded::Unchanged
            }
        }
    }
}

/// The most rules one achievement may have.
pub const MAX_RULES: usize = 20;

/// Checks award rules as a client gives them (the API's JSON, the console's form): each well
/// formed, naming events and series of `issuer_id`. The JSON text to store.
pub async fn check(
    service: &Service,
    issuer_id: Uuid,
    input: Vec<serde_json::Value>,
) -> ServiceResult<String> {
    if input.len() > MAX_RULES {
        return Err(ServiceError::Invalid(format!(
            "award_rules: at most {MAX_RULES} rules"
        )));
    }
    let mut rules = Vec::with_capacity(input.len());
    for (index, value) in input.into_iter().enumerate() {
        let field = format!("award_rules[{index}]");
        let mut rule: Rule = serde_json::from_value(value).map_err(|error| {
            ServiceError::Invalid(format!(
                "{field}: {error}; a rule is {{\"kind\": \"participation\", \"session\": EVENT_ID, \"min_minutes\"?: N, \"min_percent\"?: P}}, {{\"kind\": \"series_completion\", \"series\": SERIES_ID, \"at_least\"?: K, \"min_minutes\"?: N, \"min_percent\"?: P}} or {{\"kind\": \"completion\", \"what\": KEY}}"
            ))
        })?;
        match &mut rule {
            Rule::Participation { session, .. } => {
                let id = parse_id(&field, "session", session)?;
                // Another issuer's event answers as a missing one: a token limited to some
                // issuers learns nothing of the others' ids.
                match service.store.event(id).await {
                    Ok(event) if event.issuer_id == issuer_id => {}
                    Ok(_) | Err(StoreError::NotFound) => {
                        return Err(ServiceError::Invalid(format!(
                            "{field}.session: this issuer has no event with id {id}"
                        )));
                    }
                    Err(error) => return Err(error.into()),
                }
                // Stored in the one form evaluation compares with.
                *session = id.to_string();
            }
            Rule::SeriesCompletion { series, .. } => {
                let id = parse_id(&field, "series", series)?;
                // Another issuer's series answers as a missing one: a token limited to some
                // issuers learns nothing of the others' ids.
                match service.store.series(id).await {
                    Ok(series) if series.issuer_id == issuer_id => {}
                    Ok(_) | Err(StoreError::NotFound) => {
                        return Err(ServiceError::Invalid(format!(
                            "{field}.series: this issuer has no series with id {id}"
                        )));
                    }
                    Err(error) => return Err(error.into()),
                }
                *series = id.to_string();
            }
            Rule::Completion { what, .. } => {
                *what = what.trim().to_string();
                if what.is_empty() {
                    return Err(ServiceError::Invalid(format!(
                        "{field}.what must not be empty"
                    )));
                }
            }
        }
        rules.push(rule);
    }
    serde_json::to_string(&rules).map_err(|error| ServiceError::Internal(error.to_string()))
}

fn parse_id(field: &str, name: &str, text: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(text.trim()).map_err(|_| {
        ServiceError::Invalid(format!(
            "{field}.{name} must be an id (a UUID), got {text:?}"
        ))
    })
}
