//! CLR 2.0: the `ClrCredential`, a learner's record gathering already-signed Open Badges.
//!
//! A ClrCredential is a VC 2.0 credential like an Open Badge, but its subject, a `ClrSubject`,
//! carries the learner's identity, the full signed AchievementCredentials
//! (`verifiableCredential`, each keeping its own proof, so each can be verified on its own),
//! the definitions of their achievements (`achievement`) and how those achievements relate
//! (`association`, e.g. one is part of another). The nested credentials are kept as JSON
//! values exactly as signed: re-serializing them through a typed model could change a byte a
//! signature covers.
//!
//! The CLR JSON schema wants `@context` as `[VC 2.0, CLR 2.0, OB 3.0, …]`, not the OB order
//! [`Credential::ensure_contexts`] makes, so [`ClrCredential::new`] sets it itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::builder::SubjectKind;
use super::{
    Achievement, BuildError, Context, Credential, CredentialSchema, IdentityObject, OneOrMany,
    Profile, type_list, vocab,
};

/// A CLR 2.0 credential.
pub type ClrCredential = Credential<ClrSubject>;

/// The learner of a CLR and everything their record holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClrSubject {
    /// URI of the learner (a DID), if known; else `identifier` names them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Contains `"ClrSubject"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// The learner's identities (a hashed email, their name).
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub identifier: OneOrMany<IdentityObject>,
    /// The achievements of the nested credentials (and any they are part of).
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub achievement: OneOrMany<Achievement>,
    /// The nested credentials, each exactly as signed (JSON with its own proof).
    pub verifiable_credential: OneOrMany<Value>,
    /// How the achievements relate.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub association: OneOrMany<Association>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// How two achievements relate: `sourceId` `associationType` `targetId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Association {
    /// Always `"Association"` (a string: the schema allows no array).
    #[serde(rename = "type")]
    pub r#type: String,
    /// `isParentOf`, `isChildOf`, `isPartOf`, `isPeerOf`, `isRelatedTo`, `precedes`,
    /// `replacedBy` or `exactMatchOf`.
    pub association_type: String,
    /// The source achievement's id.
    pub source_id: String,
    /// The target achievement's id.
    pub target_id: String,
}

/// `associationType` values of CLR 2.0.
pub const ASSOCIATION_TYPES: [&str; 8] = [
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
];

impl Association {
    /// `parent` `isParentOf` `child`: the child achievement is a part of the parent (a
    /// pathway's step of its certificate).
    pub fn parent_of(parent: impl Into<String>, child: impl Into<String>) -> Self {
        Association {
            r#type: vocab::ASSOCIATION.to_owned(),
            association_type: "isParentOf".to_owned(),
            source_id: parent.into(),
            target_id: child.into(),
        }
    }
}

impl ClrSubject {
    /// A subject named by `identifier`s, holding `credentials` (signed JSON).
    pub fn new(identifier: Vec<IdentityObject>, credentials: Vec<Value>) -> Self {
        ClrSubject {
            id: None,
            r#type: type_list(vocab::CLR_SUBJECT),
            identifier: OneOrMany::Many(identifier),
            achievement: OneOrMany::Many(Vec::new()),
            verifiable_credential: OneOrMany::Many(credentials),
            association: OneOrMany::Many(Vec::new()),
            extra: Map::new(),
        }
    }
}

impl SubjectKind for ClrSubject {
    const CREDENTIAL_TYPE: &'static str = vocab::CLR_CREDENTIAL;
    const REQUIRES_NAME: bool = true;

    fn check(&self) -> Result<(), BuildError> {
        if !self.r#type.contains_str(vocab::CLR_SUBJECT) {
            return Err(BuildError::MissingType {
                field: "credentialSubject.type",
                expected: vocab::CLR_SUBJECT,
            });
        }
        if self.id.is_none() && self.identifier.is_empty() {
            return Err(BuildError::NoSubjectIdentity);
        }
        if self.verifiable_credential.is_empty() {
            return Err(BuildError::NoNestedCredentials);
        }
        for association in self.association.iter() {
            if !ASSOCIATION_TYPES.contains(&association.association_type.as_str()) {
                return Err(BuildError::AssociationType(
                    association.association_type.clone(),
                ));
            }
        }
        Ok(())
    }
}

impl ClrCredential {
    /// A ClrCredential to sign: `@context` `[VC 2.0, CLR 2.0.1, OB 3.0.3, OB extensions]` (in
    /// the order the CLR schema requires), `type` `[VerifiableCredential, ClrCredential]`, the
    /// CLR JSON schema in `credentialSchema`, and the required `name`.
    pub fn new(
        id: impl Into<String>,
        issuer: Profile,
        valid_from: DateTime<Utc>,
        name: impl Into<String>,
        subject: ClrSubject,
    ) -> Result<Self, BuildError> {
        let mut credential = Credential::builder(id, issuer, valid_from, subject)
            .name(name)
            .credential_schema(CredentialSchema::one_edtech(vocab::CLR_CREDENTIAL_SCHEMA))
            .build()?;
        credential.context = OneOrMany::Many(vec![
            Context::from(vocab::VC_CONTEXT_V2),
            Context::from(vocab::CLR_CONTEXT),
            Context::from(vocab::OB_CONTEXT),
            Context::from(vocab::OB_EXTENSIONS_CONTEXT),
        ]);
        Ok(credential)
    }

    /// True if `type` contains `VerifiableCredential` and `ClrCredential`.
    pub fn is_clr(&self) -> bool {
        self.has_type(vocab::VERIFIABLE_CREDENTIAL) && self.has_type(vocab::CLR_CREDENTIAL)
    }
}
