//! Text on the certificate: the embedded fonts, bidi ordering, shaping, per-character
//! fallback and wrapping.
//!
//! Names come from anywhere (Zoë Núñez, Jörg Müller, 田中芽衣, محمد الأحمد, נועה כהן, अनन्या
//! शर्मा), so each line is laid out in three steps:
//! 1. **Bidi** (Unicode Bidirectional Algorithm, the `unicode-bidi` crate): the line is split
//!    into level runs in visual order, left to right, so an Arabic or Hebrew name reads from
//!    the right and a Latin word or a number inside it keeps its own order.
//! 2. **Fonts**: each run is split by the font that has each character: the Latin face (Noto
//!    Sans, regular or bold) where it has it, else Noto Sans Arabic, Hebrew or Devanagari
//!    (regular or bold), else the Japanese/Chinese/Korean face (a Noto Sans CJK JP subset),
//!    else the Latin face's missing-glyph box. Combining marks and joiners (ZWJ, ZWNJ) stay
//!    with the character before them, so an Arabic vowel mark or a Devanagari virama is shaped
//!    with its letter. In a right-to-left run the pieces are drawn last to first.
//! 3. **Shaping** with rustybuzz in the run's direction (Arabic joining forms and lam-alef,
//!    Devanagari conjuncts and reph, kerning, marks), drawn as glyphs whose text ranges krilla
//!    turns into a ToUnicode map (and `/ReversedChars` for right-to-left runs), so the PDF's
//!    text can be searched and copied.
//!
//! Lines are broken in logical order first ([`Fonts::wrap`]), then each line is ordered on
//! its own, as the bidi algorithm asks.
//!
//! Fonts travel with the binary (`fonts/`, OFL-licensed; `fonts/make-subsets.py` says where
//! each comes from, how the subsets were made and which characters they hold).

use krilla::Data;
use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use unicode_bidi::BidiInfo;

static LATIN_REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.subset.ttf");
static LATIN_BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.subset.ttf");
static ARABIC_REGULAR: &[u8] = include_bytes!("../fonts/NotoSansArabic-Regular.subset.ttf");
static ARABIC_BOLD: &[u8] = include_bytes!("../fonts/NotoSansArabic-Bold.subset.ttf");
static HEBREW_REGULAR: &[u8] = include_bytes!("../fonts/NotoSansHebrew-Regular.subset.ttf");
static HEBREW_BOLD: &[u8] = include_bytes!("../fonts/NotoSansHebrew-Bold.subset.ttf");
static DEVANAGARI_REGULAR: &[u8] = include_bytes!("../fonts/NotoSansDevanagari-Regular.subset.ttf");
static DEVANAGARI_BOLD: &[u8] = include_bytes!("../fonts/NotoSansDevanagari-Bold.subset.ttf");
static CJK: &[u8] = include_bytes!("../fonts/NotoSansCJKjp-Regular.subset.otf");

/// Which face of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Noto Sans Regular.
    Regular,
    /// Noto Sans Bold.
    Bold,
}

/// Which family a piece of text is set in; the fallbacks are tried in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Latin,
    Arabic,
    Hebrew,
    Devanagari,
    Cjk,
}

/// The families tried, in order, for a character the Latin face lacks.
const FALLBACKS: [Family; 4] = [
    Family::Arabic,
    Family::Hebrew,
    Family::Devanagari,
    Family::Cjk,
];

/// One font: krilla's handle (for drawing) and rustybuzz's (for shaping and coverage).
struct Face {
    font: Font,
    shaper: rustybuzz::Face<'static>,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Result<Face, crate::CertificateError> {
        let font = Font::new(Data::from(bytes), 0).ok_or(crate::CertificateError::Font(
            "an embedded font cannot be read",
        ))?;
        let shaper = rustybuzz::Face::from_slice(bytes, 0).ok_or(crate::CertificateError::Font(
            "an embedded font cannot be shaped",
        ))?;
        Ok(Face { font, shaper })
    }

    fn has(&self, c: char) -> bool {
        self.shaper.glyph_index(c).is_some()
    }
}

/// A regular and a bold face.
struct Pair {
    regular: Face,
    bold: Face,
}

impl Pair {
    fn load(regular: &'static [u8], bold: &'static [u8]) -> Result<Pair, crate::CertificateError> {
        Ok(Pair {
            regular: Face::load(regular)?,
            bold: Face::load(bold)?,
        })
    }

    fn get(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

/// The embedded fonts, loaded once per certificate.
pub struct Fonts {
    latin: Pair,
    arabic: Pair,
    hebrew: Pair,
    devanagari: Pair,
    /// Regular only: the CJK face is the largest by far.
    cjk: Face,
}

/// A run of text in one font and one direction, shaped; its glyphs in visual order.
struct Run {
    font: Font,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// Width at size 1.
    advance: f32,
}

/// Whether `c` belongs with the character before it: a combining mark (Latin, Arabic, Hebrew
/// or Devanagari), a joiner, or a variation selector.
fn attaches(c: char) -> bool {
    matches!(
        c as u32,
        0x0300..=0x036F // combining diacritics
            | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5 | 0x05C7 // Hebrew points
            | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4
            | 0x06E7..=0x06E8 | 0x06EA..=0x06ED // Arabic marks
            | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963 // Devanagari signs
            | 0x1AB0..=0x1AFF
            | 0x200C..=0x200D // ZWNJ, ZWJ
            | 0x20D0..=0x20FF
            | 0xFE00..=0xFE0F // variation selectors
    )
}

impl Fonts {
    /// Loads the embedded fonts.
    pub fn load() -> Result<Fonts, crate::CertificateError> {
        Ok(Fonts {
            latin: Pair::load(LATIN_REGULAR, LATIN_BOLD)?,
            arabic: Pair::load(ARABIC_REGULAR, ARABIC_BOLD)?,
            hebrew: Pair::load(HEBREW_REGULAR, HEBREW_BOLD)?,
            devanagari: Pair::load(DEVANAGARI_REGULAR, DEVANAGARI_BOLD)?,
            cjk: Face::load(CJK)?,
        })
    }

    fn face(&self, family: Family, weight: Weight) -> &Face {
        match family {
            Family::Latin => self.latin.get(weight),
            Family::Arabic => self.arabic.get(weight),
            Family::Hebrew => self.hebrew.get(weight),
            Family::Devanagari => self.devanagari.get(weight),
            Family::Cjk => &self.cjk,
        }
    }

    /// The family `c` is set in: Latin where it has the character, else the first fallback
    /// that has it, else Latin (its missing-glyph box).
    fn family_of(&self, c: char, weight: Weight) -> Family {
        if self.latin.get(weight).has(c) {
            return Family::Latin;
        }
        FALLBACKS
            .into_iter()
            .find(|family| self.face(*family, weight).has(c))
            .unwrap_or(Family::Latin)
    }

    /// Splits `text` (one directional run, logical order) into pieces by family.
    fn pieces(&self, text: &str, weight: Weight) -> Vec<(Family, String)> {
        let mut pieces: Vec<(Family, String)> = Vec::new();
        for c in text.chars() {
            let family = match pieces.last() {
                Some((current, _)) if attaches(c) => *current,
                _ => self.family_of(c, weight),
            };
            match pieces.last_mut() {
                Some((current, piece)) if *current == family => piece.push(c),
                _ => pieces.push((family, c.to_string())),
            }
        }
        pieces
    }

    /// Lays out one line: its runs in visual order, left to right, each shaped.
    fn runs(&self, text: &str, weight: Weight) -> Vec<Run> {
        let bidi = BidiInfo::new(text, None);
        let mut runs = Vec::new();
        for paragraph in &bidi.paragraphs {
            let (levels, visual) = bidi.visual_runs(paragraph, paragraph.range.clone());
            for range in visual {
                let rtl = levels[range.start].is_rtl();
                let mut pieces = self.pieces(&text[range], weight);
                if rtl {
                    pieces.reverse();
                }
                for (family, piece) in pieces {
                    runs.push(shape(self.face(family, weight), piece, rtl));
                }
            }
        }
        runs
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
                run.font.clone(),
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

/// Shapes one piece with rustybuzz in its direction, as krilla's own simple text does. The
/// glyphs come out in visual order (for right-to-left text, last character first); each
/// carries the byte range of the characters it draws (its cluster), so that krilla can map it
/// back to text.
fn shape(face: &Face, text: String, rtl: bool) -> Run {
    let shaper = &face.shaper;
    let units = shaper.units_per_em() as f32;
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(&text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl {
        rustybuzz::Direction::RightToLeft
    } else {
        rustybuzz::Direction::LeftToRight
    });
    let output = rustybuzz::shape(shaper, &[], buffer);
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    // Where each cluster starts, in text order: a cluster ends where the next one starts.
    let mut starts: Vec<usize> = infos.iter().map(|info| info.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut advance = 0.0;
    for (info, position) in infos.iter().zip(positions) {
        let start = info.cluster as usize;
        let end = starts
            .iter()
            .find(|next| **next > start)
            .copied()
            .unwrap_or(text.len());
        let x_advance = position.x_advance as f32 / units;
        advance += x_advance;
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(info.glyph_id),
            x_advance,
            position.x_offset as f32 / units,
            position.y_offset as f32 / units,
            position.y_advance as f32 / units,
            start..end,
            None,
        ));
    }
    Run {
        font: face.font.clone(),
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

    /// The text of each run, left to right as drawn.
    fn drawn(fonts: &Fonts, text: &str) -> Vec<String> {
        fonts
            .runs(text, Weight::Bold)
            .into_iter()
            .map(|run| run.text)
            .collect()
    }

    /// Every glyph of every run is a real one (glyph 0 is .notdef, the missing-glyph box).
    fn all_drawn(fonts: &Fonts, text: &str, weight: Weight) -> bool {
        let runs = fonts.runs(text, weight);
        !runs.is_empty()
            && runs
                .iter()
                .flat_map(|r| &r.glyphs)
                .all(|g| g.glyph_id.to_u32() != 0)
    }

    #[test]
    fn arabic_hebrew_and_devanagari_names_have_real_glyphs_in_both_weights() {
        let fonts = Fonts::load().unwrap();
        for name in [
            "محمد الأحمد",
            "فاطمة الزهراء",
            "زهرا کریمی", // Persian: kāf and yeh of the Arabic block
            "نور‌الدین",   // with a zero-width non-joiner
            "נועה כהן",
            "שָׁלוֹם", // with points
            "अनन्या शर्मा",
            "श्री कृष्ण",
        ] {
            for weight in [Weight::Regular, Weight::Bold] {
                assert!(all_drawn(&fonts, name, weight), "{name} {weight:?}");
            }
        }
        // Each script in its own family; the space between words is the Latin face's.
        let families = |text: &str| -> Vec<Family> {
            fonts
                .pieces(text, Weight::Bold)
                .into_iter()
                .map(|(family, _)| family)
                .collect()
        };
        assert_eq!(
            families("محمد الأحمد"),
            [Family::Arabic, Family::Latin, Family::Arabic]
        );
        assert_eq!(families("נועה"), [Family::Hebrew]);
        assert_eq!(families("अनन्या"), [Family::Devanagari]);
        // Marks and joiners stay with their letter.
        assert_eq!(families("نور‌الدین"), [Family::Arabic]);
        assert_eq!(families("שָׁלוֹם"), [Family::Hebrew]);
    }

    #[test]
    fn right_to_left_names_are_drawn_from_the_right() {
        let fonts = Fonts::load().unwrap();
        // Two words: the second is drawn first (leftmost), and each word's glyphs run from
        // its last character to its first.
        assert_eq!(drawn(&fonts, "נועה כהן"), ["כהן", " ", "נועה"]);
        let runs = fonts.runs("נועה", Weight::Bold);
        let clusters: Vec<usize> = runs[0].glyphs.iter().map(|g| g.text_range.start).collect();
        let mut descending = clusters.clone();
        descending.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(clusters, descending);
        assert_eq!(clusters.len(), 4);
        assert_eq!(drawn(&fonts, "محمد الأحمد"), ["الأحمد", " ", "محمد"]);
        // A Latin word and a number inside keep their own order; a Latin line keeps its.
        assert_eq!(drawn(&fonts, "محمد Ali 2026"), ["Ali 2026", " ", "محمد"]);
        assert_eq!(drawn(&fonts, "Ali محمد"), ["Ali ", "محمد"]);
        // The width does not depend on the order.
        let width = fonts.width("נועה כהן", Weight::Bold, 30.0);
        let parts = fonts.width("נועה", Weight::Bold, 30.0)
            + fonts.width(" ", Weight::Bold, 30.0)
            + fonts.width("כהן", Weight::Bold, 30.0);
        assert!((width - parts).abs() < 0.01, "{width} {parts}");
    }

    #[test]
    fn arabic_letters_join_and_devanagari_forms_conjuncts() {
        let fonts = Fonts::load().unwrap();
        let glyphs = |text: &str| -> Vec<u32> {
            fonts
                .runs(text, Weight::Regular)
                .iter()
                .flat_map(|r| r.glyphs.iter().map(|g| g.glyph_id.to_u32()))
                .collect()
        };
        // ميم alone and at the start of محمد are different glyphs (isolated and initial forms);
        // the word drawn right to left ends (on the right) with its initial meem.
        let alone = glyphs("م");
        let word = glyphs("محمد");
        assert_eq!(word.len(), 4);
        assert_ne!(word[3], alone[0], "the initial form of meem");
        // Lam followed by alef is one ligature glyph.
        assert_eq!(glyphs("لا").len(), 1);
        // न् + य is a conjunct: fewer glyphs than characters; the cluster text stays whole.
        let runs = fonts.runs("न्या", Weight::Regular);
        assert!(runs[0].glyphs.len() < "न्या".chars().count());
        let covered: usize = runs[0]
            .glyphs
            .iter()
            .map(|g| (g.text_range.start, g.text_range.end))
            .collect::<std::collections::BTreeSet<_>>()
            .iter()
            .map(|(start, end)| end - start)
            .sum();
        assert_eq!(covered, "न्या".len());
    }
}
