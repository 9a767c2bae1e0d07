//! W3C Bitstring Status List v1.0: encoding and reading the `encodedList`.
//!
//! A list is a bitstring of at least 131,072 entries (16 KiB), GZIP-compressed and written as
//! multibase base64url without padding (`u…`). Index 0 is the left-most bit: the most
//! significant bit of the first byte. Small lists are refused, because a short list lets an
//! observer guess which credential a verifier is checking.

use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

/// The fewest entries a status list may have (16 KiB of bits).
pub const MIN_ENTRIES: usize = 131_072;
/// The most bytes an expanded list may have: refuses GZIP bombs.
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

/// Why a status list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusListError {
    /// Not `u` + base64url of GZIP data.
    #[error("encodedList is not multibase base64url GZIP data: {0}")]
    Encoding(String),
    /// Fewer than [`MIN_ENTRIES`] entries (the spec's STATUS_LIST_LENGTH_ERROR).
    #[error("the status list has {0} entries; at least 131072 are required")]
    TooShort(usize),
    /// The index is past the end of the list (the spec's RANGE_ERROR).
    #[error("status index {index} is outside the list of {len} entries")]
    OutOfRange {
        /// The index asked for.
        index: usize,
        /// How many entries the list has.
        len: usize,
    },
}

/// An expanded status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl Bitstring {
    /// An all-zero list of `entries` bits (rounded up to whole bytes).
    pub fn new(entries: usize) -> Self {
        Bitstring {
            bytes: vec![0; entries.div_ceil(8)],
        }
    }

    /// Expands an `encodedList` value.
    pub fn decode(encoded: &str) -> Result<Self, StatusListError> {
        let body = encoded
            .strip_prefix('u')
            .ok_or_else(|| StatusListError::Encoding("it does not start with 'u'".into()))?;
        let compressed = B64
            .decode(body)
            .map_err(|_| StatusListError::Encoding("not base64url without padding".into()))?;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(MAX_LIST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| StatusListError::Encoding(error.to_string()))?;
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusListError::Encoding(
                "the expanded list is too large".into(),
            ));
        }
        let list = Bitstring { bytes };
        if list.len() < MIN_ENTRIES {
            return Err(StatusListError::TooShort(list.len()));
        }
        Ok(list)
    }

    /// The `encodedList` form: `u` + base64url(GZIP(bits)).
    pub fn encode(&self) -> String {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        // Writing to a Vec cannot fail.
        let _ = encoder.write_all(&self.bytes);
        let compressed = encoder.finish().unwrap_or_default();
        format!("u{}", B64.encode(compressed))
    }

    /// How many entries the list has.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bit at `index` (index 0 is the most significant bit of the first byte).
    pub fn get(&self, index: usize) -> Result<bool, StatusListError> {
        let byte = self
            .bytes
            .get(index / 8)
            .ok_or(StatusListError::OutOfRange {
                index,
                len: self.len(),
            })?;
        Ok(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Sets the bit at `index`.
    pub fn set(&mut self, index: usize, value: bool) -> Result<(), StatusListError> {
        let len = self.len();
        let byte = self
            .bytes
            .get_mut(index / 8)
            .ok_or(StatusListError::OutOfRange { index, len })?;
        let mask = 0x80 >> (index % 8);
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_spec_example_as_an_empty_list() {
        let example = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";
        let list = Bitstring::decode(example).expect("decode");
        assert_eq!(list.len(), MIN_ENTRIES);
        assert!(!list.get(0).expect("in range"));
        assert!(!list.get(MIN_ENTRIES - 1).expect("in range"));
        assert!(list.get(MIN_ENTRIES).is_err());
    }

    #[test]
    fn index_zero_is_the_leftmost_bit_and_round_trips() {
        let mut list = Bitstring::new(MIN_ENTRIES);
        list.set(0, true).expect("set");
        list.set(12_345, true).expect("set");
        assert_eq!(list.bytes[0], 0x80);
        let again = Bitstring::decode(&list.encode()).expect("decode");
        assert!(again.get(0).expect("get"));
        assert!(again.get(12_345).expect("get"));
        assert!(!again.get(12_346).expect("get"));
    }

    #[test]
    fn short_lists_are_refused() {
        let short = Bitstring::new(1024).encode();
        assert_eq!(
            Bitstring::decode(&short),
            Err(StatusListError::TooShort(1024))
        );
    }
}
