//! The page around every page: `<head>` with the social-preview tags, a site header, `<main>`
//! and a footer. Only [`super::html::esc`]aped values are interpolated.

use super::assets;
use super::html::{esc, link};

/// What a page says about itself in `<head>`: title, a one-line description and, for link
/// previews (Open Graph, Twitter cards), its canonical URL and image.
#[derive(Debug, Clone, Default)]
pub struct Head {
    /// The `<title>` and `og:title`.
    pub title: String,
    /// `description`, `og:description`.
    pub description: String,
    /// The page's canonical URL (`og:url`).
    pub url: String,
    /// An absolute image URL (`og:image`), preferably a PNG: previewers rarely show SVG.
    pub image: Option<String>,
    /// The image's alt text.
    pub image_alt: String,
    /// The issuer's colour stylesheet ([`super::brand::stylesheet_url`]), when it has one.
    pub brand: Option<String>,
}

/// A whole HTML document: `body` is trusted markup built from escaped values; `footer_link`
/// is the issuer's site, when there is one.
pub fn page(head: &Head, body: &str, footer_link: Option<(&str, &str)>) -> String {
    let title = esc(&head.title);
    let description = esc(&head.description);
    let url = esc(&head.url);
    let mut meta = format!(
        r#"<meta name="description" content="{description}">
<meta property="og:type" content="website">
<meta property="og:title" content="{title}">
<meta property="og:description" content="{description}">
<meta property="og:url" content="{url}">
<meta name="twitter:title" content="{title}">
<meta name="twitter:description" content="{description}">
"#
    );
    match &head.image {
        Some(image) => {
            let image = esc(image);
            let alt = esc(&head.image_alt);
            meta.push_str(&format!(
                r#"<meta property="og:image" content="{image}">
<meta property="og:image:alt" content="{alt}">
<meta name="twitter:card" content="summary">
<meta name="twitter:image" content="{image}">
<meta name="twitter:image:alt" content="{alt}">
"#
            ));
        }
        None => meta.push_str("<meta name=\"twitter:card\" content=\"summary\">\n"),
    }
    let footer = match footer_link.and_then(|(name, url)| Some((esc(name), link(url)?))) {
        Some((name, url)) => format!(r#"<a href="{url}">{name}</a> · "#),
        None => String::new(),
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{meta}<link rel="canonical" href="{url}">
<link rel="stylesheet" href="{css}">
{brand}<script src="{js}" defer></script>
</head>
<body>
<header class="site"><strong>Open Badges</strong></header>
<main>
{body}
</main>
<footer class="site"><p>{footer}Open Badges 3.0: signed records of achievement that anyone can check. Made with Laurel.</p></footer>
</body>
</html>
"#,
        css = esc(&assets::css_url()),
        brand = head
            .brand
            .as_deref()
            .map(|href| format!("<link rel=\"stylesheet\" href=\"{}\">\n", esc(href)))
            .unwrap_or_default(),
        js = esc(&assets::js_url()),
    )
}
