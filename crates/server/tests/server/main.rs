//! The HTTP side, end to end: one test binary (linking the server once) for every area.
//!
//! - [`api`]: the admin API (awards, issuers, achievements, idempotency, OpenAPI).
//! - [`attendance`]: events, attendance, completions, rules and imports through the API.
//! - [`console`], [`console_scope`], [`console_tokens`], [`console_sessions`], [`console_rules`],
//!   [`console_people`]: the staff console, each route's access rules, its token pages, sessions
//!   (time zones, edits, runs, series, duplicates), the rule builder, attendee lists,
//!   recipients' pages and first steps.
//! - [`email`]: the outbox worker against an SMTP server in the test; [`console_email`]: email,
//!   delivery, confirmations and reports in the console.
//! - [`hardening`]: limits, timeouts, metrics and a store that fails on purpose.
//! - [`lifecycle`]: revocation, suspension, re-issue and keys through the API.
//! - [`openapi`]: real answers validated against the OpenAPI document's schemas.
//! - [`pages`], [`public`]: the public HTML pages and the hosted documents.
//! - [`tokens`]: token scopes, issuer limits, redaction and the audit log.
//! - [`wallet_oid4vci`]: OpenID4VCI's pre-authorized code flow, played as a wallet.
//!
//! [`util`] builds a whole service in-process ([`util::TestApp`]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod api;
mod attendance;
mod console;
mod console_email;
mod console_people;
mod console_rules;
mod console_scope;
mod console_sessions;
mod console_tokens;
mod email;
mod hardening;
mod lifecycle;
mod openapi;
mod pages;
mod public;
mod tokens;
mod wallet_oid4vci;
