//! The core crate's integration tests, as one binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod model;
mod rdf_canon;
