//! Minting: issuer keys, and awards built, signed and stored exactly once.
//!
//! An award is an `OpenBadgeCredential` with a Data Integrity proof (`eddsa-rdfc-2022`, by
//! the issuer's Ed25519 key) and the same signed credential as a VC-JWT (by the issuer's JWT
//! key: ES256, RS256 or EdDSA). Both are stored in one row, exactly as signed, so editing an
//! achievement later never changes what was issued.
//!
//! **Exactly once.** One recipient gets one credential per achievement. Before signing, the
//! awards already stored for the batch's recipients are looked up and returned as they are;
//! after signing, the store's insert ("on conflict do nothing" on (achievement, email))
//! settles races between requests and instances: a loser's freshly signed credential is
//! dropped, never stored or published, and the winner's is returned.
//!
//! **Speed.** Canonicalizing and signing is CPU work (RDFC-1.0, then an RSA or ECDSA
//! signature), so it runs on the blocking pool and fans out with rayon, never on the async
//! runtime's threads. Opened signing keys are cached per key id: opening (AES-GCM) and
//! parsing (RSA especially) once per award would cost more than the signature.
//!
//! **Privacy.** The recipient is identified in the credential only by a salted SHA-256 of the
//! normalized email, with a fresh salt per credential; the email and name stay in the row.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use laurel_core::jwt;
use laurel_core::keys::{KeyType, SigningKey};
use laurel_core::model::{
    self, AchievementSubject, CredentialSchema, Evidence, IdentityObject, OpenBadgeCredential,
    Profile, looks_like_uri, normalize_email,
};
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_store::{Award, Issuer, IssuerKey, KeyPurpose, Stored};
use rayon::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use crate::vault::Vault;
use crate::{ApiError, ApiResult, AppState, Urls, documents};

/// The most evidence entries one award may carry.
pub const MAX_EVIDENCE: usize = 20;
/// The longest free text (narratives, names, descriptions) an award accepts, in bytes.
pub const MAX_TEXT: usize = 10_000;

/// The JWS algorithm of an issuer's VC-JWTs. Fixed when the issuer is created: the store
/// keeps an issuer's keys from creation on, and a second JWT key would need rotation, which
/// this version does not offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JwtAlgorithm {
    /// ECDSA P-256 (the default: short signatures, accepted by 1EdTech's validator).
    #[default]
    Es256,
    /// RSA-2048 PKCS#1 v1.5 (the Open Badges minimum for interoperability).
    Rs256,
    /// Ed25519 (compact, but 1EdTech's validator does not accept it for VC-JWT).
    EdDsa,
}

impl JwtAlgorithm {
    /// Every accepted name, as the API spells them.
    pub const NAMES: [&'static str; 3] = ["ES256", "RS256", "EdDSA"];

    /// Parses `ES256`, `RS256` or `EdDSA` (exact spelling).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ES256" => Some(Self::Es256),
            "RS256" => Some(Self::Rs256),
            "EdDSA" => Some(Self::EdDsa),
            _ => None,
        }
    }

    /// The JWS `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
            Self::EdDsa => "EdDSA",
        }
    }

    fn key_type(self) -> KeyType {
        match self {
            Self::Es256 => KeyType::P256,
            Self::Rs256 => KeyType::Rsa,
            Self::EdDsa => KeyType::Ed25519,
        }
    }
}

/// Why minting failed inside the service (never the client's fault). Messages never contain
/// key material: the wrapped errors are all written not to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MintError {
    /// Generating, opening or parsing a key failed.
    #[error("key: {0}")]
    Key(#[from] laurel_core::keys::KeyError),
    /// A sealed key did not open.
    #[error("vault: {0}")]
    Vault(#[from] crate::vault::VaultError),
    /// The issuer has no usable key for a purpose.
    #[error("issuer {issuer} has no active {purpose} key")]
    NoKey {
        /// The issuer.
        issuer: Uuid,
        /// `data_integrity` or `jwt`.
        purpose: &'static str,
    },
    /// The credential could not be built, signed or encoded.
    #[error("signing: {0}")]
    Sign(String),
    /// The blocking task died.
    #[error("signing task: {0}")]
    Task(String),
}

impl From<MintError> for ApiError {
    fn from(error: MintError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

/// Issuers' signing keys, opened once per process and kept by key id.
#[derive(Default)]
pub struct KeyCache {
    opened: RwLock<HashMap<Uuid, Arc<SigningKey>>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.opened.read().map(|map| map.len()).unwrap_or_default();
        write!(f, "KeyCache({count} keys, [redacted])")
    }
}

impl KeyCache {
    /// The signing key of a stored key row, opening it with the vault on first use.
    pub fn open(&self, vault: &Vault, key: &IssuerKey) -> Result<Arc<SigningKey>, MintError> {
        if let Some(found) = self.get(key.id) {
            return Ok(found);
        }
        let pem = vault.open(key.id.as_bytes(), &key.sealed_private_key)?;
        let text = std::str::from_utf8(&pem).map_err(|_| {
            MintError::Key(laurel_core::keys::KeyError::Invalid(
                "a sealed key is not PEM text".into(),
            ))
        })?;
        let signing = Arc::new(SigningKey::from_pkcs8_pem(text)?);
        self.insert(key.id, signing.clone());
        Ok(signing)
    }

    fn get(&self, id: Uuid) -> Option<Arc<SigningKey>> {
        // A poisoned lock only means another thread panicked while inserting; the map is
        // still a valid cache, so read through the poison.
        let map = self
            .opened
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        map.get(&id).cloned()
    }

    fn insert(&self, id: Uuid, key: Arc<SigningKey>) {
        let mut map = self
            .opened
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        map.insert(id, key);
    }
}

/// Creates an issuer with a new Ed25519 Data Integrity key and a JWT key for its algorithm,
/// both sealed by the vault, in one store transaction.
pub async fn create_issuer(
    state: &AppState,
    issuer: &Issuer,
    algorithm: JwtAlgorithm,
) -> ApiResult<Vec<IssuerKey>> {
    let issuer_id = issuer.id;
    let now = issuer.created_at;
    // RSA key generation takes a good fraction of a second: not on the async threads.
    let generated = tokio::task::spawn_blocking(move || -> Result<_, MintError> {
        let di = SigningKey::generate(KeyType::Ed25519)?;
        let jwt = SigningKey::generate(algorithm.key_type())?;
        Ok([(KeyPurpose::DataIntegrity, di), (KeyPurpose::Jwt, jwt)])
    })
    .await
    .map_err(|error| MintError::Task(error.to_string()))??;
    let mut rows = Vec::new();
    let mut opened = Vec::new();
    for (purpose, key) in generated {
        let id = Uuid::now_v7();
        let sealed = state
            .vault
            .seal(id.as_bytes(), key.to_pkcs8_pem().as_bytes())
            .map_err(MintError::from)?;
        let public = key.public_key();
        rows.push(IssuerKey {
            id,
            issuer_id,
            purpose,
            algorithm: algorithm_name(public.key_type()).to_string(),
            public_jwk: public.to_jwk().to_string(),
            sealed_private_key: sealed,
            created_at: now,
            retired_at: None,
        });
        opened.push((id, Arc::new(key)));
    }
    state.store.create_issuer(issuer, &rows).await?;
    for (id, key) in opened {
        state.keys.insert(id, key);
    }
    Ok(rows)
}

/// The `algorithm` stored with a key: `Ed25519`, `P-256` or `RSA`.
pub fn algorithm_name(key_type: KeyType) -> &'static str {
    match key_type {
        KeyType::Ed25519 => "Ed25519",
        KeyType::P256 => "P-256",
        KeyType::Rsa => "RSA",
    }
}

/// One award as a client asks for it (a row of a batch, or the whole body).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardInput {
    /// The recipient's email (normalized: trimmed, lowercased).
    pub email: String,
    /// The recipient's name, kept for staff and never published.
    #[serde(default)]
    pub name: Option<String>,
    /// How the recipient earned it (Markdown), published in the credential.
    #[serde(default)]
    pub narrative: Option<String>,
    /// Evidence, published in the credential.
    #[serde(default)]
    pub evidence: Vec<EvidenceInput>,
    /// When the activity started (RFC 3339 date-time, or a date `YYYY-MM-DD`).
    #[serde(default)]
    pub activity_start_date: Option<String>,
    /// When the activity ended (RFC 3339 date-time, or a date `YYYY-MM-DD`).
    #[serde(default)]
    pub activity_end_date: Option<String>,
}

/// One evidence entry as a client gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// URL of the evidence (`url` is accepted as a synonym).
    #[serde(default, alias = "url")]
    pub id: Option<String>,
    /// What the evidence shows (Markdown).
    #[serde(default)]
    pub narrative: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Short description.
    #[serde(default)]
    pub description: Option<String>,
    /// Kind of evidence, e.g. "Portfolio".
    #[serde(default)]
    pub genre: Option<String>,
    /// Intended audience.
    #[serde(default)]
    pub audience: Option<String>,
}

/// A checked award request: what minting needs.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Normalized email.
    pub email: String,
    /// Name, if given.
    pub name: Option<String>,
    /// Narrative, if given.
    pub narrative: Option<String>,
    /// Evidence entries.
    pub evidence: Vec<Evidence>,
    /// `activityStartDate`, as a UTC `Z` date-time.
    pub activity_start_date: Option<String>,
    /// `activityEndDate`, as a UTC `Z` date-time.
    pub activity_end_date: Option<String>,
}

impl AwardInput {
    /// Checks the request; the error is a sentence for the client.
    pub fn check(self) -> Result<Recipient, String> {
        let email = recipient_email(&self.email)?;
        let name = text("name", self.name)?;
        let narrative = text("narrative", self.narrative)?;
        if self.evidence.len() > MAX_EVIDENCE {
            return Err(format!(
                "evidence: at most {MAX_EVIDENCE} entries per award, got {}",
                self.evidence.len()
            ));
        }
        let evidence = self
            .evidence
            .into_iter()
            .enumerate()
            .map(|(index, entry)| entry.check().map_err(|e| format!("evidence[{index}]: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let start = activity_date("activity_start_date", self.activity_start_date)?;
        let end = activity_date("activity_end_date", self.activity_end_date)?;
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            return Err("activity_end_date is before activity_start_date".into());
        }
        let format = |date: DateTime<Utc>| date.to_rfc3339_opts(SecondsFormat::Secs, true);
        Ok(Recipient {
            email,
            name,
            narrative,
            evidence,
            activity_start_date: start.map(format),
            activity_end_date: end.map(format),
        })
    }
}

impl EvidenceInput {
    fn check(self) -> Result<Evidence, String> {
        if let Some(id) = &self.id
            && !looks_like_uri(id)
        {
            return Err(format!("id must be a URL, got {id:?}"));
        }
        let mut evidence = Evidence::new();
        evidence.id = self.id;
        evidence.narrative = text("narrative", self.narrative)?;
        evidence.name = text("name", self.name)?;
        evidence.description = text("description", self.description)?;
        evidence.genre = text("genre", self.genre)?;
        evidence.audience = text("audience", self.audience)?;
        if evidence.id.is_none()
            && evidence.narrative.is_none()
            && evidence.name.is_none()
            && evidence.description.is_none()
        {
            return Err("give at least one of id (a URL), narrative, name or description".into());
        }
        Ok(evidence)
    }
}

/// Normalizes a recipient email (trimmed, lowercased) and checks it is an address.
pub fn recipient_email(raw: &str) -> Result<String, String> {
    let email = normalize_email(raw);
    let bad = |why: &str| Err(format!("email {raw:?} is not a valid address: {why}"));
    if email.is_empty() {
        return Err("email is empty".into());
    }
    if email.len() > 254 {
        return bad("longer than 254 characters");
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return bad("it has no @");
    };
    if local.is_empty() || local.len() > 64 {
        return bad("the part before @ must have 1 to 64 characters");
    }
    if local.contains('@') || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it contains spaces, control characters or a second @");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return bad("the part before @ has a misplaced dot");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|label| {
            label.is_empty()
                || label.len() > 63
                || label.starts_with('-')
                || label.ends_with('-')
                || !label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
    {
        return bad("the domain must look like example.org");
    }
    Ok(email)
}

/// Trims optional free text; empty becomes absent; too long is an error.
fn text(field: &str, value: Option<String>) -> Result<Option<String>, String> {
    match value.map(|v| v.trim().to_string()) {
        Some(v) if v.len() > MAX_TEXT => Err(format!(
            "{field} is longer than {MAX_TEXT} bytes ({})",
            v.len()
        )),
        Some(v) if v.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// Parses an activity date: an RFC 3339 date-time (any offset) or a plain date (midnight UTC).
fn activity_date(field: &str, value: Option<String>) -> Result<Option<DateTime<Utc>>, String> {
    let Some(value) = value else { return Ok(None) };
    let value = value.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(value) {
        return Ok(Some(date.with_timezone(&Utc)));
    }
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        && let Some(midnight) = date.and_hms_opt(0, 0, 0)
    {
        return Ok(Some(midnight.and_utc()));
    }
    Err(format!(
        "{field} must be a date (2026-03-01) or an RFC 3339 date-time (2026-03-01T09:00:00Z), got {value:?}"
    ))
}

/// What happened to one requested award.
#[derive(Debug)]
pub enum Outcome {
    /// Minted and stored now.
    Created(Award),
    /// The recipient already had this achievement: the stored award, unchanged.
    Existing(Award),
    /// Not awarded; nothing stored for this row.
    Failed(ApiError),
}

/// Awards an achievement to each recipient (rows already rejected stay failed), exactly once
/// per recipient. Results are in input order.
pub async fn award(
    state: &AppState,
    achievement_id: Uuid,
    rows: Vec<Result<Recipient, ApiError>>,
) -> ApiResult<Vec<Outcome>> {
    let achievement = state
        .store
        .achievement(achievement_id)
        .await
        .map_err(|error| not_found(error, "achievement", achievement_id))?;
    let issuer = state.store.issuer(achievement.issuer_id).await?;

    // The first row for each email is the one minted; repeats share its outcome.
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut unique: Vec<(usize, Recipient)> = Vec::new();
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(rows.len());
    let mut repeat_of: Vec<Option<usize>> = Vec::with_capacity(rows.len());
    for (index, row) in rows.into_iter().enumerate() {
        match row {
            Err(error) => {
                outcomes.push(Some(Outcome::Failed(error)));
                repeat_of.push(None);
            }
            Ok(recipient) => {
                outcomes.push(None);
                match first_row.get(&recipient.email) {
                    Some(&first) => repeat_of.push(Some(first)),
                    None => {
                        first_row.insert(recipient.email.clone(), index);
                        repeat_of.push(None);
                        unique.push((index, recipient));
                    }
                }
            }
        }
    }

    if !unique.is_empty() {
        let emails: Vec<String> = unique.iter().map(|(_, r)| r.email.clone()).collect();
        let existing: HashMap<String, Award> = state
            .store
            .awards_for(achievement_id, &emails)
            .await?
            .into_iter()
            .map(|award| (award.recipient_email.clone(), award))
            .collect();
        let mut to_sign = Vec::new();
        for (index, recipient) in unique {
            match existing.get(&recipient.email) {
                Some(award) => outcomes[index] = Some(Outcome::Existing(award.clone())),
                None => to_sign.push((index, recipient)),
            }
        }
        if !to_sign.is_empty() {
            mint_and_store(state, &issuer, &achievement, to_sign, &mut outcomes).await?;
        }
    }

    // Repeats come after their first row, whose outcome is settled by now.
    for index in 0..outcomes.len() {
        if outcomes[index].is_some() {
            continue;
        }
        let repeat = match repeat_of[index].and_then(|first| outcomes[first].as_ref()) {
            Some(Outcome::Created(award) | Outcome::Existing(award)) => {
                Outcome::Existing(award.clone())
            }
            Some(Outcome::Failed(error)) => Outcome::Failed(error.clone()),
            None => Outcome::Failed(ApiError::Internal(format!(
                "award row {index} was not processed"
            ))),
        };
        outcomes[index] = Some(repeat);
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| {
            outcome.unwrap_or_else(|| Outcome::Failed(ApiError::Internal("lost award row".into())))
        })
        .collect())
}

/// Signs the rows (in parallel, off the async threads) and stores them in one transaction.
async fn mint_and_store(
    state: &AppState,
    issuer: &Issuer,
    achievement: &laurel_store::Achievement,
    to_sign: Vec<(usize, Recipient)>,
    outcomes: &mut [Option<Outcome>],
) -> ApiResult<()> {
    let signer = Signer::new(state, issuer, achievement).await?;
    let now = signer.now;
    let signed: Vec<(usize, Result<Award, MintError>)> = tokio::task::spawn_blocking(move || {
        to_sign
            .par_iter()
            .map(|(index, recipient)| (*index, signer.sign(recipient, now)))
            .collect()
    })
    .await
    .map_err(|error| MintError::Task(error.to_string()))?;

    let mut indices = Vec::with_capacity(signed.len());
    let mut awards = Vec::with_capacity(signed.len());
    for (index, result) in signed {
        match result {
            Ok(award) => {
                indices.push(index);
                awards.push(award);
            }
            Err(error) => outcomes[index] = Some(Outcome::Failed(error.into())),
        }
    }
    if awards.is_empty() {
        return Ok(());
    }
    match state.store.insert_awards(&awards).await {
        Ok(stored) => {
            let created = stored
                .iter()
                .filter(|s| matches!(s, Stored::Created(_)))
                .count();
            metrics::counter!("laurel_credentials_issued_total").increment(created as u64);
            for (index, stored) in indices.into_iter().zip(stored) {
                outcomes[index] = Some(match stored {
                    Stored::Created(award) => Outcome::Created(award),
                    Stored::Existing(award) => Outcome::Existing(award),
                });
            }
        }
        // One transaction: nothing of this batch was stored, so every row it held failed.
        Err(error) => {
            let error = ApiError::from(error);
            tracing::error!(error = %error, rows = indices.len(), "storing awards failed");
            for index in indices {
                outcomes[index] = Some(Outcome::Failed(error.clone()));
            }
        }
    }
    Ok(())
}

/// Everything one award's signature needs, shared by the parallel signers.
struct Signer {
    profile: Profile,
    achievement: model::Achievement,
    achievement_id: Uuid,
    issuer_id: Uuid,
    name: String,
    valid_for_days: Option<i64>,
    di_key: Arc<SigningKey>,
    di_method: String,
    jwt_key: Arc<SigningKey>,
    jwt_kid: String,
    urls: Urls,
    now: DateTime<Utc>,
}

impl Signer {
    async fn new(
        state: &AppState,
        issuer: &Issuer,
        achievement: &laurel_store::Achievement,
    ) -> ApiResult<Self> {
        let keys = state.store.issuer_keys(issuer.id).await?;
        let active = |purpose: KeyPurpose, name: &'static str| {
            keys.iter()
                .rev()
                .find(|key| key.purpose == purpose && key.retired_at.is_none())
                .ok_or(MintError::NoKey {
                    issuer: issuer.id,
                    purpose: name,
                })
        };
        let di = active(KeyPurpose::DataIntegrity, "data_integrity")?;
        let jwt = active(KeyPurpose::Jwt, "jwt")?;
        let urls = state.urls.clone();
        Ok(Signer {
            profile: documents::issuer_profile(&urls, issuer),
            achievement: documents::achievement(&urls, achievement)?,
            achievement_id: achievement.id,
            issuer_id: issuer.id,
            name: achievement.name.clone(),
            valid_for_days: achievement.valid_for_days,
            di_key: state.keys.open(&state.vault, di)?,
            di_method: urls.key(issuer.id, di.id),
            jwt_key: state.keys.open(&state.vault, jwt)?,
            jwt_kid: urls.key(issuer.id, jwt.id),
            urls,
            now: state.clock.now(),
        })
    }

    fn sign(&self, recipient: &Recipient, now: DateTime<Utc>) -> Result<Award, MintError> {
        let failed = |error: &dyn std::fmt::Display| MintError::Sign(error.to_string());
        let id = Uuid::new_v4();
        let salt = IdentityObject::new_salt().map_err(|e| failed(&e))?;
        let mut subject = AchievementSubject::with_identifier(
            IdentityObject::hashed_email(&recipient.email, &salt),
            self.achievement.clone(),
        );
        subject.activity_start_date = recipient.activity_start_date.clone();
        subject.activity_end_date = recipient.activity_end_date.clone();
        subject.narrative = recipient.narrative.clone();
        let valid_until = self
            .valid_for_days
            .and_then(|days| now.checked_add_signed(Duration::try_days(days)?));
        let mut builder = OpenBadgeCredential::builder(
            self.urls.credential(id),
            self.profile.clone(),
            now,
            subject,
        )
        .name(self.name.clone())
        .awarded_date(now)
        .credential_schema(CredentialSchema::achievement_credential());
        if let Some(valid_until) = valid_until {
            builder = builder.valid_until(valid_until);
        }
        for evidence in &recipient.evidence {
            builder = builder.evidence(evidence.clone());
        }
        let credential = builder.build().map_err(|e| failed(&e))?;
        let unsigned = serde_json::to_value(&credential).map_err(|e| failed(&e))?;
        let options = ProofOptions {
            cryptosuite: Cryptosuite::EddsaRdfc2022,
            verification_method: self.di_method.clone(),
            created: now,
        };
        let signed = proof::sign(&unsigned, &self.di_key, &options).map_err(|e| failed(&e))?;
        let compact =
            jwt::sign(&signed, &self.jwt_key, Some(&self.jwt_kid)).map_err(|e| failed(&e))?;
        Ok(Award {
            id,
            achievement_id: self.achievement_id,
            issuer_id: self.issuer_id,
            recipient_email: recipient.email.clone(),
            recipient_name: recipient.name.clone(),
            issued_at: now,
            valid_until,
            credential: signed.to_string(),
            jwt: compact,
        })
    }
}

/// A store "not found" as a 404 naming what was asked for.
pub fn not_found(error: laurel_store::StoreError, what: &str, id: Uuid) -> ApiError {
    match error {
        laurel_store::StoreError::NotFound => ApiError::not_found(what, id),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            recipient_email("  Zoë.Doe@Example.ORG ").as_deref(),
            Ok("zoë.doe@example.org")
        );
        for bad in [
            "",
            "plain",
            "@example.org",
            "a@",
            "a@b",
            "a b@example.org",
            "a@@example.org",
            "a@-x.org",
            "a@x..org",
            ".a@x.org",
        ] {
            assert!(recipient_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn activity_dates_accept_dates_and_datetimes_in_order() {
        let input = |start: &str, end: &str| AwardInput {
            email: "a@example.org".into(),
            name: None,
            narrative: None,
            evidence: Vec::new(),
            activity_start_date: Some(start.into()),
            activity_end_date: Some(end.into()),
        };
        let ok = input("2026-03-01", "2026-03-01T12:00:00+02:00")
            .check()
            .expect("valid");
        assert_eq!(
            ok.activity_start_date.as_deref(),
            Some("2026-03-01T00:00:00Z")
        );
        assert_eq!(
            ok.activity_end_date.as_deref(),
            Some("2026-03-01T10:00:00Z")
        );
        assert!(input("2026-03-02", "2026-03-01").check().is_err());
        assert!(input("March 1", "2026-03-01").check().is_err());
    }

    #[test]
    fn evidence_needs_content_and_a_url_id() {
        let entry = |id: Option<&str>, name: Option<&str>| EvidenceInput {
            id: id.map(str::to_string),
            narrative: None,
            name: name.map(str::to_string),
            description: None,
            genre: None,
            audience: None,
        };
        assert!(entry(None, None).check().is_err());
        assert!(entry(Some("not a url"), None).check().is_err());
        let evidence = entry(Some("https://x.example/e"), Some(" Essay "))
            .check()
            .expect("ok");
        assert_eq!(evidence.name.as_deref(), Some("Essay"));
        assert_eq!(evidence.r#type.as_slice(), ["Evidence"]);
    }

    #[test]
    fn jwt_algorithms_parse_exactly() {
        for name in JwtAlgorithm::NAMES {
            assert_eq!(
                JwtAlgorithm::parse(name).map(JwtAlgorithm::as_str),
                Some(name)
            );
        }
        assert_eq!(JwtAlgorithm::parse("es256"), None);
    }
}
