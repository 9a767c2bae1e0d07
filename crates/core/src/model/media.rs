//! `Image` and `Evidence`, the two small value objects shared by credentials, achievements,
//! profiles and subjects.
//!
//! `Image.type` is a plain string in the OB 3.0 schema (not an array like most `type`s), so it
//! is modelled as `String`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{OneOrMany, type_list, vocab};

/// An image: `{"id": <URL or data: URI>, "type": "Image", "caption"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The image URL or a `data:` URI.
    pub id: String,
    /// Always `"Image"` (a string, not an array).
    #[serde(rename = "type")]
    pub r#type: String,
    /// Alternative text / caption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Image {
    /// An image at `id` (URL or data URI) without caption.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            r#type: vocab::IMAGE.to_owned(),
            caption: None,
            extra: Map::new(),
        }
    }

    /// Sets the caption.
    pub fn with_caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }
}

/// Evidence supporting the award (a document, a URL, a narrative…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// URL of the evidence, if it is hosted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Contains `"Evidence"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// Markdown narrative of what the evidence shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Short description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kind of evidence, e.g. "Research" or "Portfolio".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genre: Option<String>,
    /// Intended audience.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Evidence {
    /// Evidence with `type: ["Evidence"]` and nothing else; set the public fields as needed.
    pub fn new() -> Self {
        Self {
            id: None,
            r#type: type_list(vocab::EVIDENCE),
            narrative: None,
            name: None,
            description: None,
            genre: None,
            audience: None,
            extra: Map::new(),
        }
    }
}

impl Default for Evidence {
    fn default() -> Self {
        Self::new()
    }
}
