//! The Open Badges 3.0 credential core: data model, keys, proofs and baking.
//!
//! Everything here is pure computation: no I/O, no async, no clock reads and no network. Time,
//! keys and documents come in as arguments, so the issuer service and the offline verifier
//! compute exactly the same bytes, and tests can pin every input.
//!
//! # Layout
//! - [`model`]: typed serde structs for Open Badges 3.0 on VC Data Model 2.0.
//! - [`bake`]: embedding credentials in PNG and SVG badge images, and extracting them.
//! - [`budget`]: how much work one untrusted document may cause.
#![deny(missing_docs)]

pub mod bake;
pub mod budget;
pub mod jsonld;
pub mod jwt;
pub mod keys;
pub mod model;
pub mod proof;
pub mod schema;
pub mod status;
