//! The `laurel` command, end to end: one test binary (linking the service once) for every
//! command's tests.
//!
//! - [`commands`]: keys, signing, baking and extraction.
//! - [`tokens`]: `laurel token` and the audit entries commands write.
//! - [`lifecycle`]: revoking, suspending, re-issuing, rotating keys, against a running service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../util/mod.rs"]
mod util;

mod commands;
mod lifecycle;
mod tokens;
