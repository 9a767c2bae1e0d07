//! Turning the bytes of an uploaded file into text.
//!
//! Attendance exports reach us after a round trip through somebody's spreadsheet program, so
//! the encoding is whatever that program chose: UTF-8 (Zoom and GoToWebinar downloads), UTF-8
//! with a byte order mark (Excel's "CSV UTF-8"), or Windows-1252 (Excel's plain "CSV" on a
//! Western-European Windows machine). There is no reliable marker for the last one, so we
//! decide by validity: text that is valid UTF-8 is UTF-8, anything else is read as
//! Windows-1252. Windows-1252 text with accented letters is almost never valid UTF-8 by
//! accident, because UTF-8 needs a lead byte followed by the exact number of continuation bytes.
//!
//! Windows-1252 is Latin-1 except for 0x80–0x9F, which hold typographic characters (curly
//! quotes, dashes, €). A 32-entry table covers that range; the five bytes Windows-1252 leaves
//! undefined map to the C1 control of the same value, as browsers do.

use serde::{Deserialize, Serialize};

use crate::error::ReportError;

/// How the file's bytes were turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReportEncoding))]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 that started with a byte order mark (removed before parsing).
    Utf8WithBom,
    /// Not valid UTF-8, so read as Windows-1252.
    Windows1252,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Windows-1252 characters for bytes 0x80–0x9F, in order.
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// Decodes an uploaded file to text, or says why it is not a text file.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), ReportError> {
    if let Some(hint) = binary_hint(bytes) {
        return Err(ReportError::NotText { hint });
    }
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok((text.to_owned(), Encoding::Utf8WithBom)),
            // A BOM followed by invalid UTF-8 is a broken file; reading the rest as
            // Windows-1252 is the most useful guess.
            Err(_) => Ok((decode_windows_1252(rest), Encoding::Windows1252)),
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_owned(), Encoding::Utf8)),
        Err(_) => Ok((decode_windows_1252(bytes), Encoding::Windows1252)),
    }
}

/// Decodes Windows-1252 bytes; every byte value maps to a character, so this cannot fail.
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&byte| match byte {
            0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(byte - 0x80)],
            _ => char::from(byte),
        })
        .collect()
}

/// Recognizes files that are not CSV text at all, with advice on what to do instead.
fn binary_hint(bytes: &[u8]) -> Option<String> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(
            "it looks like an Excel workbook (.xlsx); export it as CSV and upload that".to_owned(),
        );
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Some(
            "it looks like an old Excel workbook (.xls); export it as CSV and upload that"
                .to_owned(),
        );
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Some(
            "it is UTF-16 text; save it as \"CSV UTF-8\" (or plain CSV) and upload that".to_owned(),
        );
    }
    if bytes.contains(&0) {
        return Some("it contains NUL bytes, so it is not a CSV text file".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_utf8_is_kept() {
        let (text, encoding) = decode("Zoë,5".as_bytes()).expect("text");
        assert_eq!(text, "Zoë,5");
        assert_eq!(encoding, Encoding::Utf8);
    }

    #[test]
    fn bom_is_removed() {
        let (text, encoding) = decode(b"\xEF\xBB\xBFemail,minutes").expect("text");
        assert_eq!(text, "email,minutes");
        assert_eq!(encoding, Encoding::Utf8WithBom);
    }

    #[test]
    fn windows_1252_letters_and_quotes() {
        // "Zoë Müller O’Brien – €5" in Windows-1252.
        let bytes = b"Zo\xEB M\xFCller O\x92Brien \x96 \x805";
        let (text, encoding) = decode(bytes).expect("text");
        assert_eq!(text, "Zoë Müller O’Brien – €5");
        assert_eq!(encoding, Encoding::Windows1252);
    }

    #[test]
    fn undefined_1252_bytes_become_c1_controls() {
        assert_eq!(decode_windows_1252(b"\x81\x9D"), "\u{81}\u{9D}");
    }

    #[test]
    fn binary_files_are_refused_with_a_hint() {
        for bytes in [&b"PK\x03\x04rest"[..], b"\xFF\xFEe\0m\0", b"a,b\0c"] {
            let err = decode(bytes).expect_err("binary");
            assert!(matches!(err, ReportError::NotText { .. }), "{err}");
        }
    }
}
