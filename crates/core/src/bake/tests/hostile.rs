//! Inputs that are not badges, too large, malformed or made to hurt (entity expansion, mutated
//! bytes): each a clear error, never a panic or a large allocation.

use super::*;

#[test]
fn not_an_image_is_a_clear_error() {
    for bytes in [
        &b""[..],
        b"hello world",
        b"\xFF\xD8\xFF\xE0\x00\x10JFIF",
        b"{\"@context\": []}",
    ] {
        let err = extract(bytes).expect_err("not an image");
        assert!(matches!(err, BakeError::UnrecognizedFormat), "{err:?}");
        assert!(err.to_string().contains("PNG or SVG"), "{err}");
    }
    assert!(matches!(
        extract(b"\x1f\x8b\x08\x00rest-of-svgz"),
        Err(BakeError::CompressedSvg)
    ));
}

#[test]
fn oversized_images_are_refused() {
    let mut big = tiny_png();
    big.resize(MAX_IMAGE_BYTES + 1, 0);
    assert!(matches!(
        extract(&big),
        Err(BakeError::TooLarge { what: "image", .. })
    ));
    assert!(matches!(
        bake_png(&big, simple_json()),
        Err(BakeError::TooLarge { .. })
    ));
    let big_svg = format!("<svg>{}</svg>", " ".repeat(MAX_IMAGE_BYTES));
    assert!(matches!(
        bake_svg(&big_svg, Payload::Jwt("a.b.c")),
        Err(BakeError::TooLarge { .. })
    ));
    // A credential that would push the image over the limit.
    let huge = format!(r#"{{"pad": "{}"}}"#, "x".repeat(MAX_IMAGE_BYTES - 20));
    assert!(matches!(
        bake_png(&tiny_png(), &huge),
        Err(BakeError::TooLarge {
            what: "baked image",
            ..
        })
    ));
}

#[test]
fn svg_without_a_credential_is_a_clear_error() {
    let err = extract(PLAIN_SVG.as_bytes()).expect_err("no credential");
    assert!(matches!(err, BakeError::NoCredential(ImageFormat::Svg)));
    assert!(err.to_string().contains("SVG"), "{err}");
}

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
  <openbadges:credential>&lol3;</openbadges:credential>
</svg>"#;

#[test]
fn svg_with_entity_declarations_is_refused() {
    let err = extract(BILLION_LAUGHS.as_bytes()).expect_err("entities");
    assert!(matches!(err, BakeError::DoctypeEntities), "{err:?}");
    assert!(err.to_string().contains("entit"), "{err}");
    assert!(matches!(
        bake_svg(BILLION_LAUGHS, Payload::Jwt("a.b.c")),
        Err(BakeError::DoctypeEntities)
    ));
    let external = r#"<!DOCTYPE svg [<!entity xxe SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"#;
    assert!(matches!(
        extract(external.as_bytes()),
        Err(BakeError::DoctypeEntities)
    ));
    // An undeclared entity inside the credential is not silently dropped.
    let undeclared = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="https://purl.imsglobal.org/ob/v3p0"><o:credential>{&foo;}</o:credential></svg>"#;
    assert!(matches!(
        extract(undeclared.as_bytes()),
        Err(BakeError::UndefinedEntity(name)) if name == "foo"
    ));
}

#[test]
fn broken_svgs_are_clear_errors() {
    type Case = (&'static [u8], fn(&BakeError) -> bool);
    let cases: [Case; 6] = [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", |e| {
            matches!(e, BakeError::Xml { .. })
        }),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g>", |e| {
            matches!(e, BakeError::Xml { .. })
        }),
        (
            b"<html xmlns='http://www.w3.org/1999/xhtml'><svg/></html>",
            |e| matches!(e, BakeError::NotSvg(name) if name == "html"),
        ),
        (b"<svg>\xff\xfe</svg>", |e| {
            matches!(e, BakeError::SvgNotUtf8 { valid_up_to: 5 })
        }),
        (
            b"<svg xmlns:o='https://purl.imsglobal.org/ob/v3p0'><o:credential>  </o:credential></svg>",
            |e| matches!(e, BakeError::EmptyCredential(ImageFormat::Svg)),
        ),
        (
            b"<svg xmlns:o='https://purl.imsglobal.org/ob/v3p0'><o:credential><b/></o:credential></svg>",
            |e| matches!(e, BakeError::SvgMalformed(_)),
        ),
    ];
    for (input, is_expected) in cases {
        let err = extract_svg(input).expect_err("broken svg");
        assert!(
            is_expected(&err),
            "{}: {err:?}",
            String::from_utf8_lossy(input)
        );
    }
    // Baking refuses broken documents too, and never produces half an SVG.
    assert!(matches!(
        bake_svg("<svg><g></svg>", Payload::Jwt("a.b.c")),
        Err(BakeError::Xml { .. })
    ));
    assert!(matches!(
        bake_svg("<svg><g>", Payload::Jwt("a.b.c")),
        Err(BakeError::Xml { .. })
    ));
    assert!(matches!(
        bake_svg("", Payload::Jwt("a.b.c")),
        Err(BakeError::Xml { .. })
    ));
    assert!(matches!(
        bake_svg("<svg/><svg/>", Payload::Jwt("a.b.c")),
        Err(BakeError::Xml { .. })
    ));
    assert!(matches!(
        bake_svg(
            r#"<?xml version="1.0" encoding="ISO-8859-1"?><svg/>"#,
            Payload::Jwt("a.b.c")
        ),
        Err(BakeError::UnsupportedEncoding(enc)) if enc == "ISO-8859-1"
    ));
}

#[test]
fn invalid_payloads_are_refused_before_baking() {
    for bad in [
        "",
        "   ",
        "hello",
        "a.b",
        "a..c",
        "a.b.c.d",
        "a.b!.c",
        "[1, 2]",
        "{not json",
    ] {
        let err = bake_png(&tiny_png(), bad).expect_err(bad);
        assert!(
            matches!(err, BakeError::InvalidPayload(_)),
            "{bad}: {err:?}"
        );
    }
    assert!(matches!(
        bake_svg(PLAIN_SVG, Payload::Json("[1]")),
        Err(BakeError::InvalidPayload(_))
    ));
    assert!(matches!(
        bake_svg(PLAIN_SVG, Payload::Jwt("not a jws")),
        Err(BakeError::InvalidPayload(_))
    ));
    // A JWS-looking string passed as JSON (or vice versa) is caught.
    assert!(matches!(
        bake_svg(PLAIN_SVG, Payload::Json("a.b.c")),
        Err(BakeError::InvalidPayload(_))
    ));
    assert!(matches!(
        bake_svg(PLAIN_SVG, Payload::Json("{\"x\": \"\u{FFFF}\"}")),
        Err(BakeError::InvalidPayload(_))
    ));
    assert_eq!(
        Payload::detect("  {\"a\":1}\n").expect("json"),
        Payload::Json("{\"a\":1}")
    );
    assert_eq!(
        Payload::detect("a.b.c").expect("jws"),
        Payload::Jwt("a.b.c")
    );
}

/// Deterministic mutation fuzzing: flipped, dropped and duplicated bytes never panic.
#[test]
fn mutated_images_never_panic() {
    let token = jws(simple_json());
    let png_image = bake_png(&tiny_png(), &token).expect("png");
    let svg_image = bake_svg(PLAIN_SVG, Payload::Json(TRICKY_JSON)).expect("svg");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for base in [png_image, svg_image.into_bytes()] {
        for _ in 0..2000 {
            let mut image = base.clone();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() as usize) % image.len();
                match next() % 3 {
                    0 => image[at] = next() as u8,
                    1 => {
                        image.remove(at);
                    }
                    _ => image.insert(at, b"<>&;\0]"[(next() % 6) as usize]),
                }
            }
            let _ = extract(&image);
            if let Ok(text) = std::str::from_utf8(&image) {
                let _ = bake_svg(text, Payload::Jwt("a.b.c"));
            } else {
                let _ = bake_png(&image, "a.b.c");
            }
        }
    }
}
