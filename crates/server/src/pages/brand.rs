//! An issuer's colour on its pages. The pages' Content-Security-Policy allows styles from this
//! site only (no inline `style`), so the colour is a tiny stylesheet of its own,
//! `/assets/brand/{issuer_id}.css`, that sets the custom properties `laurel.css` paints the
//! header bar and the main button with. The text on the colour is white or near-black,
//! whichever contrasts more (WCAG relative luminance).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use laurel_store::{Issuer, StoreError};

use crate::cache::{Cache, Representation};
use crate::{AppState, HttpError};

/// Near-black text on light colours: the pages' ink.
const INK: &str = "#1b1f24";
const WHITE: &str = "#ffffff";

/// The `<link>`ed URL of an issuer's stylesheet (root-relative), when it has a colour. The
/// query names the colour, so a page linking a new colour fetches it at once.
pub fn stylesheet_url(issuer: &Issuer) -> Option<String> {
    let color = issuer.brand_color.as_deref()?;
    parse(color)?;
    Some(format!(
        "/assets/brand/{}.css?v={}",
        issuer.id,
        color.trim_start_matches('#').to_ascii_lowercase()
    ))
}

/// The stylesheet for a `#rrggbb` colour; `None` for anything else.
pub fn stylesheet(color: &str) -> Option<String> {
    let rgb = parse(color)?;
    let text = text_color(rgb);
    let color = color.to_ascii_lowercase();
    Some(format!(
        "/* The issuer's colour, and a text colour readable on it. */\n\
         :root {{ --brand: {color}; --brand-text: {text}; }}\n"
    ))
}

/// White or near-black, whichever has the higher contrast ratio on `rgb`.
pub fn text_color(rgb: [u8; 3]) -> &'static str {
    let background = luminance(rgb);
    let contrast = |l: f64| {
        let (hi, lo) = if l > background {
            (l, background)
        } else {
            (background, l)
        };
        (hi + 0.05) / (lo + 0.05)
    };
    let ink = luminance([0x1b, 0x1f, 0x24]);
    if contrast(1.0) >= contrast(ink) {
        WHITE
    } else {
        INK
    }
}

/// WCAG 2 relative luminance of an sRGB colour.
fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

fn parse(color: &str) -> Option<[u8; 3]> {
    let hex = color.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// `GET /assets/brand/{issuer_id}.css`: 404 for an unknown issuer or one without a colour.
/// Cached briefly (the colour can be edited), with an ETag.
pub async fn serve(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let missing = || HttpError::NotFound(format!("no brand stylesheet {file}"));
    let id = file
        .strip_suffix(".css")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .ok_or_else(missing)?;
    let issuer = match state.store.issuer(id).await {
        Ok(issuer) => issuer,
        Err(StoreError::NotFound) => return Err(missing()),
        Err(other) => return Err(other.into()),
    };
    let css = issuer
        .brand_color
        .as_deref()
        .and_then(stylesheet)
        .ok_or_else(missing)?;
    Ok(Representation::new(css, "text/css; charset=utf-8", Cache::FiveMinutes).respond(&headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_the_colour_is_the_more_readable_of_white_and_ink() {
        assert_eq!(text_color([0x0b, 0x53, 0x94]), WHITE);
        assert_eq!(text_color([0, 0, 0]), WHITE);
        assert_eq!(text_color([0x8a, 0x10, 0x10]), WHITE);
        assert_eq!(text_color([0xff, 0xff, 0xff]), INK);
        assert_eq!(text_color([0xff, 0xd7, 0x00]), INK);
        assert_eq!(text_color([0xa0, 0xc4, 0xff]), INK);
    }

    #[test]
    fn only_rrggbb_makes_a_stylesheet() {
        let css = stylesheet("#0B5394").unwrap_or_default();
        assert!(
            css.contains("--brand: #0b5394; --brand-text: #ffffff;"),
            "{css}"
        );
        for bad in ["0b5394", "#0b539", "#0b53944", "#0b539g", "red", "#fff", ""] {
            assert_eq!(stylesheet(bad), None, "{bad}");
        }
    }
}
