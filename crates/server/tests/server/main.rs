//! The HTTP side, end to end: one test binary (linking the server once) for every area.
//!
//! - [`api`]: the admin API (awards, issuers, achievements, idempotency, OpenAPI).
//! - [`attendance`]: events, attendance, completions, rules and imports through the API.
//! - [`console`], [`console_scope`], [`console_tokens`]: the staff console, each route's access
//!   rules, and its token pages; [`console_people`]: attendee lists, recipients' pages, first steps.
//! - [`email`]: the outbox worker against an SMTP server in the test.
//! - [`hardening`]: limits, timeouts, metrics and a store that fails on purpose.
//! - [`lifecycle`]: revocation, suspension, re-issue and keys through the API.
//! - [`pages`], [`public`]: the public HTML pages and the hosted documents.
//! - [`tokens`]: token scopes, issuer limits, redaction and the audit log.
//!
//! [`util`] builds a whole service in-process ([`util::TestApp`]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod api;
mod attendance;
mod console;
mod console_people;
mod console_scope;
mod console_tokens;
mod email;
mod hardening;
mod lifecycle;
mod pages;
mod public;
mod tokens;
