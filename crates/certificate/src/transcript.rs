//! The printable CE transcript: the certificate's look (the issuer's band and frame, the same
//! fonts and colours) over as many pages as the credentials need: a heading (who, which
//! period), a table (date, provider, title, category, credits), the credentials not counted
//! with why, and the totals per category and overall.

use krilla::Document;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::surface::Surface;

use crate::text::{Fonts, Weight};
use crate::{
    CertificateError, INK, LAUREL, MUTED, Paper, color, fill_rect, parse_color, rule, set_fill,
    stroke_rect,
};

/// One credential line.
#[derive(Debug, Clone)]
pub struct Line {
    /// "2026-03-10".
    pub date: String,
    /// The issuer's name.
    pub provider: String,
    /// The credential's title.
    pub title: String,
    /// Its CE category, or empty.
    pub category: String,
    /// Credits as a number ("1.5"), or empty.
    pub credits: String,
}

/// Everything printed on a transcript, already in words.
#[derive(Debug, Clone)]
pub struct TranscriptPdf {
    /// Letter or A4.
    pub paper: Paper,
    /// Who publishes it (the issuer that signs the CLR), at the top.
    pub publisher: String,
    /// Its colour (`#rrggbb`); laurel green without.
    pub brand_color: Option<String>,
    /// The person's name, or their email when no name is known.
    pub person: String,
    /// Their email.
    pub email: String,
    /// The period in words ("2026", "1 March 2024 – 28 February 2025").
    pub period: String,
    /// Credentials counted.
    pub lines: Vec<Line>,
    /// Credentials not counted, each with why (credits left empty).
    pub excluded: Vec<(Line, String)>,
    /// (category, credits) per category, then ("Total", credits).
    pub totals: Vec<(String, String)>,
    /// "Made on 4 December 2026".
    pub made: String,
}

const TOP: f32 = 60.0;

/// Lays out the transcript and writes the PDF.
pub fn render(t: &TranscriptPdf) -> Result<Vec<u8>, CertificateError> {
    let fonts = Fonts::load()?;
    let (width, height) = t.paper.size();
    let brand = t
        .brand_color
        .as_deref()
        .and_then(parse_color)
        .unwrap_or_else(|| color(LAUREL));
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("Transcript — {} — {}", t.person, t.period))
            .creator("Laurel".to_string()),
    );
    let margin = 54.0;
    let bottom = height - 60.0;
    // Columns: date, provider, title, category, credits (right-aligned).
    let inner = width - 2.0 * margin;
    let columns = [
        margin,
        margin + 70.0,
        margin + 70.0 + inner * 0.25,
        margin + inner * 0.72,
    ];
    let widths = [
        64.0,
        inner * 0.25 - 8.0,
        inner * 0.72 - 70.0 - inner * 0.25 - 8.0,
        inner * 0.2,
    ];
    let credits_right = width - margin;

    // The text of every page, laid out first so the page count is known.
    let mut pages: Vec<Vec<Draw>> = vec![Vec::new()];
    let mut y = TOP;
    let new_page = |pages: &mut Vec<Vec<Draw>>, y: &mut f32| {
        pages.push(Vec::new());
        *y = TOP;
    };

    // Heading.
    push(
        &mut pages,
        Draw::text(&t.publisher, Weight::Bold, 13.0, margin, y, INK),
    );
    y += 34.0;
    push(
        &mut pages,
        Draw::brand(
            "Continuing-Education Transcript",
            Weight::Bold,
            22.0,
            margin,
            y,
        ),
    );
    y += 26.0;
    push(
        &mut pages,
        Draw::text(&t.person, Weight::Bold, 14.0, margin, y, INK),
    );
    y += 16.0;
    let who = if t.person == t.email {
        t.period.clone()
    } else {
        format!("{}   ·   {}", t.email, t.period)
    };
    push(
        &mut pages,
        Draw::text(&who, Weight::Regular, 10.5, margin, y, MUTED),
    );
    y += 30.0;

    let header = |pages: &mut Vec<Vec<Draw>>, y: &mut f32| {
        for (index, name) in ["Date", "Provider", "Title", "Category"].iter().enumerate() {
            push(
                pages,
                Draw::text(name, Weight::Bold, 9.5, columns[index], *y, MUTED),
            );
        }
        let w = fonts.width("Credits", Weight::Bold, 9.5);
        push(
            pages,
            Draw::text("Credits", Weight::Bold, 9.5, credits_right - w, *y, MUTED),
        );
        push(pages, Draw::Rule(margin, width - margin, *y + 5.0));
        *y += 18.0;
    };
    header(&mut pages, &mut y);
    let row = |pages: &mut Vec<Vec<Draw>>, y: &mut f32, line: &Line, note: Option<&str>| {
        let cells = [&line.date, &line.provider, &line.title, &line.category];
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .enumerate()
            .map(|(i, text)| fonts.wrap(text, Weight::Regular, 9.5, widths[i]))
            .collect();
        let mut height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * 12.0;
        if note.is_some() {
            height += 12.0;
        }
        if *y + height > bottom - 20.0 {
            pages.push(Vec::new());
            *y = TOP;
        }
        for (i, lines) in wrapped.iter().enumerate() {
            for (n, text) in lines.iter().enumerate() {
                push(
                    pages,
                    Draw::text(
                        text,
                        Weight::Regular,
                        9.5,
                        columns[i],
                        *y + n as f32 * 12.0,
                        INK,
                    ),
                );
            }
        }
        if !line.credits.is_empty() {
            let w = fonts.width(&line.credits, Weight::Regular, 9.5);
            push(
                pages,
                Draw::text(
                    &line.credits,
                    Weight::Regular,
                    9.5,
                    credits_right - w,
                    *y,
                    INK,
                ),
            );
        }
        if let Some(note) = note {
            let top = *y + height - 12.0;
            push(
                pages,
                Draw::text(note, Weight::Regular, 8.5, columns[1], top, MUTED),
            );
        }
        *y += height + 6.0;
    };
    if t.lines.is_empty() {
        push(
            &mut pages,
            Draw::text(
                "No credentials in this period.",
                Weight::Regular,
                10.0,
                margin,
                y,
                MUTED,
            ),
        );
        y += 18.0;
    }
    for line in &t.lines {
        row(&mut pages, &mut y, line, None);
    }
    if !t.excluded.is_empty() {
        y += 10.0;
        if y + 40.0 > bottom {
            new_page(&mut pages, &mut y);
        }
        push(
            &mut pages,
            Draw::text("Not counted", Weight::Bold, 11.0, margin, y, INK),
        );
        y += 16.0;
        for (line, why) in &t.excluded {
            row(&mut pages, &mut y, line, Some(why));
        }
    }
    y += 10.0;
    if y + 18.0 * (t.totals.len() as f32 + 1.0) > bottom {
        new_page(&mut pages, &mut y);
    }
    push(&mut pages, Draw::Rule(margin, width - margin, y - 6.0));
    y += 8.0;
    for (index, (name, credits)) in t.totals.iter().enumerate() {
        let last = index + 1 == t.totals.len();
        let weight = if last { Weight::Bold } else { Weight::Regular };
        push(
            &mut pages,
            Draw::text(name, weight, 10.5, columns[2], y, INK),
        );
        let w = fonts.width(credits, weight, 10.5);
        push(
            &mut pages,
            Draw::text(credits, weight, 10.5, credits_right - w, y, INK),
        );
        y += 16.0;
    }

    let count = pages.len();
    for (number, draws) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(width, height)
            .ok_or_else(|| CertificateError::Pdf("bad page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        fill_rect(&mut surface, brand, 0.0, 0.0, width, 14.0);
        stroke_rect(
            &mut surface,
            brand,
            24.0,
            30.0,
            width - 48.0,
            height - 54.0,
            1.0,
        );
        for draw in draws {
            draw.on(&mut surface, &fonts, brand);
        }
        set_fill(&mut surface, color(MUTED));
        let foot = format!("{}   ·   page {} of {count}", t.made, number + 1);
        fonts.draw(
            &mut surface,
            &foot,
            Weight::Regular,
            8.0,
            margin,
            height - 40.0,
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| CertificateError::Pdf(format!("{error:?}")))
}

fn push(pages: &mut [Vec<Draw>], draw: Draw) {
    if let Some(page) = pages.last_mut() {
        page.push(draw);
    }
}

/// Something drawn on a page.
enum Draw {
    Text {
        text: String,
        weight: Weight,
        size: f32,
        x: f32,
        y: f32,
        ink: Option<(u8, u8, u8)>,
    },
    Rule(f32, f32, f32),
}

impl Draw {
    fn text(text: &str, weight: Weight, size: f32, x: f32, y: f32, ink: (u8, u8, u8)) -> Draw {
        Draw::Text {
            text: text.to_string(),
            weight,
            size,
            x,
            y,
            ink: Some(ink),
        }
    }

    /// Text in the issuer's colour.
    fn brand(text: &str, weight: Weight, size: f32, x: f32, y: f32) -> Draw {
        Draw::Text {
            text: text.to_string(),
            weight,
            size,
            x,
            y,
            ink: None,
        }
    }

    fn on(self, surface: &mut Surface, fonts: &Fonts, brand: krilla::color::rgb::Color) {
        match self {
            Draw::Text {
                text,
                weight,
                size,
                x,
                y,
                ink,
            } => {
                set_fill(surface, ink.map(color).unwrap_or(brand));
                fonts.draw(surface, &text, weight, size, x, y);
            }
            Draw::Rule(from, to, y) => rule(surface, color(MUTED), from, to, y, 0.5),
        }
    }
}
