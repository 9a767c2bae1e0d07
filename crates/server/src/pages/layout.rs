//! The page around every page: `<head>` with the social-preview tags, a site header, `<main>`
//! and a footer. The markup is `templates/pages/layout.html`, which every page template
//! extends; this module computes what it shows ([`Layout`]).

use super::assets;
use super::html;

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

/// The issuer's site, linked in the footer.
#[derive(Debug, Clone)]
pub struct FooterLink {
    /// The issuer's name.
    pub name: String,
    /// Its site (a checked link target).
    pub href: String,
}

/// Everything the shared layout shows around a page's own content: every page template has
/// one, as its field `layout`.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The `<head>` facts.
    pub head: Head,
    /// The issuer's site, when there is one and it is a web address.
    pub footer: Option<FooterLink>,
    /// The stylesheet's versioned URL.
    pub css: String,
    /// The script's versioned URL.
    pub js: String,
}

impl Layout {
    /// The layout for a page with this `head`; `footer_link` is the issuer's name and site.
    pub fn new(head: Head, footer_link: Option<(&str, &str)>) -> Self {
        let footer = footer_link.and_then(|(name, url)| {
            Some(FooterLink {
                name: name.to_owned(),
                href: html::href(url)?.to_owned(),
            })
        });
        Layout {
            head,
            footer,
            css: assets::css_url(),
            js: assets::js_url(),
        }
    }
}
