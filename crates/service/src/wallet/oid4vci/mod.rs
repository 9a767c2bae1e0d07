//! OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow: how wallets other
//! than the Learner Credential Wallet (LearnCard, the EU digital identity wallets, Sphereon,
//! walt.id) receive a badge from a personal claim link.
//!
//! Why this flow: the recipient already proved who they are by opening the claim link sent to
//! their email, so there is no login to run: the claim page shows a **credential offer** whose
//! pre-authorized code stands in for that proof. The wallet then:
//! 1. fetches the offer by reference (`GET /offers/{secret}`, [`offers`]) and the issuer's
//!    metadata ([`metadata`]);
//! 2. trades the pre-authorized code for a short-lived access token (`POST /token`) and gets a
//!    `c_nonce` (with the token, or from `POST /nonce`) ([`issue`]);
//! 3. signs a key proof over the nonce ([`proof`]) and asks `POST /credential` for the badge
//!    in `ldp_vc` or `jwt_vc_json` ([`request`] reads both the 1.0 and the draft-13 shape).
//!    Laurel answers with the holder-bound copy and marks the claim link used, in one
//!    transaction.
//!
//! No `tx_code`: the spec recommends one against a phished offer, but here the offer is shown
//! only on the page the emailed secret link opens, so a transaction code sent by the same
//! email would add a step without adding a second channel, and several wallets still fail on
//! it. Instead every secret is short-lived and single-use: the code lasts [`OFFER_MINUTES`] and
//! is traded once, the token lasts [`TOKEN_MINUTES`] and yields one credential, a nonce lasts
//! [`NONCE_MINUTES`] and is used once. Only their SHA-256 are stored.

pub mod issue;
pub mod metadata;
pub mod offers;
pub mod proof;
pub mod request;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::ServiceError;

pub use issue::{TokenRequest, credential, nonce, token};
pub use offers::{Offer, credential_offer, offer_for_claim};

/// How long a credential offer's pre-authorized code may be traded for a token.
pub const OFFER_MINUTES: i64 = 10;
/// How long an access token may be used.
pub const TOKEN_MINUTES: i64 = 10;
/// How long a `c_nonce` may be signed over.
pub const NONCE_MINUTES: i64 = 5;

/// The OAuth grant type of the pre-authorized code flow.
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

/// The credential configuration of a Data Integrity (`ldp_vc`) badge.
pub const LDP_VC_CONFIGURATION: &str = "OpenBadgeCredential_ldp_vc";
/// The credential configuration of a VC-JWT (`jwt_vc_json`) badge.
pub const JWT_VC_CONFIGURATION: &str = "OpenBadgeCredential_jwt_vc_json";

/// A refusal in the protocol's own terms: an OAuth (RFC 6749 §5.2) or OID4VCI (§8.3.1) error
/// code with a description in plain words, or a failure of the service itself.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// `{"error": code, "error_description": description}`, status 400 (401 when
    /// `unauthorized`: the access token is missing, unknown, expired or spent).
    #[error("{code}: {description}")]
    Refused {
        /// The error code (`invalid_grant`, `invalid_proof`, …).
        code: &'static str,
        /// What went wrong, in plain words.
        description: String,
        /// A bad bearer token (HTTP 401) rather than a bad request (HTTP 400).
        unauthorized: bool,
    },
    /// The service failed (the database is down, a bug): not the wallet's fault.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl ProtocolError {
    fn refused(code: &'static str, description: impl Into<String>) -> Self {
        ProtocolError::Refused {
            code,
            description: description.into(),
            unauthorized: false,
        }
    }

    /// `invalid_request`: a parameter is missing or malformed.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::refused("invalid_request", description)
    }

    /// `invalid_grant`: the pre-authorized code is unknown, expired or used.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::refused("invalid_grant", description)
    }

    /// `invalid_token` (401): the bearer token is missing, unknown, expired or spent.
    pub fn invalid_token(description: impl Into<String>) -> Self {
        ProtocolError::Refused {
            code: "invalid_token",
            description: description.into(),
            unauthorized: true,
        }
    }

    /// `invalid_proof`: the key proof is missing or does not check.
    pub fn invalid_proof(description: impl Into<String>) -> Self {
        Self::refused("invalid_proof", description)
    }

    /// `invalid_nonce`: the proof's nonce is not a live one of ours.
    pub fn invalid_nonce(description: impl Into<String>) -> Self {
        Self::refused("invalid_nonce", description)
    }

    /// `invalid_credential_request`: the request is malformed, or the badge cannot be given.
    pub fn invalid_credential_request(description: impl Into<String>) -> Self {
        Self::refused("invalid_credential_request", description)
    }

    /// `unknown_credential_configuration` (or `unsupported_credential_format` for draft 13).
    pub fn unknown_configuration(code: &'static str, description: impl Into<String>) -> Self {
        Self::refused(code, description)
    }

    /// A service error met while answering: a refusal the wallet's user can read
    /// (`code`, with the service's words) when it is about the badge or the link; the service
    /// failure itself otherwise.
    fn from_service(code: &'static str, error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(words)
            | ServiceError::NotFound(words)
            | ServiceError::Conflict(words) => Self::refused(code, words),
            other => ProtocolError::Service(other),
        }
    }
}

/// 32 random bytes, base64url: a fresh secret.
fn random_secret() -> Result<String, ServiceError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| ServiceError::Internal(format!("no random bytes: {error}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 (lowercase hex) of a secret: what the store keeps.
fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
