//! Baking: embedding a credential in a PNG or SVG badge image, and extracting it again.
//!
//! Open Badges 3.0 ("Baked Badges" in the specification) carries the whole credential inside the
//! badge image, so the picture a learner shares is also the proof. Two containers are defined:
//!
//! - **PNG**: one uncompressed `iTXt` chunk with the keyword `openbadgecredential` whose text is
//!   the credential JSON (embedded proof) or the compact JWS (VC-JWT).
//! - **SVG**: an `<openbadges:credential>` element (namespace
//!   `https://purl.imsglobal.org/ob/v3p0`) as the first child of `<svg>`: the JSON goes in a
//!   CDATA section, a compact JWS goes in the `verify` attribute.
//!
//! # Why it is built this way
//!
//! - **Pure functions over bytes.** Nothing here reads files or the network, so the issuer, the
//!   CLI and the offline verifier share one implementation and tests pin every byte.
//! - **Untrusted input.** Images come from anywhere. Every PNG length field is checked against the
//!   bytes that remain before anything is sliced or allocated, every chunk's CRC is checked, and
//!   images above [`MAX_IMAGE_BYTES`] are refused up front. No code path indexes past a checked
//!   bound, so corrupt files give a [`BakeError`], never a panic.
//! - **No entity expansion.** quick-xml never expands entities; on top of that any SVG whose
//!   DOCTYPE declares entities is refused outright (the "billion laughs" family), and only the
//!   five predefined XML entities and character references are resolved inside the credential.
//! - **Streaming, preserving rewrite.** Baking an SVG streams quick-xml events from a reader to a
//!   writer, changing only the root start tag (namespace declaration) and the credential
//!   element, so the artwork round-trips untouched. Baking a PNG copies every other chunk byte for
//!   byte; the image data is never decoded or re-encoded.
//! - **Exactly one credential.** Re-baking replaces: any earlier baked credential, Open Badges 3.0
//!   (`openbadgecredential` / `<openbadges:credential>`) or 2.0 (`openbadges` /
//!   `<openbadges:assertion>`), is removed, so an image never carries two claims that disagree.
//! - **Namespaces resolved, not guessed.** Extraction finds the credential element by namespace
//!   URI through the document's `xmlns` declarations, so `<ob:credential xmlns:ob="…v3p0">` is
//!   found as well as the conventional `openbadges:` prefix.
//! - **Open Badges 2.0 is recognised, not processed.** A 2.0 image (`openbadges` PNG keyword, or
//!   `<openbadges:assertion>` in `http://openbadges.org`) is reported as [`BadgeVersion::Ob2`]
//!   with its raw payload so callers can tell the user what they have.
//! - **Compression is refused.** The specification says the `iTXt` chunk MUST NOT be compressed;
//!   a compressed one (or a `zTXt` chunk) is reported as [`BakeError::CompressedCredential`]
//!   instead of being inflated, which also keeps decompression bombs out.
//!
//! Extraction does not check the payload beyond "non-empty UTF-8 text": parsing the JSON and
//! verifying the proof or JWS is the verifier's job. Baking does check the payload's shape (a JSON
//! object, or three base64url segments) so an issuer cannot bake something no verifier would read.

mod png;
mod svg;
#[cfg(test)]
mod tests;

use std::fmt;

pub use png::{bake_png, extract_png};
pub use svg::{bake_svg, extract_svg};

/// The largest image, in bytes, that baking or extraction will process (10 MiB).
///
/// Badge images are small; anything larger is almost certainly a mistake or an attack. The limit
/// also applies to the baked output, so anything [`bake_png`] or [`bake_svg`] returns can be
/// read back by [`extract`].
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

/// The PNG `iTXt` keyword of an Open Badges 3.0 credential.
pub const PNG_KEYWORD_OB3: &str = "openbadgecredential";
/// The PNG `iTXt`/`tEXt` keyword of an Open Badges 2.0 assertion.
pub const PNG_KEYWORD_OB2: &str = "openbadges";
/// The XML namespace of the Open Badges 3.0 `credential` element in SVG.
pub const SVG_NAMESPACE_OB3: &str = "https://purl.imsglobal.org/ob/v3p0";
/// The XML namespace of the Open Badges 2.0 `assertion` element in SVG.
pub const SVG_NAMESPACE_OB2: &str = "http://openbadges.org";

/// The credential to bake into an image.
///
/// Open Badges 3.0 credentials are secured either with an embedded proof (the credential is JSON)
/// or as a VC-JWT (the credential is a compact JWS). The SVG container stores the two differently,
/// so baking needs to know which one it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// A JSON credential secured with an embedded proof, e.g. `{"@context": …, "proof": …}`.
    Json(&'a str),
    /// A compact JWS (`header.payload.signature`, base64url) carrying a VC-JWT.
    Jwt(&'a str),
}

impl<'a> Payload<'a> {
    /// Classifies `text` as JSON (first non-blank character is `{`) or compact JWS, and checks
    /// its shape: JSON must parse as a JSON object, a JWS must be three non-empty base64url
    /// segments joined by dots. Surrounding whitespace is trimmed.
    ///
    /// # Errors
    /// [`BakeError::InvalidPayload`] when the text is neither.
    pub fn detect(text: &'a str) -> Result<Self, BakeError> {
        let trimmed = text.trim();
        let payload = if trimmed.starts_with('{') {
            Payload::Json(trimmed)
        } else {
            Payload::Jwt(trimmed)
        };
        payload.validated()
    }

    /// The payload text, as it will be embedded.
    pub fn as_str(&self) -> &'a str {
        match *self {
            Payload::Json(s) | Payload::Jwt(s) => s,
        }
    }

    /// Trims the text and checks it has the shape its variant claims.
    fn validated(self) -> Result<Self, BakeError> {
        match self {
            Payload::Json(text) => {
                let text = text.trim();
                if text.len() > MAX_IMAGE_BYTES {
                    return Err(BakeError::TooLarge {
                        what: "credential",
                        size: text.len(),
                        limit: MAX_IMAGE_BYTES,
                    });
                }
                match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(serde_json::Value::Object(_)) => Ok(Payload::Json(text)),
                    Ok(_) => Err(BakeError::InvalidPayload(
                        "the JSON credential must be a JSON object ({ … })".into(),
                    )),
                    Err(e) => Err(BakeError::InvalidPayload(format!(
                        "the credential is not valid JSON: {e}"
                    ))),
                }
            }
            Payload::Jwt(text) => {
                let text = text.trim();
                if text.len() > MAX_IMAGE_BYTES {
                    return Err(BakeError::TooLarge {
                        what: "credential",
                        size: text.len(),
                        limit: MAX_IMAGE_BYTES,
                    });
                }
                let is_b64url = |s: &str| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                };
                let parts: Vec<&str> = text.split('.').collect();
                if parts.len() == 3 && parts.iter().all(|p| is_b64url(p)) {
                    Ok(Payload::Jwt(text))
                } else {
                    Err(BakeError::InvalidPayload(
                        "expected a JSON credential or a compact JWS \
                         (three base64url parts separated by dots)"
                            .into(),
                    ))
                }
            }
        }
    }
}

/// The container format of a badge image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// Portable Network Graphics.
    Png,
    /// Scalable Vector Graphics (uncompressed, UTF-8).
    Svg,
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Svg => "SVG",
        })
    }
}

/// Which Open Badges baking convention an image follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BadgeVersion {
    /// Open Badges 3.0: `openbadgecredential` PNG chunk or `<credential>` in
    /// [`SVG_NAMESPACE_OB3`].
    Ob3,
    /// Open Badges 2.0: `openbadges` PNG chunk or `<assertion>` in [`SVG_NAMESPACE_OB2`].
    /// Recognised so callers can say so; its payload may be JSON, a JWS or a hosted URL.
    Ob2,
}

impl fmt::Display for BadgeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BadgeVersion::Ob3 => "Open Badges 3.0",
            BadgeVersion::Ob2 => "Open Badges 2.0",
        })
    }
}

/// A credential found in a baked image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The image's container format.
    pub format: ImageFormat,
    /// The baking convention the image follows.
    pub version: BadgeVersion,
    /// The embedded text with surrounding whitespace trimmed: JSON for an embedded-proof
    /// credential, a compact JWS for a VC-JWT (for Open Badges 2.0 it may also be a URL).
    pub payload: String,
}

/// Why an image could not be baked or a credential could not be extracted.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum BakeError {
    /// The input (or the result of baking) exceeds a size limit.
    #[error("the {what} is {size} bytes, more than the {limit}-byte limit; use a smaller image")]
    TooLarge {
        /// What was too large: "image", "credential" or "baked image".
        what: &'static str,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The bytes are neither a PNG nor an SVG.
    #[error("not a PNG or SVG image: badges can only be baked into (and read from) PNG or SVG")]
    UnrecognizedFormat,
    /// The bytes are gzip-compressed, as in an `.svgz` file.
    #[error("this looks like a compressed SVG (.svgz); decompress it to a plain .svg first")]
    CompressedSvg,
    /// The data does not start with the 8-byte PNG signature.
    #[error("not a PNG file: the PNG signature is missing")]
    NotPng,
    /// The PNG ends in the middle of a chunk or before its `IEND` chunk.
    #[error("the PNG is truncated ({detail}, chunk at byte {offset}); the file is incomplete")]
    PngTruncated {
        /// Byte offset of the chunk that could not be read completely.
        offset: usize,
        /// What was missing.
        detail: &'static str,
    },
    /// A PNG chunk's CRC does not match its contents.
    #[error("the PNG is corrupt: chunk `{chunk}` at byte {offset} fails its CRC check")]
    PngBadCrc {
        /// The chunk type, e.g. `IDAT`.
        chunk: String,
        /// Byte offset of the chunk.
        offset: usize,
    },
    /// The PNG's chunk structure is invalid.
    #[error("the PNG is malformed at byte {offset}: {detail}")]
    PngMalformed {
        /// Byte offset of the offending chunk.
        offset: usize,
        /// What is wrong.
        detail: String,
    },
    /// The baked credential is compressed, which the specification forbids.
    #[error(
        "the baked credential is stored compressed ({detail}); Open Badges forbids compression, \
         so re-bake the image with an uncompressed iTXt chunk"
    )]
    CompressedCredential {
        /// Which chunk was compressed.
        detail: String,
    },
    /// The SVG is not UTF-8 text.
    #[error("the SVG is not valid UTF-8 (first bad byte at {valid_up_to}); re-save it as UTF-8")]
    SvgNotUtf8 {
        /// Length of the valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// The SVG's XML declaration names an encoding other than UTF-8.
    #[error("the SVG declares encoding `{0}`; only UTF-8 SVGs can be baked, re-save it as UTF-8")]
    UnsupportedEncoding(String),
    /// The SVG is not well-formed XML.
    #[error("the SVG is not well-formed XML at byte {position}: {detail}")]
    Xml {
        /// Byte offset where the parser stopped.
        position: u64,
        /// The parser's description of the problem.
        detail: String,
    },
    /// The document's root element is not `<svg>`.
    #[error("not an SVG image: the root element is `<{0}>`, expected `<svg>`")]
    NotSvg(String),
    /// The SVG's DOCTYPE declares entities.
    #[error(
        "the SVG's DOCTYPE declares entities, which is refused to prevent entity-expansion \
         attacks; remove the internal DTD subset"
    )]
    DoctypeEntities,
    /// The credential text references an entity other than the five predefined XML ones.
    #[error("the SVG credential uses the undefined entity `&{0};`")]
    UndefinedEntity(String),
    /// The SVG binds the `openbadges` prefix to another namespace.
    #[error(
        "the SVG already binds the `openbadges` prefix to `{0}`, not to \
         `https://purl.imsglobal.org/ob/v3p0`; rename that prefix in the image first"
    )]
    PrefixConflict(String),
    /// The credential element has unexpected structure.
    #[error("the SVG credential element is malformed: {0}")]
    SvgMalformed(String),
    /// No baked credential was found.
    #[error("no baked Open Badges credential found in this {0} image; it has not been baked")]
    NoCredential(ImageFormat),
    /// The credential text is not UTF-8.
    #[error("the baked credential in this {0} image is not valid UTF-8 text")]
    PayloadNotUtf8(ImageFormat),
    /// The baked credential is present but empty.
    #[error("the baked credential in this {0} image is empty")]
    EmptyCredential(ImageFormat),
    /// The text given to bake is neither a JSON credential nor a compact JWS.
    #[error("cannot bake this credential: {0}")]
    InvalidPayload(String),
}

/// Guesses the format of `bytes` from its first bytes: the PNG signature, or XML text whose
/// markup mentions an `svg` element. It does not validate the image; extraction does.
pub fn detect_format(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&png::SIGNATURE) {
        return Some(ImageFormat::Png);
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = text.get(start..)?;
    if !text.starts_with(b"<") {
        return None;
    }
    // The root may come after an XML declaration, comments and a DOCTYPE, so look further in;
    // `:svg` allows a prefixed root such as `<svg:svg xmlns:svg=…>`.
    let head = text.get(..text.len().min(64 * 1024)).unwrap_or(text);
    let mentions_svg = head.windows(4).any(|w| w == b"<svg" || w == b":svg");
    mentions_svg.then_some(ImageFormat::Svg)
}

/// Extracts the baked credential from a PNG or SVG image, detecting the format.
///
/// Open Badges 3.0 content takes precedence: an image that (against the rules) carries both a 3.0
/// credential and a 2.0 assertion yields the 3.0 one.
///
/// # Errors
/// [`BakeError::UnrecognizedFormat`] for anything but PNG or SVG, otherwise as
/// [`extract_png`] and [`extract_svg`].
pub fn extract(image: &[u8]) -> Result<Extracted, BakeError> {
    check_image_size(image.len())?;
    match detect_format(image) {
        Some(ImageFormat::Png) => extract_png(image),
        Some(ImageFormat::Svg) => extract_svg(image),
        None if image.starts_with(&[0x1f, 0x8b]) => Err(BakeError::CompressedSvg),
        None => Err(BakeError::UnrecognizedFormat),
    }
}

/// Refuses inputs above [`MAX_IMAGE_BYTES`].
fn check_image_size(size: usize) -> Result<(), BakeError> {
    check_size("image", size)
}

/// Refuses baked outputs above [`MAX_IMAGE_BYTES`], so every baked image can be extracted.
fn check_output_size(size: usize) -> Result<(), BakeError> {
    check_size("baked image", size)
}

fn check_size(what: &'static str, size: usize) -> Result<(), BakeError> {
    if size > MAX_IMAGE_BYTES {
        Err(BakeError::TooLarge {
            what,
            size,
            limit: MAX_IMAGE_BYTES,
        })
    } else {
        Ok(())
    }
}
