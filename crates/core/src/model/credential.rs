//! The credential envelope shared by `OpenBadgeCredential` (alias `AchievementCredential`) and
//! `EndorsementCredential`: a VC Data Model 2.0 credential generic over its subject.
//!
//! One generic struct instead of two copies because the envelope (contexts, issuer, validity,
//! proofs, status, schema…) is identical; only `credentialSubject` differs. Parsing is lenient
//! about shape (VCDM 1.1 dates and context, compacted single values, a bare issuer URI, any OB
//! context version 3.0.0–3.0.3) and every unknown property is kept, so that a parsed credential
//! serializes back to the same JSON value. Emitting is strict: see the builder and
//! [`Credential::ensure_contexts`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    AchievementSubject, CredentialSchema, CredentialStatus, DateTimeZ, EndorsementSubject,
    Evidence, Image, OneOrMany, ProfileRef, Proof, RefreshService, TermsOfUse, vocab,
};

/// An Open Badges 3.0 credential (`type` contains `OpenBadgeCredential` or its alias
/// `AchievementCredential`).
pub type OpenBadgeCredential = Credential<AchievementSubject>;
/// Alias of [`OpenBadgeCredential`], mirroring the spec's type alias.
pub type AchievementCredential = OpenBadgeCredential;
/// An endorsement of a profile, achievement or credential.
pub type EndorsementCredential = Credential<EndorsementSubject>;

/// One `@context` entry: a URL, or an inline context object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Context {
    /// A context URL.
    Uri(String),
    /// An inline context definition.
    Object(Map<String, Value>),
}

impl Context {
    /// The URL, if this entry is one.
    pub fn as_uri(&self) -> Option<&str> {
        match self {
            Self::Uri(uri) => Some(uri),
            Self::Object(_) => None,
        }
    }
}

impl From<&str> for Context {
    fn from(uri: &str) -> Self {
        Self::Uri(uri.to_owned())
    }
}

/// A verifiable credential whose `credentialSubject` is an `S`.
///
/// Use the aliases [`OpenBadgeCredential`] and [`EndorsementCredential`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credential<S> {
    /// `@context`: VC v2 first, then the OB context, then any others.
    #[serde(rename = "@context")]
    pub context: OneOrMany<Context>,
    /// URI of the credential. Required by Open Badges (the builder always sets it) but
    /// optional in the VC data model, and embedded endorsements in the wild omit it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Contains `VerifiableCredential` and `OpenBadgeCredential`/`AchievementCredential`
    /// (or `EndorsementCredential`).
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// Display name (required for endorsements and VCDM 1.1 OB credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Display image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// The issuer: an embedded Profile (what we emit) or a bare URI.
    pub issuer: ProfileRef,
    /// When the credential becomes valid (VCDM 2.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTimeZ>,
    /// When the credential stops being valid (VCDM 2.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTimeZ>,
    /// VCDM 1.1 issuance date (accepted on input, never emitted by us).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuance_date: Option<DateTimeZ>,
    /// VCDM 1.1 expiration date (accepted on input, never emitted by us).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<DateTimeZ>,
    /// When the achievement was originally awarded (survives re-issues with a newer
    /// `validFrom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awarded_date: Option<DateTimeZ>,
    /// The subject.
    pub credential_subject: S,
    /// Evidence of the achievement.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub evidence: OneOrMany<Evidence>,
    /// Endorsements of the credential (Data Integrity signed).
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub endorsement: OneOrMany<EndorsementCredential>,
    /// Endorsements of the credential as compact JWS strings.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub endorsement_jwt: OneOrMany<String>,
    /// JSON Schemas the credential conforms to.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub credential_schema: OneOrMany<CredentialSchema>,
    /// Revocation/suspension status (a single object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_status: Option<CredentialStatus>,
    /// Refresh service (a single object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_service: Option<RefreshService>,
    /// Terms of use.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub terms_of_use: OneOrMany<TermsOfUse>,
    /// Embedded proofs.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub proof: OneOrMany<Proof>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<S> Credential<S> {
    /// True if `type` contains `type_name`.
    pub fn has_type(&self, type_name: &str) -> bool {
        self.r#type.contains_str(type_name)
    }

    /// True if `type` contains `VerifiableCredential` and `OpenBadgeCredential` or
    /// `AchievementCredential`.
    pub fn is_open_badge(&self) -> bool {
        self.has_type(vocab::VERIFIABLE_CREDENTIAL)
            && (self.has_type(vocab::OPEN_BADGE_CREDENTIAL)
                || self.has_type(vocab::ACHIEVEMENT_CREDENTIAL))
    }

    /// True if `type` contains `VerifiableCredential` and `EndorsementCredential`.
    pub fn is_endorsement(&self) -> bool {
        self.has_type(vocab::VERIFIABLE_CREDENTIAL) && self.has_type(vocab::ENDORSEMENT_CREDENTIAL)
    }

    /// Start of validity: `validFrom`, or the VCDM 1.1 `issuanceDate`.
    pub fn valid_from(&self) -> Option<DateTime<Utc>> {
        self.valid_from
            .as_ref()
            .or(self.issuance_date.as_ref())
            .map(DateTimeZ::to_utc)
    }

    /// End of validity: `validUntil`, or the VCDM 1.1 `expirationDate`.
    pub fn valid_until(&self) -> Option<DateTime<Utc>> {
        self.valid_until
            .as_ref()
            .or(self.expiration_date.as_ref())
            .map(DateTimeZ::to_utc)
    }

    /// The issuer's URI, whether `issuer` is a bare URI or an embedded Profile.
    pub fn issuer_id(&self) -> &str {
        self.issuer.id()
    }

    /// The `@context` entries that are URLs, in order.
    pub fn context_uris(&self) -> impl Iterator<Item = &str> {
        self.context.iter().filter_map(Context::as_uri)
    }

    /// True if the first context is the VCDM 1.1 one (`https://www.w3.org/2018/credentials/v1`).
    pub fn is_vcdm_v1(&self) -> bool {
        self.context.first().and_then(Context::as_uri) == Some(vocab::VC_CONTEXT_V1)
    }

    /// The Open Badges context URL in use (any version 3.0.0–3.0.3), if any.
    pub fn ob_context(&self) -> Option<&str> {
        self.context_uris().find(|uri| vocab::is_ob_context(uri))
    }

    /// True if the credential uses a type defined only in the OB extensions context:
    /// `1EdTechJsonSchemaValidator2019` in `credentialSchema`, `1EdTechRevocationList` in
    /// `credentialStatus` or `1EdTechCredentialRefresh` in `refreshService`.
    pub fn uses_one_edtech_types(&self) -> bool {
        self.credential_schema
            .iter()
            .any(|s| s.r#type == vocab::ONE_EDTECH_JSON_SCHEMA_VALIDATOR_2019)
            || matches!(
                self.credential_status,
                Some(CredentialStatus::RevocationList(_))
            )
            || self
                .refresh_service
                .as_ref()
                .is_some_and(|r| r.r#type == vocab::ONE_EDTECH_CREDENTIAL_REFRESH)
    }

    /// Puts `@context` in the order we emit, as an array: the VC base context first
    /// (`…/credentials/v2`, or the 1.1 one if only that is present), then the OB context (the
    /// version already present, otherwise 3.0.3), then — if
    /// [`uses_one_edtech_types`](Self::uses_one_edtech_types) — the OB extensions context, then
    /// every other entry in its original order. The entries it places are not duplicated
    /// elsewhere in the list. Idempotent.
    pub fn ensure_contexts(&mut self) {
        let mut rest = std::mem::take(&mut self.context).into_vec();
        let is = |c: &Context, uri: &str| c.as_uri() == Some(uri);

        let base = if rest.iter().any(|c| is(c, vocab::VC_CONTEXT_V1))
            && !rest.iter().any(|c| is(c, vocab::VC_CONTEXT_V2))
        {
            vocab::VC_CONTEXT_V1
        } else {
            vocab::VC_CONTEXT_V2
        };
        rest.retain(|c| !is(c, base));

        let ob = match rest
            .iter()
            .position(|c| c.as_uri().is_some_and(vocab::is_ob_context))
        {
            Some(i) => rest.remove(i),
            None => Context::from(vocab::OB_CONTEXT),
        };

        let mut ordered = vec![Context::from(base), ob];
        if self.uses_one_edtech_types() {
            rest.retain(|c| !is(c, vocab::OB_EXTENSIONS_CONTEXT));
            ordered.push(Context::from(vocab::OB_EXTENSIONS_CONTEXT));
        }
        ordered.extend(rest);
        self.context = OneOrMany::Many(ordered);
    }
}
