//! The few primitives every page is built from: escaping, safe links, URL encoding, dates.
//!
//! Pages are plain `format!` strings, so safety rests on one rule: **every value that did not
//! come from this source file goes through [`esc`]**, in text and in attributes alike (it
//! escapes quotes too, so one function serves both). Names, descriptions, criteria, evidence
//! and reasons are typed by staff or imported from attendance reports; a recipient's name may
//! be anything. A link's target is escaped *and* checked by [`link`]: escaping alone would let
//! a `javascript:` URL through.

use chrono::{DateTime, Utc};

/// Escapes text for HTML text and quoted attribute values: `& < > " '`.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL fit for an `href` or `src`: `http(s)` or `mailto`, escaped; `None` for anything else
/// (`javascript:`, `data:`, relative oddities), which is then shown as text or not at all.
pub fn link(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then(|| esc(url))
}

/// Percent-encodes a query value (RFC 3986: everything but unreserved characters).
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

/// A query string from pairs, each value percent-encoded (then escape the whole for HTML).
pub fn query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", query_value(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A date for people: `1 March 2026` (UTC).
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

/// An RFC 3339 date-time from a credential, if it parses.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// A number of hours without a needless `.0`.
pub fn hours(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            esc(r#"<script>alert(1)</script> "><img src=x onerror='a'> & co"#),
            "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt; &amp; co"
        );
    }

    #[test]
    fn only_web_and_mail_links_are_links() {
        assert_eq!(
            link("https://a.example/?x=1&y=2").unwrap_or_default(),
            "https://a.example/?x=1&amp;y=2"
        );
        assert!(link("mailto:a@example.org").is_some());
        assert!(link("javascript:alert(1)").is_none());
        assert!(link(" JavaScript:alert(1)").is_none());
        assert!(link("data:text/html,x").is_none());
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

    #[test]
    fn dates_and_hours_read_naturally() {
        let at = parse_date("2026-03-01T09:00:00Z").unwrap_or_default();
        assert_eq!(date(at), "1 March 2026");
        assert_eq!(hours(3.0), "3");
        assert_eq!(hours(1.5), "1.5");
    }
}
