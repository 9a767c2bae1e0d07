//! A transcript as a signed CLR 2.0 `ClrCredential`.
//!
//! The CLR nests the person's counted credentials exactly as their issuers signed them
//! (`verifiableCredential`), lists their achievements (`achievement`) and how those relate
//! (`association`), and is itself signed `eddsa-rdfc-2022`, so a reviewer's verifier checks
//! the record as a whole and every credential in it on its own.
//!
//! **Who signs.** CLR 2.0 lets the publisher of a learner record differ from the issuers of
//! the credentials it holds: each nested credential keeps its own issuer and proof. Laurel
//! signs a transcript once, with one issuer's key: the first issuer the request names
//! (`issuer=`), else the oldest issuer the caller may see (the service's first, its "home"
//! organization). A transcript of one issuer is therefore signed by that issuer.
//!
//! **Identity.** The subject is named as the badges name their recipient: a salted SHA-256
//! of the email (`IdentityObject`, a fresh salt per CLR), and the person's name unhashed when
//! the signing issuer puts names in its credentials.
//!
//! The CLR is checked against 1EdTech's ClrCredential JSON schema before it is signed; a
//! failure there is a bug, reported rather than signed.
//!
//! **Size.** A record holds at most [`MAX_RECORD_CREDENTIALS`] credentials (years of weekly
//! webinars), the most a verifier checks in one CLR; it is canonicalized within a budget that
//! grows with that count (bounded), as the verifier's does. A larger transcript, or one whose
//! credentials together are too complex to canonicalize, is refused in plain words before
//! anything is signed that a verifier would reject.

use laurel_core::budget::MAX_RECORD_CREDENTIALS;
use laurel_core::jsonld::JsonLdError;
use laurel_core::model::{
    Achievement, Association, ClrCredential, ClrSubject, IdentityObject, OneOrMany,
};
use laurel_core::proof::ProofError;
use laurel_core::schema::Schema;
use laurel_store::Issuer;
use serde_json::Value;
use uuid::Uuid;

use super::{Transcript, Visible};
use crate::mint::IssuerSigner;
use crate::{Service, ServiceError, ServiceResult, documents};

/// The issuer that signs a transcript's CLR (see the module docs).
pub async fn signing_issuer(
    service: &Service,
    transcript: &Transcript,
    visible: Visible<'_>,
) -> ServiceResult<Issuer> {
    if let Some(first) = transcript.issuers.first() {
        return service
            .store
            .issuer(*first)
            .await
            .map_err(|error| ServiceError::from_store(error, "issuer", first));
    }
    let mut issuers: Vec<Issuer> = service
        .store
        .list_issuers()
        .await?
        .into_iter()
        .filter(|issuer| visible.is_none_or(|ids| ids.contains(&issuer.id)))
        .collect();
    issuers.sort_by_key(|issuer| (issuer.created_at, issuer.id));
    issuers
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::NotFound("there is no issuer to sign a transcript".into()))
}

/// The unsigned ClrCredential of `transcript`, published by `issuer`, with an
/// `isParentOf` association for each (parent, child) achievement pair in `parent_of` whose
/// two achievements are both in the CLR (pathways: a certificate made of badges).
pub fn document(
    service: &Service,
    transcript: &Transcript,
    issuer: &Issuer,
    parent_of: &[(Uuid, Uuid)],
) -> ServiceResult<Value> {
    if transcript.rows.is_empty() {
        return Err(ServiceError::NotFound(format!(
            "{} holds no credential to count from {}: a CLR needs at least one.",
            transcript.email,
            transcript.period.describe()
        )));
    }
    let mut credentials = Vec::with_capacity(transcript.rows.len());
    let mut achievements: Vec<Achievement> = Vec::new();
    for row in &transcript.rows {
        let credential: Value = serde_json::from_str(&row.award.credential).map_err(|error| {
            ServiceError::Internal(format!(
                "stored credential {} is not JSON: {error}",
                row.award.id
            ))
        })?;
        let achievement: Achievement =
            serde_json::from_value(credential["credentialSubject"]["achievement"].clone())
                .map_err(|error| {
                    ServiceError::Internal(format!(
                        "credential {} has no readable achievement: {error}",
                        row.award.id
                    ))
                })?;
        if !achievements.iter().any(|known| known.id == achievement.id) {
            achievements.push(achievement);
        }
        credentials.push(credential);
    }
    let mut identifier = Vec::new();
    if issuer.include_recipient_name
        && let Some(name) = transcript
            .name
            .as_deref()
            .filter(|name| !name.contains('@'))
    {
        identifier.push(IdentityObject::name(name));
    }
    let salt =
        IdentityObject::new_salt().map_err(|error| ServiceError::Internal(error.to_string()))?;
    identifier.push(IdentityObject::hashed_email(&transcript.email, &salt));

    let mut subject = ClrSubject::new(identifier, credentials);
    subject.association = OneOrMany::Many(associations(service, &achievements, parent_of));
    subject.achievement = OneOrMany::Many(achievements);
    let now = service.clock.now();
    let mut clr = ClrCredential::new(
        format!("urn:uuid:{}", Uuid::new_v4()),
        documents::issuer_profile(&service.urls, issuer),
        now,
        format!(
            "Continuing-education transcript, {}",
            transcript.period.describe()
        ),
        subject,
    )
    .map_err(|error| ServiceError::Internal(error.to_string()))?;
    clr.description = Some(format!(
        "{} credential{} dated {} from {}, {} credits in all.",
        transcript.rows.len(),
        if transcript.rows.len() == 1 { "" } else { "s" },
        transcript.period.describe(),
        providers(transcript),
        crate::units::credits_number(transcript.total_credits)
    ));
    serde_json::to_value(&clr).map_err(|error| ServiceError::Internal(error.to_string()))
}

/// `isParentOf` associations for the pairs whose achievements are both listed.
pub fn associations(
    service: &Service,
    achievements: &[Achievement],
    parent_of: &[(Uuid, Uuid)],
) -> Vec<Association> {
    let listed = |id: Uuid| {
        let url = service.urls.achievement(id);
        achievements.iter().any(|a| a.id == url).then_some(url)
    };
    parent_of
        .iter()
        .filter_map(|(parent, child)| {
            Some(Association::parent_of(listed(*parent)?, listed(*child)?))
        })
        .collect()
}

/// The `(pathway badge, required badge)` pairs of the award pathways of every issuer in the
/// transcript: what [`signed`] states as `isParentOf` associations (a pair is kept only when
/// both badges are in the record).
pub async fn pathway_pairs(
    service: &Service,
    transcript: &Transcript,
) -> ServiceResult<Vec<(Uuid, Uuid)>> {
    let mut issuers: Vec<Uuid> = transcript.rows.iter().map(|row| row.issuer_id).collect();
    issuers.sort_unstable();
    issuers.dedup();
    let mut pairs = Vec::new();
    for issuer in issuers {
        for link in crate::pathways::links(service, issuer).await? {
            pairs.push((link.pathway, link.required));
        }
    }
    Ok(pairs)
}

fn providers(transcript: &Transcript) -> String {
    let mut names: Vec<&str> = Vec::new();
    for row in &transcript.rows {
        if !names.contains(&row.provider.as_str()) {
            names.push(&row.provider);
        }
    }
    names.join(", ")
}

/// The transcript as a signed ClrCredential (see the module docs), checked against the CLR
/// JSON schema before signing. `parent_of` as for [`document`].
pub async fn signed(
    service: &Service,
    transcript: &Transcript,
    visible: Visible<'_>,
    parent_of: &[(Uuid, Uuid)],
) -> ServiceResult<Value> {
    let count = transcript.rows.len();
    if count > MAX_RECORD_CREDENTIALS {
        return Err(ServiceError::Invalid(too_large(
            transcript,
            &format!(
                "it holds {count} credentials and a signed record can hold at most {MAX_RECORD_CREDENTIALS}"
            ),
        )));
    }
    let issuer = signing_issuer(service, transcript, visible).await?;
    let document = document(service, transcript, &issuer, parent_of)?;
    let violations = Schema::ClrCredential.validate(&document);
    if !violations.is_empty() {
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        return Err(ServiceError::Internal(format!(
            "the CLR does not pass the ClrCredential schema: {}",
            list.join("; ")
        )));
    }
    let signer = IssuerSigner::open(service, issuer.id).await?;
    let now = service.clock.now();
    let signed =
        tokio::task::spawn_blocking(move || signer.data_integrity_record(&document, now, count))
            .await
            .map_err(|error| ServiceError::Internal(format!("signing task: {error}")))?;
    match signed {
        Ok(signed) => Ok(signed),
        // The credentials are within the count but too intricate together (many
        // endorsements, say): said as plainly, not signed into something verifiers refuse.
        Err(ProofError::JsonLd(JsonLdError::TooComplex(why))) => {
            Err(ServiceError::Invalid(too_large(
                transcript,
                &format!("its credentials together are too complex ({why})"),
            )))
        }
        Err(error) => Err(ServiceError::Internal(format!(
            "the CLR could not be signed: {error}"
        ))),
    }
}

/// Why a transcript cannot be signed as one CLR, and what to do instead, in plain words.
fn too_large(transcript: &Transcript, why: &str) -> String {
    format!(
        "The transcript of {} for {} is too large to sign as one record (CLR): {why}. Choose a shorter period or fewer issuers; the PDF and CSV list every credential.",
        transcript.email,
        transcript.period.describe()
    )
}
