//! Uploaded SVGs, rebuilt from an allow-list so they are safe wherever they are shown.
//!
//! An uploaded SVG is someone else's markup published from our origin, and it travels: baked
//! into credentials, opened by wallets, embedded by other sites. Our Content-Security-Policy
//! protects only our own responses, so instead of filtering the markup for what we know to be
//! dangerous we keep only what we know to be a picture:
//!
//! 1. `usvg` parses the SVG the way a renderer does (CSS applied, `<use>` expanded, shapes
//!    turned into paths) into a tree that has no place for scripts, event handlers, foreign
//!    namespaces, `<style>` sheets, links or external references, and writes that tree back
//!    as plain SVG. It is given no way to load anything: no files, no `data:` images, no fonts.
//! 2. The rewritten SVG is checked against an allow-list of elements and attributes, and
//!    every reference in it must point inside the document (`#id`). Anything else is refused
//!    rather than passed on.
//!
//! What a renderer would need outside the file is refused up front with a message saying
//! what to do, rather than silently dropped: `<text>` (its look depends on fonts the viewer
//! may not have; convert text to paths, e.g. Inkscape's Path > Object to Path), embedded or
//! linked pictures (`<image>`), and references to other files.

use quick_xml::events::{BytesStart, Event};

/// The largest SVG kept after rewriting (shapes become paths, which can grow a file).
pub const MAX_CLEAN_BYTES: usize = 4 * 1024 * 1024;

/// The elements the rewritten SVG may contain (what `usvg` writes for shapes, gradients,
/// patterns, clips, masks and filters).
const ELEMENTS: &[&str] = &[
    "svg",
    "defs",
    "g",
    "path",
    "clipPath",
    "mask",
    "pattern",
    "linearGradient",
    "radialGradient",
    "stop",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
];

/// The attributes it may carry: geometry, paint, and filter parameters.
const ATTRIBUTES: &[&str] = &[
    "xmlns",
    "xmlns:xlink",
    "xlink:href",
    "id",
    "d",
    "viewBox",
    "preserveAspectRatio",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "fx",
    "fy",
    "r",
    "z",
    "dx",
    "dy",
    "transform",
    "opacity",
    "visibility",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "paint-order",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "mask",
    "mask-type",
    "maskUnits",
    "maskContentUnits",
    "filter",
    "filterUnits",
    "primitiveUnits",
    "color-interpolation-filters",
    "shape-rendering",
    "image-rendering",
    "gradientTransform",
    "gradientUnits",
    "spreadMethod",
    "offset",
    "stop-color",
    "stop-opacity",
    "patternContentUnits",
    "patternTransform",
    "patternUnits",
    "in",
    "in2",
    "result",
    "mode",
    "type",
    "values",
    "tableValues",
    "slope",
    "intercept",
    "amplitude",
    "exponent",
    "operator",
    "k1",
    "k2",
    "k3",
    "k4",
    "order",
    "kernelMatrix",
    "divisor",
    "bias",
    "targetX",
    "targetY",
    "edgeMode",
    "preserveAlpha",
    "surfaceScale",
    "diffuseConstant",
    "specularConstant",
    "specularExponent",
    "lighting-color",
    "azimuth",
    "elevation",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "limitingConeAngle",
    "scale",
    "xChannelSelector",
    "yChannelSelector",
    "flood-color",
    "flood-opacity",
    "stdDeviation",
    "radius",
    "baseFrequency",
    "numOctaves",
    "seed",
    "stitchTiles",
];

/// The SVG rebuilt from its picture alone, or why it cannot be (a sentence for the uploader).
pub fn clean(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    precheck(text)?;
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(text, &options).map_err(|error| match error {
        usvg::Error::ElementsLimitReached => {
            "it has too many elements (after expanding <use>); simplify it".to_string()
        }
        usvg::Error::InvalidSize => {
            "it has no usable size (give the <svg> a viewBox, or a width and height above 0)"
                .to_string()
        }
        other => format!("it is not a valid SVG ({other})"),
    })?;
    let cleaned = tree.to_string(&usvg::WriteOptions::default());
    if cleaned.len() > MAX_CLEAN_BYTES {
        return Err(format!(
            "rewritten as plain shapes it is larger than {} MiB; simplify it",
            MAX_CLEAN_BYTES / 1024 / 1024
        ));
    }
    allowed(&cleaned)?;
    Ok(cleaned.into_bytes())
}

/// Refuses what the rewrite would drop and the uploader would miss, with what to do instead.
fn precheck(text: &str) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut seen_root = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|error| format!("it is not well-formed XML ({error})"))?;
        match event {
            Event::Start(element) | Event::Empty(element) => {
                let name = local_name(&element);
                if !seen_root && name != "svg" {
                    return Err("the root element is not <svg>".into());
                }
                seen_root = true;
                match name.as_str() {
                    "text" | "tspan" | "textPath" => {
                        return Err("it has text (<text>), which would look different wherever \
                                    the viewer lacks its font; convert the text to paths (in \
                                    Inkscape: Path > Object to Path) and upload it again"
                            .into());
                    }
                    "image" => {
                        return Err("it embeds or links a picture (<image>); upload the \
                                    picture as a PNG instead, or use an SVG drawn only with \
                                    shapes"
                            .into());
                    }
                    _ => {}
                }
                for attribute in element.attributes() {
                    let attribute =
                        attribute.map_err(|error| format!("a malformed attribute ({error})"))?;
                    // A link (`<a href>`) pulls nothing in; the rewrite drops it.
                    let key = attribute.key.local_name();
                    if key.into_inner() != "href" || name == "a" {
                        continue;
                    }
                    if !attribute.value.trim_start().starts_with('#') {
                        return Err(format!(
                            "<{name}> refers to another file or address; an uploaded SVG must \
                             hold everything it shows"
                        ));
                    }
                }
            }
            Event::DocType(_) => {
                return Err("it has a DOCTYPE (entity declarations are not accepted)".into());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if seen_root {
        Ok(())
    } else {
        Err("it has no <svg> element".into())
    }
}

fn local_name(element: &BytesStart<'_>) -> String {
    element.local_name().into_inner().to_owned()
}

/// The allow-list, applied to what the rewrite produced.
fn allowed(svg: &str) -> Result<(), String> {
    let refused = |what: String| Err(format!("after rewriting it still has {what}"));
    let mut reader = quick_xml::Reader::from_str(svg);
    loop {
        let event = reader
            .read_event()
            .map_err(|error| format!("it could not be rewritten ({error})"))?;
        match event {
            Event::Start(element) | Event::Empty(element) => {
                let name = element.name().into_inner().to_owned();
                if !ELEMENTS.contains(&name.as_str()) {
                    return refused(format!("a <{name}> element"));
                }
                for attribute in element.attributes() {
                    let attribute =
                        attribute.map_err(|error| format!("a malformed attribute ({error})"))?;
                    let key = attribute.key.into_inner().to_owned();
                    if !ATTRIBUTES.contains(&key.as_str()) {
                        return refused(format!("a {key:?} attribute on <{name}>"));
                    }
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|error| format!("a malformed attribute value ({error})"))?;
                    if !safe_value(&key, &value) {
                        return refused(format!("a reference outside the file in <{name}> {key}"));
                    }
                }
            }
            Event::Text(text) if text.trim().is_empty() => {}
            Event::Decl(_) | Event::End(_) => {}
            Event::Eof => return Ok(()),
            other => return refused(format!("markup other than elements ({other:?})")),
        }
    }
}

/// Namespaces are SVG's and XLink's; links and `url(…)` point inside the document.
fn safe_value(key: &str, value: &str) -> bool {
    match key {
        "xmlns" => value == "http://www.w3.org/2000/svg",
        "xmlns:xlink" => value == "http://www.w3.org/1999/xlink",
        "xlink:href" => value.starts_with('#'),
        _ => {
            let squeezed: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            !squeezed.contains("javascript:")
                && !squeezed.contains("data:")
                && squeezed
                    .match_indices("url(")
                    .all(|(at, _)| squeezed[at + 4..].starts_with('#'))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn svg(body: &str) -> Vec<u8> {
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{body}</svg>"#)
            .into_bytes()
    }

    fn cleaned(body: &str) -> String {
        String::from_utf8(clean(&svg(body)).unwrap()).unwrap()
    }

    #[test]
    fn shapes_gradients_and_styles_survive_as_paths() {
        let out = cleaned(
            r##"<defs><linearGradient id="g"><stop offset="0" stop-color="gold"/>
            <stop offset="1" stop-color="red"/></linearGradient></defs>
            <style>.c { fill: url(#g) }</style><circle class="c" cx="5" cy="5" r="4"/>
            <rect x="1" y="1" width="2" height="2" style="fill:blue"/>"##,
        );
        assert!(out.contains("<linearGradient"), "{out}");
        assert!(out.contains("fill=\"url(#"), "{out}");
        assert!(out.contains("fill=\"#0000ff\""), "{out}");
        assert!(!out.contains("<style") && !out.contains("<circle"), "{out}");
        // Clean output cleans to itself.
        assert_eq!(clean(out.as_bytes()).unwrap(), out.as_bytes());
    }

    #[test]
    fn script_and_foreign_markup_is_dropped() {
        let out = cleaned(
            r##"<script>alert(1)</script><rect width="5" height="5" onload="alert(1)"/>
            <a href="javascript:alert(1)"><circle r="4" cx="5" cy="5"/></a>
            <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
            <style>@import url(https://evil.example/x.css); rect { fill: url(javascript:x) }</style>
            <x:thing xmlns:x="urn:x" x:attr="1"/>"##,
        );
        for gone in [
            "script",
            "alert",
            "onload",
            "javascript",
            "foreignObject",
            "div",
            "evil",
            "import",
            "urn:x",
            "<a",
        ] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(out.contains("<path"), "{out}");
    }

    #[test]
    fn what_would_be_lost_is_refused_with_what_to_do() {
        for (body, why) in [
            ("<text x='1' y='5'>Hi</text>", "convert the text to paths"),
            (
                "<image href='data:image/png;base64,AAAA' width='5' height='5'/>",
                "as a PNG",
            ),
            ("<use href='https://evil.example/a.svg#x'/>", "another file"),
            (
                "<use xlink:href='/etc/passwd' xmlns:xlink='http://www.w3.org/1999/xlink'/>",
                "another file",
            ),
        ] {
            let error = clean(&svg(body)).unwrap_err();
            assert!(error.contains(why), "{body}: {error}");
        }
        for (bad, why) in [
            (
                br#"<!DOCTYPE svg [<!ENTITY x "y">]><svg/>"#.to_vec(),
                "DOCTYPE",
            ),
            (b"<html><body/></html>".to_vec(), "not <svg>"),
            (b"<svg><unclosed></svg>".to_vec(), "well-formed"),
            (b"\xff\xfe".to_vec(), "UTF-8"),
        ] {
            let error = clean(&bad).unwrap_err();
            assert!(error.contains(why), "{error}");
        }
    }

    #[test]
    fn the_allow_list_refuses_what_is_not_on_it() {
        assert!(
            allowed(r#"<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>"#).is_ok()
        );
        for bad in [
            r#"<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><path onclick="x"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><path fill="url(https://x/#a)"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><path fill="url( data:x)"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="urn:x"/>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><feImage xlink:href="a.png"/></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><![CDATA[x]]></svg>"#,
        ] {
            assert!(allowed(bad).is_err(), "{bad}");
        }
    }
}
