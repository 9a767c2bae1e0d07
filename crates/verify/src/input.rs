//! Reading what a user hands the verifier: JSON, a compact JWT, or a baked PNG or SVG.

use laurel_core::bake::{self, BadgeVersion};
use laurel_core::jwt::looks_like_jws;
use serde_json::Value;

/// The largest input we read: big enough for any badge image, small enough to stay safe.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// A credential as found in the input.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A JSON credential (embedded proof, if any).
    Json(Value),
    /// A VC-JWT in compact JWS form.
    Jwt(String),
}

/// What kind of file the credential came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CredentialContainer))]
#[serde(rename_all = "lowercase")]
pub enum Container {
    /// A JSON document.
    Json,
    /// A compact JWS.
    Jwt,
    /// A baked PNG image.
    Png,
    /// A baked SVG image.
    Svg,
}

/// Reads `bytes` into a credential. The error is a sentence for the user.
pub fn read(bytes: &[u8]) -> Result<(Container, Credential), String> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "the input is {} bytes; the limit is {MAX_INPUT_BYTES}",
            bytes.len()
        ));
    }
    if let Some(format) = bake::detect_format(bytes) {
        let extracted = bake::extract(bytes).map_err(|error| error.to_string())?;
        if extracted.version == BadgeVersion::Ob2 {
            return Err(format!(
                "this {format} holds an Open Badges 2.0 assertion, not an Open Badges 3.0 credential; use an OB 2.0 validator"
            ));
        }
        let container = match format {
            bake::ImageFormat::Png => Container::Png,
            bake::ImageFormat::Svg => Container::Svg,
        };
        let (_, credential) = read_text(&extracted.payload)?;
        return Ok((container, credential));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "the input is neither a PNG, an SVG nor UTF-8 text".to_string())?;
    read_text(text)
}

fn read_text(text: &str) -> Result<(Container, Credential), String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if looks_like_jws(trimmed) {
        return Ok((Container::Jwt, Credential::Jwt(trimmed.to_string())));
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(value @ Value::Object(_)) => Ok((Container::Json, Credential::Json(value))),
        Ok(_) => Err("the JSON is not an object, so it is not a credential".into()),
        Err(error) if error.to_string().contains("recursion limit") => {
            Err("the JSON is nested too deeply to be a credential".into())
        }
        Err(error) => Err(format!("not a compact JWT and not valid JSON: {error}")),
    }
}
