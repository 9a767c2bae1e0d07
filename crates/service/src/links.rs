//! Links built from a credential for places outside Laurel: LinkedIn's "Add to profile".
//!
//! Shared by the credential page's button and the notification email, so both send the same
//! fields.

use chrono::{DateTime, Datelike, Utc};
use laurel_store::{Award, Issuer};
use serde_json::Value;

/// LinkedIn's "Add to profile" link for an award, every field it takes that the credential
/// has, and `organizationId` when the issuer set its LinkedIn company id (LinkedIn then shows
/// the company's logo and links its page). `url` is the credential's public URL.
pub fn linkedin(award: &Award, issuer: Option<&Issuer>, url: &str) -> String {
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
    pairs.push(("certId", award.id.to_string()));
    format!("https://www.linkedin.com/profile/add?{}", query(&pairs))
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
