//! The attendance crate's integration tests, as one binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod rules;
mod samples;
