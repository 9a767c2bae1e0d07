//! Images to bake a credential into when the achievement has none in the requested format.
//!
//! A baked download should always work, whatever was uploaded:
//!
//! | achievement image | `.png` download | `.svg` download |
//! |---|---|---|
//! | PNG | the PNG, baked | an SVG showing the PNG (embedded as a data URI), baked |
//! | SVG | a generated PNG medal, baked | the SVG, baked |
//! | none | a generated PNG medal, baked | a generated SVG medal with the achievement's name |
//!
//! Rasterizing an SVG would need a renderer (and would run someone else's markup through it),
//! so an SVG-only badge gets a plain generated PNG instead; the `.svg` download shows the real
//! artwork. The generated PNG is drawn once per process.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Side of the generated images, in pixels.
const SIZE: u32 = 256;
/// Medal colours: a laurel green disc with a gold ring.
const GREEN: [u8; 3] = [0x2f, 0x6b, 0x3a];
const GOLD: [u8; 3] = [0xe8, 0xc5, 0x47];

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

/// A plain PNG medal (no text: text needs a font renderer), drawn once.
pub fn generated_png() -> &'static [u8] {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    PNG.get_or_init(draw_medal)
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

fn draw_medal() -> Vec<u8> {
    let center = SIZE as f32 / 2.0;
    let mut raw = Vec::with_capacity(((SIZE * 4 + 1) * SIZE) as usize);
    for y in 0..SIZE {
        raw.push(0); // filter: none
        for x in 0..SIZE {
            let dx = x as f32 + 0.5 - center;
            let dy = y as f32 + 0.5 - center;
            let distance = (dx * dx + dy * dy).sqrt();
            // Coverage of the disc (radius 124) and of the ring (radius 108, 6 wide), with a
            // one-pixel soft edge.
            let disc = (124.5 - distance).clamp(0.0, 1.0);
            let ring = (3.5 - (distance - 108.0).abs()).clamp(0.0, 1.0);
            let mut pixel = [0u8; 4];
            for channel in 0..3 {
                let colour = GREEN[channel] as f32 * (1.0 - ring) + GOLD[channel] as f32 * ring;
                pixel[channel] = colour.round() as u8;
            }
            pixel[3] = (disc * 255.0).round() as u8;
            raw.extend_from_slice(&pixel);
        }
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&SIZE.to_be_bytes());
    header.extend_from_slice(&SIZE.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA, deflate, no filter, no interlace
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &deflate(&raw));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let length = u32::try_from(data.len()).unwrap_or(u32::MAX);
    png.extend_from_slice(&length.to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32fast::hash(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
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
