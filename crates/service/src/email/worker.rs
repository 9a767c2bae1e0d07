//! The worker: claims due notifications, renders and sends them, records how each went.
//!
//! One worker runs per instance (`laurel serve`). It claims a few batches' worth under a lease,
//! sends up to [`EmailOptions::concurrency`](super::EmailOptions) emails at once, and records
//! the outcomes a batch at a time, in one statement each, as soon as a batch's worth is done
//! (so the database is written while the next emails are on their way). It sleeps until
//! awards made in this process wake it, or for the poll interval (awards made by another
//! instance or by `laurel import` are found then). Stopping lets the claim in hand finish; its
//! rows would otherwise wait out their lease.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use laurel_store::{
    Achievement, Award, Delivery, DeliveryOutcome, EmailSettings, Issuer, Notification,
};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use uuid::Uuid;

use super::message::{self, Parts};
use super::smtp::{self, Sent};
use super::template::{TemplateText, Values};
use crate::{Service, ServiceResult};

/// What one batch came to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Notifications claimed.
    pub claimed: usize,
    /// Accepted by the mail server, or recorded in dry mode.
    pub sent: usize,
    /// To be tried again.
    pub retried: usize,
    /// Given up.
    pub failed: usize,
}

impl Tally {
    /// Counts one delivery's outcome; returns its name for the metrics ("sent", "retry",
    /// "failed").
    pub fn count(&mut self, outcome: &DeliveryOutcome) -> &'static str {
        match outcome {
            DeliveryOutcome::Sent { .. } => {
                self.sent += 1;
                "sent"
            }
            DeliveryOutcome::Retry { .. } => {
                self.retried += 1;
                "retry"
            }
            DeliveryOutcome::Failed { .. } => {
                self.failed += 1;
                "failed"
            }
        }
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.retried += other.retried;
        self.failed += other.failed;
    }
}

/// Runs the worker until `stop` turns true.
pub async fn run(service: Arc<Service>, mut stop: watch::Receiver<bool>) {
    let worker = Uuid::now_v7();
    tracing::info!(%worker, "email worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        let options = &service.outbox.options;
        let (claim, batch) = (options.claim_size() as usize, options.batch as usize);
        let mut full = match deliver_batch(&service, worker).await {
            // A full claim: there may be more right away.
            Ok(tally) => tally.claimed >= claim,
            Err(error) => {
                tracing::error!(%error, "email worker: claiming or recording failed");
                false
            }
        };
        // Pathway invitations and transcript links share the worker (its settings,
        // connections and retries).
        match crate::pathways::deliver_invitations(&service, worker).await {
            Ok(tally) => full |= tally.claimed >= batch,
            Err(error) => tracing::error!(%error, "email worker: invitations failed"),
        }
        match crate::transcript::by_email::deliver_links(&service, worker).await {
            Ok(tally) => full |= tally.claimed >= batch,
            Err(error) => tracing::error!(%error, "email worker: transcript links failed"),
        }
        if full {
            continue;
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = service.outbox.woken(service.outbox.options.poll) => {}
        }
    }
    tracing::info!(%worker, "email worker stopped");
}

/// Delivers batches until nothing is due (tests, benchmarks and `laurel` commands that want
/// the outbox empty now).
pub async fn drain(service: &Arc<Service>) -> ServiceResult<Tally> {
    let worker = Uuid::now_v7();
    let mut total = Tally::default();
    loop {
        let mut tally = deliver_batch(service, worker).await?;
        tally += crate::pathways::deliver_invitations(service, worker).await?;
        tally += crate::transcript::by_email::deliver_links(service, worker).await?;
        if tally.claimed == 0 {
            return Ok(total);
        }
        total += tally;
    }
}

/// Claims up to [`EmailOptions::claim_size`](super::EmailOptions::claim_size) notifications
/// for `worker`, sends them, and records the outcomes a batch at a time as they come in.
pub async fn deliver_batch(service: &Arc<Service>, worker: Uuid) -> ServiceResult<Tally> {
    let options = &service.outbox.options;
    let now = service.clock.now();
    let claimed = service
        .store
        .claim_notifications(worker, now, options.claim_until(now), options.claim_size())
        .await?;
    let mut tally = Tally {
        claimed: claimed.len(),
        ..Tally::default()
    };
    if claimed.is_empty() {
        return Ok(tally);
    }
    let context = Context::load(service, &claimed).await;
    let mut links = claim_links(service, &context, &claimed).await;
    let context = Arc::new(context);
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut sends = JoinSet::new();
    for notification in claimed {
        let service = service.clone();
        let context = context.clone();
        let permits = permits.clone();
        let link = links.remove(&notification.award_id);
        sends.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire_owned().await;
            let outcome = deliver(&service, &context, &notification, link).await;
            Delivery {
                award_id: notification.award_id,
                claim: worker,
                at: service.clock.now(),
                outcome,
            }
        });
    }
    // Each batch's worth of finished emails is recorded while the rest are still sending
    // (they are tasks of their own), so few are ever sent and not yet recorded.
    let batch = (options.batch as usize).max(1);
    let mut finished = Vec::with_capacity(batch);
    let mut first_error = None;
    while let Some(done) = sends.join_next().await {
        match done {
            Ok(delivery) => {
                report(&mut tally, &delivery);
                finished.push(delivery);
            }
            // A panicked send leaves its row claimed; the lease brings it back.
            Err(error) => tracing::error!(%error, "an email send task failed"),
        }
        if finished.len() >= batch || (sends.is_empty() && !finished.is_empty()) {
            if let Err(error) = record(service, &finished).await {
                first_error.get_or_insert(error);
            }
            finished.clear();
        }
    }
    match first_error {
        Some(error) => Err(error),
        None => Ok(tally),
    }
}

/// Counts, logs and meters one delivery.
fn report(tally: &mut Tally, delivery: &Delivery) {
    let outcome = tally.count(&delivery.outcome);
    match &delivery.outcome {
        DeliveryOutcome::Retry { error, .. } => {
            tracing::warn!(award = %delivery.award_id, %error, "email will be retried");
        }
        DeliveryOutcome::Failed { error, .. } => {
            tracing::warn!(award = %delivery.award_id, %error, "email failed");
        }
        DeliveryOutcome::Sent { .. } => {}
    }
    metrics::counter!("laurel_emails_total", "outcome" => outcome).increment(1);
}

/// Records how a batch of emails went. They went out: recording that must not be lost to a
/// passing database error, or their claims would lapse and they would be sent again.
async fn record(service: &Service, deliveries: &[Delivery]) -> ServiceResult<()> {
    let mut tries = 0;
    loop {
        match service.store.finish_notifications(deliveries).await {
            Ok(()) => return Ok(()),
            Err(error) if tries < 5 => {
                tries += 1;
                tracing::warn!(%error, tries, "recording sent emails failed; trying again");
                tokio::time::sleep(std::time::Duration::from_millis(200 << tries)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// What a batch shares: issuers, their settings, achievements and their templates. A read
/// that fails is kept as its error, so it fails (and retries) only the rows that need it.
struct Context {
    issuers: HashMap<Uuid, Result<(Issuer, Option<EmailSettings>), String>>,
    achievements: HashMap<Uuid, Result<(Achievement, TemplateText), String>>,
    /// The batch's awards, read in one call after the claim (so a revocation made before
    /// the claim is seen); an award missing here no longer exists.
    awards: Result<HashMap<Uuid, Award>, String>,
}

impl Context {
    async fn load(service: &Service, batch: &[Notification]) -> Self {
        let mut issuers = HashMap::new();
        let mut achievements = HashMap::new();
        for n in batch {
            if let Entry::Vacant(slot) = issuers.entry(n.issuer_id) {
                let read = async {
                    let issuer = service.store.issuer(n.issuer_id).await?;
                    let settings = service.store.email_settings(n.issuer_id).await?;
                    Ok::<_, laurel_store::StoreError>((issuer, settings))
                };
                slot.insert(read.await.map_err(|e| format!("reading the issuer: {e}")));
            }
            if let Entry::Vacant(slot) = achievements.entry(n.achievement_id) {
                let read = async {
                    let achievement = service
                        .store
                        .achievement(n.achievement_id)
                        .await
                        .map_err(|e| e.to_string())?;
                    let (source, _) = template_for(service, &achievement)
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok::<_, String>((achievement, source))
                };
                slot.insert(
                    read.await
                        .map_err(|e| format!("reading the achievement: {e}")),
                );
            }
        }
        let ids: Vec<Uuid> = batch.iter().map(|n| n.award_id).collect();
        let awards = match service.store.awards_by_id(&ids).await {
            Ok(awards) => Ok(awards.into_iter().map(|a| (a.id, a)).collect()),
            Err(error) => Err(format!("reading the credential: {error}")),
        };
        Context {
            issuers,
            achievements,
            awards,
        }
    }
}

/// Everything one notification's email needs, from its batch's [`Context`].
struct Ready<'c> {
    award: &'c Award,
    issuer: &'c Issuer,
    settings: &'c EmailSettings,
    achievement: &'c Achievement,
    source: &'c TemplateText,
}

/// What `n`'s email needs, or how its attempt ends without one.
fn ready<'c>(
    service: &Service,
    context: &'c Context,
    n: &Notification,
) -> Result<Ready<'c>, DeliveryOutcome> {
    let options = &service.outbox.options;
    // Claimed again after its lease lapsed (a worker died or hung mid-batch) more often than
    // attempts allow: stop, rather than retrying every lease forever.
    if n.attempts > options.max_attempts {
        return Err(failed(format!(
            "gave up after {} attempts: its sending was interrupted each time",
            n.attempts - 1
        )));
    }
    let award = match &context.awards {
        Ok(awards) => match awards.get(&n.award_id) {
            Some(award) => award,
            None => return Err(failed("the credential no longer exists")),
        },
        Err(error) => {
            return Err(retry_or_fail(
                service,
                n.attempts,
                None,
                error.clone(),
                None,
            ));
        }
    };
    if award.revoked_at.is_some() {
        return Err(failed(
            "the credential was revoked before its email was sent",
        ));
    }
    let (issuer, settings) = match context.issuers.get(&n.issuer_id) {
        Some(Ok(read)) => read,
        Some(Err(error)) => {
            return Err(retry_or_fail(
                service,
                n.attempts,
                None,
                error.clone(),
                None,
            ));
        }
        None => return Err(failed("the issuer no longer exists")),
    };
    let Some(settings) = settings else {
        return Err(failed(
            "the issuer has no email settings: set them, then resend",
        ));
    };
    let (achievement, source) = match context.achievements.get(&n.achievement_id) {
        Some(Ok(read)) => read,
        Some(Err(error)) => {
            return Err(retry_or_fail(
                service,
                n.attempts,
                None,
                error.clone(),
                None,
            ));
        }
        None => return Err(failed("the achievement no longer exists")),
    };
    Ok(Ready {
        award,
        issuer,
        settings,
        achievement,
        source,
    })
}

/// The personal claim links of the batch's emails that will go out (a suspended award gets
/// its page instead), by award: made and stored in one call rather than one per email. If
/// storing them fails, each of those emails is retried later with the error.
async fn claim_links(
    service: &Service,
    context: &Context,
    batch: &[Notification],
) -> HashMap<Uuid, Result<String, String>> {
    let awards: Vec<&Award> = batch
        .iter()
        .filter_map(|n| ready(service, context, n).ok())
        .map(|ready| ready.award)
        .filter(|award| award.suspended_at.is_none())
        .collect();
    if awards.is_empty() {
        return HashMap::new();
    }
    match crate::wallet::claims::issue_claims(service, &awards).await {
        Ok(links) => links
            .into_iter()
            .map(|link| (link.award_id, Ok(link.url)))
            .collect(),
        Err(error) => {
            let error = format!("making the claim link: {error}");
            awards
                .iter()
                .map(|award| (award.id, Err(error.clone())))
                .collect()
        }
    }
}

/// Where the template an email uses came from (reported as `source` by the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateOrigin {
    /// The achievement's own.
    Achievement,
    /// The issuer's default.
    Issuer,
    /// Laurel's default.
    Default,
}

/// The template an achievement's emails use: its own, else its issuer's, else the default.
pub async fn template_for(
    service: &Service,
    achievement: &Achievement,
) -> ServiceResult<(TemplateText, TemplateOrigin)> {
    if let Some(t) = service.store.email_template(achievement.id).await? {
        return Ok((TemplateText::from(&t), TemplateOrigin::Achievement));
    }
    if let Some(t) = service.store.email_template(achievement.issuer_id).await? {
        return Ok((TemplateText::from(&t), TemplateOrigin::Issuer));
    }
    Ok((TemplateText::default_template(), TemplateOrigin::Default))
}

/// The values an award's email fills in.
pub fn values(
    service: &Service,
    award: &Award,
    achievement: &Achievement,
    issuer: &Issuer,
) -> Values {
    let credential_url = service.urls.credential(award.id);
    Values {
        recipient_name: award.recipient_name.clone().unwrap_or_default(),
        recipient_email: award.recipient_email.clone(),
        badge_name: achievement.name.clone(),
        badge_description: achievement.description.clone(),
        issuer_name: issuer.name.clone(),
        issued_on: award.issued_at.format("%Y-%m-%d").to_string(),
        linkedin_url: crate::links::linkedin_via(&credential_url),
        badge_image_url: badge_image_url(service, award, achievement),
        issuer_color: issuer_color(issuer).to_string(),
        credential_url,
        verify_url: format!("{}/verify", service.urls.origin()),
        claim_url: crate::wallet::claims::claim_url(service, PREVIEW_CLAIM_TOKEN),
        role: award.role.clone().unwrap_or_default(),
    }
}

/// The claim link's token in [`values`]: an example for previews. A real email gets a fresh
/// personal link when it is composed ([`deliver`]).
pub const PREVIEW_CLAIM_TOKEN: &str = "example-personal-link";

/// The colour of an issuer without one of its own, in emails.
pub const NEUTRAL_COLOR: &str = "#2f4f6f";

/// The issuer's colour if it is a plain `#rrggbb` (it goes into an email's CSS), else a
/// neutral one.
pub fn issuer_color(issuer: &Issuer) -> &str {
    match issuer.brand_color.as_deref() {
        Some(color)
            if color.len() == 7
                && color.starts_with('#')
                && color[1..].bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            color
        }
        _ => NEUTRAL_COLOR,
    }
}

/// A PNG of the badge for the email (email programs do not show SVG): the achievement's own
/// picture when it is a PNG, else the credential baked into one (an SVG badge rendered to PNG,
/// a generated medal when the badge has no picture).
fn badge_image_url(service: &Service, award: &Award, achievement: &Achievement) -> String {
    match achievement.image.as_deref() {
        Some(stored) if !stored.ends_with(".svg") => {
            crate::documents::image_url(&service.urls, stored)
        }
        _ => format!("{}.png", service.urls.credential(award.id)),
    }
}

/// The host name of the service's public URL: the `Message-ID` domain and SMTP `EHLO` name.
pub fn domain(service: &Service) -> String {
    let origin = service.urls.origin();
    let host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    let host = host.split(['/', ':']).next().unwrap_or(host);
    if host.is_empty() {
        "localhost".into()
    } else {
        host.to_string()
    }
}

fn failed(error: impl Into<String>) -> DeliveryOutcome {
    DeliveryOutcome::Failed {
        error: error.into(),
        reply: None,
    }
}

/// Renders, builds and sends one notification with its claim link (made for the batch by
/// [`claim_links`]); never fails, only reports.
async fn deliver(
    service: &Service,
    context: &Context,
    n: &Notification,
    link: Option<Result<String, String>>,
) -> DeliveryOutcome {
    let Ready {
        award,
        issuer,
        settings,
        achievement,
        source,
    } = match ready(service, context, n) {
        Ok(ready) => ready,
        Err(outcome) => return outcome,
    };
    let mut values = values(service, award, achievement, issuer);
    // The recipient's personal claim link, minted for this email: only its hash is stored, so
    // this email is the one place it exists. A suspended award gets its page instead.
    values.claim_url = if award.suspended_at.is_some() {
        values.credential_url.clone()
    } else {
        match link {
            Some(Ok(url)) => url,
            Some(Err(error)) => return retry_or_fail(service, n.attempts, None, error, None),
            None => {
                let error = "making the claim link: none was made".to_string();
                return retry_or_fail(service, n.attempts, None, error, None);
            }
        }
    };
    let rendered = match source.render(&values) {
        Ok(rendered) => rendered,
        Err(error) => return failed(format!("the template does not render: {error}")),
    };
    send(
        service,
        Outgoing {
            settings,
            issuer_name: &issuer.name,
            to: &award.recipient_email,
            to_name: award.recipient_name.as_deref(),
            rendered: &rendered,
            // Retries of one queueing send the same Message-ID; a resend (which clears it) a
            // new one.
            message_id: n.message_id.clone(),
            attempts: n.attempts,
        },
    )
    .await
}

/// One rendered email on its way to one person, as the outbox holds it: award emails and
/// pathway invitations alike.
pub(crate) struct Outgoing<'a> {
    /// The issuer's mail settings.
    pub settings: &'a EmailSettings,
    /// The issuer's name, the sender's display name.
    pub issuer_name: &'a str,
    /// The recipient's address and name.
    pub to: &'a str,
    /// The recipient's name, if known.
    pub to_name: Option<&'a str>,
    /// The message's words.
    pub rendered: &'a super::template::Rendered,
    /// The Message-ID of an earlier attempt, kept so a retry is recognisably the same email.
    pub message_id: Option<String>,
    /// Attempts so far (the one under way included).
    pub attempts: u32,
}

/// Builds and sends one message (or only records it, in dry mode); never fails, only reports.
pub(crate) async fn send(service: &Service, out: Outgoing<'_>) -> DeliveryOutcome {
    let options = &service.outbox.options;
    let domain = domain(service);
    let message_id = out
        .message_id
        .clone()
        .unwrap_or_else(|| message::message_id(&domain));
    let built = message::build(&Parts {
        settings: out.settings,
        issuer_name: out.issuer_name,
        to: out.to,
        to_name: out.to_name,
        rendered: out.rendered,
        message_id: &message_id,
        date: service.clock.now(),
    });
    let message = match built {
        Ok(message) => message,
        Err(error) => return failed(error.to_string()),
    };
    let sent = |reply: Option<String>, dry_run: bool| DeliveryOutcome::Sent {
        message_id: message_id.clone(),
        subject: out.rendered.subject.clone(),
        reply,
        dry_run,
    };
    if options.dry_run || out.settings.dry_run {
        return sent(None, true);
    }
    let transport = match service.outbox.transports.get(
        out.settings,
        &service.vault,
        options.timeout,
        u32::try_from(options.concurrency).unwrap_or(u32::MAX),
        &domain,
    ) {
        Ok(transport) => transport,
        Err(error) => return failed(format!("the email settings are unusable: {error}")),
    };
    match smtp::send(&transport, message, options.timeout).await {
        Sent::Accepted(reply) => sent(Some(reply), false),
        Sent::Permanent { error, reply } => DeliveryOutcome::Failed { error, reply },
        Sent::Temporary { error, reply } => retry_or_fail(
            service,
            out.attempts,
            Some(message_id.clone()),
            error,
            reply,
        ),
    }
}

/// A temporary failure: retried after the backoff, or given up after the last attempt.
pub(crate) fn retry_or_fail(
    service: &Service,
    attempts: u32,
    message_id: Option<String>,
    error: String,
    reply: Option<String>,
) -> DeliveryOutcome {
    let options = &service.outbox.options;
    if attempts >= options.max_attempts {
        return DeliveryOutcome::Failed {
            error: format!("gave up after {attempts} attempts: {error}"),
            reply,
        };
    }
    let wait = chrono::Duration::from_std(options.backoff_after(attempts))
        .unwrap_or(chrono::Duration::hours(6));
    let next_attempt_at: DateTime<Utc> = service.clock.now() + wait;
    DeliveryOutcome::Retry {
        message_id,
        error,
        reply,
        next_attempt_at,
    }
}
