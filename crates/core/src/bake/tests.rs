//! Tests for baking and extraction: 1EdTech fixtures, round trips, re-baking, decoding the baked
//! PNG with an independent decoder, corrupt and hostile inputs, and Open Badges 2.0 recognition.

use std::io::Cursor;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;

// 1EdTech validator fixtures (tests/vectors/README.md). The PNGs put the `openbadgecredential`
// iTXt chunk after the image data, so extraction must not depend on chunk position; the `_v1`
// files carry a VC Data Model 1.1 style JWT (`vc` claim).
const SIMPLE_JSON_PNG: &[u8] = include_bytes!(
    "../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-json.png"
);
const SIMPLE_JSON_SVG: &[u8] = include_bytes!(
    "../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-json.svg"
);
const SIMPLE_JWT_PNG: &[u8] = include_bytes!(
    "../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-jwt.png"
);
const SIMPLE_JWT_SVG: &[u8] = include_bytes!(
    "../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-jwt.svg"
);
const SIMPLE_JWT_V1_PNG: &[u8] = include_bytes!(
    "../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-jwt_v1.png"
);
const SIMPLE_JWT_V1_SVG: &[u8] = include_bytes!(
    "../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-jwt_v1.svg"
);

/// A credential with accents, CJK, emoji and a `]]>` that must survive SVG CDATA.
const TRICKY_JSON: &str = r#"{
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "name": "Café Élève — 日本語のバッジ 🎓🏅",
  "description": "ends a CDATA section: ]]> and again ]]]]>> and <tags> & ampersands",
  "credentialSubject": {"type": ["AchievementSubject"], "note": "naïve façade 中文 😀"}
}"#;

/// A compact JWS (shape only; the signature is not checked here).
fn jws(claims: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims);
    let signature = URL_SAFE_NO_PAD.encode([7u8; 64]);
    format!("{header}.{payload}.{signature}")
}

fn simple_json() -> &'static str {
    r#"{"type":["VerifiableCredential","OpenBadgeCredential"],"name":"Simple"}"#
}

/// A real 3×2 RGB PNG from an independent encoder.
fn tiny_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = ::png::Encoder::new(&mut out, 3, 2);
        encoder.set_color(::png::ColorType::Rgb);
        encoder.set_depth(::png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("png header");
        writer
            .write_image_data(&tiny_pixels())
            .expect("png image data");
    }
    out
}

fn tiny_pixels() -> Vec<u8> {
    (0u8..18).map(|i| i.wrapping_mul(37)).collect()
}

/// Decodes a PNG with the `png` crate: pixels, and the iTXt chunks seen before the image data.
fn decode(png_bytes: &[u8]) -> (Vec<u8>, Vec<(String, bool, String)>) {
    let decoder = ::png::Decoder::new(Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("baked PNG must decode");
    let itxt = reader
        .info()
        .utf8_text
        .iter()
        .map(|c| {
            (
                c.keyword.clone(),
                c.compressed,
                c.get_text().expect("iTXt text"),
            )
        })
        .collect();
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let frame = reader.next_frame(&mut buf).expect("baked PNG frame");
    buf.truncate(frame.buffer_size());
    (buf, itxt)
}

/// Independent chunk walk (no CRC checks): `(type, data)` of every chunk.
fn raw_chunks(png_bytes: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut chunks = Vec::new();
    let mut pos = 8;
    while pos + 12 <= png_bytes.len() {
        let len = u32::from_be_bytes(png_bytes[pos..pos + 4].try_into().expect("4 bytes")) as usize;
        let ty: [u8; 4] = png_bytes[pos + 4..pos + 8].try_into().expect("4 bytes");
        chunks.push((ty, png_bytes[pos + 8..pos + 8 + len].to_vec()));
        pos += 12 + len;
    }
    chunks
}

/// Data of every iTXt/tEXt/zTXt chunk whose keyword is `keyword`.
fn text_chunks_with_keyword(png_bytes: &[u8], keyword: &str) -> Vec<Vec<u8>> {
    let mut prefix = keyword.as_bytes().to_vec();
    prefix.push(0);
    raw_chunks(png_bytes)
        .into_iter()
        .filter(|(ty, data)| matches!(ty, b"iTXt" | b"tEXt" | b"zTXt") && data.starts_with(&prefix))
        .map(|(_, data)| data)
        .collect()
}

/// Builds a chunk with a correct CRC.
fn chunk(ty: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&u32::try_from(data.len()).expect("small").to_be_bytes());
    out.extend_from_slice(ty);
    out.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(ty);
    h.update(data);
    out.extend_from_slice(&h.finalize().to_be_bytes());
    out
}

/// `png` with `extra` chunks inserted right after IHDR (signature 8 + IHDR 25 bytes).
fn with_chunks_after_ihdr(png_bytes: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
    let mut out = png_bytes[..33].to_vec();
    for c in extra {
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&png_bytes[33..]);
    out
}

fn assert_open_badge_json(payload: &str) {
    let value: serde_json::Value = serde_json::from_str(payload).expect("payload is JSON");
    let types = value["type"].as_array().expect("type is an array");
    assert!(
        types.iter().any(|t| t == "OpenBadgeCredential"),
        "type {types:?} lacks OpenBadgeCredential"
    );
}

fn assert_compact_jws_of_open_badge(payload: &str) {
    let parts: Vec<&str> = payload.split('.').collect();
    assert_eq!(parts.len(), 3, "compact JWS has three parts");
    let header = URL_SAFE_NO_PAD
        .decode(parts[0])
        .expect("header is base64url");
    let header: serde_json::Value = serde_json::from_slice(&header).expect("header is JSON");
    assert!(header["alg"].is_string(), "JWS header has alg");
    let claims = URL_SAFE_NO_PAD
        .decode(parts[1])
        .expect("payload is base64url");
    let claims: serde_json::Value = serde_json::from_slice(&claims).expect("claims are JSON");
    // VC 2.0 JWTs are the credential itself; VC 1.1 JWTs wrap it in `vc`.
    let credential = if claims.get("vc").is_some() {
        &claims["vc"]
    } else {
        &claims
    };
    assert_open_badge_json(&credential.to_string());
    assert!(
        URL_SAFE_NO_PAD
            .decode(parts[2])
            .is_ok_and(|s| !s.is_empty()),
        "signature is base64url"
    );
}

// ---------------------------------------------------------------- 1EdTech fixtures

#[test]
fn fixture_json_png_yields_the_credential_json() {
    let got = extract(SIMPLE_JSON_PNG).expect("extract simple-json.png");
    assert_eq!(got.format, ImageFormat::Png);
    assert_eq!(got.version, BadgeVersion::Ob3);
    assert_open_badge_json(&got.payload);
}

#[test]
fn fixture_json_svg_yields_the_credential_json() {
    let got = extract(SIMPLE_JSON_SVG).expect("extract simple-json.svg");
    assert_eq!(got.format, ImageFormat::Svg);
    assert_eq!(got.version, BadgeVersion::Ob3);
    assert!(
        got.payload.starts_with('{') && got.payload.ends_with('}'),
        "trimmed"
    );
    assert_open_badge_json(&got.payload);
}

#[test]
fn fixture_jwt_images_yield_a_compact_jws() {
    for (name, image, format) in [
        ("simple-jwt.png", SIMPLE_JWT_PNG, ImageFormat::Png),
        ("simple-jwt.svg", SIMPLE_JWT_SVG, ImageFormat::Svg),
        ("simple-jwt_v1.png", SIMPLE_JWT_V1_PNG, ImageFormat::Png),
        ("simple-jwt_v1.svg", SIMPLE_JWT_V1_SVG, ImageFormat::Svg),
    ] {
        let got = extract(image).unwrap_or_else(|e| panic!("extract {name}: {e}"));
        assert_eq!(got.format, format, "{name}");
        assert_eq!(got.version, BadgeVersion::Ob3, "{name}");
        assert_compact_jws_of_open_badge(&got.payload);
    }
}

#[test]
fn fixture_png_and_svg_carry_the_same_jws() {
    // Same credential baked both ways by 1EdTech: a cross-check of the two readers.
    let png = extract(SIMPLE_JWT_PNG).expect("png");
    let svg = extract(SIMPLE_JWT_SVG).expect("svg");
    assert_compact_jws_of_open_badge(&png.payload);
    assert_compact_jws_of_open_badge(&svg.payload);
    let png_json = extract(SIMPLE_JSON_PNG).expect("png json");
    let svg_json = extract(SIMPLE_JSON_SVG).expect("svg json");
    let a: serde_json::Value = serde_json::from_str(&png_json.payload).expect("json");
    let b: serde_json::Value = serde_json::from_str(&svg_json.payload).expect("json");
    assert_eq!(a["id"], b["id"]);
}

#[test]
fn detect_format_sniffs_png_and_svg() {
    assert_eq!(detect_format(SIMPLE_JSON_PNG), Some(ImageFormat::Png));
    assert_eq!(detect_format(SIMPLE_JSON_SVG), Some(ImageFormat::Svg));
    assert_eq!(
        detect_format(b"\xEF\xBB\xBF  <svg xmlns='http://www.w3.org/2000/svg'/>"),
        Some(ImageFormat::Svg)
    );
    assert_eq!(detect_format(b"<html><body/></html>"), None);
    assert_eq!(detect_format(b"\xFF\xD8\xFF\xE0 JFIF"), None);
    assert_eq!(detect_format(b""), None);
    assert_eq!(detect_format(b"{\"type\": \"svg\"}"), None);
}

// ---------------------------------------------------------------- PNG round trips

#[test]
fn png_round_trip_json_and_jwt_with_non_ascii() {
    let token = jws(TRICKY_JSON);
    for base in [tiny_png(), SIMPLE_JSON_PNG.to_vec()] {
        for payload in [TRICKY_JSON, token.as_str()] {
            let baked = bake_png(&base, payload).expect("bake");
            let got = extract(&baked).expect("extract");
            assert_eq!(got.format, ImageFormat::Png);
            assert_eq!(got.version, BadgeVersion::Ob3);
            assert_eq!(got.payload, payload.trim());
        }
    }
}

#[test]
fn png_chunk_is_uncompressed_itxt_right_after_ihdr() {
    let baked = bake_png(&tiny_png(), TRICKY_JSON).expect("bake");
    let chunks = raw_chunks(&baked);
    assert_eq!(&chunks[0].0, b"IHDR");
    assert_eq!(&chunks[1].0, b"iTXt");
    let mut expected = b"openbadgecredential\0\0\0\0\0".to_vec();
    expected.extend_from_slice(TRICKY_JSON.as_bytes());
    assert_eq!(
        chunks[1].1, expected,
        "keyword, flag 0, method 0, empty tags, UTF-8 text"
    );
    let idat = chunks
        .iter()
        .position(|(ty, _)| ty == b"IDAT")
        .expect("IDAT");
    assert!(idat > 1, "credential comes before the image data");
    assert_eq!(&chunks.last().expect("chunks").0, b"IEND");
}

#[test]
fn baked_png_still_decodes_with_an_independent_decoder() {
    let base = tiny_png();
    let (pixels_before, _) = decode(&base);
    assert_eq!(pixels_before, tiny_pixels());

    let baked = bake_png(&base, TRICKY_JSON).expect("bake");
    let (pixels_after, itxt) = decode(&baked);
    assert_eq!(pixels_after, pixels_before, "image data untouched");
    assert_eq!(
        itxt,
        vec![(
            "openbadgecredential".to_owned(),
            false,
            TRICKY_JSON.to_owned()
        )]
    );

    // The 1EdTech image too (real deflate data, many chunks).
    let (fixture_pixels, _) = decode(SIMPLE_JSON_PNG);
    let token = jws(simple_json());
    let baked = bake_png(SIMPLE_JSON_PNG, &token).expect("bake fixture");
    let (baked_pixels, itxt) = decode(&baked);
    assert_eq!(baked_pixels, fixture_pixels);
    assert_eq!(
        itxt,
        vec![("openbadgecredential".to_owned(), false, token)],
        "the fixture's old chunk (after IDAT) is gone, the new one is before IDAT"
    );
}

#[test]
fn png_rebake_replaces_the_credential() {
    let first = bake_png(&tiny_png(), simple_json()).expect("bake 1");
    let token = jws(TRICKY_JSON);
    let second = bake_png(&first, &token).expect("bake 2");
    assert_eq!(
        text_chunks_with_keyword(&second, PNG_KEYWORD_OB3).len(),
        1,
        "exactly one credential chunk"
    );
    assert_eq!(extract(&second).expect("extract").payload, token);
    // Re-baking the same credential is idempotent.
    assert_eq!(bake_png(&second, &token).expect("bake 3"), second);

    // The 1EdTech fixture already has a credential (after IDAT): it is replaced, not kept.
    let rebaked = bake_png(SIMPLE_JWT_PNG, simple_json()).expect("rebake fixture");
    assert_eq!(text_chunks_with_keyword(&rebaked, PNG_KEYWORD_OB3).len(), 1);
    assert_eq!(extract(&rebaked).expect("extract").payload, simple_json());
    // Unrelated text chunks (ImageMagick's dates) are kept.
    assert_eq!(text_chunks_with_keyword(&rebaked, "date:create").len(), 1);
}

#[test]
fn png_rebake_removes_an_open_badges_2_chunk() {
    let ob2 = chunk(b"tEXt", b"openbadges\0https://example.org/assertions/1");
    let image = with_chunks_after_ihdr(&tiny_png(), &[ob2]);
    assert_eq!(extract(&image).expect("ob2").version, BadgeVersion::Ob2);
    let baked = bake_png(&image, simple_json()).expect("bake");
    assert!(text_chunks_with_keyword(&baked, PNG_KEYWORD_OB2).is_empty());
    assert_eq!(extract(&baked).expect("ob3").version, BadgeVersion::Ob3);
}

// ---------------------------------------------------------------- SVG round trips

const PLAIN_SVG: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<!-- made by hand -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" width='10' height="10" viewBox="0 0 10 10">
  <title>Tom &amp; Jerry&#x2019;s badge</title>
  <?render fast?>
  <g id="a"><rect width="10" height="10" fill="#c00"/></g>
  <style><![CDATA[ rect > g { fill: red } ]]></style>
</svg>
"##;

#[test]
fn svg_round_trip_json_and_jwt_with_non_ascii() {
    let token = jws(TRICKY_JSON);
    for base in [
        PLAIN_SVG,
        std::str::from_utf8(SIMPLE_JSON_SVG).expect("utf8"),
        std::str::from_utf8(SIMPLE_JWT_SVG).expect("utf8"),
    ] {
        for payload in [Payload::Json(TRICKY_JSON), Payload::Jwt(&token)] {
            let baked = bake_svg(base, payload).expect("bake");
            let got = extract(baked.as_bytes()).expect("extract");
            assert_eq!(got.format, ImageFormat::Svg);
            assert_eq!(got.version, BadgeVersion::Ob3);
            assert_eq!(got.payload, payload.as_str().trim());
        }
    }
}

#[test]
fn svg_bake_writes_the_spec_shape_and_preserves_the_rest() {
    let baked = bake_svg(PLAIN_SVG, Payload::Json(simple_json())).expect("bake");
    let expected = PLAIN_SVG.replace(
        r#"viewBox="0 0 10 10">"#,
        &format!(
            r#"viewBox="0 0 10 10" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[{}]]></openbadges:credential>"#,
            simple_json()
        ),
    );
    assert_eq!(baked, expected);

    let token = jws(simple_json());
    let baked = bake_svg(PLAIN_SVG, Payload::Jwt(&token)).expect("bake jwt");
    let expected = PLAIN_SVG.replace(
        r#"viewBox="0 0 10 10">"#,
        &format!(
            r#"viewBox="0 0 10 10" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="{token}"></openbadges:credential>"#
        ),
    );
    assert_eq!(baked, expected);
}

#[test]
fn svg_cdata_terminator_in_json_is_split_safely() {
    let baked = bake_svg(PLAIN_SVG, Payload::Json(TRICKY_JSON)).expect("bake");
    let body_start = baked.find("<openbadges:credential>").expect("element");
    let body_end = baked.find("</openbadges:credential>").expect("end");
    let body = &baked[body_start..body_end];
    // Every `]]>` in the element is a CDATA terminator, never the JSON's own.
    assert_eq!(
        body.matches("<![CDATA[").count(),
        body.matches("]]>").count()
    );
    assert!(body.matches("<![CDATA[").count() > 1, "the JSON was split");
    assert_eq!(
        extract(baked.as_bytes()).expect("extract").payload,
        TRICKY_JSON
    );
}

#[test]
fn svg_rebake_replaces_the_credential() {
    let first = bake_svg(PLAIN_SVG, Payload::Json(TRICKY_JSON)).expect("bake 1");
    let token = jws(simple_json());
    let second = bake_svg(&first, Payload::Jwt(&token)).expect("bake 2");
    assert_eq!(second.matches("<openbadges:credential").count(), 1);
    assert_eq!(
        second.matches("xmlns:openbadges=").count(),
        1,
        "namespace declared once"
    );
    assert_eq!(extract(second.as_bytes()).expect("extract").payload, token);
    assert_eq!(
        bake_svg(&second, Payload::Jwt(&token)).expect("bake 3"),
        second,
        "idempotent"
    );

    // 1EdTech's images already carry a credential (indented, after whitespace).
    for fixture in [SIMPLE_JSON_SVG, SIMPLE_JWT_SVG] {
        let text = std::str::from_utf8(fixture).expect("utf8");
        let once = bake_svg(text, Payload::Json(simple_json())).expect("rebake fixture");
        assert_eq!(
            once.matches(":credential").count(),
            2,
            "one start and one end tag"
        );
        assert_eq!(
            extract(once.as_bytes()).expect("extract").payload,
            simple_json()
        );
        let twice = bake_svg(&once, Payload::Json(simple_json())).expect("rebake again");
        assert_eq!(twice, once, "no blank lines pile up");
    }
}

#[test]
fn svg_rebake_removes_credentials_under_any_prefix() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0" xmlns:old="http://openbadges.org">
  <ob:credential verify="a.b.c"/>
  <old:assertion verify="https://example.org/a/1"/>
  <circle r="1"/>
</svg>"#;
    let baked = bake_svg(svg, Payload::Json(simple_json())).expect("bake");
    assert!(!baked.contains("ob:credential"), "{baked}");
    assert!(!baked.contains("old:assertion"), "{baked}");
    assert!(baked.contains(r#"<circle r="1"/>"#));
    assert_eq!(
        extract(baked.as_bytes()).expect("extract").payload,
        simple_json()
    );
}

#[test]
fn svg_self_closing_root_can_be_baked() {
    let baked = bake_svg(
        r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#,
        Payload::Jwt("a.b.c"),
    )
    .expect("bake");
    assert_eq!(
        baked,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="a.b.c"></openbadges:credential></svg>"#
    );
    assert_eq!(extract(baked.as_bytes()).expect("extract").payload, "a.b.c");

    // A UTF-8 byte order mark is kept, once, and the result still reads back.
    let with_bom = bake_svg("\u{FEFF}<svg/>", Payload::Jwt("a.b.c")).expect("bake bom");
    assert!(
        with_bom.starts_with("\u{FEFF}<svg xmlns:openbadges="),
        "{with_bom:?}"
    );
    assert_eq!(with_bom.matches('\u{FEFF}').count(), 1);
    assert_eq!(
        extract(with_bom.as_bytes()).expect("extract bom").payload,
        "a.b.c"
    );
}

#[test]
fn svg_extraction_resolves_the_prefix_instead_of_trusting_it() {
    let other_prefix = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">
  <ob:credential><![CDATA[ {"a": 1} ]]></ob:credential></svg>"#;
    let got = extract(other_prefix.as_bytes()).expect("other prefix");
    assert_eq!(
        (got.version, got.payload.as_str()),
        (BadgeVersion::Ob3, r#"{"a": 1}"#)
    );

    // The conventional prefix bound to some other namespace is not a credential.
    let impostor = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://example.org/not-ob">
  <openbadges:credential verify="a.b.c"/></svg>"#;
    assert!(matches!(
        extract(impostor.as_bytes()),
        Err(BakeError::NoCredential(ImageFormat::Svg))
    ));

    // Escaped JSON text (no CDATA) is unescaped.
    let escaped = r#"<svg xmlns="http://www.w3.org/2000/svg"><x:credential xmlns:x="https://purl.imsglobal.org/ob/v3p0">{"q": "&lt;&amp;&#233;&quot;"}</x:credential></svg>"#;
    assert_eq!(
        extract(escaped.as_bytes()).expect("escaped").payload,
        r#"{"q": "<&é""}"#
    );
}

#[test]
fn svg_prefix_bound_elsewhere_is_a_clear_error() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><rect/></svg>"#;
    let err = bake_svg(svg, Payload::Json(simple_json())).expect_err("conflict");
    assert!(matches!(&err, BakeError::PrefixConflict(ns) if ns == "http://openbadges.org"));
    assert!(err.to_string().contains("openbadges"), "{err}");
}

// ---------------------------------------------------------------- Open Badges 2.0

#[test]
fn open_badges_2_png_is_recognised() {
    let assertion = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion"}"#;
    let mut itxt = b"openbadges\0\0\0\0\0".to_vec();
    itxt.extend_from_slice(assertion.as_bytes());
    let image = with_chunks_after_ihdr(&tiny_png(), &[chunk(b"iTXt", &itxt)]);
    let got = extract(&image).expect("ob2 iTXt");
    assert_eq!(
        (got.format, got.version, got.payload.as_str()),
        (ImageFormat::Png, BadgeVersion::Ob2, assertion)
    );

    let image = with_chunks_after_ihdr(
        &tiny_png(),
        &[chunk(
            b"tEXt",
            b"openbadges\0https://example.org/assertions/caf\xe9",
        )],
    );
    let got = extract(&image).expect("ob2 tEXt");
    assert_eq!(got.version, BadgeVersion::Ob2);
    assert_eq!(
        got.payload, "https://example.org/assertions/café",
        "tEXt is Latin-1"
    );
}

#[test]
fn open_badges_2_svg_is_recognised() {
    let hosted = r#"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
  <openbadges:assertion verify="https://example.org/assertions/1"/>
</svg>"#;
    let got = extract(hosted.as_bytes()).expect("ob2 verify");
    assert_eq!(
        (got.format, got.version, got.payload.as_str()),
        (
            ImageFormat::Svg,
            BadgeVersion::Ob2,
            "https://example.org/assertions/1"
        )
    );

    let embedded = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
  <openbadges:assertion verify="">
    <![CDATA[{"type": "Assertion"}]]>
  </openbadges:assertion>
</svg>"#;
    let got = extract(embedded.as_bytes()).expect("ob2 cdata");
    assert_eq!(got.version, BadgeVersion::Ob2);
    assert_eq!(got.payload, r#"{"type": "Assertion"}"#);
}

#[test]
fn open_badges_3_wins_over_2_in_the_same_image() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:a="http://openbadges.org" xmlns:b="https://purl.imsglobal.org/ob/v3p0">
  <a:assertion verify="https://example.org/1"/><b:credential verify="x.y.z"/></svg>"#;
    let got = extract(svg.as_bytes()).expect("both");
    assert_eq!(
        (got.version, got.payload.as_str()),
        (BadgeVersion::Ob3, "x.y.z")
    );
}

// ---------------------------------------------------------------- corrupt and hostile input

#[test]
fn truncated_png_is_a_clear_error_at_every_length() {
    let baked = bake_png(&tiny_png(), simple_json()).expect("bake");
    for len in 8..baked.len() {
        let err = extract(&baked[..len]).expect_err("truncated must fail");
        assert!(
            matches!(err, BakeError::PngTruncated { .. }),
            "len {len}: {err:?}"
        );
        assert!(err.to_string().contains("truncated"), "{err}");
    }
    // A large real file cut at a few points.
    for len in [9, 40, 1000, 50_000, SIMPLE_JSON_PNG.len() - 1] {
        assert!(matches!(
            extract(&SIMPLE_JSON_PNG[..len]),
            Err(BakeError::PngTruncated { .. })
        ));
        assert!(bake_png(&SIMPLE_JSON_PNG[..len], simple_json()).is_err());
    }
}

#[test]
fn png_with_a_bad_crc_is_refused() {
    let mut image = SIMPLE_JSON_PNG.to_vec();
    // Flip a bit in the middle of the first IDAT chunk's data.
    let idat = image.windows(4).position(|w| w == b"IDAT").expect("IDAT");
    image[idat + 100] ^= 0x01;
    let err = extract(&image).expect_err("bad crc");
    assert!(
        matches!(&err, BakeError::PngBadCrc { chunk, .. } if chunk == "IDAT"),
        "{err:?}"
    );
    assert!(err.to_string().contains("CRC"), "{err}");
    assert!(matches!(
        bake_png(&image, simple_json()),
        Err(BakeError::PngBadCrc { .. })
    ));
}

#[test]
fn png_with_a_huge_length_field_does_not_allocate_or_panic() {
    let mut image = tiny_png();
    // Overwrite the length of the chunk after IHDR with 0xFFFF_FFFF, then 0x7FFF_FFFF.
    image[33..37].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(
        extract(&image),
        Err(BakeError::PngMalformed { offset: 33, .. })
    ));
    image[33..37].copy_from_slice(&0x7FFF_FFFFu32.to_be_bytes());
    assert!(matches!(
        extract(&image),
        Err(BakeError::PngTruncated { offset: 33, .. })
    ));
}

#[test]
fn png_structure_errors_are_reported() {
    let base = tiny_png();
    // First chunk not IHDR.
    let mut no_ihdr = base[..8].to_vec();
    no_ihdr.extend(chunk(b"tEXt", b"a\0b"));
    no_ihdr.extend_from_slice(&base[8..]);
    assert!(matches!(
        extract(&no_ihdr),
        Err(BakeError::PngMalformed { offset: 8, .. })
    ));
    // Bad chunk type bytes.
    let mut bad_type = base.clone();
    bad_type[37] = b'1';
    assert!(matches!(
        extract(&bad_type),
        Err(BakeError::PngMalformed { .. })
    ));
    // Signature only / nothing.
    assert!(matches!(
        extract(&base[..8]),
        Err(BakeError::PngTruncated { offset: 8, .. })
    ));
    assert!(matches!(extract_png(b"GIF89a"), Err(BakeError::NotPng)));
    // A valid PNG with no credential.
    let err = extract(&base).expect_err("not baked");
    assert!(matches!(err, BakeError::NoCredential(ImageFormat::Png)));
    assert!(err.to_string().contains("no baked"), "{err}");
}

#[test]
fn compressed_credential_chunk_is_refused() {
    let mut compressed = b"openbadgecredential\0\x01\x00\0\0".to_vec();
    compressed.extend_from_slice(&[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    let image = with_chunks_after_ihdr(&tiny_png(), &[chunk(b"iTXt", &compressed)]);
    let err = extract(&image).expect_err("compressed");
    assert!(
        matches!(err, BakeError::CompressedCredential { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("compress"), "{err}");

    let ztxt = with_chunks_after_ihdr(
        &tiny_png(),
        &[chunk(
            b"zTXt",
            b"openbadgecredential\0\0\x78\x9c\x03\x00\x00\x00\x00\x01",
        )],
    );
    assert!(matches!(
        extract(&ztxt),
        Err(BakeError::CompressedCredential { .. })
    ));
    // Baking over a compressed credential replaces it.
    let baked = bake_png(&image, simple_json()).expect("bake over compressed");
    assert_eq!(extract(&baked).expect("extract").payload, simple_json());
}

#[test]
fn png_credential_problems_are_reported() {
    let non_utf8 = with_chunks_after_ihdr(
        &tiny_png(),
        &[chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0\xff\xfe{}")],
    );
    assert!(matches!(
        extract(&non_utf8),
        Err(BakeError::PayloadNotUtf8(ImageFormat::Png))
    ));
    let empty = with_chunks_after_ihdr(
        &tiny_png(),
        &[chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0  \n")],
    );
    assert!(matches!(
        extract(&empty),
        Err(BakeError::EmptyCredential(ImageFormat::Png))
    ));
    let cut_short =
        with_chunks_after_ihdr(&tiny_png(), &[chunk(b"iTXt", b"openbadgecredential\0\0")]);
    assert!(matches!(
        extract(&cut_short),
        Err(BakeError::PngMalformed { .. })
    ));
}

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
