//! Images to bake a credential into when the achievement has none in the requested format.
//!
//! A baked download should always work, whatever was uploaded:
//!
//! | achievement image | `.png` download | `.svg` download |
//! |---|---|---|
//! | PNG | the PNG, baked | an SVG showing the PNG (embedded as a data URI), baked |
//! | SVG | the SVG rendered to PNG ([`laurel_service::images::raster`]), baked | the SVG, baked |
//! | none | a generated PNG medal, baked | a generated SVG medal with the achievement's name |
//!
//! The PNG medal is a fixed file (`laurel_service::images::MEDAL_PNG`), the same disc and ring as the SVG; it is also
//! used if an SVG cannot be rendered.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Side of the generated images, in pixels.
const SIZE: u32 = 256;

/// A plain SVG medal showing `name` (escaped), for achievements without an image.
pub fn generated_svg(name: &str) -> String {
    let lines = wrap(name, 18, 3);
    let first_y = 132 - (lines.len() as i32 - 1) * 12;
    let mut text = String::new();
    for (index, line) in lines.iter().enumerate() {
        text.push_str(&format!(
            "<tspan x=\"128\" y=\"{}\">{}</tspan>",
            first_y + index as i32 * 24,
            escape(line)
        ));
    }
    let title = escape(name);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{SIZE}\" height=\"{SIZE}\" viewBox=\"0 0 256 256\" role=\"img\" aria-label=\"{title}\">\
         <title>{title}</title>\
         <circle cx=\"128\" cy=\"128\" r=\"124\" fill=\"#2f6b3a\"/>\
         <circle cx=\"128\" cy=\"128\" r=\"108\" fill=\"none\" stroke=\"#e8c547\" stroke-width=\"6\"/>\
         <text font-family=\"sans-serif\" font-size=\"20\" font-weight=\"bold\" fill=\"#ffffff\" text-anchor=\"middle\">{text}</text>\
         </svg>"
    )
}

/// An SVG that shows a PNG (embedded as a data URI), so a PNG-only badge has an SVG download.
pub fn svg_around_png(png: &[u8], name: &str) -> String {
    let (width, height) = png_size(png).unwrap_or((SIZE, SIZE));
    let title = escape(name);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{title}\">\
         <title>{title}</title>\
         <image width=\"{width}\" height=\"{height}\" href=\"data:image/png;base64,{}\"/>\
         </svg>",
        STANDARD.encode(png)
    )
}

/// The plain PNG medal (`laurel_service::images::MEDAL_PNG`).
pub fn generated_png() -> &'static [u8] {
    laurel_service::images::MEDAL_PNG
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.get(..8)? != b"\x89PNG\r\n\x1a\n" || png.get(12..16)? != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(png.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(png.get(20..24)?.try_into().ok()?);
    (width > 0 && height > 0).then_some((width, height))
}

/// Splits `text` into at most `max_lines` lines of about `width` characters, on spaces,
/// ending with `…` if it had to be cut.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut truncated = false;
    for word in text.split_whitespace() {
        let word: String = word.chars().take(width).collect();
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
            if lines.len() == max_lines {
                truncated = true;
                break;
            }
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !truncated && !current.is_empty() {
        lines.push(current);
    }
    if truncated && let Some(last) = lines.last_mut() {
        last.push('…');
    }
    if lines.is_empty() {
        lines.push("Badge".into());
    }
    lines
}

/// Escapes text for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if c.is_control() => escaped.push(' '),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_generated_svg_escapes_the_name() {
        let svg = generated_svg("Tom & Jerry's <script>alert(1)</script> \"award\"");
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("Tom &amp; Jerry"), "{svg}");
        assert!(laurel_core::bake::bake_svg(&svg, laurel_core::bake::Payload::Json("{}")).is_ok());
    }

    #[test]
    fn long_names_wrap_and_are_cut() {
        let lines = wrap(
            "Advanced Certificate in Something Very Long Indeed And More",
            18,
            3,
        );
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'));
        assert_eq!(wrap("", 18, 3), vec!["Badge".to_string()]);
    }

    #[test]
    fn the_generated_png_is_a_png_that_bakes() {
        let png = generated_png();
        assert_eq!(png_size(png), Some((SIZE, SIZE)));
        let baked = laurel_core::bake::bake_png(png, "{\"id\":\"x\"}").unwrap();
        assert_eq!(
            laurel_core::bake::extract(&baked).unwrap().payload,
            "{\"id\":\"x\"}"
        );
        let svg = svg_around_png(png, "A");
        assert!(svg.contains("width=\"256\""));
    }
}
