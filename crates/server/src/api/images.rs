//! Image uploads (issuer logos, badge images): PNG or SVG, at most 1 MiB, checked before
//! they are stored and published.
//!
//! Images are served from the service's own origin, so an SVG carrying script would run
//! there (stored XSS). Rather than rewrite SVGs, we refuse any with a `<script>` or
//! `<foreignObject>` element, an event-handler attribute (`on…`), a `javascript:` URL (in an
//! attribute or a `<style>` sheet) or a DOCTYPE (entity expansion). The type is taken from
//! `Content-Type` and must match the bytes.

use axum::body::Body;
use axum::http::{HeaderMap, header};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use sha2::{Digest, Sha256};

use crate::{ApiError, ApiResult, AppState, documents};

/// The largest image accepted.
pub const MAX_IMAGE_BYTES: usize = 1024 * 1024;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Reads, checks and stores an uploaded image; returns the file name to keep in the row.
pub async fn upload(state: &AppState, headers: &HeaderMap, body: Body) -> ApiResult<String> {
    let content_type = content_type(headers)?;
    let bytes = axum::body::to_bytes(body, MAX_IMAGE_BYTES)
        .await
        .map_err(|_| {
            ApiError::PayloadTooLarge(format!(
                "images may be at most {MAX_IMAGE_BYTES} bytes (1 MiB)"
            ))
        })?;
    check(content_type, &bytes)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    state
        .store
        .put_image(&laurel_store::Image {
            sha256: sha256.clone(),
            content_type: content_type.to_string(),
            bytes: bytes.to_vec(),
        })
        .await?;
    Ok(documents::image_file_name(&sha256, content_type))
}

/// The declared type: `image/png` or `image/svg+xml`, else 415.
fn content_type(headers: &HeaderMap) -> ApiResult<&'static str> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    match declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "image/png" => Ok("image/png"),
        "image/svg+xml" => Ok("image/svg+xml"),
        _ => Err(ApiError::UnsupportedMediaType(format!(
            "upload the image as the raw body with `Content-Type: image/png` or `Content-Type: image/svg+xml` (got {})",
            if declared.is_empty() {
                "no Content-Type".to_string()
            } else {
                format!("{declared:?}")
            }
        ))),
    }
}

/// Checks that the bytes are an image of the declared type (and a safe one, for SVG).
pub fn check(content_type: &str, bytes: &[u8]) -> ApiResult<()> {
    if bytes.is_empty() {
        return Err(ApiError::BadRequest("the image is empty".into()));
    }
    if content_type == "image/png" {
        // The signature, then the IHDR chunk that must come first.
        if bytes.starts_with(PNG_SIGNATURE) && bytes.get(12..16) == Some(b"IHDR") {
            Ok(())
        } else {
            Err(ApiError::UnsupportedMediaType(
                "the body is not a PNG image (it lacks the PNG signature and header)".into(),
            ))
        }
    } else {
        check_svg(bytes)
            .map_err(|why| ApiError::UnsupportedMediaType(format!("SVG refused: {why}")))
    }
}

/// Why an SVG is not acceptable, if it is not.
fn check_svg(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut seen_root = false;
    let mut in_style = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|error| format!("it is not well-formed XML ({error})"))?;
        match event {
            Event::Start(element) => {
                check_root(&element, &mut seen_root)?;
                check_element(&element)?;
                in_style = element
                    .local_name()
                    .into_inner()
                    .eq_ignore_ascii_case("style");
            }
            Event::Empty(element) => {
                check_root(&element, &mut seen_root)?;
                check_element(&element)?;
            }
            Event::End(_) => in_style = false,
            Event::Text(text) if in_style => check_style(&text[..])?,
            Event::CData(text) if in_style => check_style(&text[..])?,
            // An escaped character could spell `javascript:` past the check above.
            Event::GeneralRef(_) if in_style => {
                return Err("its <style> uses character references (&…;)".into());
            }
            Event::DocType(_) => {
                return Err("it has a DOCTYPE (entity declarations are not accepted)".into());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if seen_root {
        Ok(())
    } else {
        Err("it has no <svg> element".into())
    }
}

/// The first element must be `<svg>`.
fn check_root(element: &BytesStart<'_>, seen_root: &mut bool) -> Result<(), String> {
    if !*seen_root {
        if !element
            .local_name()
            .into_inner()
            .eq_ignore_ascii_case("svg")
        {
            return Err("the root element is not <svg>".into());
        }
        *seen_root = true;
    }
    Ok(())
}

/// A `<style>` sheet may not reach script (`javascript:` URLs, old IE `expression()`).
fn check_style(text: &str) -> Result<(), String> {
    let css: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    if css.contains("javascript:") || css.contains("expression(") {
        Err("its <style> reaches script (javascript: or expression())".into())
    } else {
        Ok(())
    }
}

fn check_element(element: &BytesStart<'_>) -> Result<(), String> {
    let name = element.local_name().into_inner().to_ascii_lowercase();
    if name == "script" || name == "foreignobject" {
        return Err(format!("it contains a <{name}> element"));
    }
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|error| format!("a malformed attribute ({error})"))?;
        let key = attribute.key.local_name().into_inner().to_ascii_lowercase();
        if key.starts_with("on") {
            return Err(format!("<{name}> has an event-handler attribute {key:?}"));
        }
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|error| format!("a malformed attribute value ({error})"))?;
        // Browsers ignore whitespace and control characters inside a URL scheme.
        let squeezed: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect::<String>()
            .to_ascii_lowercase();
        if squeezed.contains("javascript:") || squeezed.contains("vbscript:") {
            return Err(format!("<{name}> has a script URL in {key:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> Vec<u8> {
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{body}</svg>"#)
            .into_bytes()
    }

    #[test]
    fn plain_svg_and_png_pass() {
        assert!(
            check(
                "image/svg+xml",
                &svg(r#"<circle cx="5" cy="5" r="4" fill="red"/>"#)
            )
            .is_ok()
        );
        let styled = svg(r#"<style>circle { fill: url(#g) }</style><circle r="4"/>"#);
        assert!(check("image/svg+xml", &styled).is_ok());
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(b"\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0");
        assert!(check("image/png", &png).is_ok());
    }

    #[test]
    fn scripted_or_wrong_images_are_refused() {
        for bad in [
            svg("<script>alert(1)</script>"),
            svg(r#"<rect onload="alert(1)"/>"#),
            svg(r#"<a href=" java&#x09;script:alert(1)"><text>x</text></a>"#),
            svg(r#"<a xlink:href="JavaScript:alert(1)"/>"#),
            svg(r#"<foreignObject><div/></foreignObject>"#),
            svg("<style>rect { background: url( JavaScript:alert(1)) }</style>"),
            svg("<style>rect { background: url(&#106;avascript:alert(1)) }</style>"),
            br#"<!DOCTYPE svg [<!ENTITY x "y">]><svg/>"#.to_vec(),
            b"<html><body/></html>".to_vec(),
            b"<svg><unclosed></svg>".to_vec(),
            b"\x89PNG not really".to_vec(),
        ] {
            assert!(
                check("image/svg+xml", &bad).is_err(),
                "{}",
                String::from_utf8_lossy(&bad)
            );
        }
        assert!(check("image/png", &svg("")).is_err());
        assert!(check("image/png", b"").is_err());
    }
}
