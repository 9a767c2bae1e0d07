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
//! **Endorsements.** The endorsements in force when a credential is signed (see
//! [`crate::endorsements`]) are embedded as their endorsers signed them, in the achievement
//! and in the issuer profile; the credential's proof covers them like any other field.
//! Credentials signed earlier keep what they were signed with.
//!
//! **Speed.** Canonicalizing and signing is CPU work (RDFC-1.0, then an RSA or ECDSA
//! signature), so it runs on the blocking pool and fans out with rayon, never on the async
//! runtime's threads. Opened signing keys are cached per key id: opening (AES-GCM) and
//! parsing (RSA especially) once per award would cost more than the signature.
//!
//! **Memory.** A batch fans out on a rayon pool made for it, whose threads end with it
//! ([`batch::sign_all`]). glibc gives each thread its own heap and keeps, per thread, a cache of
//! recently freed blocks; on long-lived threads those blocks, scattered through heaps grown to
//! hold a batch's signed credentials, kept every heap at its largest (about 10 MB for two
//! batches of 1,000, never returned). A thread that ends hands its cache back, and its heap
//! shrinks once the batch's credentials are freed.
//!
//! **Privacy.** The recipient's email is in the credential only as a salted SHA-256 of the
//! normalized address, with a fresh salt per credential; the address stays in the row. The
//! name, when the issuer includes names (the default) and the award does not opt out, is
//! signed in as it was given: an unhashed `name` IdentityObject, which is how the Digital
//! Credentials Consortium's stack and its Learner Credential Wallet read a recipient's name.
//! It comes first in `identifier`: older wallet releases show the first identity's
//! `identityHash` as the name, and the email's hash must never be shown as one.

mod batch;
mod input;
mod signing;

use chrono::{DateTime, Duration, Utc};
use laurel_core::model::{
    self, AchievementSubject, CredentialSchema, IdentityObject, OneOrMany, OpenBadgeCredential,
    Profile,
};
use laurel_store::{Award, Issuer, StatusSlot, Stored};
use std::collections::HashMap;
use uuid::Uuid;

use crate::keys::SigningError;
use crate::status;
use crate::{Service, ServiceError, ServiceResult, Urls, documents, endorsements};

pub use input::*;
pub use signing::IssuerSigner;

/// What happened to one requested award.
#[derive(Debug)]
pub enum Outcome {
    /// Minted and stored now.
    Created(Award),
    /// The recipient already had this achievement: the stored award, unchanged.
    Existing(Award),
    /// Not awarded; nothing stored for this row.
    Failed(ServiceError),
}

/// Awards an achievement to each recipient (rows already rejected stay failed), exactly once
/// per recipient. Results are in input order.
///
/// With `notify`, each credential created is queued for its recipient's email (when the issuer
/// has email settings), in the same transaction, and the email worker is woken.
///
/// Every badge created here is then checked against the pathways it takes part in
/// ([`crate::pathways::evaluate`]): a pathway its recipient now completes awards its own badge
/// through this same function, or queues an invitation.
pub async fn award(
    service: &Service,
    achievement_id: Uuid,
    rows: Vec<Result<Recipient, ServiceError>>,
    notify: bool,
) -> ServiceResult<Vec<Outcome>> {
    award_at_depth(service, achievement_id, rows, notify, 0).await
}

/// [`award`], `depth` pathways up from the award that started it (pathways cascade, bounded
/// by [`crate::pathways::MAX_CASCADE`]). Boxed, with its type written out: awarding evaluates
/// pathways, which award.
pub(crate) fn award_at_depth(
    service: &Service,
    achievement_id: Uuid,
    rows: Vec<Result<Recipient, ServiceError>>,
    notify: bool,
    depth: u32,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ServiceResult<Vec<Outcome>>> + Send + '_>> {
    Box::pin(award_once(service, achievement_id, rows, notify, depth))
}

async fn award_once(
    service: &Service,
    achievement_id: Uuid,
    rows: Vec<Result<Recipient, ServiceError>>,
    notify: bool,
    depth: u32,
) -> ServiceResult<Vec<Outcome>> {
    let achievement = service
        .store
        .achievement(achievement_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "achievement", achievement_id))?;
    let issuer = service.store.issuer(achievement.issuer_id).await?;
    // Credits earned are checked against this achievement's credits available, times what its
    // rules give the recipient's role: a row over them fails alone (a single award answers 400).
    let rows: Vec<Result<Recipient, ServiceError>> = rows
        .into_iter()
        .map(|row| {
            row.and_then(|recipient| {
                let multiplier = crate::activity::rules::credit_multiplier(
                    &achievement,
                    recipient.role.as_deref(),
                );
                recipient
                    .check_credits(achievement.credits_available, multiplier)
                    .map_err(ServiceError::Invalid)?;
                Ok(recipient)
            })
        })
        .collect();

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
        let existing: HashMap<String, Award> = service
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
            mint_and_store(
                service,
                &issuer,
                &achievement,
                to_sign,
                &mut outcomes,
                notify,
            )
            .await?;
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
            None => Outcome::Failed(ServiceError::Internal(format!(
                "award row {index} was not processed"
            ))),
        };
        outcomes[index] = Some(repeat);
    }
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .map(|outcome| {
            outcome
                .unwrap_or_else(|| Outcome::Failed(ServiceError::Internal("lost award row".into())))
        })
        .collect();
    // The awards are stored whatever happens next: a pathway that fails to evaluate is logged
    // (staff can evaluate it for everyone again), never turned into a failed award.
    let created: Vec<&Award> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Outcome::Created(award) => Some(award),
            _ => None,
        })
        .collect();
    if let Err(error) =
        crate::pathways::evaluate(service, achievement_id, &created, notify, depth).await
    {
        tracing::error!(%error, achievement = %achievement_id, "evaluating pathways failed");
    }
    Ok(outcomes)
}

/// Signs the rows (in parallel, off the async threads) and stores them in one transaction.
async fn mint_and_store(
    service: &Service,
    issuer: &Issuer,
    achievement: &laurel_store::Achievement,
    to_sign: Vec<(usize, Recipient)>,
    outcomes: &mut [Option<Outcome>],
    notify: bool,
) -> ServiceResult<()> {
    let signer = Signer::new(service, issuer, achievement).await?;
    let now = signer.now;
    // Each credential's revocation bit. A credential that loses an exactly-once race leaves
    // its bit unused, never reused.
    let slots = status::allocate(service, issuer.id, to_sign.len(), now).await?;
    let signed =
        tokio::task::spawn_blocking(move || batch::sign_all(&signer, &to_sign, slots, now))
            .await
            .map_err(|error| SigningError::Task(error.to_string()))?;

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
    match service.store.insert_awards(awards, notify).await {
        Ok(stored) => {
            let created = stored
                .iter()
                .filter(|s| matches!(s, Stored::Created(_)))
                .count();
            if notify && created > 0 {
                service.outbox.wake();
            }
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
            let error = ServiceError::from(error);
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
    /// The issuer's setting: recipients' names go into its credentials.
    include_recipient_name: bool,
    valid_for_days: Option<i64>,
    keys: IssuerSigner,
    urls: Urls,
    now: DateTime<Utc>,
}

impl Signer {
    async fn new(
        service: &Service,
        issuer: &Issuer,
        achievement: &laurel_store::Achievement,
    ) -> ServiceResult<Self> {
        let urls = service.urls.clone();
        let now = service.clock.now();
        // Endorsements in force now are embedded as they were signed; the credential's own
        // proof then covers them too.
        let mut profile = documents::issuer_profile(&urls, issuer);
        profile.endorsement =
            OneOrMany::Many(endorsements::embeddable(service, issuer.id, None, now).await?);
        let mut document = documents::achievement(&urls, achievement)?;
        document.endorsement = OneOrMany::Many(
            endorsements::embeddable(service, issuer.id, Some(achievement.id), now).await?,
        );
        Ok(Signer {
            profile,
            achievement: document,
            achievement_id: achievement.id,
            issuer_id: issuer.id,
            name: achievement.name.clone(),
            include_recipient_name: issuer.include_recipient_name,
            valid_for_days: achievement.valid_for_days,
            keys: IssuerSigner::open(service, issuer.id).await?,
            urls,
            now,
        })
    }

    /// The name signed into this recipient's credential: theirs, when they have one, the
    /// issuer includes names and the award did not leave it out. A "name" with an `@` in it
    /// is never signed in: attendance reports without a name column fill it with the email
    /// (`Name of ada@example.org`), and publishing it would undo the email's hashing.
    fn name_in_credential<'a>(&self, recipient: &'a Recipient) -> Option<&'a str> {
        let wanted = self.include_recipient_name && recipient.include_name != Some(false);
        recipient
            .name
            .as_deref()
            .filter(|name| wanted && !name.contains('@'))
    }

    fn sign(
        &self,
        recipient: &Recipient,
        now: DateTime<Utc>,
        slot: StatusSlot,
    ) -> Result<Award, SigningError> {
        let failed = |error: &dyn std::fmt::Display| SigningError::Sign(error.to_string());
        let id = Uuid::new_v4();
        let salt = IdentityObject::new_salt().map_err(|e| failed(&e))?;
        let email = IdentityObject::hashed_email(&recipient.email, &salt);
        let mut subject = match self.name_in_credential(recipient) {
            Some(name) => {
                let mut subject = AchievementSubject::with_identifier(
                    IdentityObject::name(name),
                    self.achievement.clone(),
                );
                subject.identifier.push(email);
                subject
            }
            None => AchievementSubject::with_identifier(email, self.achievement.clone()),
        };
        subject.activity_start_date = recipient.activity_start_date.clone();
        subject.activity_end_date = recipient.activity_end_date.clone();
        subject.narrative = recipient.narrative.clone();
        subject.credits_earned = recipient.credits_earned.and_then(documents::number);
        subject.role = recipient.role.clone();
        if let Some(result) = &recipient.result {
            subject.result.push(result.clone());
        }
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
        .awarded_date(recipient.awarded_date.map_or(now, |earned| earned.min(now)))
        .credential_schema(CredentialSchema::achievement_credential())
        .credential_status(status::entry(&self.urls, slot));
        if let Some(valid_until) = valid_until {
            builder = builder.valid_until(valid_until);
        }
        for evidence in &recipient.evidence {
            builder = builder.evidence(evidence.clone());
        }
        let credential = builder.build().map_err(|e| failed(&e))?;
        let unsigned = serde_json::to_value(&credential).map_err(|e| failed(&e))?;
        let signed = self.keys.data_integrity(&unsigned, now)?;
        let compact = self.keys.jwt(&signed)?;
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
            status: Some(slot),
            revoked_at: None,
            revocation_reason: None,
            suspended_at: None,
            suspension_reason: None,
            role: recipient.role.clone(),
        })
    }
}
