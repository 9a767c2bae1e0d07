//! SVG baking: a streaming quick-xml rewrite that adds the credential element, and a
//! namespace-aware reader that finds it again.

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::{NsReader, Writer, XmlVersion};

use super::{
    BadgeVersion, BakeError, Extracted, ImageFormat, Payload, SVG_NAMESPACE_OB2, SVG_NAMESPACE_OB3,
    check_image_size, check_output_size,
};

/// The SVG namespace; an `<svg>` root without any namespace is accepted too.
const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";
/// The prefix the specification uses for the Open Badges 3.0 namespace.
const OB3_PREFIX_DECL: &str = "xmlns:openbadges";
/// The qualified name of the element written by [`bake_svg`].
const OB3_ELEMENT: &str = "openbadges:credential";

type Reader<'i> = NsReader<&'i [u8]>;

/// Turns a quick-xml error into a [`BakeError::Xml`] carrying the position.
fn xml_error(reader: &Reader<'_>, error: impl std::fmt::Display) -> BakeError {
    BakeError::Xml {
        position: reader.error_position(),
        detail: error.to_string(),
    }
}

/// A structural problem found by this module rather than by the parser.
fn xml_problem(reader: &Reader<'_>, detail: &str) -> BakeError {
    BakeError::Xml {
        position: reader.buffer_position(),
        detail: detail.to_owned(),
    }
}

/// Refuses a document that ended without a root element or inside it.
fn check_complete(reader: &Reader<'_>, root_seen: bool, depth: usize) -> Result<(), BakeError> {
    if !root_seen {
        return Err(xml_problem(reader, "the document has no root element"));
    }
    if depth > 0 {
        return Err(xml_problem(
            reader,
            "the document ends before the </svg> end tag",
        ));
    }
    Ok(())
}

/// Whether `haystack` contains `needle`, ignoring ASCII case.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Refuses a DOCTYPE that declares entities (billion laughs, external entities).
///
/// quick-xml never expands entities, so this is defence in depth: a document that needs its own
/// entities to make sense cannot be read faithfully here anyway, and it is safer to say so.
fn check_doctype(doctype: &BytesText<'_>) -> Result<(), BakeError> {
    if contains_ignore_ascii_case(doctype, "<!ENTITY") {
        Err(BakeError::DoctypeEntities)
    } else {
        Ok(())
    }
}

/// Refuses an XML declaration naming a non-UTF-8 encoding: the baked output is UTF-8.
fn check_encoding(decl: &BytesDecl<'_>) -> Result<(), BakeError> {
    match decl.encoding() {
        Some(Ok(encoding))
            if !encoding.eq_ignore_ascii_case("utf-8")
                && !encoding.eq_ignore_ascii_case("utf8") =>
        {
            Err(BakeError::UnsupportedEncoding(encoding.into_owned()))
        }
        _ => Ok(()),
    }
}

/// Checks that the root element is `<svg>` in the SVG namespace (or in no namespace).
fn check_svg_root(reader: &Reader<'_>, start: &BytesStart<'_>) -> Result<(), BakeError> {
    let (ns, local) = reader.resolver().resolve_element(start.name());
    let namespace_ok = match ns {
        ResolveResult::Bound(Namespace(ns)) => ns == SVG_NAMESPACE,
        ResolveResult::Unbound => true,
        ResolveResult::Unknown(_) => false,
    };
    if namespace_ok && local.as_ref() == "svg" {
        Ok(())
    } else {
        Err(BakeError::NotSvg(start.name().as_ref().to_owned()))
    }
}

/// Which baked-badge element `start` is, by resolved namespace and local name.
fn badge_element(reader: &Reader<'_>, start: &BytesStart<'_>) -> Option<BadgeVersion> {
    let (ns, local) = reader.resolver().resolve_element(start.name());
    let ResolveResult::Bound(Namespace(ns)) = ns else {
        return None;
    };
    match (ns, local.as_ref()) {
        (SVG_NAMESPACE_OB3, "credential") => Some(BadgeVersion::Ob3),
        (SVG_NAMESPACE_OB2, "assertion") => Some(BadgeVersion::Ob2),
        _ => None,
    }
}

/// Reads the payload of a credential/assertion element whose start tag was just read: the
/// `verify` attribute if present and non-empty, else the element's text and CDATA content.
/// Leaves the reader after the element's end tag.
fn read_badge_element(
    reader: &mut Reader<'_>,
    start: &BytesStart<'_>,
    is_empty: bool,
) -> Result<String, BakeError> {
    let mut verify = None;
    for attr in start.attributes() {
        let attr = attr.map_err(|e| xml_error(reader, e))?;
        if attr.key.as_ref() == "verify" {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| {
                    BakeError::SvgMalformed(format!("cannot read the verify attribute: {e}"))
                })?;
            verify = Some(value.trim().to_owned());
        }
    }
    if let Some(verify) = verify.filter(|v| !v.is_empty()) {
        if !is_empty {
            reader
                .read_to_end(start.name())
                .map_err(|e| xml_error(reader, e))?;
        }
        return Ok(verify);
    }
    if is_empty {
        return Err(BakeError::EmptyCredential(ImageFormat::Svg));
    }

    let mut text = String::new();
    loop {
        match reader.read_event().map_err(|e| xml_error(reader, e))? {
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(c) => text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                let ch = r.resolve_char_ref().map_err(|e| xml_error(reader, e))?;
                if let Some(ch) = ch {
                    text.push(ch);
                } else if let Some(s) = resolve_xml_entity(&r) {
                    text.push_str(s);
                } else {
                    return Err(BakeError::UndefinedEntity(r.to_string()));
                }
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Start(e) | Event::Empty(e) => {
                return Err(BakeError::SvgMalformed(format!(
                    "it contains an unexpected <{}> element",
                    e.name().as_ref()
                )));
            }
            // Nested elements are refused above, so with end-name checking this is our end tag.
            Event::End(_) => break,
            Event::Decl(_) | Event::DocType(_) | Event::Eof => {
                return Err(xml_problem(
                    reader,
                    "the document ends inside the credential element",
                ));
            }
        }
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(BakeError::EmptyCredential(ImageFormat::Svg));
    }
    Ok(trimmed.to_owned())
}

/// Extracts the baked credential from an SVG.
///
/// Looks for a `credential` element in namespace `https://purl.imsglobal.org/ob/v3p0` (Open
/// Badges 3.0) and, failing that, an `assertion` element in `http://openbadges.org` (2.0),
/// whatever prefix the document binds them to. The payload is the `verify` attribute (a compact
/// JWS) when present, otherwise the element's text/CDATA (JSON), trimmed.
///
/// # Errors
/// [`BakeError::SvgNotUtf8`], [`BakeError::Xml`], [`BakeError::NotSvg`] and
/// [`BakeError::DoctypeEntities`] for unusable documents; [`BakeError::EmptyCredential`],
/// [`BakeError::UndefinedEntity`], [`BakeError::SvgMalformed`] for an unusable element;
/// [`BakeError::NoCredential`] when there is none.
pub fn extract_svg(svg: &[u8]) -> Result<Extracted, BakeError> {
    check_image_size(svg.len())?;
    let text = std::str::from_utf8(svg).map_err(|e| BakeError::SvgNotUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    let mut reader = NsReader::from_str(text);
    let mut root_seen = false;
    let mut ob2: Option<Result<String, BakeError>> = None;
    // Open elements, so a document cut short is reported as such, not as "no credential".
    let mut depth: usize = 0;
    loop {
        let event = reader.read_event().map_err(|e| xml_error(&reader, e))?;
        let (start, is_empty) = match &event {
            Event::DocType(doctype) => {
                check_doctype(doctype)?;
                continue;
            }
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if !root_seen {
            check_svg_root(&reader, start)?;
            root_seen = true;
        }
        match badge_element(&reader, start) {
            Some(BadgeVersion::Ob3) => {
                return Ok(Extracted {
                    format: ImageFormat::Svg,
                    version: BadgeVersion::Ob3,
                    payload: read_badge_element(&mut reader, start, is_empty)?,
                });
            }
            Some(BadgeVersion::Ob2) => {
                let payload = read_badge_element(&mut reader, start, is_empty);
                ob2.get_or_insert(payload);
            }
            None if !is_empty => depth += 1,
            None => {}
        }
    }
    check_complete(&reader, root_seen, depth)?;
    match ob2 {
        Some(payload) => Ok(Extracted {
            format: ImageFormat::Svg,
            version: BadgeVersion::Ob2,
            payload: payload?,
        }),
        None => Err(BakeError::NoCredential(ImageFormat::Svg)),
    }
}

/// The output side of the rewrite: a writer plus whitespace held back until we know whether
/// the element after it is kept (whitespace before a removed credential is dropped with it, so
/// re-baking does not pile up blank lines).
struct Output<'i> {
    writer: Writer<Vec<u8>>,
    pending_space: Option<BytesText<'i>>,
}

impl<'i> Output<'i> {
    fn write(&mut self, event: Event<'_>) -> Result<(), BakeError> {
        if let Some(space) = self.pending_space.take() {
            self.put(Event::Text(space))?;
        }
        self.put(event)
    }

    fn put(&mut self, event: Event<'_>) -> Result<(), BakeError> {
        // Writing into a Vec<u8> does not fail; map rather than unwrap all the same.
        self.writer.write_event(event).map_err(|e| BakeError::Xml {
            position: 0,
            detail: format!("writing the SVG failed: {e}"),
        })
    }

    /// Writes `<openbadges:credential>` holding `payload`.
    fn write_credential(&mut self, payload: Payload<'_>) -> Result<(), BakeError> {
        let mut start = BytesStart::new(OB3_ELEMENT);
        match payload {
            Payload::Jwt(jws) => {
                start.push_attribute(("verify", jws));
                self.write(Event::Start(start))?;
            }
            Payload::Json(json) => {
                self.write(Event::Start(start))?;
                // `]]>` cannot appear inside CDATA; `escaped` splits it across sections.
                for section in BytesCData::escaped(json) {
                    self.write(Event::CData(section))?;
                }
            }
        }
        self.write(Event::End(BytesEnd::new(OB3_ELEMENT)))
    }
}

/// The root start tag with `xmlns:openbadges` declared, or an error if the prefix is taken.
fn root_with_namespace<'a>(
    reader: &Reader<'_>,
    start: &BytesStart<'a>,
) -> Result<BytesStart<'a>, BakeError> {
    let mut declared = false;
    for attr in start.attributes() {
        let attr = attr.map_err(|e| xml_error(reader, e))?;
        if attr.key.as_ref() == OB3_PREFIX_DECL {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| xml_error(reader, e))?;
            if value.trim() != SVG_NAMESPACE_OB3 {
                return Err(BakeError::PrefixConflict(value.into_owned()));
            }
            declared = true;
        }
    }
    let mut root = start.clone();
    if !declared {
        root.push_attribute((OB3_PREFIX_DECL, SVG_NAMESPACE_OB3));
    }
    Ok(root)
}

/// Whether a text event is only XML whitespace.
fn is_xml_space(text: &BytesText<'_>) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Bakes `payload` into an SVG and returns the new document.
///
/// The root `<svg>` gains `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` (unless it is
/// already declared) and an `<openbadges:credential>` element as its first child: with the JSON
/// in CDATA, or with a compact JWS in its `verify` attribute and no content. Any earlier baked
/// credential (Open Badges 3.0 `credential` or 2.0 `assertion`, under any prefix) is removed, so
/// the result holds exactly one. Everything else is streamed through unchanged.
///
/// # Errors
/// [`BakeError::InvalidPayload`] for a payload that is not what its variant says;
/// [`BakeError::PrefixConflict`] if the root binds `openbadges` to another namespace;
/// [`BakeError::UnsupportedEncoding`] for a non-UTF-8 XML declaration; the document errors of
/// [`extract_svg`]; [`BakeError::TooLarge`] if the input or result exceeds
/// [`super::MAX_IMAGE_BYTES`].
pub fn bake_svg(svg: &str, payload: Payload<'_>) -> Result<String, BakeError> {
    check_image_size(svg.len())?;
    let payload = payload.validated()?;
    if payload.as_str().contains(['\u{FFFE}', '\u{FFFF}']) {
        return Err(BakeError::InvalidPayload(
            "it contains U+FFFE or U+FFFF, which XML cannot carry; write them as \\uFFFE / \
             \\uFFFF escapes in the JSON"
                .into(),
        ));
    }

    let mut reader = NsReader::from_str(svg);
    let mut out = Output {
        writer: Writer::new(Vec::with_capacity(svg.len() + payload.as_str().len() + 128)),
        pending_space: None,
    };
    if svg.starts_with('\u{FEFF}') {
        out.writer.write_bom().map_err(|e| xml_error(&reader, e))?;
    }
    let mut root_seen = false;
    // Open elements, the root included; 0 before and after the root.
    let mut depth: usize = 0;
    // Open elements inside a credential being removed.
    let mut skipping: usize = 0;

    loop {
        let event = reader.read_event().map_err(|e| xml_error(&reader, e))?;
        if skipping > 0 {
            match event {
                Event::Start(_) => skipping += 1,
                Event::End(_) => skipping -= 1,
                Event::Eof => {
                    return Err(xml_problem(
                        &reader,
                        "the document ends inside a credential element",
                    ));
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Decl(ref decl) => {
                check_encoding(decl)?;
                out.write(event)?;
            }
            Event::DocType(ref doctype) => {
                check_doctype(doctype)?;
                out.write(event)?;
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let is_empty = matches!(event, Event::Empty(_));
                if !root_seen {
                    check_svg_root(&reader, start)?;
                    root_seen = true;
                    let root = root_with_namespace(&reader, start)?;
                    out.write(Event::Start(root))?;
                    out.write_credential(payload)?;
                    if is_empty {
                        out.write(Event::End(start.to_end()))?;
                    } else {
                        depth = 1;
                    }
                } else if depth == 0 {
                    return Err(xml_problem(
                        &reader,
                        "there is an element after the <svg> root element",
                    ));
                } else if badge_element(&reader, start).is_some() {
                    // Drop the old credential, and the indentation in front of it.
                    out.pending_space = None;
                    if !is_empty {
                        skipping = 1;
                    }
                } else {
                    if !is_empty {
                        depth += 1;
                    }
                    out.write(event)?;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                out.write(event)?;
            }
            Event::Text(text) if depth > 0 && is_xml_space(&text) => {
                if let Some(space) = out.pending_space.take() {
                    out.put(Event::Text(space))?;
                }
                out.pending_space = Some(text);
            }
            Event::Eof => {
                if let Some(space) = out.pending_space.take() {
                    out.put(Event::Text(space))?;
                }
                break;
            }
            other => out.write(other)?,
        }
    }
    check_complete(&reader, root_seen, depth)?;
    let baked = String::from_utf8(out.writer.into_inner()).map_err(|e| BakeError::Xml {
        position: 0,
        detail: format!("the baked SVG is not UTF-8: {e}"),
    })?;
    check_output_size(baked.len())?;
    Ok(baked)
}
