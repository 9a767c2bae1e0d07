//! Transcripts read back with a PDF parser (lopdf): the heading, every credential, the ones
//! not counted with why, and the totals are in the text; a long transcript runs over pages.
#![allow(clippy::unwrap_used)]

use laurel_certificate::Paper;
use laurel_certificate::transcript::{Line, TranscriptPdf, render};

fn line(date: &str, provider: &str, title: &str, category: &str, credits: &str) -> Line {
    Line {
        date: date.into(),
        provider: provider.into(),
        title: title.into(),
        category: category.into(),
        credits: credits.into(),
    }
}

fn transcript(lines: Vec<Line>) -> TranscriptPdf {
    TranscriptPdf {
        paper: Paper::Letter,
        publisher: "Library Association".into(),
        brand_color: Some("#8a1538".into()),
        person: "Ada Lovelace".into(),
        email: "ada@example.org".into(),
        period: "2025 – 2026".into(),
        lines,
        excluded: vec![(
            line(
                "2026-01-15",
                "Library Association",
                "Outreach Basics",
                "",
                "",
            ),
            "Revoked on 1 March 2026: Awarded in error".into(),
        )],
        totals: vec![
            ("Technology".into(), "1.5".into()),
            ("Management".into(), "2.5".into()),
            ("Total credits".into(), "4".into()),
        ],
        made: "Made on 1 March 2026".into(),
    }
}

fn text_of(pdf: &[u8]) -> (usize, String) {
    assert!(pdf.starts_with(b"%PDF-"));
    let document = lopdf::Document::load_mem(pdf).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let text = document.extract_text(&pages).unwrap();
    (pages.len(), text)
}

#[test]
fn the_transcript_says_every_credential_and_total() {
    let pdf = render(&transcript(vec![
        line(
            "2025-04-10",
            "Library Association",
            "Cataloguing Basics",
            "Technology",
            "1.5",
        ),
        line(
            "2026-02-01",
            "State Library",
            "Leading Teams",
            "Management",
            "2.5",
        ),
    ]))
    .unwrap();
    let (pages, text) = text_of(&pdf);
    assert_eq!(pages, 1);
    for expected in [
        "Library Association",
        "Continuing-Education Transcript",
        "Ada Lovelace",
        "ada@example.org",
        "2025-04-10",
        "Cataloguing Basics",
        "State Library",
        "Leading Teams",
        "Management",
        "2.5",
        "Not counted",
        "Outreach Basics",
        "Revoked on 1 March 2026: Awarded in error",
        "Total credits",
        "page 1 of 1",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}

#[test]
fn a_long_transcript_runs_over_pages() {
    let lines = (0..80)
        .map(|i| {
            line(
                "2026-01-01",
                "Library Association",
                &format!("Webinar {i}"),
                "Technology",
                "1",
            )
        })
        .collect();
    let (pages, text) = text_of(&render(&transcript(lines)).unwrap());
    assert!(pages >= 3, "{pages} pages");
    assert!(text.contains("Webinar 79"));
    assert!(text.contains(&format!("page {pages} of {pages}")));
}
