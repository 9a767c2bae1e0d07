//! Typed serde structs for Open Badges 3.0 on the W3C VC Data Model 2.0.
//!
//! Two jobs pull in different directions, and the model serves both:
//!
//! - **Reading** (the verifier, imports): accept what real credentials contain — VCDM 1.1
//!   `issuanceDate`/`expirationDate`, the `AchievementCredential` alias, OB contexts 3.0.0 to
//!   3.0.3, compacted single values instead of arrays ([`OneOrMany`]), a bare issuer URI
//!   ([`ProfileRef`]) — and lose nothing: every struct keeps unknown properties in a flattened
//!   `extra` map, dates keep their exact text ([`DateTimeZ`]) and numbers stay
//!   [`serde_json::Number`]s, so parsing then serializing yields the same JSON value. That is
//!   what lets the verifier work on typed data without breaking signatures.
//! - **Writing** (the issuer): [`Credential::builder`] / [`OpenBadgeCredential::new`] emit only
//!   the strict form the 1EdTech validator accepts: contexts in order ([`vocab`]), arrays for
//!   every multi-valued property, an embedded issuer Profile, UTC `Z` dates, no nulls and no
//!   empty arrays.
//!
//! Field names are snake_case in Rust and camelCase in JSON; `type` is `r#type`. Required
//! properties of the OB schema are plain fields, optional ones `Option`s or (for arrays)
//! possibly empty [`OneOrMany`]s, skipped when serializing.

mod achievement;
mod builder;
mod clr;
mod credential;
mod datetime;
mod identity;
mod md5;
mod media;
mod one_or_many;
mod profile;
mod proof;
mod role;
mod service;
mod status;
mod subject;
pub mod vocab;

pub use achievement::{
    Achievement, Alignment, Criteria, Related, ResultDescription, RubricCriterionLevel,
};
pub use builder::{BuildError, CredentialBuilder, SubjectKind, is_http_iri, looks_like_uri};
pub use clr::{ASSOCIATION_TYPES, Association, ClrCredential, ClrSubject};
pub use credential::{
    AchievementCredential, Context, Credential, EndorsementCredential, OpenBadgeCredential,
};
pub use datetime::{DateTimeError, DateTimeZ};
pub use identity::{IdentityError, IdentityObject, normalize_email, subject_name};
pub use media::{Evidence, Image};
pub use one_or_many::OneOrMany;
pub use profile::{Address, GeoCoordinates, IdentifierEntry, Profile, ProfileRef};
pub use proof::Proof;
pub use role::{KNOWN_ROLES, MAX_ROLE_CHARS, RoleError, check_role, known_role, same_role};
pub use service::{CredentialSchema, RefreshService, TermsOfUse};
pub use status::{
    BitstringStatusListEntry, CredentialStatus, OtherStatus, RevocationListStatus, StatusMessage,
};
pub use subject::{AchievementResult, AchievementSubject, EndorsementSubject};

/// A one-entry `type` array, the form we emit.
fn type_list(type_name: &str) -> OneOrMany<String> {
    OneOrMany::Many(vec![type_name.to_owned()])
}
