//! Building credentials to issue, in exactly the shape the 1EdTech validator accepts.
//!
//! Parsing is lenient; issuing is not. The builder always produces arrays for `type`,
//! `proof`, `credentialSchema` (and every other multi-valued property), an embedded issuer
//! Profile, UTC `Z` dates, no nulls and no empty arrays, and the contexts in the required
//! order (via [`Credential::ensure_contexts`]). It checks the few invariants the type system
//! cannot (URIs, subject identity, date order) and reports them as [`BuildError`]s.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{
    AchievementSubject, Context, Credential, CredentialSchema, CredentialStatus, DateTimeError,
    DateTimeZ, EndorsementCredential, EndorsementSubject, Evidence, Image, OneOrMany,
    OpenBadgeCredential, Profile, ProfileRef, RefreshService, TermsOfUse, vocab,
};

/// Why a credential could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A property that must be a URI is not one.
    #[error("{field} must be a URI (scheme:rest), got {value:?}")]
    NotAUri {
        /// The property, e.g. `"id"` or `"issuer.id"`.
        field: &'static str,
        /// The rejected value.
        value: String,
    },
    /// A `type` lacks the value it must contain.
    #[error("{field} must contain {expected:?}")]
    MissingType {
        /// The property, e.g. `"issuer.type"`.
        field: &'static str,
        /// The type it must contain.
        expected: &'static str,
    },
    /// The AchievementSubject has neither `id` nor `identifier`.
    #[error("credentialSubject needs an id or at least one identifier")]
    NoSubjectIdentity,
    /// A ClrCredential holds no credential.
    #[error(
        "a ClrCredential needs at least one credential in credentialSubject.verifiableCredential"
    )]
    NoNestedCredentials,
    /// An association's `associationType` is not one CLR 2.0 defines.
    #[error("associationType {0:?} is not one CLR 2.0 defines")]
    AssociationType(String),
    /// The credential type requires a `name` (EndorsementCredential does).
    #[error("{0} requires a name")]
    MissingName(&'static str),
    /// `validUntil` is not after `validFrom`.
    #[error("validUntil ({valid_until}) must be after validFrom ({valid_from})")]
    ValidityWindow {
        /// The requested start.
        valid_from: DateTime<Utc>,
        /// The requested end.
        valid_until: DateTime<Utc>,
    },
    /// A date cannot be written as a DateTimeZ.
    #[error(transparent)]
    Date(#[from] DateTimeError),
}

/// True if `value` is an absolute IRI (RFC 3987) with a non-empty rest after the scheme:
/// what JSON-LD keeps as a node id. A string that is not one (a quote, a space, `<x>`) would
/// be dropped on the way to RDF, and with it whatever it names, unsigned.
pub fn looks_like_uri(value: &str) -> bool {
    oxiri::Iri::parse(value).is_ok_and(|iri| value.len() > iri.scheme().len() + 1)
}

/// True if `value` is an absolute `http:` or `https:` IRI (RFC 3987) with a host: the only
/// links Laurel signs into credentials (evidence, criteria, alignments, issuer and image
/// URLs), so that nothing signed can be dropped by JSON-LD or become a `javascript:` link in
/// someone else's viewer.
pub fn is_http_iri(value: &str) -> bool {
    oxiri::Iri::parse(value).is_ok_and(|iri| {
        matches!(iri.scheme(), "http" | "https")
            && iri.authority().is_some_and(|authority| {
                // A host, not only userinfo or a port.
                let host = authority.rsplit('@').next().unwrap_or_default();
                !host.is_empty() && !host.starts_with(':')
            })
    })
}

fn check_uri(field: &'static str, value: &str) -> Result<(), BuildError> {
    if looks_like_uri(value) {
        Ok(())
    } else {
        Err(BuildError::NotAUri {
            field,
            value: value.to_owned(),
        })
    }
}

fn check_type(
    field: &'static str,
    types: &OneOrMany<String>,
    expected: &'static str,
) -> Result<(), BuildError> {
    if types.contains_str(expected) {
        Ok(())
    } else {
        Err(BuildError::MissingType { field, expected })
    }
}

/// A credential subject type: tells the builder which credential type goes with it and checks
/// the subject's own invariants.
pub trait SubjectKind {
    /// The credential `type` that goes with this subject, after `VerifiableCredential`.
    const CREDENTIAL_TYPE: &'static str;
    /// Whether the credential must have a `name`.
    const REQUIRES_NAME: bool;
    /// Checks the subject before issuing.
    fn check(&self) -> Result<(), BuildError>;
}

impl SubjectKind for AchievementSubject {
    const CREDENTIAL_TYPE: &'static str = vocab::OPEN_BADGE_CREDENTIAL;
    const REQUIRES_NAME: bool = false;

    fn check(&self) -> Result<(), BuildError> {
        check_type(
            "credentialSubject.type",
            &self.r#type,
            vocab::ACHIEVEMENT_SUBJECT,
        )?;
        match &self.id {
            Some(id) => check_uri("credentialSubject.id", id)?,
            None if self.identifier.is_empty() => return Err(BuildError::NoSubjectIdentity),
            None => {}
        }
        let achievement = &self.achievement;
        check_uri("credentialSubject.achievement.id", &achievement.id)?;
        check_type(
            "credentialSubject.achievement.type",
            &achievement.r#type,
            vocab::ACHIEVEMENT,
        )
    }
}

impl SubjectKind for EndorsementSubject {
    const CREDENTIAL_TYPE: &'static str = vocab::ENDORSEMENT_CREDENTIAL;
    const REQUIRES_NAME: bool = true;

    fn check(&self) -> Result<(), BuildError> {
        check_uri("credentialSubject.id", &self.id)?;
        check_type(
            "credentialSubject.type",
            &self.r#type,
            vocab::ENDORSEMENT_SUBJECT,
        )
    }
}

/// Builds a [`Credential`] to issue, started by [`Credential::builder`].
///
/// [`build`](Self::build) checks the invariants (URIs, subject identity, `validUntil` after
/// `validFrom`, a name for endorsements) and produces the strict emitted form:
/// `["VerifiableCredential", <the subject's credential type>]` as `type`, an embedded issuer
/// Profile, UTC `Z` dates, no nulls, no empty arrays, and contexts ordered by
/// [`Credential::ensure_contexts`].
#[derive(Debug, Clone)]
pub struct CredentialBuilder<S> {
    id: String,
    issuer: Profile,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
    awarded_date: Option<DateTime<Utc>>,
    subject: S,
    name: Option<String>,
    description: Option<String>,
    image: Option<Image>,
    evidence: Vec<Evidence>,
    endorsement: Vec<EndorsementCredential>,
    endorsement_jwt: Vec<String>,
    credential_schema: Vec<CredentialSchema>,
    credential_status: Option<CredentialStatus>,
    refresh_service: Option<RefreshService>,
    terms_of_use: Vec<TermsOfUse>,
    contexts: Vec<Context>,
    extra: Map<String, Value>,
}

impl<S: SubjectKind> Credential<S> {
    /// Starts a credential with the required properties: its URI, the issuer (embedded),
    /// `validFrom` and the subject.
    pub fn builder(
        id: impl Into<String>,
        issuer: Profile,
        valid_from: DateTime<Utc>,
        subject: S,
    ) -> CredentialBuilder<S> {
        CredentialBuilder {
            id: id.into(),
            issuer,
            valid_from,
            valid_until: None,
            awarded_date: None,
            subject,
            name: None,
            description: None,
            image: None,
            evidence: Vec::new(),
            endorsement: Vec::new(),
            endorsement_jwt: Vec::new(),
            credential_schema: Vec::new(),
            credential_status: None,
            refresh_service: None,
            terms_of_use: Vec::new(),
            contexts: Vec::new(),
            extra: Map::new(),
        }
    }
}

impl OpenBadgeCredential {
    /// A minimal valid Open Badge: `Credential::builder(id, issuer, valid_from, subject).build()`.
    pub fn new(
        id: impl Into<String>,
        issuer: Profile,
        valid_from: DateTime<Utc>,
        subject: AchievementSubject,
    ) -> Result<Self, BuildError> {
        Self::builder(id, issuer, valid_from, subject).build()
    }
}

impl<S: SubjectKind> CredentialBuilder<S> {
    /// Sets the display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the display description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the display image.
    pub fn image(mut self, image: Image) -> Self {
        self.image = Some(image);
        self
    }

    /// Sets `validUntil`.
    pub fn valid_until(mut self, valid_until: DateTime<Utc>) -> Self {
        self.valid_until = Some(valid_until);
        self
    }

    /// Sets `awardedDate` (keep the original date when re-issuing).
    pub fn awarded_date(mut self, awarded_date: DateTime<Utc>) -> Self {
        self.awarded_date = Some(awarded_date);
        self
    }

    /// Adds an evidence entry.
    pub fn evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }

    /// Adds an embedded endorsement.
    pub fn endorsement(mut self, endorsement: EndorsementCredential) -> Self {
        self.endorsement.push(endorsement);
        self
    }

    /// Adds a VC-JWT endorsement (compact JWS).
    pub fn endorsement_jwt(mut self, jws: impl Into<String>) -> Self {
        self.endorsement_jwt.push(jws.into());
        self
    }

    /// Adds a `credentialSchema` entry, e.g. [`CredentialSchema::achievement_credential`].
    pub fn credential_schema(mut self, schema: CredentialSchema) -> Self {
        self.credential_schema.push(schema);
        self
    }

    /// Sets `credentialStatus`.
    pub fn credential_status(mut self, status: impl Into<CredentialStatus>) -> Self {
        self.credential_status = Some(status.into());
        self
    }

    /// Sets `refreshService`.
    pub fn refresh_service(mut self, service: RefreshService) -> Self {
        self.refresh_service = Some(service);
        self
    }

    /// Adds a `termsOfUse` entry.
    pub fn terms_of_use(mut self, terms: TermsOfUse) -> Self {
        self.terms_of_use.push(terms);
        self
    }

    /// Adds a further `@context` entry (after the required ones).
    pub fn context(mut self, context: impl Into<Context>) -> Self {
        self.contexts.push(context.into());
        self
    }

    /// Sets an extra top-level property (its term must be defined by a context).
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    /// Checks the invariants and produces the credential.
    pub fn build(self) -> Result<Credential<S>, BuildError> {
        check_uri("id", &self.id)?;
        check_uri("issuer.id", &self.issuer.id)?;
        check_type("issuer.type", &self.issuer.r#type, vocab::PROFILE)?;
        self.subject.check()?;
        if S::REQUIRES_NAME && self.name.is_none() {
            return Err(BuildError::MissingName(S::CREDENTIAL_TYPE));
        }
        if let Some(valid_until) = self.valid_until
            && valid_until <= self.valid_from
        {
            return Err(BuildError::ValidityWindow {
                valid_from: self.valid_from,
                valid_until,
            });
        }
        let mut credential = Credential {
            context: OneOrMany::Many(self.contexts),
            id: Some(self.id),
            r#type: OneOrMany::Many(vec![
                vocab::VERIFIABLE_CREDENTIAL.to_owned(),
                S::CREDENTIAL_TYPE.to_owned(),
            ]),
            name: self.name,
            description: self.description,
            image: self.image,
            issuer: ProfileRef::from(self.issuer),
            valid_from: Some(DateTimeZ::from_utc(self.valid_from)?),
            valid_until: self.valid_until.map(DateTimeZ::from_utc).transpose()?,
            issuance_date: None,
            expiration_date: None,
            awarded_date: self.awarded_date.map(DateTimeZ::from_utc).transpose()?,
            credential_subject: self.subject,
            evidence: OneOrMany::Many(self.evidence),
            endorsement: OneOrMany::Many(self.endorsement),
            endorsement_jwt: OneOrMany::Many(self.endorsement_jwt),
            credential_schema: OneOrMany::Many(self.credential_schema),
            credential_status: self.credential_status,
            refresh_service: self.refresh_service,
            terms_of_use: OneOrMany::Many(self.terms_of_use),
            proof: OneOrMany::default(),
            extra: self.extra,
        };
        credential.ensure_contexts();
        Ok(credential)
    }
}
