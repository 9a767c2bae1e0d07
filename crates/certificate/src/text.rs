//! Text on the certificate: the embedded fonts, shaping, per-character fallback and wrapping.
//!
//! Names come from anywhere (Zoë Núñez, Jörg Müller, 田中芽衣), so each piece of text is split
//! into runs by font: the Latin face (Noto Sans, regular or bold) where it has the character,
//! else the Japanese/Chinese/Korean face (a Noto Sans CJK JP subset), else the Latin face's
//! missing-glyph box. Combining marks stay with the character before them. Each run is shaped
//! with rustybuzz (kerning, ligatures, marks) and drawn as glyphs, so krilla embeds a subset of
//! each font with a ToUnicode map: the PDF's text can be searched and copied.
//!
//! Fonts travel with the binary (`fonts/`, OFL-licensed; `fonts/make-subsets.py` says how the
//! subsets were made and which characters they hold).

use krilla::Data;
use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};

static LATIN_REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.subset.ttf");
static LATIN_BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.subset.ttf");
static CJK: &[u8] = include_bytes!("../fonts/NotoSansCJKjp-Regular.subset.otf");

/// Which face of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Noto Sans Regular.
    Regular,
    /// Noto Sans Bold.
    Bold,
}

/// One font: krilla's handle (for drawing) and the bytes (for shaping).
#[derive(Clone)]
struct Face {
    font: Font,
    bytes: &'static [u8],
}

impl Face {
    fn load(bytes: &'static [u8]) -> Result<Face, crate::CertificateError> {
        let font = Font::new(Data::from(bytes), 0).ok_or(crate::CertificateError::Font(
            "an embedded font cannot be read",
        ))?;
        rustybuzz::Face::from_slice(bytes, 0).ok_or(crate::CertificateError::Font(
            "an embedded font cannot be shaped",
        ))?;
        Ok(Face { font, bytes })
    }

    fn shaper(&self) -> Option<rustybuzz::Face<'static>> {
        rustybuzz::Face::from_slice(self.bytes, 0)
    }
}

/// The embedded fonts, loaded once per certificate.
pub struct Fonts {
    regular: Face,
    bold: Face,
    cjk: Face,
}

/// A run of text in one font, shaped.
struct Run {
    face: Face,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// Width at size 1.
    advance: f32,
}

impl Fonts {
    /// Loads the embedded fonts.
    pub fn load() -> Result<Fonts, crate::CertificateError> {
        Ok(Fonts {
            regular: Face::load(LATIN_REGULAR)?,
            bold: Face::load(LATIN_BOLD)?,
            cjk: Face::load(CJK)?,
        })
    }

    fn primary(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Splits `text` into runs by the font that has each character.
    fn runs(&self, text: &str, weight: Weight) -> Vec<Run> {
        let primary = self.primary(weight);
        let latin = primary.shaper();
        let cjk = self.cjk.shaper();
        let has = |face: &Option<rustybuzz::Face>, c: char| {
            face.as_ref().and_then(|f| f.glyph_index(c)).is_some()
        };
        let mut pieces: Vec<(bool, String)> = Vec::new();
        for c in text.chars() {
            let combining = matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x20D0..=0x20FF);
            let use_cjk = match pieces.last() {
                Some((current, _)) if combining => *current,
                _ => !has(&latin, c) && has(&cjk, c),
            };
            match pieces.last_mut() {
                Some((current, piece)) if *current == use_cjk => piece.push(c),
                _ => pieces.push((use_cjk, c.to_string())),
            }
        }
        pieces
            .into_iter()
            .map(|(use_cjk, piece)| {
                let face = if use_cjk { &self.cjk } else { primary };
                shape(face, piece)
            })
            .collect()
    }

    /// The width of `text` at `size`.
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        self.runs(text, weight)
            .iter()
            .map(|r| r.advance)
            .sum::<f32>()
            * size
    }

    /// Draws `text` on one line starting at `x`, baseline `y`.
    pub fn draw(
        &self,
        surface: &mut Surface,
        text: &str,
        weight: Weight,
        size: f32,
        x: f32,
        y: f32,
    ) {
        let mut x = x;
        for run in self.runs(text, weight) {
            surface.draw_glyphs(
                Point::from_xy(x, y),
                &run.glyphs,
                run.face.font.clone(),
                &run.text,
                size,
                false,
            );
            x += run.advance * size;
        }
    }

    /// Draws `text` centred on `center`, baseline `y`.
    pub fn draw_centered(
        &self,
        surface: &mut Surface,
        text: &str,
        weight: Weight,
        size: f32,
        center: f32,
        y: f32,
    ) {
        let width = self.width(text, weight, size);
        self.draw(surface, text, weight, size, center - width / 2.0, y);
    }

    /// Splits `text` into lines no wider than `max_width` at `size`: at spaces, and between
    /// any two characters of a word too long for a line (as CJK text, which has no spaces).
    pub fn wrap(&self, text: &str, weight: Weight, size: f32, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, weight, size) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.width(&line, weight, size) > max_width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// Shapes one run with rustybuzz, as krilla's own simple text does.
fn shape(face: &Face, text: String) -> Run {
    let mut glyphs = Vec::new();
    let mut advance = 0.0;
    if let Some(shaper) = face.shaper() {
        let units = shaper.units_per_em() as f32;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&text);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&shaper, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        for (index, (info, position)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let end = infos
                .iter()
                .skip(index + 1)
                .find(|next| next.cluster != info.cluster)
                .map_or(text.len(), |next| next.cluster as usize);
            let x_advance = position.x_advance as f32 / units;
            advance += x_advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                x_advance,
                position.x_offset as f32 / units,
                position.y_offset as f32 / units,
                position.y_advance as f32 / units,
                start..end.max(start),
                None,
            ));
        }
    }
    Run {
        face: face.clone(),
        text,
        glyphs,
        advance,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn mixed_text_falls_back_per_character() {
        let fonts = Fonts::load().unwrap();
        let runs = fonts.runs("Zoë 田中芽衣 Núñez", Weight::Bold);
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["Zoë ", "田中芽衣", " Núñez"]);
        // Every character found a glyph (no .notdef, glyph 0).
        assert!(
            runs.iter()
                .flat_map(|r| &r.glyphs)
                .all(|g| g.glyph_id.to_u32() != 0)
        );
    }

    #[test]
    fn long_text_wraps_within_the_width() {
        let fonts = Fonts::load().unwrap();
        let text = "Completed the full day of cataloguing practice for Bibliothécaires and 田中芽衣の図書館員研修プログラム全日程";
        let lines = fonts.wrap(text, Weight::Regular, 11.0, 200.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(fonts.width(line, Weight::Regular, 11.0) <= 200.0, "{line}");
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }
}
