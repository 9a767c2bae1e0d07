//! The HTTP side, end to end: one test binary (linking the server once) for every area.
//!
//! - [`api`]: the admin API (awards, issuers, achievements, idempotency, OpenAPI).
//! - [`certificate`]: the printable certificate (PDF), its issuer settings, the page's print view.
//! - [`attendance`]: events, attendance, completions, rules and imports through the API.
//! - [`console`], [`console_scope`], [`console_tokens`], [`console_sessions`], [`console_rules`],
//!   [`console_people`]: the staff console, each route's access rules, its token pages, sessions
//!   (time zones, edits, runs, series, duplicates), the rule builder, attendee lists,
//!   recipients' pages and first steps.
//! - [`email`]: the outbox worker against an SMTP server in the test; [`console_email`]: email
//!   settings, test emails and templates in the console; [`console_awards`]: delivery on the
//!   awards table, the revoke confirmation and the reports.
//! - [`endorsements`]: endorsements signed here or imported, embedded, shown and verified.
//! - [`hardening`]: limits, timeouts, metrics and a store that fails on purpose.
//! - [`lifecycle`], [`lifecycle_verify`]: revocation, suspension, re-issue and keys through the
//!   API, and as verifiers check them (online, compromised keys, the verify API).
//! - [`openapi`]: real answers and accepted requests validated against the OpenAPI document's
//!   schemas.
//! - [`pages`], [`public`]: the public HTML pages and the hosted documents.
//! - [`recipient_name`]: the name signed into credentials, its switches, and LinkedIn's link
//!   refused for revoked or suspended badges.
//! - [`transcripts`]: CE categories and transcripts (JSON, CSV, PDF, CLR) through the API,
//!   the console and the recipient's claim link.
//! - [`roles`]: roles in a cohort: signed, shown, printed, recorded with attendance, and award
//!   rules by role (presenters earn twice the credits).
//! - [`tokens`]: token scopes, issuer limits, redaction and the audit log.
//! - [`wallet_vcapi`]: a wallet receiving a badge through its claim link (VC-API exchange);
//!   [`wallet_did_web`]: the same for a did:web holder, whose DID document is fetched safely;
//!   [`wallet_links`]: fresh links sent by staff or asked for by the recipient.
//! - [`wallet_oid4vci`]: OpenID4VCI's pre-authorized code flow, played as a wallet.
//!
//! [`util`] builds a whole service in-process ([`util::TestApp`]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod api;
mod attendance;
mod certificate;
mod console;
mod console_awards;
mod console_email;
mod console_people;
mod console_rules;
mod console_scope;
mod console_sessions;
mod console_tokens;
mod email;
mod endorsements;
mod hardening;
mod lifecycle;
mod lifecycle_verify;
mod openapi;
mod pages;
mod pathways;
mod public;
mod recipient_name;
mod roles;
mod tokens;
mod transcript_email;
mod transcripts;
mod wallet_did_web;
mod wallet_links;
mod wallet_oid4vci;
mod wallet_vcapi;
