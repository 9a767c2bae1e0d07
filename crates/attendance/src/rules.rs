//! Award rules: who has earned an achievement, given what is known about sessions,
//! attendance and completions.
//!
//! An achievement can carry a [`Rule`]: "attended session S for at least N minutes or P
//! percent of it" ([`Rule::Participation`]), "attended at least K of the sessions of series X"
//! ([`Rule::SeriesCompletion`], optionally counting only webinars or only in-person
//! sessions) or "completion recorded for X" ([`Rule::Completion`]).
//! [`evaluate`] answers who meets a rule, with what the credential has to say about it:
//! the activity's start and end, a Completed result where one applies, and the sessions
//! that count as evidence.
//!
//! # Why a pure function of the facts
//!
//! Awards are minted as attendance arrives, and attendance arrives late: a session is
//! added to a series after some people already qualified, a second report for the same
//! webinar is imported. Rather than tracking state, [`evaluate`] takes every relevant fact
//! ([`Facts`]) and reads no clock, no database and nothing else; evaluating the same facts
//! twice gives the same answer, and evaluating after a late record gives the answer as if
//! the record had always been there. Making sure each person is awarded once is the award
//! path's job (the store enforces one credential per recipient per achievement), so
//! re-evaluation can simply be run again.
//!
//! A rule may count only people with one role and give roles more or fewer credits
//! ([`RoleTerms`]): records carry the role someone had, and [`Qualified::role`] says which
//! role a person earned the badge with.
//!
//! [`describe`] puts a rule in words for the people who set it up.
//!
//! Those who attended but fall short, and by how much, are [`shortfalls`]; an attendance
//! record without minutes (an attendee list) counts under a rule with no threshold and is
//! reported as "attended, no minutes recorded" under one with a threshold.
//!
//! "Who would be awarded now" (a preview) is [`evaluate`] minus those already awarded,
//! which the caller knows: [`pending`].
//!
//! # Decisions
//!
//! - Ids are plain strings chosen by the caller (the server maps its UUIDs), so this
//!   module stays free of storage concerns.
//! - Emails are compared trimmed and lowercased, as in report parsing. Several attendance
//!   records for one person and session (someone who rejoined) are summed.
//! - A session "attended" for a series means meeting the rule's [`Threshold`] in that
//!   session; the same threshold applies to every session of the series.
//! - A series is the set of sessions whose [`Session::series`] names it, at evaluation time.
//!   When the series has fewer sessions than the rule's `at_least`, nobody qualifies (yet);
//!   without `at_least`, all of its sessions are required, and a series with no sessions
//!   qualifies nobody.
//! - Attendance for a session that is not among the facts' sessions is ignored: without the
//!   session there is no duration for a percentage nor a start time to fall back on.
//! - Output is ordered by email, so previews and re-evaluations compare line by line.

mod describe;
mod evaluate;
mod facts;
mod roles;
mod rule;
mod shortfall;

pub use describe::{Names, describe, describe_all};
pub use evaluate::{Completed, Qualified, evaluate, pending};
pub use facts::{AttendanceRecord, CompletionRecord, Facts, Session, normalize_email};
pub use roles::{CreditTimes, MAX_CREDIT_TIMES, MAX_ROLE_CREDITS, RoleTerms};
pub use rule::{Rule, RuleError, SessionFormat, Threshold};
pub use shortfall::{Short, Shortfall, shortfalls};
