//! SVG badge images rendered to PNG, for everything that needs pixels: the baked PNG
//! (`/credentials/{id}.png`, which is also the page's `og:image` and the email's picture) and
//! the printable certificate. Without it an SVG-only badge would show a generated medal there.
//!
//! `resvg` draws the same `usvg` tree the upload check ([`super::svg`]) already builds, so the
//! SVG is read exactly as it was checked. Rendering is bounded:
//! - the input is a stored image: at most [`super::MAX_IMAGE_BYTES`], already rebuilt from an
//!   allow-list (no scripts, no external references);
//! - nothing outside the bytes is read: no file or network access (the image resolvers answer
//!   nothing, there is no resources directory) and no fonts (`usvg` is built without text);
//! - the output is at most [`MAX_SIDE`] pixels a side.
//!
//! A typical badge renders in a few milliseconds, an intricate one in tens; renders are kept
//! in a small in-memory [`RasterCache`] (bounded in bytes) keyed by the image's content hash
//! and size, so a badge shared in a burst is drawn once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use laurel_store::Image;

use crate::{Service, ServiceError, ServiceResult};

/// The largest side rendered, in pixels.
pub const MAX_SIDE: u32 = 1024;

/// The side of the PNG a badge is baked into (and shown as in previews and emails).
pub const BADGE_SIDE: u32 = 512;

/// Why an SVG could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    /// `usvg` could not read it.
    #[error("the SVG cannot be read: {0}")]
    Parse(#[from] usvg::Error),
    /// It has no area to draw.
    #[error("the SVG has no size")]
    Empty,
    /// The PNG encoder failed.
    #[error("the PNG cannot be written: {0}")]
    Encode(String),
}

/// A rendered PNG and its size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Png {
    /// The PNG file.
    pub bytes: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Renders `svg` to a PNG whose longer side is `side` pixels (at most [`MAX_SIDE`]), keeping
/// its aspect ratio; transparent where the SVG draws nothing.
pub fn render_png(svg: &[u8], side: u32) -> Result<Png, RasterError> {
    let options = usvg::Options {
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(svg, &options)?;
    let size = tree.size();
    let side = side.clamp(1, MAX_SIDE) as f32;
    let scale = side / size.width().max(size.height());
    let width = (size.width() * scale).round().clamp(1.0, side) as u32;
    let height = (size.height() * scale).round().clamp(1.0, side) as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height).ok_or(RasterError::Empty)?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap
        .encode_png()
        .map_err(|error| RasterError::Encode(error.to_string()))?;
    Ok(Png {
        bytes,
        width,
        height,
    })
}

/// Renders by image hash and side, and the bytes they hold in all.
type Renders = (HashMap<(String, u32), Arc<Png>>, usize);

/// Recent renders, bounded in bytes; keyed by image hash and side.
#[derive(Debug)]
pub struct RasterCache {
    budget: usize,
    entries: Mutex<Renders>,
}

impl Default for RasterCache {
    /// 16 MiB: a few hundred badges at [`BADGE_SIDE`].
    fn default() -> Self {
        RasterCache::new(16 * 1024 * 1024)
    }
}

impl RasterCache {
    /// A cache holding at most `budget` bytes of PNGs.
    pub fn new(budget: usize) -> Self {
        RasterCache {
            budget,
            entries: Mutex::new((HashMap::new(), 0)),
        }
    }

    fn get(&self, key: &(String, u32)) -> Option<Arc<Png>> {
        // A poisoned lock only means a panic mid-insert; a cache may lose entries.
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.0.get(key).cloned()
    }

    fn insert(&self, key: (String, u32), png: Arc<Png>) {
        let size = png.bytes.len();
        if size > self.budget {
            return;
        }
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.1 + size > self.budget {
            // Full: start over (renders are cheap to redo; hot badges come straight back).
            entries.0.clear();
            entries.1 = 0;
        }
        if let Some(old) = entries.0.insert(key, png) {
            entries.1 -= old.bytes.len();
        }
        entries.1 += size;
    }
}

/// The stored image as a PNG whose longer side is `side`: an SVG rendered (cached), a PNG as
/// stored (its size is the uploader's).
pub async fn as_png(service: &Service, image: &Image, side: u32) -> ServiceResult<Arc<Png>> {
    if image.content_type == "image/png" {
        let (width, height) = png_size(&image.bytes).unwrap_or((side, side));
        return Ok(Arc::new(Png {
            bytes: image.bytes.clone(),
            width,
            height,
        }));
    }
    let key = (image.sha256.clone(), side);
    if let Some(png) = service.rasters.get(&key) {
        return Ok(png);
    }
    let svg = image.bytes.clone();
    let png = tokio::task::spawn_blocking(move || render_png(&svg, side))
        .await
        .map_err(|error| ServiceError::Internal(format!("rendering an SVG stopped: {error}")))?
        .map_err(|error| ServiceError::Internal(format!("badge image {}: {error}", key.0)))?;
    let png = Arc::new(png);
    service.rasters.insert(key, png.clone());
    Ok(png)
}

/// Width and height from a PNG's IHDR chunk.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.get(..8)? != b"\x89PNG\r\n\x1a\n" || png.get(12..16)? != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(png.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(png.get(20..24)?.try_into().ok()?);
    (width > 0 && height > 0).then_some((width, height))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Decodes a PNG to RGBA and counts the pixels that are not fully transparent.
    fn opaque_pixels(png: &[u8]) -> (u32, u32, usize) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buffer).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgba);
        let drawn = buffer[..info.buffer_size()]
            .chunks(4)
            .filter(|pixel| pixel[3] > 0)
            .count();
        (info.width, info.height, drawn)
    }

    #[test]
    fn an_svg_renders_to_a_non_blank_png_of_the_asked_size() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50"><rect x="0" y="0" width="50" height="50" fill="#2f6b3a"/></svg>"##;
        let png = render_png(svg, 400).unwrap();
        assert_eq!((png.width, png.height), (400, 200));
        let (width, height, drawn) = opaque_pixels(&png.bytes);
        assert_eq!((width, height), (400, 200));
        // The square covers half of the picture; the other half stays transparent.
        assert!((39_000..=41_000).contains(&drawn), "{drawn}");
        assert_eq!(png_size(&png.bytes), Some((400, 200)));
    }

    #[test]
    fn sizes_are_bounded_and_external_images_are_not_loaded() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><image href="/etc/hosts" width="10" height="10"/></svg>"#;
        let png = render_png(svg, 50_000).unwrap();
        assert_eq!((png.width, png.height), (MAX_SIDE, MAX_SIDE));
        assert_eq!(opaque_pixels(&png.bytes).2, 0);
        assert!(render_png(b"not an svg", 100).is_err());
    }

    #[test]
    fn the_cache_stays_within_its_budget() {
        let cache = RasterCache::new(100);
        let png = |n: usize| {
            Arc::new(Png {
                bytes: vec![0; n],
                width: 1,
                height: 1,
            })
        };
        cache.insert(("a".into(), 1), png(60));
        assert!(cache.get(&("a".into(), 1)).is_some());
        cache.insert(("b".into(), 1), png(60));
        assert!(cache.get(&("a".into(), 1)).is_none());
        assert!(cache.get(&("b".into(), 1)).is_some());
        cache.insert(("c".into(), 1), png(1000));
        assert!(cache.get(&("c".into(), 1)).is_none());
        assert!(cache.entries.lock().unwrap().1 <= 100);
    }
}
