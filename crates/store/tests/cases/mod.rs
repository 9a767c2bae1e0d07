//! The cases, each an `async fn(&TestDb)` that `suite.rs` runs on every backend.

pub mod activity;
pub mod audit;
pub mod awards;
pub mod catalog;
pub mod categories;
pub mod concurrency;
pub mod console;
pub mod email;
pub mod endorsements;
pub mod imports;
pub mod oid4vci;
pub mod pathways;
pub mod service;
pub mod sessions;
pub mod sign_in;
pub mod status;
pub mod transcript_links;
pub mod wallet;
