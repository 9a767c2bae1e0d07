//! The few helpers the page views are computed with: safe link targets and dates
//! (credits in words are [`laurel_service::units::hours_in_words`]).
//!
//! Escaping is the templates' job: askama escapes every value written into an `.html`
//! template (see [`super`]). What escaping cannot do is judge a link's target: an escaped
//! `javascript:` URL still runs. So every `href` and `src` built from stored text goes through
//! [`href`] first, and a target it refuses is shown as text or not at all.

use chrono::{DateTime, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn dates_read_naturally() {
        let at = parse_date("2026-03-01T09:00:00Z").unwrap_or_default();
        assert_eq!(date(at), "1 March 2026");
    }
}
