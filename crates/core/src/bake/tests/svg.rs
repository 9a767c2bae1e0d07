//! SVG baking: round trips, the spec's element shape, CDATA splitting, re-baking under any
//! prefix, and extraction that resolves namespace prefixes instead of trusting them.

use super::*;

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
