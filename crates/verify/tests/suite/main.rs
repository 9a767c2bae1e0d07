//! The verify crate's integration tests, as one binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod clr;
mod compromised;
mod endorsements;
mod fetch;
mod forgery;
mod verify;
