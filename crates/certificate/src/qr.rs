//! QR codes of a credential page's URL: the modules, for the certificate (drawn as squares)
//! and for the credential page's print view (an SVG path).

use qrcode::{Color, EcLevel, QrCode};

use crate::CertificateError;

/// A QR code's modules, row by row, with no quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Modules a side.
    pub width: usize,
    modules: Vec<bool>,
}

impl Code {
    /// The QR code of `text` at error correction level M (a printed page may get a smudge).
    pub fn new(text: &str) -> Result<Code, CertificateError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|error| CertificateError::Qr(error.to_string()))?;
        Ok(Code {
            width: code.width(),
            modules: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// The dark modules' (column, row).
    pub fn dark_modules(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.modules
            .iter()
            .enumerate()
            .filter(|(_, dark)| **dark)
            .map(|(index, _)| (index % self.width, index / self.width))
    }

    /// SVG path data drawing the dark modules as unit squares, offset by a 4-module quiet
    /// zone: for `<svg viewBox="0 0 {width + 8} {width + 8}"><path d="…"/></svg>`.
    pub fn svg_path(&self) -> String {
        let mut path = String::new();
        for (x, y) in self.dark_modules() {
            path.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
        }
        path
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_url_makes_a_square_code_with_finder_patterns() {
        let code = Code::new(
            "https://badges.example.org/credentials/0190f4a2-7b1c-7d3e-8f45-1a2b3c4d5e6f",
        )
        .unwrap();
        assert!(code.width >= 21 && (code.width - 17).is_multiple_of(4));
        let dark: Vec<_> = code.dark_modules().collect();
        // The top-left finder pattern: a dark 7 × 7 ring.
        for i in 0..7 {
            assert!(dark.contains(&(i, 0)) && dark.contains(&(0, i)));
        }
        assert!(!dark.contains(&(1, 1)));
        assert!(code.svg_path().starts_with("M4 4h1v1h-1z"));
    }
}
