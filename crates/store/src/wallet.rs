//! Wallets: the personal claim links sent to recipients, the VC-API exchanges a wallet runs
//! against one, and the holder-bound copies of a credential made for wallets.
//!
//! A claim link's secret is never stored, only its SHA-256, like a session's. A link works
//! until it is used once; a fresh one may be made for the same award at any time (staff resend
//! it, or the recipient asks). Using it is one conditional update ("where used_at is null"), so
//! two wallets racing for one link cannot both win, and the copy handed to the winner is stored
//! in the same transaction ([`Redemption`]).

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A personal claim link for one award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimLink {
    /// Stable id.
    pub id: Uuid,
    /// The award it hands out.
    pub award_id: Uuid,
    /// SHA-256 (lowercase hex) of the secret token in the link.
    pub token_sha256: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When a wallet received the credential through it (it no longer works).
    pub used_at: Option<DateTime<Utc>>,
}

/// How a wallet copy is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WalletFormat {
    /// JSON-LD with a Data Integrity proof (`ldp_vc`).
    LdpVc,
    /// A VC-JWT (`jwt_vc_json`).
    JwtVcJson,
}

impl WalletFormat {
    /// The name stored (OpenID4VCI's format identifiers).
    pub fn as_str(self) -> &'static str {
        match self {
            WalletFormat::LdpVc => "ldp_vc",
            WalletFormat::JwtVcJson => "jwt_vc_json",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ldp_vc" => Some(WalletFormat::LdpVc),
            "jwt_vc_json" => Some(WalletFormat::JwtVcJson),
            _ => None,
        }
    }
}

/// An award's credential bound to a wallet holder and signed again, kept with the award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletCopy {
    /// Stable id.
    pub id: Uuid,
    /// The award it copies.
    pub award_id: Uuid,
    /// The holder's identifier (a DID), the copy's `credentialSubject.id`.
    pub holder: String,
    /// How it is secured.
    pub format: WalletFormat,
    /// The signed credential as sent: JSON text, or the compact JWT.
    pub credential: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A VC-API exchange: one wallet's attempt to receive a claim link's credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletExchange {
    /// Stable id (in the exchange's URL).
    pub id: Uuid,
    /// The claim link it serves.
    pub claim_id: Uuid,
    /// What the wallet's DID Authentication must sign.
    pub challenge: String,
    /// The host the wallet's proof must name.
    pub domain: String,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// After this it is refused.
    pub expires_at: DateTime<Utc>,
    /// When it handed out the credential (it is single-use).
    pub completed_at: Option<DateTime<Utc>>,
}

/// Using a claim link, all at once: the link is marked used, the exchange (if any) completed,
/// and the copy (if any) stored, or nothing changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    /// The claim link used.
    pub claim_id: Uuid,
    /// The exchange it was used through, completed in the same transaction.
    pub exchange_id: Option<Uuid>,
    /// The copy handed to the wallet.
    pub copy: Option<WalletCopy>,
    /// When.
    pub at: DateTime<Utc>,
}
