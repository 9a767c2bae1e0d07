//! Tests for baking and extraction: 1EdTech fixtures, round trips, re-baking, decoding the baked
//! PNG with an independent decoder, corrupt and hostile inputs, and Open Badges 2.0 recognition.
//!
//! Here: the shared fixtures and helpers, the 1EdTech fixtures and Open Badges 2.0 recognition;
//! by concern, [`png`] (PNG baking and its structure errors), [`svg`] (SVG baking and
//! namespace prefixes) and [`hostile`] (inputs that are not badges, too large, or made to hurt).

use std::io::Cursor;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;

mod hostile;
mod png;
mod svg;

// 1EdTech validator fixtures (tests/vectors/README.md). The PNGs put the `openbadgecredential`
// iTXt chunk after the image data, so extraction must not depend on chunk position; the `_v1`
// files carry a VC Data Model 1.1 style JWT (`vc` claim).
const SIMPLE_JSON_PNG: &[u8] = include_bytes!(
    "../../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-json.png"
);
const SIMPLE_JSON_SVG: &[u8] = include_bytes!(
    "../../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-json.svg"
);
const SIMPLE_JWT_PNG: &[u8] = include_bytes!(
    "../../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-jwt.png"
);
const SIMPLE_JWT_SVG: &[u8] = include_bytes!(
    "../../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-jwt.svg"
);
const SIMPLE_JWT_V1_PNG: &[u8] = include_bytes!(
    "../../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-jwt_v1.png"
);
const SIMPLE_JWT_V1_SVG: &[u8] = include_bytes!(
    "../../../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/simple-jwt_v1.svg"
);

/// A credential with accents, CJK, emoji and a `]]>` that must survive SVG CDATA.
const TRICKY_JSON: &str = r#"{
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "name": "Café Élève — 日本語のバッジ 🎓🏅",
  "description": "ends a CDATA section: ]]> and again ]]]]>> and <tags> & ampersands",
  "credentialSubject": {"type": ["AchievementSubject"], "note": "naïve façade 中文 😀"}
}"#;

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
