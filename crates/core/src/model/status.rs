//! `credentialStatus`: where a verifier checks whether a credential was revoked or suspended.
//!
//! Two methods matter for Open Badges: the W3C `BitstringStatusListEntry` (what we issue) and
//! the `1EdTechRevocationList` named by the OB spec (what the 1EdTech validator checks). The
//! enum is dispatched on `type` by hand instead of `#[serde(tag = "type")]` so that any other
//! status method still parses, into [`CredentialStatus::Other`], and round-trips unchanged.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::vocab;

/// A credential's `credentialStatus` (a single object; OB forbids an array).
#[derive(Debug, Clone, PartialEq)]
pub enum CredentialStatus {
    /// `type: "BitstringStatusListEntry"` (W3C Bitstring Status List v1.0).
    BitstringStatusList(BitstringStatusListEntry),
    /// `type: "1EdTechRevocationList"` (needs the OB extensions context).
    RevocationList(RevocationListStatus),
    /// Any other status method, kept as is.
    Other(OtherStatus),
}

impl CredentialStatus {
    /// The `type` value.
    pub fn type_name(&self) -> &str {
        match self {
            Self::BitstringStatusList(_) => vocab::BITSTRING_STATUS_LIST_ENTRY,
            Self::RevocationList(_) => vocab::ONE_EDTECH_REVOCATION_LIST,
            Self::Other(other) => &other.r#type,
        }
    }

    /// The entry's `id`, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::BitstringStatusList(entry) => entry.id.as_deref(),
            Self::RevocationList(list) => Some(&list.id),
            Self::Other(other) => other.id.as_deref(),
        }
    }
}

/// A W3C Bitstring Status List entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BitstringStatusListEntry {
    /// Optional URL of the entry itself (MUST NOT equal the list URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `revocation`, `suspension`, `refresh` or `message`.
    pub status_purpose: String,
    /// Index in the list as a base-10 string (SHOULD be random).
    pub status_list_index: String,
    /// URL of the `BitstringStatusListCredential`.
    pub status_list_credential: String,
    /// Bits per entry (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_size: Option<u64>,
    /// Meanings of the status values (required when `statusSize > 1`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_message: Vec<StatusMessage>,
    /// URL(s) documenting the status values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reference: Option<Value>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl BitstringStatusListEntry {
    /// An entry with purpose `purpose` at `index` of the list `list_url`.
    pub fn new(purpose: impl Into<String>, list_url: impl Into<String>, index: u64) -> Self {
        Self {
            id: None,
            status_purpose: purpose.into(),
            status_list_index: index.to_string(),
            status_list_credential: list_url.into(),
            status_size: None,
            status_message: Vec::new(),
            status_reference: None,
            extra: Map::new(),
        }
    }

    /// The index as a number, if `statusListIndex` is a valid base-10 integer.
    pub fn index(&self) -> Option<u64> {
        self.status_list_index.parse().ok()
    }
}

/// One `statusMessage` entry: `{"status": "0x…", "message"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusMessage {
    /// Status value as a hex string, e.g. `"0x1"`.
    pub status: String,
    /// What the value means.
    pub message: String,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A 1EdTech Revocation List status: `{"id": <list URL>, "type": "1EdTechRevocationList"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevocationListStatus {
    /// URL of the revocation list.
    pub id: String,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A status entry of a method this model does not know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherStatus {
    /// URL of the entry, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The status method.
    #[serde(rename = "type")]
    pub r#type: String,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Serializes `inner` with a leading `"type": type_name`.
#[derive(Serialize)]
struct Tagged<'a, T> {
    #[serde(rename = "type")]
    type_name: &'a str,
    #[serde(flatten)]
    inner: &'a T,
}

impl Serialize for CredentialStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let type_name = self.type_name();
        match self {
            Self::BitstringStatusList(inner) => Tagged { type_name, inner }.serialize(serializer),
            Self::RevocationList(inner) => Tagged { type_name, inner }.serialize(serializer),
            Self::Other(other) => other.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for CredentialStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        let type_name = match map.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(_) => return Err(D::Error::custom("credentialStatus.type must be a string")),
            None => return Err(D::Error::missing_field("type")),
        };
        let known = |map: &mut Map<String, Value>| {
            map.remove("type");
            Value::Object(std::mem::take(map))
        };
        match type_name.as_str() {
            vocab::BITSTRING_STATUS_LIST_ENTRY => serde_json::from_value(known(&mut map))
                .map(Self::BitstringStatusList)
                .map_err(D::Error::custom),
            vocab::ONE_EDTECH_REVOCATION_LIST => serde_json::from_value(known(&mut map))
                .map(Self::RevocationList)
                .map_err(D::Error::custom),
            _ => serde_json::from_value(Value::Object(map))
                .map(Self::Other)
                .map_err(D::Error::custom),
        }
    }
}

impl From<BitstringStatusListEntry> for CredentialStatus {
    fn from(entry: BitstringStatusListEntry) -> Self {
        Self::BitstringStatusList(entry)
    }
}

impl From<RevocationListStatus> for CredentialStatus {
    fn from(list: RevocationListStatus) -> Self {
        Self::RevocationList(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dispatches_on_type_and_round_trips() {
        let cases = [
            json!({"id": "https://x/status#8", "type": "BitstringStatusListEntry",
                   "statusPurpose": "revocation", "statusListIndex": "8",
                   "statusListCredential": "https://x/status", "statusSize": 1}),
            json!({"id": "https://x/revocations", "type": "1EdTechRevocationList"}),
            json!({"id": "https://x/s", "type": "StatusList2021Entry", "statusListIndex": "3"}),
        ];
        let want = [
            "BitstringStatusListEntry",
            "1EdTechRevocationList",
            "StatusList2021Entry",
        ];
        for (v, want) in cases.iter().zip(want) {
            let status: CredentialStatus = serde_json::from_value(v.clone()).expect("parses");
            assert_eq!(status.type_name(), want);
            assert_eq!(&serde_json::to_value(&status).expect("ser"), v);
        }
    }

    #[test]
    fn reports_useful_errors() {
        let err = serde_json::from_value::<CredentialStatus>(
            json!({"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}),
        )
        .expect_err("incomplete");
        assert!(err.to_string().contains("statusListIndex"), "{err}");
        assert!(serde_json::from_value::<CredentialStatus>(json!({"id": "x"})).is_err());
        // statusListIndex is a string in the spec, not a number.
        assert!(
            serde_json::from_value::<CredentialStatus>(json!({
                "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                "statusListIndex": 8, "statusListCredential": "https://x/status"
            }))
            .is_err()
        );
    }
}
