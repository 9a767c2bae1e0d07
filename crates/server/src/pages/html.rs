//! The few helpers the page views are computed with: safe link targets, dates, hours.
//!
//! Escaping is the templates' job: askama escapes every value written into an `.html`
//! template (see [`super`]). What escaping cannot do is judge a link's target: an escaped
//! `javascript:` URL still runs. So every `href` and `src` built from stored text goes through
//! [`href`] first, and a target it refuses is shown as text or not at all.

use chrono::{DateTime, Utc};

/// Kept for the console only, which still builds its HTML with `format!` until it moves to
/// templates: pages in this module never call it (askama escapes their values). Same as
/// askama's escaping in what it protects (`& < > " '`), with named entities.
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

/// Kept for the console (see [`esc`]); the one query builder is the service's.
pub use laurel_service::links::query;

/// A URL fit for an `href` or `src`: `http(s)` or `mailto`, trimmed (not escaped: the template
/// does that); `None` for anything else (`javascript:`, `data:`, relative oddities).
pub fn href(url: &str) -> Option<&str> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then_some(url)
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
            href(" https://a.example/?x=1&y=2 "),
            Some("https://a.example/?x=1&y=2")
        );
        assert!(href("mailto:a@example.org").is_some());
        assert!(href("javascript:alert(1)").is_none());
        assert!(href(" JavaScript:alert(1)").is_none());
        assert!(href("data:text/html,x").is_none());
    }

    #[test]
    fn dates_and_hours_read_naturally() {
        let at = parse_date("2026-03-01T09:00:00Z").unwrap_or_default();
        assert_eq!(date(at), "1 March 2026");
        assert_eq!(hours(3.0), "3");
        assert_eq!(hours(1.5), "1.5");
    }
}
