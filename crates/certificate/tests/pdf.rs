//! Certificates read back with a PDF parser (lopdf): the words are in the text (through the
//! fonts' ToUnicode maps), the fonts are embedded, the page is the issuer's paper size.
#![allow(clippy::unwrap_used)]

use laurel_certificate::{Certificate, Paper, render};

fn certificate(name: Option<&str>, paper: Paper) -> Certificate {
    Certificate {
        paper,
        issuer_name: "Bibliothécaires du Québec".into(),
        brand_color: Some("#8a1538".into()),
        logo_png: None,
        badge_png: None,
        recipient_name: name.map(str::to_string),
        role: None,
        achievement_name: "Catalogage avancé".into(),
        criteria: Some(
            "Attended the full cataloguing workshop and completed its exercises.".into(),
        ),
        dates: "12 March 2026".into(),
        credits: Some("1.5 hours".into()),
        signatory_name: Some("Jörg Müller".into()),
        signatory_title: Some("Directrice de la formation".into()),
        number: "7K2M-9QXA-B4TD".into(),
        url: "https://badges.example.org/credentials/0190f4a2-7b1c-7d3e-8f45-1a2b3c4d5e6f".into(),
        stamp: None,
    }
}

fn text_of(pdf: &[u8]) -> (lopdf::Document, String) {
    assert!(pdf.starts_with(b"%PDF-"));
    let document = lopdf::Document::load_mem(pdf).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    assert_eq!(pages, [1], "one page");
    let text = document.extract_text(&pages).unwrap();
    (document, text)
}

fn media_box(document: &lopdf::Document) -> Vec<f32> {
    let page = *document.get_pages().values().next().unwrap();
    let dictionary = document.get_dictionary(page).unwrap();
    dictionary
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_float().unwrap())
        .collect()
}

/// The base names of the embedded fonts (subset-tagged: `ABCDEF+NotoSans-Bold`).
fn font_names(document: &lopdf::Document) -> Vec<String> {
    document
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor"))
        .map(|dict| {
            String::from_utf8_lossy(dict.get(b"FontName").unwrap().as_name().unwrap()).into_owned()
        })
        .collect()
}

/// lopdf's extraction may split a line into pieces; compare without whitespace.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn accented_names_number_and_url_are_in_the_text() {
    let pdf = render(&certificate(Some("Zoë Núñez-Åberg"), Paper::Letter)).unwrap();
    let (document, text) = text_of(&pdf);
    let text = squeeze(&text);
    for expected in [
        "ZoëNúñez-Åberg",
        "7K2M-9QXA-B4TD",
        "https://badges.example.org/credentials/0190f4a2-7b1c-7d3e-8f45-1a2b3c4d5e6f",
        "JörgMüller",
        "Catalogageavancé",
        "1.5hours",
        "12March2026",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    assert_eq!(media_box(&document), [0.0, 0.0, 612.0, 792.0]);
}

#[test]
fn japanese_names_use_the_embedded_cjk_font_with_a_unicode_map() {
    let pdf = render(&certificate(Some("田中芽衣"), Paper::A4)).unwrap();
    let (document, text) = text_of(&pdf);
    assert!(squeeze(&text).contains("田中芽衣"), "{text}");
    let fonts = font_names(&document);
    assert!(
        fonts.iter().any(|f| f.contains("NotoSansCJKjp")),
        "{fonts:?}"
    );
    assert!(
        fonts.iter().any(|f| f.contains("NotoSans-Bold")),
        "{fonts:?}"
    );
    let media = media_box(&document);
    assert!(
        (media[2] - 595.28).abs() < 0.01 && (media[3] - 841.89).abs() < 0.01,
        "{media:?}"
    );
}

#[test]
fn no_name_says_so_and_a_revoked_certificate_says_revoked() {
    let mut revoked = certificate(None, Paper::Letter);
    revoked.stamp = Some("REVOKED".into());
    let (_, text) = text_of(&render(&revoked).unwrap());
    let text = squeeze(&text);
    assert!(
        text.contains("thepersonthiscredentialwasissuedto"),
        "{text}"
    );
    assert!(text.contains("REVOKED"), "{text}");
}

#[test]
fn the_role_is_printed_before_what_was_earned() {
    let mut presenter = certificate(Some("Ana"), Paper::Letter);
    presenter.role = Some("Presenter".into());
    let (_, text) = text_of(&render(&presenter).unwrap());
    assert!(squeeze(&text).contains("asPresenter,hasearned"), "{text}");
    let (_, text) = text_of(&render(&certificate(Some("Ana"), Paper::Letter)).unwrap());
    assert!(!squeeze(&text).contains("asPresenter"), "{text}");
}

#[test]
fn images_are_embedded() {
    // A 4 × 4 red PNG, as the badge and the logo; and a broken one, left out.
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, 4, 4);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[200, 0, 0].repeat(16)).unwrap();
    }
    let mut broken = png.clone();
    let at = broken.len() - 20;
    broken[at] ^= 0xff;
    let mut with_broken = certificate(Some("Ana"), Paper::Letter);
    with_broken.badge_png = Some(broken);
    assert!(render(&with_broken).is_ok());
    let mut with_images = certificate(Some("Ana"), Paper::Letter);
    with_images.badge_png = Some(png.to_vec());
    with_images.logo_png = Some(png.to_vec());
    let pdf = render(&with_images).unwrap();
    std::fs::write(
        std::env::temp_dir().join("laurel-certificate-test.pdf"),
        &pdf,
    )
    .unwrap();
    let document = lopdf::Document::load_mem(&pdf).unwrap();
    let images = document
        .objects
        .values()
        .filter_map(|object| object.as_stream().ok())
        .filter(|stream| {
            stream.dict.get(b"Subtype").and_then(|t| t.as_name()).ok() == Some(b"Image")
        })
        .count();
    // The same picture twice is embedded once.
    assert_eq!(images, 1);
}

/// The decompressed content stream of the one page.
fn content(document: &lopdf::Document) -> Vec<u8> {
    let page = *document.get_pages().values().next().unwrap();
    document.get_page_content(page)
}

#[test]
fn arabic_hebrew_and_hindi_names_use_their_fonts_in_reading_order() {
    // (name, its font, the name as the PDF's text holds it, whether it reads right to left)
    for (name, font, rtl) in [
        ("فاطمة الزهراء", "NotoSansArabic-Bold", true),
        ("נועה כהן", "NotoSansHebrew-Bold", true),
        ("अनन्या शर्मा", "NotoSansDevanagari-Bold", false),
    ] {
        let pdf = render(&certificate(Some(name), Paper::A4)).unwrap();
        let (document, text) = text_of(&pdf);
        let fonts = font_names(&document);
        assert!(fonts.iter().any(|f| f.contains(font)), "{name}: {fonts:?}");
        let text = squeeze(&text);
        // The glyphs are drawn left to right. A right-to-left name's glyphs come last letter
        // first, in a `/ReversedChars` span that tells extractors to turn them back; lopdf
        // does not, so its text is the name reversed: the order on the page.
        let drawn: String = if rtl {
            squeeze(name).chars().rev().collect()
        } else {
            squeeze(name)
        };
        // A cluster drawn with several glyphs (a Devanagari conjunct, a reph) maps its text to
        // its first glyph; lopdf reads the others as U+FFFD (viewers use the span's
        // ActualText), so those are left out of the comparison.
        let readable: String = text.chars().filter(|c| *c != '\u{FFFD}').collect();
        assert!(readable.contains(&drawn), "{name}: {drawn} not in {text}");
        let reversed_spans = content(&document)
            .windows(b"/ReversedChars".len())
            .filter(|w| *w == b"/ReversedChars")
            .count();
        assert_eq!(reversed_spans > 0, rtl, "{name}");
        // The rest of the page is still there.
        assert!(text.contains("7K2M-9QXA-B4TD"), "{text}");
    }
}
