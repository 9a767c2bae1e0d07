//! Continuing-education transcripts: every credential one person holds from this service over
//! a period, with its date, provider, title, credits and category, and the totals a state
//! library reviewing a renewal asks for (per CE category and overall).
//!
//! A transcript is read, never stored: it is computed from the awards as signed, so it always
//! agrees with the credentials. What it says:
//! - **which credentials**: the person's (by email), from the chosen issuers (all by default,
//!   or as far as the caller may see), dated within the period;
//! - **their date**: the activity's date the credential states (`activityEndDate`, else
//!   `activityStartDate`), else the day it was awarded (`awardedDate`, else `validFrom`) in its
//!   issuer's time zone; the period's days are compared with that date;
//! - **credits**: `creditsEarned` when the credential states it, else the achievement's
//!   `creditsAvailable` (a session's hours, awarded whole), else none;
//! - **excluded**: revoked, suspended and expired credentials are not counted, and are listed
//!   with the reason, so the transcript says why a credential someone remembers is missing.
//!
//! The same [`Transcript`] feeds every form: JSON (the API), the signed CLR 2.0 credential
//! ([`clr`]), CSV ([`csv`]) and the printable PDF (the certificate crate). Each row keeps its
//! award (the signed credential) so the CLR can nest it unchanged.

pub mod by_email;
pub mod categories;
pub mod clr;
pub mod csv;
pub mod pdf;
pub mod period;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use laurel_store::{Award, AwardFilter, Issuer};
use serde_json::Value;
use uuid::Uuid;

pub use period::Period;

use crate::activity::local_time::Zone;
use crate::{Service, ServiceError, ServiceResult};

/// The most credentials one transcript reads.
pub const MAX_CREDENTIALS: u32 = 1_000;

/// What a transcript is asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The person's email (normalized here).
    pub email: String,
    /// Which days.
    pub period: Period,
    /// Only these issuers' credentials (empty: every issuer the caller may see).
    pub issuers: Vec<Uuid>,
}

/// One credential on a transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The date it counts on (see the module docs).
    pub date: NaiveDate,
    /// The provider: the issuer's id and name.
    pub issuer_id: Uuid,
    /// The issuer's name as signed into the credential.
    pub provider: String,
    /// The achievement.
    pub achievement_id: Uuid,
    /// The credential's title (its achievement's name as signed).
    pub title: String,
    /// Credits (CE hours) it counts for; `None` if it states none.
    pub credits: Option<f64>,
    /// Its achievement's CE category, if it has one.
    pub category: Option<String>,
    /// The award, with the credential exactly as signed.
    pub award: Award,
}

/// Why a credential the person holds is not counted.
#[derive(Debug, Clone, PartialEq)]
pub enum Exclusion {
    /// Revoked by its issuer (permanent).
    Revoked {
        /// When.
        at: DateTime<Utc>,
        /// The issuer's reason, if given.
        reason: Option<String>,
    },
    /// Suspended by its issuer (for now).
    Suspended {
        /// When.
        at: DateTime<Utc>,
        /// The issuer's reason, if given.
        reason: Option<String>,
    },
    /// Past its `validUntil`.
    Expired {
        /// When it expired.
        at: DateTime<Utc>,
    },
}

impl Exclusion {
    /// `revoked`, `suspended` or `expired`.
    pub fn kind(&self) -> &'static str {
        match self {
            Exclusion::Revoked { .. } => "revoked",
            Exclusion::Suspended { .. } => "suspended",
            Exclusion::Expired { .. } => "expired",
        }
    }

    /// In words: "Revoked on 2026-03-01: duplicate award".
    pub fn describe(&self, zone: Zone) -> String {
        let day = |at: &DateTime<Utc>| zone.local(*at).date().format("%-d %B %Y").to_string();
        let with = |text: String, reason: &Option<String>| match reason {
            Some(reason) if !reason.trim().is_empty() => format!("{text}: {}", reason.trim()),
            _ => text,
        };
        match self {
            Exclusion::Revoked { at, reason } => with(format!("Revoked on {}", day(at)), reason),
            Exclusion::Suspended { at, reason } => {
                with(format!("Suspended on {}", day(at)), reason)
            }
            Exclusion::Expired { at } => format!("Expired on {}", day(at)),
        }
    }
}

/// A credential in the period that is not counted, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Excluded {
    /// The credential as it would have been listed.
    pub row: Row,
    /// Why it is not.
    pub reason: Exclusion,
    /// [`Exclusion::describe`] in its issuer's zone.
    pub reason_text: String,
}

/// Credits of one category (or of credentials without one).
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryTotal {
    /// The category; `None` for credentials whose achievement has none.
    pub category: Option<String>,
    /// Credentials counted.
    pub credentials: u64,
    /// Their credits.
    pub credits: f64,
}

/// One person's transcript over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// Their email, normalized.
    pub email: String,
    /// Their name, from their latest award that has one.
    pub name: Option<String>,
    /// The period.
    pub period: Period,
    /// The issuers asked for (empty: all the caller may see).
    pub issuers: Vec<Uuid>,
    /// Counted credentials, by date, then provider, then title.
    pub rows: Vec<Row>,
    /// Credentials of the period not counted, with why.
    pub excluded: Vec<Excluded>,
    /// Credits per category: the issuers' categories in their order, then "no category".
    pub totals: Vec<CategoryTotal>,
    /// All credits counted.
    pub total_credits: f64,
    /// When it was made.
    pub generated_at: DateTime<Utc>,
}

/// Who may be seen: `None` for every issuer, else only these (an issuer manager's).
pub type Visible<'a> = Option<&'a [Uuid]>;

/// The transcript `request` asks for, as far as the issuers in `visible` go. Unknown issuers
/// asked for are [`ServiceError::NotFound`], as are issuers the caller may not see.
pub async fn build(
    service: &Service,
    request: &Request,
    visible: Visible<'_>,
) -> ServiceResult<Transcript> {
    let email = crate::mint::recipient_email(&request.email).map_err(ServiceError::Invalid)?;
    let may_see = |issuer: Uuid| visible.is_none_or(|ids| ids.contains(&issuer));
    let all_issuers = service.store.list_issuers().await?;
    for id in &request.issuers {
        if !all_issuers.iter().any(|i| i.id == *id) || !may_see(*id) {
            return Err(ServiceError::not_found("issuer", id));
        }
    }
    let wanted: Vec<Uuid> = if request.issuers.is_empty() {
        visible.map(<[Uuid]>::to_vec).unwrap_or_default()
    } else {
        request.issuers.clone()
    };
    let awards = if matches!(visible, Some([])) {
        Vec::new()
    } else {
        let filter = AwardFilter {
            recipient_email: Some(email.clone()),
            issuer_ids: wanted,
            limit: MAX_CREDENTIALS,
            ..AwardFilter::default()
        };
        service.store.list_awards(&filter).await?.0
    };
    let shared = Shared::read(service, &all_issuers).await?;
    Ok(assemble(shared.inputs(
        email,
        request.period,
        request.issuers.clone(),
        awards,
    )))
}

/// Every person's transcript over `period` (of `issuers`, or all the caller may see), for a
/// bulk export: everyone with a credential dated in the period, by email. Reads every award
/// of those issuers once (pages of [`MAX_CREDENTIALS`]).
pub async fn build_all(
    service: &Service,
    period: Period,
    issuers: &[Uuid],
    visible: Visible<'_>,
) -> ServiceResult<Vec<Transcript>> {
    let may_see = |issuer: Uuid| visible.is_none_or(|ids| ids.contains(&issuer));
    let all_issuers = service.store.list_issuers().await?;
    for id in issuers {
        if !all_issuers.iter().any(|i| i.id == *id) || !may_see(*id) {
            return Err(ServiceError::not_found("issuer", id));
        }
    }
    if matches!(visible, Some([])) {
        return Ok(Vec::new());
    }
    let wanted: Vec<Uuid> = if issuers.is_empty() {
        visible.map(<[Uuid]>::to_vec).unwrap_or_default()
    } else {
        issuers.to_vec()
    };
    let mut by_person: BTreeMap<String, Vec<Award>> = BTreeMap::new();
    let mut offset = 0;
    loop {
        let filter = AwardFilter {
            issuer_ids: wanted.clone(),
            limit: MAX_CREDENTIALS,
            offset,
            ..AwardFilter::default()
        };
        let (page, _) = service.store.list_awards(&filter).await?;
        let done = page.len() < MAX_CREDENTIALS as usize;
        offset += page.len() as u32;
        for award in page {
            by_person
                .entry(award.recipient_email.clone())
                .or_default()
                .push(award);
        }
        if done {
            break;
        }
    }
    let shared = Shared::read(service, &all_issuers).await?;
    let mut transcripts = Vec::new();
    for (email, awards) in by_person {
        let transcript = assemble(shared.inputs(email, period, issuers.to_vec(), awards));
        if !transcript.rows.is_empty() || !transcript.excluded.is_empty() {
            transcripts.push(transcript);
        }
    }
    Ok(transcripts)
}

/// What every transcript reads besides the person's awards.
struct Shared {
    names: HashMap<Uuid, String>,
    zones: HashMap<Uuid, Zone>,
    categories: HashMap<Uuid, String>,
    category_order: Vec<String>,
    now: DateTime<Utc>,
}

impl Shared {
    async fn read(service: &Service, issuers: &[Issuer]) -> ServiceResult<Shared> {
        let mut ordered: Vec<&Issuer> = issuers.iter().collect();
        ordered.sort_by_key(|issuer| (issuer.created_at, issuer.id));
        let mut zones = HashMap::new();
        let mut category_order: Vec<String> = Vec::new();
        for issuer in &ordered {
            zones.insert(
                issuer.id,
                Zone::stored(&service.store.issuer_time_zone(issuer.id).await?),
            );
            for name in service.store.ce_categories(issuer.id).await? {
                if !category_order.contains(&name) {
                    category_order.push(name);
                }
            }
        }
        Ok(Shared {
            names: issuers.iter().map(|i| (i.id, i.name.clone())).collect(),
            zones,
            categories: service.store.achievement_categories(None).await?,
            category_order,
            now: service.clock.now(),
        })
    }

    fn inputs(
        &self,
        email: String,
        period: Period,
        issuers: Vec<Uuid>,
        awards: Vec<Award>,
    ) -> Inputs {
        Inputs {
            email,
            period,
            issuers,
            awards,
            names: self.names.clone(),
            zones: self.zones.clone(),
            categories: self.categories.clone(),
            category_order: self.category_order.clone(),
            now: self.now,
        }
    }
}

/// Everything [`assemble`] reads, already fetched.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The person's email, normalized.
    pub email: String,
    /// The period.
    pub period: Period,
    /// The issuers asked for.
    pub issuers: Vec<Uuid>,
    /// The person's awards (of the issuers asked for), in any order.
    pub awards: Vec<Award>,
    /// Issuers' current names (used when a credential names none).
    pub names: HashMap<Uuid, String>,
    /// Each issuer's time zone (UTC when missing).
    pub zones: HashMap<Uuid, Zone>,
    /// The category of each achievement that has one.
    pub categories: HashMap<Uuid, String>,
    /// Every category in the order totals list them.
    pub category_order: Vec<String>,
    /// "Now", for expiry.
    pub now: DateTime<Utc>,
}

/// The transcript of `inputs`: a pure function, so every figure is tested without a store.
pub fn assemble(inputs: Inputs) -> Transcript {
    let mut rows = Vec::new();
    let mut excluded = Vec::new();
    let mut name: Option<(DateTime<Utc>, String)> = None;
    for award in inputs.awards {
        let zone = inputs
            .zones
            .get(&award.issuer_id)
            .copied()
            .unwrap_or_else(Zone::utc);
        let credential: Value = serde_json::from_str(&award.credential).unwrap_or(Value::Null);
        let date = credential_date(&credential, &award, zone);
        if !inputs.period.contains(date) {
            continue;
        }
        if let Some(recipient) = &award.recipient_name
            && name.as_ref().is_none_or(|(at, _)| award.issued_at > *at)
        {
            name = Some((award.issued_at, recipient.clone()));
        }
        let subject = &credential["credentialSubject"];
        let achievement = &subject["achievement"];
        let credits = subject["creditsEarned"]
            .as_f64()
            .or_else(|| achievement["creditsAvailable"].as_f64());
        let provider = credential["issuer"]["name"]
            .as_str()
            .map(str::to_string)
            .or_else(|| inputs.names.get(&award.issuer_id).cloned())
            .unwrap_or_default();
        let title = achievement["name"]
            .as_str()
            .or(credential["name"].as_str())
            .unwrap_or_default()
            .to_string();
        let row = Row {
            date,
            issuer_id: award.issuer_id,
            provider,
            achievement_id: award.achievement_id,
            title,
            credits,
            category: inputs.categories.get(&award.achievement_id).cloned(),
            award,
        };
        match exclusion(&row.award, inputs.now) {
            Some(reason) => excluded.push(Excluded {
                reason_text: reason.describe(zone),
                reason,
                row,
            }),
            None => rows.push(row),
        }
    }
    let by_date = |a: &Row, b: &Row| {
        (a.date, &a.provider, &a.title, a.award.id).cmp(&(
            b.date,
            &b.provider,
            &b.title,
            b.award.id,
        ))
    };
    rows.sort_by(by_date);
    excluded.sort_by(|a, b| by_date(&a.row, &b.row));

    let mut sums: BTreeMap<Option<String>, (u64, f64)> = BTreeMap::new();
    for row in &rows {
        let sum = sums.entry(row.category.clone()).or_default();
        sum.0 += 1;
        sum.1 += row.credits.unwrap_or(0.0);
    }
    let mut totals = Vec::new();
    for category in &inputs.category_order {
        if let Some((credentials, credits)) = sums.remove(&Some(category.clone())) {
            totals.push(CategoryTotal {
                category: Some(category.clone()),
                credentials,
                credits,
            });
        }
    }
    // Categories no longer listed (none in practice: a category in use cannot be removed),
    // then credentials without one.
    let uncategorized = sums.remove(&None);
    for (category, (credentials, credits)) in sums {
        totals.push(CategoryTotal {
            category,
            credentials,
            credits,
        });
    }
    if let Some((credentials, credits)) = uncategorized {
        totals.push(CategoryTotal {
            category: None,
            credentials,
            credits,
        });
    }
    let total_credits = rows.iter().map(|row| row.credits.unwrap_or(0.0)).sum();
    Transcript {
        email: inputs.email,
        name: name.map(|(_, name)| name),
        period: inputs.period,
        issuers: inputs.issuers,
        rows,
        excluded,
        totals,
        total_credits,
        generated_at: inputs.now,
    }
}

/// The day a credential counts on (see the module docs).
fn credential_date(credential: &Value, award: &Award, zone: Zone) -> NaiveDate {
    let subject = &credential["credentialSubject"];
    let stated = ["activityEndDate", "activityStartDate"]
        .iter()
        .find_map(|name| subject[*name].as_str())
        .and_then(|text| activity_day(text, zone));
    if let Some(day) = stated {
        return day;
    }
    let awarded = credential["awardedDate"]
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or(award.issued_at);
    zone.local(awarded).date()
}

/// An activity date as a day: a full date-time in the issuer's zone, else its first ten
/// characters as a date (OB allows a date-time without a zone).
fn activity_day(text: &str, zone: Zone) -> Option<NaiveDate> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(zone.local(at.with_timezone(&Utc)).date());
    }
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// Why an award is not counted at `now`, if it is not: revoked before suspended before expired.
pub fn exclusion(award: &Award, now: DateTime<Utc>) -> Option<Exclusion> {
    if let Some(at) = award.revoked_at {
        return Some(Exclusion::Revoked {
            at,
            reason: award.revocation_reason.clone(),
        });
    }
    if let Some(at) = award.suspended_at {
        return Some(Exclusion::Suspended {
            at,
            reason: award.suspension_reason.clone(),
        });
    }
    match award.valid_until {
        Some(at) if at <= now => Some(Exclusion::Expired { at }),
        _ => None,
    }
}
