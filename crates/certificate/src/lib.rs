//! The printable certificate: one page of PDF, Letter or A4, from the words and pictures of an
//! award ([`Certificate`]) to PDF bytes ([`render`]).
//!
//! A crate of its own because it is pure and self-contained (no storage, no HTTP, no clock:
//! the domain gathers the facts, this lays them out) and because it carries ~4.6 MB of
//! embedded fonts and the PDF writer, which nothing else needs to recompile with.
//!
//! The PDF is written with krilla (by the typst authors): it subsets and embeds the fonts,
//! writes ToUnicode maps (the text can be searched, copied and read by screen readers) and
//! embeds PNG images. Bidi ordering (Arabic and Hebrew names read right to left), text
//! shaping and per-character font fallback are in [`text`]; the QR code's modules in [`qr`]
//! (also used by the credential page's print view). The CE transcript ([`transcript`]) is
//! printed in the same look, over as many pages as it needs.

pub mod qr;
pub mod text;
pub mod transcript;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::{Data, Document};

use text::{Fonts, Weight};

/// Why a certificate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// An embedded font is unreadable (a build problem, not an input one).
    #[error("font: {0}")]
    Font(&'static str),
    /// The QR code could not be made (the URL is too long for a QR code).
    #[error("QR code: {0}")]
    Qr(String),
    /// The PDF writer failed.
    #[error("PDF: {0}")]
    Pdf(String),
}

/// The paper the certificate is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// US Letter, 8.5 × 11 in (612 × 792 pt).
    Letter,
    /// ISO A4, 210 × 297 mm (595.28 × 841.89 pt).
    A4,
}

impl Paper {
    /// Width and height in PDF points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::Letter => (612.0, 792.0),
            Paper::A4 => (595.28, 841.89),
        }
    }
}

/// Everything printed on a certificate, already in words.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// Letter or A4.
    pub paper: Paper,
    /// The issuer's name.
    pub issuer_name: String,
    /// The issuer's colour (`#rrggbb`), for the band and the rules; a laurel green without.
    pub brand_color: Option<String>,
    /// The issuer's logo as a PNG.
    pub logo_png: Option<Vec<u8>>,
    /// The badge image as a PNG.
    pub badge_png: Option<Vec<u8>>,
    /// Who earned it; `None` prints a neutral phrase instead (the hashed email never is).
    pub recipient_name: Option<String>,
    /// Their role ("Presenter"), printed "as Presenter, has earned"; `None` prints none.
    pub role: Option<String>,
    /// The achievement's name.
    pub achievement_name: String,
    /// Its criteria in a sentence, if it has any.
    pub criteria: Option<String>,
    /// When it was earned, in words ("12 March 2026", "10–12 March 2026").
    pub dates: String,
    /// Credits earned in words ("1.5 hours"), if any.
    pub credits: Option<String>,
    /// Who signs, and their title.
    pub signatory_name: Option<String>,
    /// The signatory's title.
    pub signatory_title: Option<String>,
    /// The short certificate number.
    pub number: String,
    /// The credential page's URL (printed, and in the QR code).
    pub url: String,
    /// A word printed across the page when the credential no longer stands ("REVOKED").
    pub stamp: Option<String>,
}

const INK: (u8, u8, u8) = (0x1f, 0x23, 0x28);
const MUTED: (u8, u8, u8) = (0x55, 0x5b, 0x63);
const LAUREL: (u8, u8, u8) = (0x2f, 0x6b, 0x3a);
const STAMP: (u8, u8, u8) = (0xb0, 0x1e, 0x1e);

/// Lays out the certificate and writes the PDF.
pub fn render(certificate: &Certificate) -> Result<Vec<u8>, CertificateError> {
    let fonts = Fonts::load()?;
    let (width, height) = certificate.paper.size();
    let mut document = Document::new();
    let title = format!(
        "{} — {}",
        certificate.achievement_name, certificate.issuer_name
    );
    document.set_metadata(Metadata::new().title(title).creator("Laurel".to_string()));
    let settings = PageSettings::from_wh(width, height)
        .ok_or_else(|| CertificateError::Pdf("bad page size".into()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    draw(&mut surface, &fonts, certificate, width, height)?;
    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|error| CertificateError::Pdf(format!("{error:?}")))
}

fn draw(
    surface: &mut Surface,
    fonts: &Fonts,
    c: &Certificate,
    width: f32,
    height: f32,
) -> Result<(), CertificateError> {
    let brand = c
        .brand_color
        .as_deref()
        .and_then(parse_color)
        .unwrap_or_else(|| color(LAUREL));
    let center = width / 2.0;
    let margin = 54.0;
    let text_width = width - 2.0 * margin;

    // A band of the issuer's colour across the top and a thin frame.
    fill_rect(surface, brand, 0.0, 0.0, width, 14.0);
    stroke_rect(surface, brand, 24.0, 30.0, width - 48.0, height - 54.0, 1.0);

    // The issuer: logo and name.
    let mut y = 62.0;
    if let Some(logo) = c.logo_png.as_deref() {
        let drawn = draw_png(surface, logo, center, y, 150.0, 48.0);
        if drawn {
            y += 58.0;
        }
    }
    y += 14.0;
    fonts.draw_centered(surface, &c.issuer_name, Weight::Bold, 14.0, center, y);
    y += 44.0;
    set_fill(surface, brand);
    fonts.draw_centered(
        surface,
        "Certificate of Achievement",
        Weight::Bold,
        28.0,
        center,
        y,
    );

    // Who.
    y += 36.0;
    set_fill(surface, color(MUTED));
    fonts.draw_centered(
        surface,
        "This certifies that",
        Weight::Regular,
        12.0,
        center,
        y,
    );
    y += 40.0;
    set_fill(surface, color(INK));
    match c.recipient_name.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(name) => {
            let mut size = 30.0;
            while size > 14.0 && fonts.width(name, Weight::Bold, size) > text_width {
                size -= 1.0;
            }
            fonts.draw_centered(surface, name, Weight::Bold, size, center, y);
        }
        None => fonts.draw_centered(
            surface,
            "the person this credential was issued to",
            Weight::Regular,
            18.0,
            center,
            y,
        ),
    }
    rule(
        surface,
        brand,
        center - 150.0,
        center + 150.0,
        y + 10.0,
        0.8,
    );
    y += 32.0;
    set_fill(surface, color(MUTED));
    let earned = match c.role.as_deref().filter(|role| !role.trim().is_empty()) {
        Some(role) => format!("as {role}, has earned"),
        None => "has earned".to_owned(),
    };
    fonts.draw_centered(surface, &earned, Weight::Regular, 12.0, center, y);

    // What: the badge, its name and criteria.
    y += 14.0;
    if let Some(badge) = c.badge_png.as_deref()
        && draw_png(surface, badge, center, y, 120.0, 120.0)
    {
        y += 124.0;
    }
    y += 24.0;
    set_fill(surface, color(INK));
    for line in fonts
        .wrap(&c.achievement_name, Weight::Bold, 20.0, text_width)
        .iter()
        .take(2)
    {
        fonts.draw_centered(surface, line, Weight::Bold, 20.0, center, y);
        y += 26.0;
    }
    if let Some(criteria) = c.criteria.as_deref() {
        set_fill(surface, color(MUTED));
        let lines = fonts.wrap(criteria, Weight::Regular, 11.0, text_width - 40.0);
        for (index, line) in lines.iter().take(4).enumerate() {
            let line = if index == 3 && lines.len() > 4 {
                format!("{line}…")
            } else {
                line.clone()
            };
            fonts.draw_centered(surface, &line, Weight::Regular, 11.0, center, y);
            y += 15.0;
        }
    }

    // When and how much.
    y += 10.0;
    set_fill(surface, color(INK));
    let mut facts = vec![c.dates.clone()];
    facts.extend(
        c.credits
            .iter()
            .map(|credits| format!("Credits earned: {credits}")),
    );
    fonts.draw_centered(
        surface,
        &facts.join("   ·   "),
        Weight::Regular,
        12.0,
        center,
        y,
    );

    // The signature line (bottom left) and the verification block (bottom right).
    let bottom = height - 70.0;
    let sign_left = margin + 10.0;
    rule(
        surface,
        color(INK),
        sign_left,
        sign_left + 200.0,
        bottom - 44.0,
        0.7,
    );
    set_fill(surface, color(INK));
    let signatory = c.signatory_name.as_deref().unwrap_or(&c.issuer_name);
    fonts.draw(
        surface,
        signatory,
        Weight::Bold,
        11.0,
        sign_left,
        bottom - 30.0,
    );
    if let Some(title) = c.signatory_title.as_deref() {
        set_fill(surface, color(MUTED));
        fonts.draw(
            surface,
            title,
            Weight::Regular,
            10.0,
            sign_left,
            bottom - 17.0,
        );
    }
    set_fill(surface, color(MUTED));
    fonts.draw(
        surface,
        &format!("Certificate no. {}", c.number),
        Weight::Regular,
        10.0,
        sign_left,
        bottom + 2.0,
    );

    let qr_side = 84.0;
    let qr_left = width - margin - qr_side;
    let qr_top = bottom - 112.0;
    draw_qr(surface, &c.url, qr_left, qr_top, qr_side)?;
    set_fill(surface, color(MUTED));
    let verify = "Verify at";
    fonts.draw(
        surface,
        verify,
        Weight::Regular,
        8.0,
        width - margin - fonts.width(verify, Weight::Regular, 8.0),
        qr_top + qr_side + 12.0,
    );
    let mut url_y = qr_top + qr_side + 23.0;
    for line in fonts.wrap(&breakable(&c.url), Weight::Regular, 7.5, 220.0) {
        let line = line.replace(' ', "");
        let line_width = fonts.width(&line, Weight::Regular, 7.5);
        fonts.draw(
            surface,
            &line,
            Weight::Regular,
            7.5,
            width - margin - line_width,
            url_y,
        );
        url_y += 10.0;
    }

    if let Some(stamp) = c.stamp.as_deref() {
        surface.push_transform(&Transform::from_row(
            0.866,
            -0.5,
            0.5,
            0.866,
            center,
            height / 2.0,
        ));
        set_fill(surface, color(STAMP));
        fonts.draw_centered(surface, stamp, Weight::Bold, 72.0, 0.0, 24.0);
        surface.pop();
    }
    Ok(())
}

/// The URL with spaces after its slashes, so [`Fonts::wrap`] breaks it there; taken out again
/// before drawing.
fn breakable(url: &str) -> String {
    url.replace('/', "/ ")
}

fn color((red, green, blue): (u8, u8, u8)) -> rgb::Color {
    rgb::Color::new(red, green, blue)
}

fn parse_color(hex: &str) -> Option<rgb::Color> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |at: usize| u8::from_str_radix(&hex[at..at + 2], 16).ok();
    Some(rgb::Color::new(byte(0)?, byte(2)?, byte(4)?))
}

fn set_fill(surface: &mut Surface, color: rgb::Color) {
    surface.set_fill(Some(Fill {
        paint: color.into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
}

fn fill_rect(surface: &mut Surface, color: rgb::Color, x: f32, y: f32, w: f32, h: f32) {
    let Some(rect) = Rect::from_xywh(x, y, w, h) else {
        return;
    };
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        set_fill(surface, color);
        surface.set_stroke(None);
        surface.draw_path(&path);
    }
}

fn stroke_rect(
    surface: &mut Surface,
    color: rgb::Color,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    line: f32,
) {
    let Some(rect) = Rect::from_xywh(x, y, w, h) else {
        return;
    };
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: color.into(),
            width: line,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn rule(surface: &mut Surface, color: rgb::Color, from: f32, to: f32, y: f32, line: f32) {
    fill_rect(surface, color, from, y - line / 2.0, to - from, line);
}

/// Draws a PNG centred on `center`, top at `top`, scaled to fit `max_w` × `max_h`; false if
/// the PNG cannot be read (the certificate is printed without it).
fn draw_png(
    surface: &mut Surface,
    png: &[u8],
    center: f32,
    top: f32,
    max_w: f32,
    max_h: f32,
) -> bool {
    if !decodes(png) {
        return false;
    }
    let Ok(image) = Image::from_png(Data::from(png.to_vec()), true) else {
        return false;
    };
    let (w, h) = image.size();
    if w == 0 || h == 0 {
        return false;
    }
    let scale = (max_w / w as f32).min(max_h / h as f32);
    let (dw, dh) = (w as f32 * scale, h as f32 * scale);
    let Some(size) = Size::from_wh(dw, dh) else {
        return false;
    };
    surface.push_transform(&Transform::from_translate(
        center - dw / 2.0,
        top + (max_h - dh) / 2.0,
    ));
    surface.draw_image(image, size);
    surface.pop();
    true
}

/// Whether the PNG decodes: krilla reads an image only when the PDF is written, and a broken
/// one would fail the whole certificate, so a broken picture is left out instead.
fn decodes(png: &[u8]) -> bool {
    let Ok(mut reader) = png::Decoder::new(std::io::Cursor::new(png)).read_info() else {
        return false;
    };
    let Some(size) = reader.output_buffer_size() else {
        return false;
    };
    let mut buffer = vec![0; size];
    reader.next_frame(&mut buffer).is_ok()
}

fn draw_qr(
    surface: &mut Surface,
    url: &str,
    left: f32,
    top: f32,
    side: f32,
) -> Result<(), CertificateError> {
    let code = qr::Code::new(url)?;
    let module = side / code.width as f32;
    let mut path = PathBuilder::new();
    for (x, y) in code.dark_modules() {
        if let Some(rect) = Rect::from_xywh(
            left + x as f32 * module,
            top + y as f32 * module,
            module,
            module,
        ) {
            path.push_rect(rect);
        }
    }
    if let Some(path) = path.finish() {
        set_fill(surface, color(INK));
        surface.draw_path(&path);
    }
    Ok(())
}
