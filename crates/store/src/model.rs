//! The rows Laurel keeps, as plain Rust types.
//!
//! These are the store's vocabulary, shared by both backends and by the server. They carry no
//! driver types (no sqlx, no database-specific ids), so handlers never see how rows are kept.
//! Everything published is kept as issued: a credential row holds the exact signed JSON and
//! JWT, so editing an achievement or issuer later never alters what was already awarded.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An issuing organization (an Open Badges `Profile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issuer {
    /// Stable id; the public id is `{public_url}/issuers/{id}`.
    pub id: Uuid,
    /// Display name (required by Open Badges).
    pub name: String,
    /// Homepage.
    pub url: Option<String>,
    /// Contact address, published in the profile.
    pub email: Option<String>,
    /// Short description.
    pub description: Option<String>,
    /// Logo: the SHA-256 (hex) of an image in the image table.
    pub image: Option<String>,
    /// The JWS algorithm of this issuer's VC-JWTs: `ES256` (default), `RS256` or `EdDSA`.
    pub jwt_algorithm: String,
    /// The issuer's colour on its public pages (`#rrggbb`), if it has one.
    pub brand_color: Option<String>,
    /// Whether its achievement pages say how many times each badge was awarded.
    pub show_award_count: bool,
    /// Its LinkedIn company id (digits), for the "Add to profile" link's `organizationId`.
    pub linkedin_organization_id: Option<String>,
    /// Whether its credentials carry the recipient's name, signed in as an unhashed `name`
    /// identity beside the hashed email (on unless the issuer turns it off).
    pub include_recipient_name: bool,
    /// The paper its printable certificates are laid out for.
    pub paper_size: PaperSize,
    /// The name on its certificates' signature line (none: the issuer's name).
    pub signatory_name: Option<String>,
    /// The signatory's title, under the name.
    pub signatory_title: Option<String>,
    /// When the issuer was created.
    pub created_at: DateTime<Utc>,
    /// When the issuer was last edited.
    pub updated_at: DateTime<Utc>,
}

/// The paper an issuer's printable certificates are laid out for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperSize {
    /// US Letter (8.5 × 11 in), the default.
    #[default]
    Letter,
    /// ISO A4 (210 × 297 mm).
    A4,
}

impl PaperSize {
    /// The name stored in the database and used in the API: `letter` or `a4`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaperSize::Letter => "letter",
            PaperSize::A4 => "a4",
        }
    }

    /// Reads [`PaperSize::as_str`]'s names back.
    pub fn parse(name: &str) -> Option<PaperSize> {
        match name {
            "letter" => Some(PaperSize::Letter),
            "a4" => Some(PaperSize::A4),
            _ => None,
        }
    }
}

/// What a key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPurpose {
    /// Data Integrity proofs (Ed25519, `eddsa-rdfc-2022`).
    DataIntegrity,
    /// VC-JWT signatures (ES256, RS256 or EdDSA).
    Jwt,
}

impl KeyPurpose {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::DataIntegrity => "data_integrity",
            KeyPurpose::Jwt => "jwt",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "data_integrity" => Some(KeyPurpose::DataIntegrity),
            "jwt" => Some(KeyPurpose::Jwt),
            _ => None,
        }
    }
}

/// One of an issuer's signing keys. The private half is sealed (encrypted with the
/// key-encryption key) before it reaches the store, which never sees it in the clear.
#[derive(Clone, PartialEq)]
pub struct IssuerKey {
    /// Stable id; the key's public URL is `{issuer id}/keys/{id}`.
    pub id: Uuid,
    /// The issuer that controls the key.
    pub issuer_id: Uuid,
    /// What the key signs.
    pub purpose: KeyPurpose,
    /// `Ed25519`, `P-256` or `RSA`.
    pub algorithm: String,
    /// The public key as a JWK (JSON text).
    pub public_jwk: String,
    /// The PKCS#8 private key, sealed by the server's key-encryption key.
    pub sealed_private_key: Vec<u8>,
    /// When the key was made.
    pub created_at: DateTime<Utc>,
    /// When it stopped being used for new credentials (it stays published).
    pub retired_at: Option<DateTime<Utc>>,
    /// When the key is known to have been compromised: its signatures from then on are not
    /// to be trusted (published as the verification method's `revoked`).
    pub compromised_since: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey")
            .field("id", &self.id)
            .field("issuer_id", &self.issuer_id)
            .field("purpose", &self.purpose)
            .field("algorithm", &self.algorithm)
            .field("sealed_private_key", &"[sealed]")
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .field("compromised_since", &self.compromised_since)
            .finish()
    }
}

/// An uploaded image (issuer logo, badge image), stored once per content hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// SHA-256 of the bytes, lowercase hex: the image's id and public file name.
    pub sha256: String,
    /// `image/png` or `image/svg+xml`.
    pub content_type: String,
    /// The file.
    pub bytes: Vec<u8>,
}

/// A badge class: what can be awarded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Achievement {
    /// Stable id; the public id is `{public_url}/achievements/{id}`.
    pub id: Uuid,
    /// The issuer that awards it.
    pub issuer_id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Criteria as narrative (Markdown).
    pub criteria_narrative: Option<String>,
    /// Criteria as a URL.
    pub criteria_url: Option<String>,
    /// Badge image: SHA-256 (hex) of an image in the image table.
    pub image: Option<String>,
    /// Open Badges `achievementType` (`Badge`, `Course`, `ext:…`).
    pub achievement_type: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Alignments, as Open Badges `Alignment` objects (JSON array text).
    pub alignment: String,
    /// Continuing-education hours (Open Badges `creditsAvailable`).
    pub credits_available: Option<f64>,
    /// How long an awarded credential stays valid, in days (sets `validUntil`).
    pub valid_for_days: Option<i64>,
    /// When the achievement is awarded by itself: a JSON array of award rules (the server's
    /// `laurel_attendance::rules::Rule`s), `[]` for none. Kept as text like `alignment`, so
    /// the store needs no rule type.
    pub award_rules: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last edited.
    pub updated_at: DateTime<Utc>,
}

/// An award: one recipient's credential for one achievement, as signed.
#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    /// Stable id; the credential's public id is `{public_url}/credentials/{id}`.
    pub id: Uuid,
    /// What was awarded.
    pub achievement_id: Uuid,
    /// Who awarded it.
    pub issuer_id: Uuid,
    /// The recipient's email, normalized (trimmed, lowercased): unique per achievement.
    pub recipient_email: String,
    /// The recipient's name, if given: shown on the credential's public page, never in the
    /// signed credential (which names the recipient only by a salted hash of the email).
    pub recipient_name: Option<String>,
    /// When it was issued (the credential's `validFrom`).
    pub issued_at: DateTime<Utc>,
    /// The credential's `validUntil`, if any.
    pub valid_until: Option<DateTime<Utc>>,
    /// The signed credential (Data Integrity proof), JSON text, exactly as issued.
    pub credential: String,
    /// The same credential as a VC-JWT.
    pub jwt: String,
    /// Where the credential's revocation bit is (its `credentialStatus`); `None` for
    /// credentials minted before status lists existed here.
    pub status: Option<StatusSlot>,
    /// When it was revoked (permanent); set only by [`crate::Store::revoke_awards`].
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why, as the issuer said (shown on the public page, never in the list).
    pub revocation_reason: Option<String>,
    /// When it was suspended (reversible, kept issuer-side: OB 3.0 allows one status entry,
    /// which is the revocation list's).
    pub suspended_at: Option<DateTime<Utc>>,
    /// Why it was suspended.
    pub suspension_reason: Option<String>,
    /// The recipient's role ("Presenter", or the issuer's own words), as signed into the
    /// credential's `credentialSubject.role`; checked by `laurel_core::model::check_role`.
    pub role: Option<String>,
}

/// A credential's place in a status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusSlot {
    /// The list.
    pub list_id: Uuid,
    /// The bit: the credential's `statusListIndex`.
    pub index: u32,
}

/// Which awards to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AwardFilter {
    /// Only this achievement's.
    pub achievement_id: Option<Uuid>,
    /// Only this issuer's.
    pub issuer_id: Option<Uuid>,
    /// Only these issuers' (when not empty): what an issuer manager may see.
    pub issuer_ids: Vec<Uuid>,
    /// Only this recipient's (normalized email).
    pub recipient_email: Option<String>,
    /// Only recipients whose email or name contains this text (ignoring ASCII case).
    pub recipient_contains: Option<String>,
    /// Issued at or after.
    pub issued_from: Option<DateTime<Utc>>,
    /// Issued before.
    pub issued_until: Option<DateTime<Utc>>,
    /// At most this many (newest first).
    pub limit: u32,
    /// Skip this many.
    pub offset: u32,
}

/// What storing one award did.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    /// The award is new and now stored.
    Created(Award),
    /// This recipient already had this achievement: the award already stored, unchanged.
    Existing(Award),
}

impl Stored {
    /// The stored award, new or not.
    pub fn award(&self) -> &Award {
        match self {
            Stored::Created(award) | Stored::Existing(award) => award,
        }
    }
}

/// An admin API token. Only the SHA-256 of the secret is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    /// Stable id.
    pub id: Uuid,
    /// Unique, human-chosen name.
    pub name: String,
    /// Granted scopes (`admin`, `issue`, `read`).
    pub scopes: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; a revoked token authenticates nothing.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The issuers it may see and change; empty: every issuer (and creating issuers).
    pub issuer_ids: Vec<Uuid>,
    /// When it stops authenticating; `None`: never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it last authenticated a request (kept to about a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Whether a read-only token sees recipients' emails and names (issue and admin tokens
    /// always do).
    pub with_emails: bool,
}

impl ApiToken {
    /// A token with these scopes, reaching every issuer, never expiring, not yet used, seeing
    /// recipients' emails: the reach tokens had before they could be limited.
    pub fn new(id: Uuid, name: &str, scopes: Vec<String>, created_at: DateTime<Utc>) -> Self {
        ApiToken {
            id,
            name: name.to_string(),
            scopes,
            created_at,
            revoked_at: None,
            issuer_ids: Vec::new(),
            expires_at: None,
            last_used_at: None,
            with_emails: true,
        }
    }
}

/// A finished request stored under its `Idempotency-Key`, replayed on retry.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotentResponse {
    /// The key the client sent, scoped by the token that sent it.
    pub key: String,
    /// The token that made the request.
    pub token_id: Uuid,
    /// SHA-256 (hex) of method, path and body: a retry must match it.
    pub request_hash: String,
    /// HTTP status of the first response.
    pub status: u16,
    /// Body of the first response.
    pub body: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}
