//! A transcript by email: a recipient without their claim link types their address on the
//! transcript page and is sent a link that opens their transcript for [`LINK_DAYS`].
//!
//! **Nothing is told.** [`request_link`] answers nothing: the page says the same whether or
//! not the address holds credentials here, and the caller runs it as a background job, so the
//! answer does not even take longer when an email is queued. An address with no credential
//! gets no email (there is nothing to send); neither does one whose issuers have no email
//! settings.
//!
//! **The link.** Each request is a row ([`laurel_store::TranscriptLink`]): the address, and
//! when the link expires. The link names the row and its expiry, signed under the
//! installation's link key ([`crate::signed`]), so it cannot be made for another row, moved
//! to a later expiry, or guessed; it opens the transcript of the row's address only, and the
//! address never appears in the URL. Expired rows are swept by [`crate::housekeeping`].
//!
//! **The email** is queued in the row (its own small outbox) and sent by the email worker
//! ([`deliver_links`]) through the email settings of an issuer the recipient holds a
//! credential from (the most recently awarded one with settings), with the same connections,
//! retries, dry mode and emails-per-minute limit as award emails.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use laurel_store::{AwardFilter, DeliveryOutcome, TranscriptLink, TranscriptLinkDelivery};
use uuid::Uuid;

use crate::email::template::{TemplateText, Values};
use crate::email::worker::{Outgoing, Tally, issuer_color, retry_or_fail, send};
use crate::signed::{self, Purpose, Refused};
use crate::{Service, ServiceError, ServiceResult};

/// How long an emailed transcript link works.
pub const LINK_DAYS: i64 = 7;

/// The link email's subject.
pub const SUBJECT: &str = "Your continuing-education transcript";

/// Records a transcript link for `email` and queues its email, if the address holds a
/// credential here from an issuer with email settings; else does nothing. `email` must be
/// normalized ([`crate::mint::recipient_email`]). Whether anything was queued is only logged.
pub async fn request_link(service: &Service, email: &str) -> ServiceResult<()> {
    let filter = AwardFilter {
        recipient_email: Some(email.to_string()),
        limit: super::MAX_CREDENTIALS,
        ..AwardFilter::default()
    };
    let mut awards = service.store.list_awards(&filter).await?.0;
    awards.sort_by_key(|a| std::cmp::Reverse(a.issued_at));
    let mut tried = Vec::new();
    let mut sender = None;
    for award in &awards {
        if tried.contains(&award.issuer_id) {
            continue;
        }
        tried.push(award.issuer_id);
        if service
            .store
            .email_settings(award.issuer_id)
            .await?
            .is_some()
        {
            sender = Some(award.issuer_id);
            break;
        }
    }
    let Some(issuer_id) = sender else {
        tracing::info!(
            credentials = awards.len(),
            "a transcript link was asked for: nothing to send"
        );
        return Ok(());
    };
    let now = service.clock.now();
    let link = TranscriptLink::queued(
        issuer_id,
        email,
        now,
        now + chrono::Duration::days(LINK_DAYS),
    );
    service.store.record_transcript_link(&link).await?;
    service.outbox.wake();
    Ok(())
}

/// The link a row's email carries: `{public_url}/transcript/{token}`.
pub async fn link_url(service: &Service, link: &TranscriptLink) -> ServiceResult<String> {
    let token = signed::token(service, Purpose::Transcript, link.id, link.expires_at).await?;
    Ok(format!("{}/transcript/{token}", service.urls.origin()))
}

/// The link (and so the address) an emailed link's token names. Refused in words the
/// recipient can act on ([`ServiceError::NotFound`]): a link that is not one of ours, or
/// expired.
pub async fn open_link(service: &Service, token: &str) -> ServiceResult<TranscriptLink> {
    let expired = || {
        ServiceError::NotFound(format!(
            "this transcript link has expired (links work for {LINK_DAYS} days): ask for a new \
             one on the transcript page by typing your email address"
        ))
    };
    let unknown = || {
        ServiceError::NotFound(
            "this transcript link is not known: check that the whole link from the email was \
             opened, or ask for a new one on the transcript page"
                .into(),
        )
    };
    if token.len() > 200 {
        return Err(unknown());
    }
    let now = service.clock.now();
    let id = match signed::open(service, Purpose::Transcript, token, now).await? {
        Ok(id) => id,
        Err(Refused::Unknown) => return Err(unknown()),
        Err(Refused::Expired) => return Err(expired()),
    };
    // A row swept after expiring: the link had expired.
    let link = service
        .store
        .transcript_link(id)
        .await?
        .ok_or_else(expired)?;
    if link.expires_at <= now {
        return Err(expired());
    }
    Ok(link)
}

/// The email's words: plain text, the link and its expiry; `page` is the transcript page.
pub fn template(page: &str, expires_at: DateTime<Utc>) -> TemplateText {
    let until = expires_at.format("%-d %B %Y at %H:%M UTC");
    TemplateText {
        subject: SUBJECT.to_string(),
        text: format!(
            "Hello,

Someone, most likely you, asked on {page} for the transcript of the credentials sent to {{{{recipient_email}}}}.

Open your transcript: {{{{claim_url}}}}

The link works for {LINK_DAYS} days, until {until}. From the transcript you can choose the dates, and download it as a PDF to print or send, as a CSV for a spreadsheet, or as a signed CLR for a wallet.

If you did not ask for it, you need not do anything: the link was sent only to this address.

{{{{issuer_name}}}}
"
        ),
        html: None,
    }
}

/// Claims one batch of due link emails for `worker`, sends them and records how each went.
pub async fn deliver_links(service: &Arc<Service>, worker: Uuid) -> ServiceResult<Tally> {
    let options = &service.outbox.options;
    let now = service.clock.now();
    let claimed = service
        .store
        .claim_transcript_links(worker, now, options.claim_until(now), options.batch)
        .await?;
    let mut tally = Tally {
        claimed: claimed.len(),
        ..Tally::default()
    };
    let mut deliveries = Vec::with_capacity(claimed.len());
    for link in claimed {
        let outcome = deliver(service, &link).await;
        tally.count(&outcome);
        if let DeliveryOutcome::Failed { error, .. } = &outcome {
            tracing::warn!(link = %link.id, %error, "a transcript link email failed");
        }
        deliveries.push(TranscriptLinkDelivery {
            id: link.id,
            claim: worker,
            at: service.clock.now(),
            outcome,
        });
    }
    service.store.finish_transcript_links(&deliveries).await?;
    Ok(tally)
}

fn failed(error: impl Into<String>) -> DeliveryOutcome {
    DeliveryOutcome::Failed {
        error: error.into(),
        reply: None,
    }
}

/// Renders, builds and sends one link email; never fails, only reports.
async fn deliver(service: &Service, link: &TranscriptLink) -> DeliveryOutcome {
    let options = &service.outbox.options;
    if link.attempts > options.max_attempts {
        return failed(format!("gave up after {} attempts", link.attempts - 1));
    }
    if link.expires_at <= service.clock.now() {
        return failed("the link expired before its email could be sent");
    }
    let read = async {
        let issuer = service.store.issuer(link.issuer_id).await?;
        let settings = service.store.email_settings(link.issuer_id).await?;
        Ok::<_, laurel_store::StoreError>((issuer, settings))
    };
    let (issuer, settings) = match read.await {
        Ok(read) => read,
        Err(error) => {
            return retry_or_fail(
                service,
                link.attempts,
                None,
                format!("reading: {error}"),
                None,
            );
        }
    };
    let Some(settings) = settings else {
        return failed("the issuer has no email settings");
    };
    let url = match link_url(service, link).await {
        Ok(url) => url,
        Err(error) => {
            let error = format!("making the link: {error}");
            return retry_or_fail(service, link.attempts, None, error, None);
        }
    };
    let values = Values {
        recipient_email: link.recipient_email.clone(),
        issuer_name: issuer.name.clone(),
        issuer_color: issuer_color(&issuer).to_string(),
        claim_url: url,
        ..Values::default()
    };
    let page = format!("{}/transcript", service.urls.origin());
    let rendered = match template(&page, link.expires_at).render(&values) {
        Ok(rendered) => rendered,
        Err(error) => return failed(format!("the email does not render: {error}")),
    };
    send(
        service,
        Outgoing {
            settings: &settings,
            issuer_name: &issuer.name,
            to: &link.recipient_email,
            to_name: None,
            rendered: &rendered,
            message_id: link.message_id.clone(),
            attempts: link.attempts,
        },
    )
    .await
}
