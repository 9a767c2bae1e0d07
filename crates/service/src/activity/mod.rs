//! Attendance and completion: recording what happened, and awarding achievements by rule.
//!
//! - [`rules`]: which achievements a fact may earn, who meets their rules now ("who would be
//!   awarded"), and minting for them through [`crate::mint`], exactly once per recipient.
//! - [`rule_builder`]: rules built from menus in the console, their sessions' and series'
//!   names for putting rules in words, and "who would be awarded" by a rule not saved yet.
//! - [`import`]: attendance reports (Zoom, GoToWebinar, plain CSV) parsed, recorded and awarded
//!   as a job whose progress and per-line results any instance can report.
//! - [`sessions`]: checks of session and series input (times, lengths, formats, series), and
//!   editing a session, which settles its rules again.
//! - [`local_time`]: each issuer's time zone, in which the console reads and shows times.
//! - [`session_form`]: a session, or a run of them, as typed in a form: every mistake at once.
//! - [`bounds`]: how many imports an issuer may run at once, and how long their per-line
//!   results (every attendee's address) are kept.
//!
//! Both the HTTP API and the `laurel import attendance` command run this code, so a file gives
//! the same result whichever way it arrives.

pub mod bounds;
pub mod import;
pub mod local_time;
pub mod rule_builder;
pub mod rules;
pub mod session_form;
pub mod sessions;
