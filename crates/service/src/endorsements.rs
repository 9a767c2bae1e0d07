//! Endorsements: another organisation (a state library, say) vouches for an achievement or an
//! issuer, with an Open Badges 3.0 `EndorsementCredential` signed by the endorser.
//!
//! Two ways in, one record:
//! - **Signed here** ([`sign`]): the endorser is an issuer hosted on this service, so Laurel holds
//!   its keys and signs for it (`eddsa-rdfc-2022`, the endorser's active Data Integrity key),
//!   after checking the credential against the 1EdTech EndorsementCredential schema.
//! - **Imported** ([`import`]): the endorser signed it elsewhere. The front door verifies it with
//!   the verifier (`laurel-verify`'s library, with this service's keys and whatever fetching it
//!   allows) and passes the report here; an endorsement is taken only if the report is `valid`
//!   (its proof checks with a key bound to the endorser, its schema, dates and JSON-LD are
//!   right) and it endorses exactly the achievement or issuer it is recorded for.
//!
//! Either way the credential is stored as signed and never changed. Credentials issued later
//! embed every endorsement in force ([`embeddable`]) in their `achievement.endorsement` or
//! `issuer.endorsement`, where the credential's own proof covers it; credentials issued before
//! are never touched. Only JSON (Data Integrity) endorsements are taken: the
//! `endorsementJwt` term is missing from the OB 3.0.3 context this service bundles, so a
//! compact JWS embedded there would fail JSON-LD safe mode (see the README).

use chrono::{DateTime, Utc};
use laurel_core::model::{CredentialSchema, EndorsementCredential, EndorsementSubject};
use laurel_core::schema::Schema;
use laurel_store::{Achievement, Endorsement, EndorsementOrigin, Issuer};
use laurel_verify::{Report, Verdict};
use serde_json::Value;
use uuid::Uuid;

use crate::fields::{self, MAX_TEXT};
use crate::mint::IssuerSigner;
use crate::{Service, ServiceError, ServiceResult, documents};

/// The largest endorsement taken on import, in bytes: it is embedded in every credential
/// issued for its subject afterwards.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024;

/// What is endorsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endorsed {
    /// An achievement (badge) of an issuer hosted here.
    Achievement(Uuid),
    /// An issuer hosted here, as a whole.
    Issuer(Uuid),
}

/// The endorsed achievement or issuer, loaded: what its endorsements must name.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The issuer hosted here (endorsed, or awarding the endorsed achievement).
    pub issuer: Issuer,
    /// The endorsed achievement, if it is one.
    pub achievement: Option<Achievement>,
    /// Its public id: what `credentialSubject.id` of its endorsements must be.
    pub id: String,
    /// Its name, for messages.
    pub name: String,
}

impl Subject {
    /// The achievement's id, if an achievement is endorsed.
    pub fn achievement_id(&self) -> Option<Uuid> {
        self.achievement.as_ref().map(|achievement| achievement.id)
    }
}

/// Loads what is endorsed; "no achievement/issuer with id …" if it does not exist.
pub async fn subject(service: &Service, endorsed: Endorsed) -> ServiceResult<Subject> {
    match endorsed {
        Endorsed::Achievement(id) => {
            let achievement = service
                .store
                .achievement(id)
                .await
                .map_err(|error| ServiceError::from_store(error, "achievement", id))?;
            let issuer = service.store.issuer(achievement.issuer_id).await?;
            Ok(Subject {
                id: service.urls.achievement(id),
                name: achievement.name.clone(),
                issuer,
                achievement: Some(achievement),
            })
        }
        Endorsed::Issuer(id) => {
            let issuer = service
                .store
                .issuer(id)
                .await
                .map_err(|error| ServiceError::from_store(error, "issuer", id))?;
            Ok(Subject {
                id: service.urls.issuer(id),
                name: issuer.name.clone(),
                issuer,
                achievement: None,
            })
        }
    }
}

/// Every endorsement of `endorsed`, withdrawn ones included, oldest first.
pub async fn list(service: &Service, endorsed: Endorsed) -> ServiceResult<Vec<Endorsement>> {
    let subject = subject(service, endorsed).await?;
    Ok(service
        .store
        .endorsements_of(subject.issuer.id, subject.achievement_id())
        .await?)
}

/// The endorsements in force of an issuer (`achievement_id` `None`) or of one of its
/// achievements, as credentials to embed: not withdrawn, not expired at `now`, oldest first.
pub async fn embeddable(
    service: &Service,
    issuer_id: Uuid,
    achievement_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<EndorsementCredential>> {
    let stored = service
        .store
        .endorsements_of(issuer_id, achievement_id)
        .await?;
    let mut found = Vec::new();
    for endorsement in stored.iter().filter(|e| e.withdrawn_at.is_none()) {
        let credential: EndorsementCredential = serde_json::from_str(&endorsement.credential)
            .map_err(|error| {
                ServiceError::Internal(format!(
                    "stored endorsement {} is unreadable: {error}",
                    endorsement.id
                ))
            })?;
        let in_force = credential.valid_until().is_none_or(|until| until > now)
            && credential.valid_from().is_none_or(|from| from <= now);
        if in_force {
            found.push(credential);
        }
    }
    Ok(found)
}

/// Withdraws an endorsement: credentials issued from now on no longer embed it (those issued
/// before keep it, as signed). Withdrawing twice keeps the first time.
pub async fn withdraw(service: &Service, id: Uuid) -> ServiceResult<Endorsement> {
    service
        .store
        .withdraw_endorsement(id, service.clock.now())
        .await
        .map_err(|error| ServiceError::from_store(error, "endorsement", id))
}

/// One endorsement.
pub async fn get(service: &Service, id: Uuid) -> ServiceResult<Endorsement> {
    service
        .store
        .endorsement(id)
        .await
        .map_err(|error| ServiceError::from_store(error, "endorsement", id))
}

/// Signs and stores an endorsement of `endorsed` by `endorser_id`, an issuer hosted here,
/// with its comment. Front doors check the caller may act for both issuers.
pub async fn sign(
    service: &Service,
    endorsed: Endorsed,
    endorser_id: Uuid,
    comment: &str,
) -> ServiceResult<Endorsement> {
    let comment = fields::required("comment", comment, MAX_TEXT)?;
    let subject = subject(service, endorsed).await?;
    let endorser = service
        .store
        .issuer(endorser_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "issuer", endorser_id))?;
    if endorser.id == subject.issuer.id {
        return Err(ServiceError::Invalid(
            "endorser: an issuer cannot endorse itself or its own badges; choose another organisation".into(),
        ));
    }
    let id = Uuid::now_v7();
    let now = service.clock.now();
    let unsigned = build(service, id, &endorser, &subject, &comment, now)?;
    let keys = IssuerSigner::open(service, endorser.id).await?;
    let signed = tokio::task::spawn_blocking(move || keys.data_integrity(&unsigned, now))
        .await
        .map_err(|error| ServiceError::Internal(format!("signing task: {error}")))??;
    let endorsement = Endorsement {
        id,
        issuer_id: subject.issuer.id,
        achievement_id: subject.achievement_id(),
        endorser_id: service.urls.issuer(endorser.id),
        endorser_name: endorser.name.clone(),
        endorser_issuer_id: Some(endorser.id),
        comment: Some(comment),
        origin: EndorsementOrigin::Signed,
        credential: signed.to_string(),
        created_at: now,
        withdrawn_at: None,
    };
    service.store.create_endorsement(&endorsement).await?;
    Ok(endorsement)
}

/// The unsigned `EndorsementCredential` of `endorser` for `subject`, checked against the
/// 1EdTech EndorsementCredential schema.
pub fn build(
    service: &Service,
    id: Uuid,
    endorser: &Issuer,
    subject: &Subject,
    comment: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Value> {
    let failed = |error: &dyn std::fmt::Display| {
        ServiceError::Internal(format!("building the endorsement: {error}"))
    };
    let credential = EndorsementCredential::builder(
        service.urls.endorsement(id),
        documents::issuer_profile(&service.urls, endorser),
        now,
        EndorsementSubject::new(subject.id.clone(), Some(comment.to_string())),
    )
    .name(format!("{} endorses {}", endorser.name, subject.name))
    .credential_schema(CredentialSchema::endorsement_credential())
    .build()
    .map_err(|error| failed(&error))?;
    let value = serde_json::to_value(&credential).map_err(|error| failed(&error))?;
    let violations = Schema::EndorsementCredential.validate(&value);
    if let Some(first) = violations.first() {
        return Err(ServiceError::Internal(format!(
            "the endorsement would break the EndorsementCredential schema ({} problems; first: {first})",
            violations.len()
        )));
    }
    Ok(value)
}

/// Reads an endorsement to import as given (pasted or uploaded): JSON of an
/// `EndorsementCredential` with an embedded proof. A compact VC-JWT is refused with the
/// reason (see the module docs).
pub fn parse_import(text: &str) -> ServiceResult<Value> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ServiceError::Invalid(
            "endorsement: paste or upload the endorsement the endorser sent (a JSON file)".into(),
        ));
    }
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ServiceError::Invalid(format!(
            "endorsement: it is {} KiB; at most {} KiB is taken, as it is copied into every badge issued afterwards",
            text.len() / 1024,
            MAX_IMPORT_BYTES / 1024
        )));
    }
    if !text.starts_with('{') && text.split('.').count() == 3 {
        return Err(ServiceError::Unsupported(
            "endorsement: this is a VC-JWT (a signed token); ask the endorser for the JSON form with an embedded proof, which badges can carry".into(),
        ));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) | Err(_) => Err(ServiceError::Unreadable(
            "endorsement: this is not an endorsement credential in JSON; paste the whole file the endorser sent".into(),
        )),
    }
}

/// Stores an endorsement the endorser signed elsewhere, given the verifier's `report` on it.
/// Refused, in plain words, unless it is an `EndorsementCredential` whose verdict is valid
/// (so its key is bound to the endorser) and that endorses exactly `endorsed`.
pub async fn import(
    service: &Service,
    endorsed: Endorsed,
    credential: &Value,
    report: &Report,
) -> ServiceResult<Endorsement> {
    let subject = subject(service, endorsed).await?;
    let is_endorsement = |value: &Value| match value {
        Value::Array(types) => types.iter().any(|t| t == "EndorsementCredential"),
        other => other == "EndorsementCredential",
    };
    if !credential.get("type").is_some_and(is_endorsement) {
        return Err(ServiceError::Invalid(
            "endorsement: this is a credential but not an endorsement (its type has no EndorsementCredential)".into(),
        ));
    }
    match report.verdict {
        Verdict::Valid => {}
        Verdict::Invalid => {
            return Err(ServiceError::Invalid(format!(
                "endorsement: it does not verify, so it was not recorded: {}",
                report.reason.as_deref().unwrap_or("a check failed")
            )));
        }
        Verdict::CouldNotCheck => {
            return Err(ServiceError::Invalid(format!(
                "endorsement: it could not be checked, so it was not recorded: {}",
                report
                    .reason
                    .as_deref()
                    .unwrap_or("something it needs was unavailable")
            )));
        }
    }
    let bound = report
        .issuer
        .as_ref()
        .is_some_and(|issuer| issuer.bound_by.is_some());
    if !bound {
        return Err(ServiceError::Invalid(
            "endorsement: its signing key is not tied to the endorser it names, so it was not recorded".into(),
        ));
    }
    // A single proof object (the compacted form many signers emit) becomes a one-element
    // array: the same RDF, the same signature, and the form the 1EdTech schemas require of
    // an endorsement embedded in a badge. Then the badge's schema must hold for it.
    let mut credential = credential.clone();
    if let Some(proof) = credential.get_mut("proof")
        && proof.is_object()
    {
        *proof = Value::Array(vec![proof.take()]);
    }
    let credential = &credential;
    if let Some(first) = Schema::EndorsementCredential.validate(credential).first() {
        return Err(ServiceError::Invalid(format!(
            "endorsement: it breaks the Open Badges EndorsementCredential schema, and so would every badge carrying it ({first})"
        )));
    }
    // And as the badges will carry it: inside the achievement or the issuer's profile, under
    // their contexts, JSON-LD must keep all of it (a context of its own could clash with them).
    let mut trial = match &subject.achievement {
        Some(achievement) => documents::achievement_document(&service.urls, achievement)?,
        None => documents::profile_document(&service.urls, &subject.issuer),
    };
    trial["endorsement"] = Value::Array(vec![credential.clone()]);
    if let Err(error) = laurel_core::jsonld::check_safe(&trial) {
        return Err(ServiceError::Invalid(format!(
            "endorsement: badges carrying it would fail JSON-LD processing, so it was not recorded ({error})"
        )));
    }
    let parsed: EndorsementCredential =
        serde_json::from_value(credential.clone()).map_err(|error| {
            ServiceError::Invalid(format!(
                "endorsement: it is not shaped as an Open Badges endorsement: {error}"
            ))
        })?;
    if parsed.credential_subject.id != subject.id {
        return Err(ServiceError::Invalid(format!(
            "endorsement: it endorses {}, not {} ({}); record it for what it endorses",
            parsed.credential_subject.id, subject.name, subject.id
        )));
    }
    let endorser_id = parsed.issuer_id().to_string();
    if endorser_id == service.urls.issuer(subject.issuer.id) {
        return Err(ServiceError::Invalid(
            "endorsement: it is signed by the issuer it endorses (or whose badge it endorses); an endorsement must come from another organisation".into(),
        ));
    }
    let endorser_name = parsed
        .issuer
        .profile()
        .and_then(|profile| profile.name.clone())
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| {
            ServiceError::Invalid(
                "endorsement: its issuer (the endorser) has no name, which pages would need to say who endorsed".into(),
            )
        })?;
    if parsed.proof.is_empty() {
        return Err(ServiceError::Invalid(
            "endorsement: it carries no embedded proof".into(),
        ));
    }
    let existing = service
        .store
        .endorsements_of(subject.issuer.id, subject.achievement_id())
        .await?;
    let same = |stored: &Endorsement| {
        serde_json::from_str::<Value>(&stored.credential).is_ok_and(|value| value == *credential)
    };
    if existing
        .iter()
        .any(|stored| stored.withdrawn_at.is_none() && same(stored))
    {
        return Err(ServiceError::Conflict(
            "endorsement: this endorsement is already recorded".into(),
        ));
    }
    let endorser_issuer_id = own_issuer(service, &endorser_id);
    let endorsement = Endorsement {
        id: Uuid::now_v7(),
        issuer_id: subject.issuer.id,
        achievement_id: subject.achievement_id(),
        endorser_id,
        endorser_name: endorser_name.trim().to_string(),
        endorser_issuer_id,
        comment: parsed.credential_subject.endorsement_comment.clone(),
        origin: EndorsementOrigin::Imported,
        credential: credential.to_string(),
        created_at: service.clock.now(),
        withdrawn_at: None,
    };
    service.store.create_endorsement(&endorsement).await?;
    Ok(endorsement)
}

/// The issuer hosted here whose public id `id` is, if it is one.
fn own_issuer(service: &Service, id: &str) -> Option<Uuid> {
    let prefix = service.urls.issuer(Uuid::nil());
    let prefix = prefix.strip_suffix(&Uuid::nil().to_string())?;
    Uuid::parse_str(id.strip_prefix(prefix)?).ok()
}

/// The endorsements embedded in a credential's achievement (`credentialSubject.achievement`)
/// and issuer, for pages that show a credential as it was signed.
pub fn embedded_in(credential: &Value) -> Vec<EndorsementCredential> {
    let mut found = Vec::new();
    let mut take = |value: Option<&Value>| {
        if let Some(list) = value {
            let items: Vec<&Value> = match list {
                Value::Array(items) => items.iter().collect(),
                single => vec![single],
            };
            found.extend(
                items
                    .into_iter()
                    .filter_map(|item| serde_json::from_value(item.clone()).ok()),
            );
        }
    };
    take(credential.get("issuer").and_then(|i| i.get("endorsement")));
    let subjects: Vec<&Value> = match credential.get("credentialSubject") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single) => vec![single],
        None => Vec::new(),
    };
    for subject in subjects {
        take(
            subject
                .get("achievement")
                .and_then(|achievement| achievement.get("endorsement")),
        );
    }
    found
}

/// Who endorsed and what they said, read from an endorsement credential (for pages).
pub fn endorser_and_comment(credential: &EndorsementCredential) -> (String, Option<String>) {
    let name = credential
        .issuer
        .profile()
        .and_then(|profile| profile.name.clone())
        .unwrap_or_else(|| credential.issuer_id().to_string());
    (
        name,
        credential.credential_subject.endorsement_comment.clone(),
    )
}
