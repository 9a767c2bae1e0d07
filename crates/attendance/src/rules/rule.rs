//! The rules themselves, checked when they are made so evaluation never meets a
//! nonsensical one (a 0 % or 140 % threshold, "at least 0 sessions").

use std::collections::BTreeMap;
use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};

use super::roles::RoleTerms;
use thiserror::Error;

/// When an achievement is earned. Build with [`Rule::participation`],
/// [`Rule::series_completion`] or [`Rule::completion`], or deserialize (which runs the same
/// checks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "RuleSpec")]
pub enum Rule {
    /// Attended one session, meeting the threshold.
    Participation {
        /// Id of the session.
        session: String,
        /// How much of the session counts as attending it.
        #[serde(flatten)]
        threshold: Threshold,
        /// Whose attendance counts, and credits by role.
        #[serde(flatten)]
        roles: RoleTerms,
    },
    /// Attended at least `at_least` of the sessions of a series (all of them when `None`),
    /// meeting the threshold in each session counted.
    SeriesCompletion {
        /// Id of the series.
        series: String,
        /// How many sessions are needed; all of the series' sessions when `None`.
        at_least: Option<NonZeroUsize>,
        /// How much of each session counts as attending it.
        #[serde(flatten)]
        threshold: Threshold,
        /// Only sessions held this way count (and make up "every session"); any when `None`.
        /// Absent from the JSON when `None`, so rules stored before it existed read the same.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        format: Option<SessionFormat>,
        /// Whose attendance counts, and credits by role.
        #[serde(flatten)]
        roles: RoleTerms,
    },
    /// A completion of `what` is recorded.
    Completion {
        /// Id of what has to be completed.
        what: String,
        /// Whose completions count, and credits by role.
        #[serde(flatten)]
        roles: RoleTerms,
    },
}

impl Rule {
    /// "Attended `session` for at least `min_minutes` minutes, or at least `min_percent`
    /// percent of it". With neither, any attendance counts.
    pub fn participation(
        session: impl Into<String>,
        min_minutes: Option<u32>,
        min_percent: Option<u8>,
    ) -> Result<Rule, RuleError> {
        Ok(Rule::Participation {
            session: non_empty(session.into(), "session")?,
            threshold: Threshold::new(min_minutes, min_percent)?,
            roles: RoleTerms::default(),
        })
    }

    /// "Attended at least `at_least` of the sessions of `series`" (all when `None`), where
    /// a session is attended when its attendance meets `threshold`.
    pub fn series_completion(
        series: impl Into<String>,
        at_least: Option<usize>,
        threshold: Threshold,
    ) -> Result<Rule, RuleError> {
        Rule::series_completion_in(series, at_least, threshold, None)
    }

    /// [`Rule::series_completion`] counting only the series' sessions held as `format`
    /// (webinars only, say); any session when `None`.
    pub fn series_completion_in(
        series: impl Into<String>,
        at_least: Option<usize>,
        threshold: Threshold,
        format: Option<SessionFormat>,
    ) -> Result<Rule, RuleError> {
        let at_least = match at_least {
            None => None,
            Some(count) => Some(NonZeroUsize::new(count).ok_or(RuleError::AtLeastZero)?),
        };
        Ok(Rule::SeriesCompletion {
            series: non_empty(series.into(), "series")?,
            at_least,
            threshold,
            format,
            roles: RoleTerms::default(),
        })
    }

    /// "Completion recorded for `what`".
    pub fn completion(what: impl Into<String>) -> Result<Rule, RuleError> {
        Ok(Rule::Completion {
            what: non_empty(what.into(), "completion")?,
            roles: RoleTerms::default(),
        })
    }

    /// Who the rule counts (only people with a role, when it says one) and what they earn
    /// by role.
    pub fn roles(&self) -> &RoleTerms {
        match self {
            Rule::Participation { roles, .. }
            | Rule::SeriesCompletion { roles, .. }
            | Rule::Completion { roles, .. } => roles,
        }
    }

    /// The rule with these role terms (made with [`RoleTerms::new`], so already checked).
    pub fn with_roles(mut self, terms: RoleTerms) -> Rule {
        match &mut self {
            Rule::Participation { roles, .. }
            | Rule::SeriesCompletion { roles, .. }
            | Rule::Completion { roles, .. } => *roles = terms,
        }
        self
    }
}

/// How a session is held, as the rules filter on it; the same names as the store's and the
/// API's event `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionFormat {
    /// A webinar or other online session.
    Online,
    /// A workshop in a room.
    InPerson,
}

/// How much of a session someone must attend for it to count: at least `min_minutes`
/// minutes **or** at least `min_percent` percent of the planned duration, whichever is
/// set; with neither set, any attendance record counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ThresholdSpec")]
pub struct Threshold {
    min_minutes: Option<u32>,
    min_percent: Option<u8>,
}

impl Threshold {
    /// Any attendance counts.
    pub const ANY: Threshold = Threshold {
        min_minutes: None,
        min_percent: None,
    };

    /// A threshold; minutes must be at least 1 and percent 1 to 100 (leave one out rather
    /// than set it to 0).
    pub fn new(min_minutes: Option<u32>, min_percent: Option<u8>) -> Result<Threshold, RuleError> {
        if min_minutes == Some(0) {
            return Err(RuleError::MinutesZero);
        }
        if let Some(percent) = min_percent
            && !(1..=100).contains(&percent)
        {
            return Err(RuleError::PercentOutOfRange(percent));
        }
        Ok(Threshold {
            min_minutes,
            min_percent,
        })
    }

    /// Minimum minutes, when set.
    pub fn min_minutes(&self) -> Option<u32> {
        self.min_minutes
    }

    /// Minimum percentage of the session, when set.
    pub fn min_percent(&self) -> Option<u8> {
        self.min_percent
    }

    /// Whether `minutes` in a session planned for `duration_minutes` meets the threshold.
    /// A session with no planned duration is met by any attendance under a percentage.
    pub fn is_met(&self, minutes: u32, duration_minutes: u32) -> bool {
        let by_minutes = self.min_minutes.map(|min| minutes >= min);
        // Compared in whole numbers: minutes/duration >= percent/100.
        let by_percent = self.min_percent.map(|percent| {
            u64::from(minutes) * 100 >= u64::from(percent) * u64::from(duration_minutes)
        });
        match (by_minutes, by_percent) {
            (None, None) => true,
            (Some(met), None) | (None, Some(met)) => met,
            (Some(a), Some(b)) => a || b,
        }
    }
}

/// Why a rule cannot be made. Messages are shown to programme staff setting up a rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RuleError {
    /// A percentage threshold outside 1 to 100.
    #[error(
        "a minimum percentage must be between 1 and 100, not {0}; leave it out to count any attendance"
    )]
    PercentOutOfRange(u8),
    /// A minutes threshold of 0.
    #[error("a minimum of 0 minutes means nothing; leave it out to count any attendance")]
    MinutesZero,
    /// A series rule asking for at least 0 sessions.
    #[error(
        "a series rule needs at least 1 session; leave \"at least\" out to require every session of the series"
    )]
    AtLeastZero,
    /// An empty id.
    #[error("the rule names no {0}; give the id of the {0}")]
    MissingId(&'static str),
    /// A role that cannot be used (too long, a control character).
    #[error("{0}")]
    Role(String),
    /// A credit multiplier out of range.
    #[error(
        "a role's credits are the badge's credits times a number from 0.01 to {max}, not {0}",
        max = super::roles::MAX_CREDIT_TIMES
    )]
    CreditTimes(String),
}

fn non_empty(id: String, what: &'static str) -> Result<String, RuleError> {
    if id.trim().is_empty() {
        Err(RuleError::MissingId(what))
    } else {
        Ok(id)
    }
}

/// The unchecked shape of a [`Rule`] as it is stored or sent: what deserializing reads
/// before the checks, and so what the admin API documents as `AwardRule`.
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RuleSpec {
    /// Attended one session, meeting the threshold.
    Participation {
        /// The event's id.
        #[cfg_attr(feature = "openapi", schema(format = Uuid))]
        session: String,
        /// Attended at least this many minutes of the session (absent or null: no minutes
        /// threshold).
        #[cfg_attr(feature = "openapi", schema(minimum = 1))]
        min_minutes: Option<u32>,
        /// Attended at least this percentage of the session's duration_minutes (absent or
        /// null: no percentage threshold).
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
        min_percent: Option<u8>,
        /// Count only attendance recorded with this role (participant, mentor, instructor,
        /// presenter or the issuer's own words; any case). Absent: everyone's.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(max_length = 60, example = "Presenter"))]
        role: Option<String>,
        /// Credits by role: the achievement's credits_available times this number (0.01 to
        /// 5) for those earning it with that role, e.g. {"Presenter": 2}. Others earn
        /// credits_available.
        #[serde(default)]
        role_credits: BTreeMap<String, f64>,
    },
    /// Attended at least at_least of the series' sessions (all of them when absent; only those
    /// of format when given), meeting the threshold in each session counted.
    SeriesCompletion {
        /// The series' id.
        #[cfg_attr(feature = "openapi", schema(format = Uuid))]
        series: String,
        /// Sessions needed (absent or null: every session of the series).
        #[cfg_attr(feature = "openapi", schema(minimum = 1))]
        at_least: Option<usize>,
        /// Attended at least this many minutes of a session (absent or null: no minutes
        /// threshold).
        #[cfg_attr(feature = "openapi", schema(minimum = 1))]
        min_minutes: Option<u32>,
        /// Attended at least this percentage of a session's duration_minutes (absent or null:
        /// no percentage threshold).
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
        min_percent: Option<u8>,
        /// Count only the series' sessions held this way (the event's format): online for
        /// webinars, in_person for workshops in a room. Absent: every session, whatever its
        /// format.
        #[serde(default)]
        format: Option<SessionFormat>,
        /// Count only attendance recorded with this role (any case). Absent: everyone's.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(max_length = 60, example = "Presenter"))]
        role: Option<String>,
        /// Credits by role: credits_available times this number (0.01 to 5), e.g.
        /// {"Presenter": 2}.
        #[serde(default)]
        role_credits: BTreeMap<String, f64>,
    },
    /// A completion of what is recorded (POST /completions).
    Completion {
        /// The issuer's key for what is completed, as in completions (cataloguing-101).
        #[cfg_attr(feature = "openapi", schema(min_length = 1))]
        what: String,
        /// Count only completions recorded with this role (any case). Absent: everyone's.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(max_length = 60, example = "Mentor"))]
        role: Option<String>,
        /// Credits by role: credits_available times this number (0.01 to 5), e.g.
        /// {"Mentor": 1.5}.
        #[serde(default)]
        role_credits: BTreeMap<String, f64>,
    },
}

/// A rule's schema is its unchecked shape's, named `AwardRule` in the admin API. utoipa does
/// not carry an enum's `deny_unknown_fields` to its variants' objects, so each is closed here
/// (`additionalProperties: false`), as deserializing is.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Rule {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{AdditionalProperties, Schema};
        let mut schema = <RuleSpec as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::OneOf(one_of)) = &mut schema {
            for item in &mut one_of.items {
                if let RefOr::T(Schema::Object(object)) = item {
                    object.additional_properties =
                        Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
        schema
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Rule {
    fn name() -> std::borrow::Cow<'static, str> {
        "AwardRule".into()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <RuleSpec as utoipa::ToSchema>::schemas(schemas);
    }
}

impl TryFrom<RuleSpec> for Rule {
    type Error = RuleError;

    fn try_from(spec: RuleSpec) -> Result<Rule, RuleError> {
        match spec {
            RuleSpec::Participation {
                session,
                min_minutes,
                min_percent,
                role,
                role_credits,
            } => Ok(Rule::participation(session, min_minutes, min_percent)?
                .with_roles(RoleTerms::new(role.as_deref(), &role_credits)?)),
            RuleSpec::SeriesCompletion {
                series,
                at_least,
                min_minutes,
                min_percent,
                format,
                role,
                role_credits,
            } => Ok(Rule::series_completion_in(
                series,
                at_least,
                Threshold::new(min_minutes, min_percent)?,
                format,
            )?
            .with_roles(RoleTerms::new(role.as_deref(), &role_credits)?)),
            RuleSpec::Completion {
                what,
                role,
                role_credits,
            } => {
                Ok(Rule::completion(what)?
                    .with_roles(RoleTerms::new(role.as_deref(), &role_credits)?))
            }
        }
    }
}

/// The unchecked shape of a [`Threshold`].
#[derive(Deserialize)]
struct ThresholdSpec {
    min_minutes: Option<u32>,
    min_percent: Option<u8>,
}

impl TryFrom<ThresholdSpec> for Threshold {
    type Error = RuleError;

    fn try_from(spec: ThresholdSpec) -> Result<Threshold, RuleError> {
        Threshold::new(spec.min_minutes, spec.min_percent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_outside_1_to_100_is_rejected() {
        assert_eq!(
            Rule::participation("s1", None, Some(0)),
            Err(RuleError::PercentOutOfRange(0))
        );
        let err = Rule::participation("s1", None, Some(101)).expect_err("101 %");
        assert!(
            err.to_string().contains("between 1 and 100, not 101"),
            "{err}"
        );
        assert!(Rule::participation("s1", None, Some(100)).is_ok());
        assert!(Rule::participation("s1", None, Some(1)).is_ok());
    }

    #[test]
    fn zero_minutes_zero_sessions_and_empty_ids_are_rejected() {
        assert_eq!(Threshold::new(Some(0), None), Err(RuleError::MinutesZero));
        let err = Rule::series_completion("webinars", Some(0), Threshold::ANY).expect_err("0");
        assert_eq!(err, RuleError::AtLeastZero);
        assert!(err.to_string().contains("at least 1 session"), "{err}");
        let err = Rule::completion(" ").expect_err("empty");
        assert_eq!(
            err.to_string(),
            "the rule names no completion; give the id of the completion"
        );
    }

    #[test]
    fn threshold_is_minutes_or_percent() {
        let threshold = Threshold::new(Some(45), Some(75)).expect("valid");
        assert!(threshold.is_met(45, 120), "exactly the minutes");
        assert!(!threshold.is_met(44, 120));
        assert!(threshold.is_met(30, 40), "75 % of 40 is 30");
        assert!(!threshold.is_met(29, 40));
        assert!(Threshold::ANY.is_met(0, 60));
    }

    #[test]
    fn deserializing_checks_the_rule() {
        let rule: Rule =
            serde_json::from_str(r#"{"kind":"participation","session":"s1","min_percent":80}"#)
                .expect("valid rule");
        assert_eq!(
            rule,
            Rule::participation("s1", None, Some(80)).expect("valid")
        );
        let err = serde_json::from_str::<Rule>(
            r#"{"kind":"series_completion","series":"x","at_least":0}"#,
        )
        .expect_err("at least 0");
        assert!(err.to_string().contains("at least 1 session"), "{err}");
    }

    #[test]
    fn the_series_format_filter_is_optional_and_round_trips() {
        let old: Rule =
            serde_json::from_str(r#"{"kind":"series_completion","series":"x","at_least":2}"#)
                .expect("a rule stored before the filter");
        assert_eq!(
            old,
            Rule::series_completion("x", Some(2), Threshold::ANY).expect("valid")
        );
        let text = serde_json::to_string(&old).expect("serializes");
        assert!(!text.contains("format"), "{text}");
        let webinars =
            Rule::series_completion_in("x", None, Threshold::ANY, Some(SessionFormat::Online))
                .expect("valid");
        let text = serde_json::to_string(&webinars).expect("serializes");
        assert!(text.contains(r#""format":"online""#), "{text}");
        assert_eq!(
            serde_json::from_str::<Rule>(&text).expect("reads"),
            webinars
        );
        assert!(
            serde_json::from_str::<Rule>(
                r#"{"kind":"series_completion","series":"x","format":"hybrid"}"#
            )
            .is_err()
        );
    }
}
