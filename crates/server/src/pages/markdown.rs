//! Markdown fields (descriptions, criteria, narratives) as HTML for readers.
//!
//! Open Badges calls these fields Markdown, and issuers write `**bold**` and lists in them;
//! shown escaped, readers see the asterisks. So they are rendered with pulldown-cmark
//! (CommonMark) and the result is cleaned by ammonia, a maintained allow-list sanitizer:
//! whatever an issuer (or someone who took over an issuer's account) writes, the page gets
//! only harmless markup. Raw HTML in the text is shown as text, not passed through; links
//! keep only http(s) and mailto targets and open with `rel="noopener noreferrer nofollow"`;
//! images are dropped (a page must not load what a badge's text points at).

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser, TagEnd};

/// `text` (Markdown) as sanitized HTML, ready to place inside a `<div>`.
pub fn render(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES)
        // Raw HTML becomes text: an issuer writes Markdown, not markup.
        .map(|event| match event {
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            other => other,
        });
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    cleaner().clean(&html).to_string()
}

/// `text` (Markdown) as plain text on one line: for summaries in lists and link previews,
/// where markup would not fit and asterisks would show.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for event in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(part) | Event::Code(part) | Event::Html(part) | Event::InlineHtml(part) => {
                out.push_str(&part)
            }
            // Between blocks and lines a space; inline ends (emphasis, links) add nothing.
            Event::SoftBreak | Event::HardBreak | Event::End(_)
                if !out.ends_with(' ') && !is_inline_end(&event) =>
            {
                out.push(' ')
            }
            _ => {}
        }
    }
    out.trim().to_string()
}

fn is_inline_end(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link)
    )
}

/// The allow-list: text structure, emphasis, lists, quotes, code, tables and links.
fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let tags: HashSet<&str> = [
            "p",
            "br",
            "hr",
            "strong",
            "em",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "h3",
            "h4",
            "h5",
            "h6",
            "a",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
        ]
        .into_iter()
        .collect();
        let mut builder = ammonia::Builder::default();
        builder
            .tags(tags)
            .generic_attributes(HashSet::new())
            .tag_attributes(
                [
                    ("a", ["href"].into_iter().collect()),
                    ("ol", ["start"].into_iter().collect()),
                ]
                .into_iter()
                .collect(),
            )
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("noopener noreferrer nofollow"));
        builder
    })
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_markup() {
        assert_eq!(
            render("Attend **all** of:\n\n- session one\n- session two"),
            "<p>Attend <strong>all</strong> of:</p>\n<ul>\n<li>session one</li>\n<li>session two</li>\n</ul>\n"
        );
        assert_eq!(render("plain text"), "<p>plain text</p>\n");
    }

    #[test]
    fn summaries_are_plain_text() {
        assert_eq!(
            super::plain("Attend **all** of:\n\n- one\n- two `code`"),
            "Attend all of: one two code"
        );
    }

    #[test]
    fn markup_and_scripts_never_pass() {
        let html = render("<script>alert(1)</script> and <b onclick=\"x()\">bold</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "shown as text: {html}");
        let link = render("[click](javascript:alert(1)) [site](https://example.org)");
        assert!(!link.contains("javascript:"), "{link}");
        assert!(
            link.contains(
                r#"<a href="https://example.org" rel="noopener noreferrer nofollow">site</a>"#
            ),
            "{link}"
        );
        let image = render("![tracker](https://evil.example/pixel.png)");
        assert!(!image.contains("<img"), "{image}");
        let heading = render("# Big");
        assert!(!heading.contains("<h1"), "{heading}");
    }
}
