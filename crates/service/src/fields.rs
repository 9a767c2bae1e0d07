//! Checks shared by the resources' inputs. Each error names the field and what to send.

use serde::{Deserialize, Deserializer};

use crate::ServiceError;

/// The longest name accepted, in bytes.
pub const MAX_NAME: usize = 500;
/// The longest description or narrative accepted, in bytes.
pub const MAX_TEXT: usize = 10_000;
/// The longest URL accepted, in bytes.
pub const MAX_URL: usize = 2_048;

/// Deserializes a field that may be absent (`None`), `null` (`Some(None)`: clear it) or a
/// value (`Some(Some(v))`), for PATCH bodies. Use with `#[serde(default)]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A required, non-blank text, trimmed.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, ServiceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ServiceError::Invalid(format!("{field} must not be empty")));
    }
    check_length(field, value, max)?;
    Ok(value.to_string())
}

/// An optional text, trimmed; blank becomes absent.
pub fn optional(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => {
            check_length(field, value, max)?;
            Ok(Some(value.to_string()))
        }
    }
}

/// An optional absolute `http(s)` URL.
pub fn optional_url(field: &str, value: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(value) = optional(field, value, MAX_URL)? else {
        return Ok(None);
    };
    if is_http_url(&value) {
        Ok(Some(value))
    } else {
        Err(ServiceError::Invalid(format!(
            "{field} must be an absolute http(s) URL such as https://example.org/page, got {value:?}"
        )))
    }
}

/// An optional contact email (checked like a recipient's, and normalized).
pub fn optional_email(field: &str, value: Option<&str>) -> Result<Option<String>, ServiceError> {
    match optional(field, value, 254)? {
        None => Ok(None),
        Some(email) => crate::mint::recipient_email(&email)
            .map(Some)
            .map_err(|detail| ServiceError::Invalid(format!("{field}: {detail}"))),
    }
}

/// An optional colour, `#RRGGBB` (stored lowercase).
pub fn optional_color(field: &str, value: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(value) =
        optional(field, value, 7).map_err(|_| color_error(field, value.unwrap_or_default()))?
    else {
        return Ok(None);
    };
    let hex = value.strip_prefix('#').unwrap_or_default();
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(Some(value.to_ascii_lowercase()))
    } else {
        Err(color_error(field, &value))
    }
}

fn color_error(field: &str, value: &str) -> ServiceError {
    ServiceError::Invalid(format!(
        "{field} must be a colour written #RRGGBB (six hexadecimal digits), such as #0b5394, got {value:?}"
    ))
}

/// An optional number written in digits only (an id from another service), at most 20.
pub fn optional_digits(field: &str, value: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(value) = optional(field, value, 20)? else {
        return Ok(None);
    };
    if value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(value))
    } else {
        Err(ServiceError::Invalid(format!(
            "{field} must be digits only (such as 2414183), got {value:?}"
        )))
    }
}

/// A certificate paper size: `letter` or `a4` (any case).
pub fn paper_size(field: &str, value: &str) -> Result<laurel_store::PaperSize, ServiceError> {
    laurel_store::PaperSize::parse(&value.trim().to_ascii_lowercase()).ok_or_else(|| {
        ServiceError::Invalid(format!("{field} must be letter or a4, got {value:?}"))
    })
}

/// An optional id in a query string: absent or empty means no filter.
pub fn id_param(name: &str, value: Option<&str>) -> Result<Option<uuid::Uuid>, ServiceError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => uuid::Uuid::parse_str(text).map(Some).map_err(|_| {
            ServiceError::Invalid(format!("{name} must be an id (a UUID), got {text:?}"))
        }),
    }
}

/// Whether `value` is an absolute `http:` or `https:` IRI (RFC 3987) with a host.
pub fn is_http_url(value: &str) -> bool {
    laurel_core::model::is_http_iri(value)
}

fn check_length(field: &str, value: &str, max: usize) -> Result<(), ServiceError> {
    if value.len() > max {
        Err(ServiceError::Invalid(format!(
            "{field} is {} bytes long; the limit is {max}",
            value.len()
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(is_http_url("https://example.org"));
        assert!(is_http_url("http://example.org/x?y=1"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("https:///x"));
        assert!(!is_http_url("ftp://example.org"));
        assert!(!is_http_url("javascript:alert(1)"));
        assert!(!is_http_url("https://exa mple.org"));
        // Not RFC 3987 IRIs: JSON-LD would drop them, and what they name, unsigned.
        for bad in [
            "https://ok.example/x?a=1&b=\"2\"",
            "https://registrar.example.edu/transcript\"",
            "https://x.example/<x>",
            "https://x.example/a b",
            "https://x.example/a\\b",
            "data:text/html,<script>",
            "HTTPS//x.example",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
        assert!(is_http_url("https://bücherei.example/abzeichen/é"));
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required("name", "  A ", 10).expect("ok"), "A");
        assert!(required("name", "   ", 10).is_err());
        assert!(required("name", "abcdef", 3).is_err());
        assert_eq!(optional("d", Some(" "), 10).expect("ok"), None);
    }
}
