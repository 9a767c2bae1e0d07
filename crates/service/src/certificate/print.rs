//! The printable certificate of an award (`/credentials/{id}.pdf`): gathers what is printed
//! from the signed credential (what was attested: name, criteria, date, credits), the award
//! (recipient's name, revocation, suspension) and the issuer's settings (paper, signatory,
//! colour, logo), and has [`laurel_certificate`] lay it out.
//!
//! A revoked or suspended credential still prints, with "REVOKED" or "SUSPENDED" across the
//! page (and an expired one "EXPIRED"): the page and the credential itself say the same, a
//! refused download would only look broken, and a stamped certificate cannot be passed off
//! as a good one while its QR code leads to the page that says why.

use chrono::{DateTime, Utc};
use laurel_certificate::{Certificate, Paper};
use laurel_store::{Image, PaperSize, StoreError};
use serde_json::Value;
use uuid::Uuid;

use crate::images::raster;
use crate::{Service, ServiceError, ServiceResult, documents};

/// Pixels of the longer side the badge and logo are rendered at (about 300 dpi at their
/// printed size).
const BADGE_SIDE: u32 = 500;
const LOGO_SIDE: u32 = 600;

/// The award's certificate as PDF bytes.
pub async fn pdf(service: &Service, award_id: Uuid) -> ServiceResult<Vec<u8>> {
    let award = service
        .store
        .award(award_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "credential", award_id))?;
    let issuer = service
        .store
        .issuer(award.issuer_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "issuer", award.issuer_id))?;
    let credential: Value = serde_json::from_str(&award.credential).map_err(|error| {
        ServiceError::Internal(format!("credential {award_id}: stored JSON: {error}"))
    })?;
    let text = |pointer: &str| {
        credential
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let number = |pointer: &str| credential.pointer(pointer).and_then(Value::as_f64);
    let date = |pointer: &str| {
        text(pointer)
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|at| at.with_timezone(&Utc))
    };

    let badge = match badge_image(service, award.achievement_id, &credential).await? {
        Some(image) => Some(
            raster::as_png(service, &image, BADGE_SIDE)
                .await?
                .bytes
                .clone(),
        ),
        // A badge without artwork is shown as the medal its pages and baked PNG show.
        None => Some(crate::images::MEDAL_PNG.to_vec()),
    };
    let logo = match issuer.image.as_deref() {
        Some(file) => match stored_image(service, file).await? {
            Some(image) => Some(
                raster::as_png(service, &image, LOGO_SIDE)
                    .await?
                    .bytes
                    .clone(),
            ),
            None => None,
        },
        None => None,
    };

    let awarded = date("/awardedDate")
        .or_else(|| date("/validFrom"))
        .unwrap_or(award.issued_at);
    // The day as the issuer's programme lived it: a 7 pm webinar in Chicago is not the next
    // day's, as its UTC date would say.
    let zone = crate::activity::local_time::issuer_zone(service, issuer.id).await?;
    let awarded = zone.local(awarded).date();
    let now = service.clock.now();
    let stamp = if award.revoked_at.is_some() {
        Some("REVOKED")
    } else if award.suspended_at.is_some() {
        Some("SUSPENDED")
    } else if award.valid_until.is_some_and(|until| until <= now) {
        Some("EXPIRED")
    } else {
        None
    };
    let certificate = Certificate {
        paper: match issuer.paper_size {
            PaperSize::Letter => Paper::Letter,
            PaperSize::A4 => Paper::A4,
        },
        issuer_name: text("/issuer/name").unwrap_or_else(|| issuer.name.clone()),
        brand_color: issuer.brand_color.clone(),
        logo_png: logo,
        badge_png: badge,
        recipient_name: award.recipient_name.clone(),
        // The role as signed: what the page and the verifier show.
        role: text("/credentialSubject/role"),
        achievement_name: text("/credentialSubject/achievement/name")
            .or_else(|| text("/name"))
            .unwrap_or_else(|| "Badge".into()),
        criteria: text("/credentialSubject/achievement/criteria/narrative")
            .map(|narrative| sentence(&narrative))
            .filter(|s| !s.is_empty()),
        dates: format!("Awarded {}", awarded.format("%-d %B %Y")),
        credits: number("/credentialSubject/creditsEarned").map(crate::units::hours_in_words),
        signatory_name: issuer.signatory_name.clone(),
        signatory_title: issuer.signatory_title.clone(),
        number: super::number(award.id),
        url: service.urls.credential(award.id),
        stamp: stamp.map(str::to_owned),
    };
    tokio::task::spawn_blocking(move || laurel_certificate::render(&certificate))
        .await
        .map_err(|error| ServiceError::Internal(format!("the certificate stopped: {error}")))?
        .map_err(|error| ServiceError::Internal(format!("certificate {award_id}: {error}")))
}

/// The criteria narrative (Markdown) as one plain sentence or paragraph: markup characters
/// and link targets dropped, whitespace collapsed.
pub fn sentence(markdown: &str) -> String {
    let mut plain = String::with_capacity(markdown.len());
    let mut in_target = false;
    let mut previous = ' ';
    for c in markdown.chars() {
        if in_target {
            in_target = c != ')';
            continue;
        }
        if c == '(' && previous == ']' {
            in_target = true;
            continue;
        }
        previous = c;
        if !matches!(c, '*' | '_' | '#' | '`' | '[' | ']' | '>') {
            plain.push(c);
        }
    }
    let plain = plain
        .split_whitespace()
        .map(|word| word.trim_start_matches('-'))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    plain.trim().to_string()
}

/// The image the credential names if it is one of ours, else the achievement's current one.
async fn badge_image(
    service: &Service,
    achievement_id: Uuid,
    credential: &Value,
) -> ServiceResult<Option<Image>> {
    let named = credential
        .pointer("/credentialSubject/achievement/image")
        .and_then(|image| image.get("id").or(Some(image)))
        .and_then(Value::as_str);
    if let Some((_, file)) = named.and_then(|named| named.rsplit_once("/images/"))
        && let Some(image) = stored_image(service, file).await?
    {
        return Ok(Some(image));
    }
    match service.store.achievement(achievement_id).await {
        Ok(achievement) => match achievement.image {
            Some(file) => stored_image(service, &file).await,
            None => Ok(None),
        },
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

async fn stored_image(service: &Service, file: &str) -> ServiceResult<Option<Image>> {
    let (sha256, _) = documents::parse_image_file_name(file);
    match service.store.image(sha256).await {
        Ok(image) => Ok(Some(image)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_are_in_words() {
        assert_eq!(crate::units::hours_in_words(1.0), "1 hour");
        assert_eq!(crate::units::hours_in_words(1.5), "1.5 hours");
        assert_eq!(crate::units::hours_in_words(3.0), "3 hours");
        assert_eq!(crate::units::hours_in_words(0.0), "0 hours");
    }

    #[test]
    fn criteria_become_plain_text() {
        assert_eq!(
            sentence(
                "Attend the **whole** [workshop](https://x.example/a_b)\n\n- and _pass_ the quiz."
            ),
            "Attend the whole workshop and pass the quiz."
        );
    }
}
