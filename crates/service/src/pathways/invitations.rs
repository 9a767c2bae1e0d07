//! Invitations: the email a recipient gets for completing an invitation pathway, once.
//!
//! An invitation is recorded when the pathway is completed (once per achievement and
//! recipient, ever) and delivered by the email worker ([`crate::email::worker`]) with the
//! issuer's email settings, the same SMTP connections, dry mode, retries and backoff as award
//! notifications. Its text is the pathway's invitation template (staff edit it with the
//! pathway), in the email templates' language; Laurel's default otherwise. In an invitation,
//! `{{badge_name}}` is what the recipient is invited to, and `{{credential_url}}` and
//! `{{claim_url}}` are its public page (there is no credential yet).

use std::sync::Arc;

use laurel_store::{DeliveryOutcome, Invitation, InvitationDelivery};
use uuid::Uuid;

use crate::email::template::{TemplateText, Values};
use crate::email::worker::{Outgoing, Tally, issuer_color, retry_or_fail, send};
use crate::{Service, ServiceResult};

/// The invitation's subject when the pathway sets none.
pub const DEFAULT_INVITATION_SUBJECT: &str = "You are invited: {{badge_name}} from {{issuer_name}}";

/// The invitation's text when the pathway sets none.
pub const DEFAULT_INVITATION_BODY: &str = "Hello {{recipient_name|there}},

You have completed every step on the way to \"{{badge_name}}\" from {{issuer_name}}, and you are invited to take part.

{{badge_description}}

More about it: {{credential_url}}

{{issuer_name}}
";

/// The template an invitation uses: the pathway's subject and text, each defaulting.
pub fn invitation_template(subject: Option<&str>, body: Option<&str>) -> TemplateText {
    TemplateText {
        subject: subject.unwrap_or(DEFAULT_INVITATION_SUBJECT).to_string(),
        text: body.unwrap_or(DEFAULT_INVITATION_BODY).to_string(),
        html: None,
    }
}

/// Claims one batch of due invitations for `worker`, sends them and records how each went.
pub async fn deliver_invitations(service: &Arc<Service>, worker: Uuid) -> ServiceResult<Tally> {
    let options = &service.outbox.options;
    let now = service.clock.now();
    let claimed = service
        .store
        .claim_invitations(worker, now, options.claim_until(now), options.batch)
        .await?;
    let mut tally = Tally {
        claimed: claimed.len(),
        ..Tally::default()
    };
    let mut deliveries = Vec::with_capacity(claimed.len());
    for invitation in claimed {
        let outcome = deliver(service, &invitation).await;
        tally.count(&outcome);
        if let DeliveryOutcome::Failed { error, .. } = &outcome {
            tracing::warn!(achievement = %invitation.achievement_id, %error, "invitation failed");
        }
        deliveries.push(InvitationDelivery {
            achievement_id: invitation.achievement_id,
            recipient_email: invitation.recipient_email.clone(),
            claim: worker,
            at: service.clock.now(),
            outcome,
        });
    }
    if !deliveries.is_empty() {
        service.store.finish_invitations(&deliveries).await?;
    }
    Ok(tally)
}

fn failed(error: impl Into<String>) -> DeliveryOutcome {
    DeliveryOutcome::Failed {
        error: error.into(),
        reply: None,
    }
}

/// Renders, builds and sends one invitation; never fails, only reports.
async fn deliver(service: &Service, i: &Invitation) -> DeliveryOutcome {
    let options = &service.outbox.options;
    if i.attempts > options.max_attempts {
        return failed(format!("gave up after {} attempts", i.attempts - 1));
    }
    let read = async {
        let issuer = service.store.issuer(i.issuer_id).await?;
        let settings = service.store.email_settings(i.issuer_id).await?;
        let achievement = service.store.achievement(i.achievement_id).await?;
        let pathway = service.store.pathway(i.achievement_id).await?;
        Ok::<_, laurel_store::StoreError>((issuer, settings, achievement, pathway))
    };
    let (issuer, settings, achievement, pathway) = match read.await {
        Ok(read) => read,
        Err(error) => {
            return retry_or_fail(service, i.attempts, None, format!("reading: {error}"), None);
        }
    };
    let Some(settings) = settings else {
        return failed("the issuer has no email settings");
    };
    let template = invitation_template(
        pathway
            .as_ref()
            .and_then(|p| p.invitation_subject.as_deref()),
        pathway.as_ref().and_then(|p| p.invitation_body.as_deref()),
    );
    let page = service.urls.achievement(achievement.id);
    let values = Values {
        recipient_name: i.recipient_name.clone().unwrap_or_default(),
        recipient_email: i.recipient_email.clone(),
        badge_name: achievement.name.clone(),
        badge_description: achievement.description.clone(),
        issuer_name: issuer.name.clone(),
        issued_on: i.created_at.format("%Y-%m-%d").to_string(),
        credential_url: page.clone(),
        linkedin_url: String::new(),
        verify_url: format!("{}/verify", service.urls.origin()),
        badge_image_url: String::new(),
        issuer_color: issuer_color(&issuer).to_string(),
        claim_url: page,
        // An invitation is not an award: it has no role.
        role: String::new(),
    };
    let rendered = match template.render(&values) {
        Ok(rendered) => rendered,
        Err(error) => return failed(format!("the invitation does not render: {error}")),
    };
    send(
        service,
        Outgoing {
            settings: &settings,
            issuer_name: &issuer.name,
            to: &i.recipient_email,
            to_name: i.recipient_name.as_deref(),
            rendered: &rendered,
            message_id: i.message_id.clone(),
            attempts: i.attempts,
        },
    )
    .await
}
