//! Links built from a credential for places outside Laurel: LinkedIn's "Add to profile".
//!
//! Shared by the credential page's button and `GET /credentials/{id}/linkedin` (the link the
//! notification email carries), so both send the same fields:
//!
//! - `certId`: the short certificate number ([`crate::certificate::number`]), what a person
//!   can read back off a certificate, never the UUID or a `urn:`;
//! - `issueYear`/`issueMonth`: when the badge was earned (`awardedDate`, the session's date
//!   for an award made by attendance rules), else `validFrom`;
//! - `expirationYear`/`expirationMonth`: `validUntil`, when it has one;
//! - `certUrl`: the credential's permanent page.
//!
//! A revoked or suspended badge is not offered to LinkedIn: [`linkedin`] refuses, in words.
//! An email is sent once and read later, so it links through this site, which asks again
//! when the link is followed.

use chrono::{DateTime, Datelike, Utc};
use laurel_store::{Award, Issuer};
use serde_json::Value;

/// Why a credential cannot be added to LinkedIn now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotShareable {
    /// Revoked by its issuer (when).
    #[error(
        "This badge was revoked by its issuer on {}, so it cannot be added to a LinkedIn profile.",
        day(.0)
    )]
    Revoked(DateTime<Utc>),
    /// Suspended by its issuer (since when); it can be added again once reinstated.
    #[error(
        "This badge is suspended by its issuer since {}, so it cannot be added to a LinkedIn profile while it is suspended.",
        day(.0)
    )]
    Suspended(DateTime<Utc>),
}

fn day(at: &DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

/// Whether the award may be shared to LinkedIn now: not revoked, not suspended.
pub fn shareable(award: &Award) -> Result<(), NotShareable> {
    if let Some(at) = award.revoked_at {
        return Err(NotShareable::Revoked(at));
    }
    if let Some(at) = award.suspended_at {
        return Err(NotShareable::Suspended(at));
    }
    Ok(())
}

/// The link emails carry: this site's `GET /credentials/{id}/linkedin`, which sends the
/// browser on to LinkedIn only while the badge is in good standing.
pub fn linkedin_via(credential_url: &str) -> String {
    format!("{credential_url}/linkedin")
}

/// LinkedIn's "Add to profile" link for an award in good standing, every field it takes that
/// the credential has, and `organizationId` when the issuer set its LinkedIn company id
/// (LinkedIn then shows the company's logo and links its page). `url` is the credential's
/// public URL.
pub fn linkedin(award: &Award, issuer: Option<&Issuer>, url: &str) -> Result<String, NotShareable> {
    shareable(award)?;
    let credential: Value = serde_json::from_str(&award.credential).unwrap_or(Value::Null);
    let text = |pointer: &str| credential.pointer(pointer).and_then(Value::as_str);
    let date = |pointer: &str| {
        text(pointer)
            .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
            .map(|at| at.with_timezone(&Utc))
    };
    let name = text("/credentialSubject/achievement/name")
        .or_else(|| text("/name"))
        .unwrap_or("Badge");
    let issuer_name = text("/issuer/name").unwrap_or("an unnamed issuer");
    let mut pairs = vec![
        ("startTask", "CERTIFICATION_NAME".to_string()),
        ("name", name.to_string()),
        ("organizationName", issuer_name.to_string()),
    ];
    if let Some(id) = issuer.and_then(|i| i.linkedin_organization_id.as_deref()) {
        pairs.push(("organizationId", id.to_string()));
    }
    if let Some(at) = date("/awardedDate").or_else(|| date("/validFrom")) {
        pairs.push(("issueYear", at.year().to_string()));
        pairs.push(("issueMonth", at.month().to_string()));
    }
    if let Some(at) = date("/validUntil") {
        pairs.push(("expirationYear", at.year().to_string()));
        pairs.push(("expirationMonth", at.month().to_string()));
    }
    pairs.push(("certUrl", url.to_string()));
    pairs.push(("certId", crate::certificate::number(award.id)));
    Ok(format!(
        "https://www.linkedin.com/profile/add?{}",
        query(&pairs)
    ))
}

/// A query string from pairs, each value percent-encoded (escape the whole for HTML after).
pub fn query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", query_value(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A value percent-encoded for a query string: everything but RFC 3986's unreserved
/// characters.
pub fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn award(credential: Value) -> Award {
        let at = Utc
            .with_ymd_and_hms(2026, 5, 2, 9, 0, 0)
            .single()
            .expect("a valid date");
        Award {
            id: Uuid::from_u128(32),
            achievement_id: Uuid::nil(),
            issuer_id: Uuid::nil(),
            recipient_email: "ana@example.org".into(),
            recipient_name: Some("Ana Reader".into()),
            issued_at: at,
            valid_until: None,
            credential: credential.to_string(),
            jwt: String::new(),
            status: None,
            revoked_at: None,
            revocation_reason: None,
            suspended_at: None,
            suspension_reason: None,
            role: None,
        }
    }

    fn fields(link: &str) -> Vec<(String, String)> {
        let query = link
            .strip_prefix("https://www.linkedin.com/profile/add?")
            .expect("a LinkedIn add-to-profile link");
        query
            .split('&')
            .map(|pair| {
                let (name, value) = pair.split_once('=').expect("name=value");
                (name.to_string(), value.to_string())
            })
            .collect()
    }

    #[test]
    fn linkedin_gets_the_certificate_number_the_earned_date_and_the_expiry() {
        let credential = serde_json::json!({
            "name": "Catalogue",
            "validFrom": "2026-05-02T09:00:00Z",
            "awardedDate": "2026-03-14T16:00:00Z",
            "validUntil": "2028-03-14T16:00:00Z",
            "issuer": { "name": "Riverside Library" },
            "credentialSubject": { "achievement": { "name": "Cataloguing basics" } },
        });
        let award = award(credential);
        let url = "https://badges.example.org/credentials/x";
        let link = linkedin(&award, None, url).expect("in good standing");
        let fields = fields(&link);
        let get = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("certId"), Some("0000-0000-0010"));
        assert!(!link.contains("urn"), "{link}");
        assert!(!link.contains(&award.id.to_string()), "{link}");
        assert_eq!(get("name"), Some("Cataloguing%20basics"));
        assert_eq!(get("organizationName"), Some("Riverside%20Library"));
        // Earned in March (the session), signed in May: LinkedIn gets March.
        assert_eq!(get("issueYear"), Some("2026"));
        assert_eq!(get("issueMonth"), Some("3"));
        assert_eq!(get("expirationYear"), Some("2028"));
        assert_eq!(get("expirationMonth"), Some("3"));
        assert_eq!(get("certUrl"), Some(query_value(url).as_str()));
        assert_eq!(get("organizationId"), None);
    }

    #[test]
    fn without_an_earned_date_the_issue_date_is_valid_from_and_nothing_expires() {
        let award = award(serde_json::json!({ "validFrom": "2026-05-02T09:00:00Z" }));
        let link = linkedin(&award, None, "https://x.example/c").expect("shareable");
        assert!(link.contains("issueYear=2026&issueMonth=5"), "{link}");
        assert!(!link.contains("expiration"), "{link}");
        assert!(link.contains("name=Badge"), "{link}");
    }

    #[test]
    fn revoked_and_suspended_badges_are_refused_in_words() {
        let at = Utc
            .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
            .single()
            .expect("a valid date");
        let mut revoked = award(serde_json::json!({}));
        revoked.revoked_at = Some(at);
        let refusal = linkedin(&revoked, None, "https://x.example/c").expect_err("revoked");
        assert_eq!(refusal, NotShareable::Revoked(at));
        assert_eq!(
            refusal.to_string(),
            "This badge was revoked by its issuer on 1 June 2026, so it cannot be added to a LinkedIn profile."
        );
        let mut suspended = award(serde_json::json!({}));
        suspended.suspended_at = Some(at);
        let refusal = linkedin(&suspended, None, "https://x.example/c").expect_err("suspended");
        assert!(
            refusal
                .to_string()
                .contains("suspended by its issuer since 1 June 2026"),
            "{refusal}"
        );
        assert_eq!(
            linkedin_via("https://x.example/credentials/1"),
            "https://x.example/credentials/1/linkedin"
        );
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            query_value("Catalogage avancé & co/1?"),
            "Catalogage%20avanc%C3%A9%20%26%20co%2F1%3F"
        );
        assert_eq!(
            query(&[("a", "x y".into()), ("b", "é".into())]),
            "a=x%20y&b=%C3%A9"
        );
    }
}
