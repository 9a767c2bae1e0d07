//! PNG baking: a validating chunk walker, and the `iTXt` chunk that carries the credential.
//!
//! A PNG is an 8-byte signature followed by chunks of `length (4, big-endian) | type (4) |
//! data (length) | CRC-32 of type+data (4)`, starting with `IHDR` and ending with `IEND`.
//! The walker checks every length against the bytes that remain before slicing, and every CRC,
//! so a damaged file is reported instead of silently half-read.

use super::{
    BadgeVersion, BakeError, Extracted, ImageFormat, PNG_KEYWORD_OB2, PNG_KEYWORD_OB3, Payload,
    check_image_size, check_output_size,
};

/// The 8-byte PNG file signature.
pub(super) const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// The PNG specification caps chunk lengths at 2^31 - 1.
const MAX_CHUNK_LEN: usize = 0x7fff_ffff;

/// Bytes of a chunk that are not data: length, type and CRC.
const CHUNK_OVERHEAD: usize = 12;

/// One validated chunk, borrowed from the input.
struct Chunk<'a> {
    /// The four-letter chunk type.
    ty: [u8; 4],
    /// The chunk data (without length, type or CRC).
    data: &'a [u8],
    /// The whole chunk as it appears in the file, for copying it unchanged.
    raw: &'a [u8],
    /// Byte offset of the chunk in the file, for error messages.
    offset: usize,
}

/// Walks the chunks of a PNG, validating each one; stops after `IEND` or at the first error.
struct Chunks<'a> {
    png: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Chunks<'a> {
    /// Checks the size limit and signature and positions the walker on the first chunk.
    fn new(png: &'a [u8]) -> Result<Self, BakeError> {
        check_image_size(png.len())?;
        if !png.starts_with(&SIGNATURE) {
            return Err(BakeError::NotPng);
        }
        Ok(Chunks {
            png,
            pos: SIGNATURE.len(),
            done: false,
        })
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk<'a>>, BakeError> {
        if self.done {
            return Ok(None);
        }
        let offset = self.pos;
        // `pos` never passes the end (each step is bounds-checked); empty is handled below.
        let rest = self.png.get(offset..).unwrap_or_default();
        if rest.is_empty() {
            return Err(BakeError::PngTruncated {
                offset,
                detail: "the file ends before its IEND chunk",
            });
        }
        let Some((header, after_header)) = rest.split_first_chunk::<8>() else {
            return Err(BakeError::PngTruncated {
                offset,
                detail: "a chunk header is cut off",
            });
        };
        let (len_bytes, ty) = header.split_at(4);
        let mut len_be = [0u8; 4];
        len_be.copy_from_slice(len_bytes);
        let mut ty_arr = [0u8; 4];
        ty_arr.copy_from_slice(ty);
        let len = u32::from_be_bytes(len_be) as usize;
        if !ty_arr.iter().all(u8::is_ascii_alphabetic) {
            return Err(BakeError::PngMalformed {
                offset,
                detail: format!("chunk type {ty_arr:02x?} is not four ASCII letters"),
            });
        }
        let ty_name = String::from_utf8_lossy(&ty_arr).into_owned();
        if len > MAX_CHUNK_LEN {
            return Err(BakeError::PngMalformed {
                offset,
                detail: format!("chunk `{ty_name}` declares an impossible length of {len} bytes"),
            });
        }
        // Compare against what is left before slicing; `len + 4` cannot overflow (len < 2^31).
        if after_header.len() < len + 4 {
            return Err(BakeError::PngTruncated {
                offset,
                detail: "a chunk's data runs past the end of the file",
            });
        }
        let (data, after_data) = after_header.split_at(len);
        let (crc_bytes, _) = after_data.split_at(4);
        let mut crc_be = [0u8; 4];
        crc_be.copy_from_slice(crc_bytes);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&ty_arr);
        hasher.update(data);
        if hasher.finalize() != u32::from_be_bytes(crc_be) {
            return Err(BakeError::PngBadCrc {
                chunk: ty_name,
                offset,
            });
        }
        if offset == SIGNATURE.len() && (&ty_arr != b"IHDR" || len != 13) {
            return Err(BakeError::PngMalformed {
                offset,
                detail: format!("the first chunk must be a 13-byte IHDR, found `{ty_name}`"),
            });
        }
        let total = len + CHUNK_OVERHEAD;
        // In bounds: header (8) + data (len) + CRC (4) were checked to fit in `rest` above.
        let raw = rest.get(..total).unwrap_or_default();
        self.pos = offset + total;
        if &ty_arr == b"IEND" {
            // Anything after IEND is not part of the image and is ignored (and not copied).
            self.done = true;
        }
        Ok(Some(Chunk {
            ty: ty_arr,
            data,
            raw,
            offset,
        }))
    }
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<Chunk<'a>, BakeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let result = self.next_chunk();
        if result.is_err() {
            self.done = true;
        }
        result.transpose()
    }
}

/// Splits text-chunk data at the NUL that ends its keyword.
fn split_keyword(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let nul = data.iter().position(|&b| b == 0)?;
    Some((data.get(..nul)?, data.get(nul + 1..)?))
}

/// Whether `chunk` is a text chunk carrying a baked badge (Open Badges 3.0 or 2.0).
fn is_badge_chunk(chunk: &Chunk<'_>) -> bool {
    matches!(&chunk.ty, b"iTXt" | b"tEXt" | b"zTXt")
        && split_keyword(chunk.data).is_some_and(|(kw, _)| {
            kw == PNG_KEYWORD_OB3.as_bytes() || kw == PNG_KEYWORD_OB2.as_bytes()
        })
}

/// Appends a chunk (length, type, data, CRC) to `out`. `data.len()` must be ≤ [`MAX_CHUNK_LEN`].
fn push_chunk(out: &mut Vec<u8>, ty: &[u8; 4], data: &[u8]) {
    // Callers check `data.len() <= MAX_CHUNK_LEN`, so this conversion cannot saturate.
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(ty);
    out.extend_from_slice(data);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(ty);
    hasher.update(data);
    out.extend_from_slice(&hasher.finalize().to_be_bytes());
}

/// Bakes `payload` (a credential JSON or a compact JWS) into a PNG.
///
/// The credential goes into one uncompressed `iTXt` chunk with keyword `openbadgecredential`,
/// empty language tag and translated keyword, placed right after `IHDR`. Any earlier baked
/// credential chunk (`openbadgecredential` or Open Badges 2.0 `openbadges`, in `iTXt`, `tEXt` or
/// `zTXt`) is removed; every other chunk is copied byte for byte. Bytes after `IEND` are dropped.
///
/// # Errors
/// [`BakeError::InvalidPayload`] if `payload` is neither a JSON object nor a compact JWS, the PNG
/// validation errors of [`extract_png`], and [`BakeError::TooLarge`] if the result would exceed
/// [`super::MAX_IMAGE_BYTES`].
pub fn bake_png(png: &[u8], payload: &str) -> Result<Vec<u8>, BakeError> {
    let text = Payload::detect(payload)?.as_str();
    let chunks = Chunks::new(png)?;

    let mut itxt = Vec::with_capacity(PNG_KEYWORD_OB3.len() + 5 + text.len());
    itxt.extend_from_slice(PNG_KEYWORD_OB3.as_bytes());
    // keyword NUL, compression flag 0, compression method 0, empty language tag NUL,
    // empty translated keyword NUL.
    itxt.extend_from_slice(&[0, 0, 0, 0, 0]);
    itxt.extend_from_slice(text.as_bytes());
    if itxt.len() > MAX_CHUNK_LEN {
        return Err(BakeError::TooLarge {
            what: "credential",
            size: text.len(),
            limit: MAX_CHUNK_LEN,
        });
    }
    let mut out = Vec::with_capacity(png.len() + itxt.len() + CHUNK_OVERHEAD);
    out.extend_from_slice(&SIGNATURE);
    for chunk in chunks {
        let chunk = chunk?;
        if is_badge_chunk(&chunk) {
            continue;
        }
        out.extend_from_slice(chunk.raw);
        if &chunk.ty == b"IHDR" {
            push_chunk(&mut out, b"iTXt", &itxt);
        }
    }
    check_output_size(out.len())?;
    Ok(out)
}

/// Decodes the text of a credential chunk, or explains why it cannot be used.
fn chunk_text(chunk: &Chunk<'_>, after_keyword: &[u8]) -> Result<String, BakeError> {
    let text = match &chunk.ty {
        b"iTXt" => {
            // compression flag, compression method, language tag NUL, translated keyword NUL.
            let malformed = |detail: &str| BakeError::PngMalformed {
                offset: chunk.offset,
                detail: format!("the iTXt chunk holding the credential is malformed: {detail}"),
            };
            let [flag, _method, rest @ ..] = after_keyword else {
                return Err(malformed("it is cut short"));
            };
            match flag {
                0 => {}
                1 => {
                    return Err(BakeError::CompressedCredential {
                        detail: "iTXt compression flag is 1".into(),
                    });
                }
                other => return Err(malformed(&format!("compression flag {other}"))),
            }
            let (_language, rest) =
                split_keyword(rest).ok_or_else(|| malformed("no language tag"))?;
            let (_translated, text) =
                split_keyword(rest).ok_or_else(|| malformed("no translated keyword"))?;
            std::str::from_utf8(text)
                .map_err(|_| BakeError::PayloadNotUtf8(ImageFormat::Png))?
                .to_owned()
        }
        // tEXt is Latin-1; each byte is the code point of the same value.
        b"tEXt" => after_keyword.iter().map(|&b| char::from(b)).collect(),
        _ => {
            return Err(BakeError::CompressedCredential {
                detail: "it is in a zTXt chunk".into(),
            });
        }
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(BakeError::EmptyCredential(ImageFormat::Png));
    }
    Ok(trimmed.to_owned())
}

/// Extracts the baked credential from a PNG.
///
/// Reads the first `iTXt` chunk with keyword `openbadgecredential` (Open Badges 3.0), else the
/// first `iTXt` or `tEXt` chunk with keyword `openbadges` (Open Badges 2.0). The whole file is
/// validated (signature, every chunk length and CRC, `IHDR` first, `IEND` present) before the
/// credential is returned. A compressed credential chunk is refused rather than inflated: the
/// specification says compression MUST NOT be used, and refusing keeps decompression bombs out.
///
/// # Errors
/// [`BakeError::NotPng`], [`BakeError::PngTruncated`], [`BakeError::PngBadCrc`] and
/// [`BakeError::PngMalformed`] for a damaged file, [`BakeError::CompressedCredential`],
/// [`BakeError::PayloadNotUtf8`], [`BakeError::EmptyCredential`] for an unusable chunk and
/// [`BakeError::NoCredential`] when there is none.
pub fn extract_png(png: &[u8]) -> Result<Extracted, BakeError> {
    let mut ob3: Option<Result<String, BakeError>> = None;
    let mut ob2: Option<Result<String, BakeError>> = None;
    for chunk in Chunks::new(png)? {
        let chunk = chunk?;
        if !matches!(&chunk.ty, b"iTXt" | b"tEXt" | b"zTXt") {
            continue;
        }
        let Some((keyword, rest)) = split_keyword(chunk.data) else {
            continue;
        };
        // Only iTXt is defined for Open Badges 3.0; zTXt is matched to report compression.
        if keyword == PNG_KEYWORD_OB3.as_bytes() && &chunk.ty != b"tEXt" && ob3.is_none() {
            ob3 = Some(chunk_text(&chunk, rest));
        } else if keyword == PNG_KEYWORD_OB2.as_bytes() && ob2.is_none() {
            ob2 = Some(chunk_text(&chunk, rest));
        }
    }
    let (version, text) = match (ob3, ob2) {
        (Some(text), _) => (BadgeVersion::Ob3, text),
        (None, Some(text)) => (BadgeVersion::Ob2, text),
        (None, None) => return Err(BakeError::NoCredential(ImageFormat::Png)),
    };
    Ok(Extracted {
        format: ImageFormat::Png,
        version,
        payload: text?,
    })
}
