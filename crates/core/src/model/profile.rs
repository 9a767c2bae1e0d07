//! `Profile` (issuers, creators, endorsers) and the `issuer` reference that is either a URI or
//! an embedded Profile.
//!
//! The spec allows `issuer` to be a bare URI, and we must parse such credentials; but the
//! 1EdTech validator rejects them, so everything we emit embeds the Profile (see
//! [`ProfileRef`]).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use super::{EndorsementCredential, Image, OneOrMany, type_list, vocab};

/// An entity (person or organization) that issues, creates or endorses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// URI of the profile (a URL that serves it, or a DID).
    pub id: String,
    /// Contains `"Profile"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// Name of the entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Homepage or social media profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Short description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Endorsements of this profile (Data Integrity signed).
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub endorsement: OneOrMany<EndorsementCredential>,
    /// Endorsements of this profile as compact JWS strings.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub endorsement_jwt: OneOrMany<String>,
    /// Logo or picture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// Contact email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Postal address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Other identifiers (sourcedId, national id numbers…).
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub other_identifier: OneOrMany<IdentifierEntry>,
    /// For an organization, the name of an authorized official.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub official: Option<String>,
    /// The parent organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_org: Option<Box<Profile>>,
    /// Family ("last") name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Given ("first") name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Additional ("middle") name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_name: Option<String>,
    /// Patronymic name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patronymic_name: Option<String>,
    /// Honorific prefix, e.g. "Dr".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    /// Honorific suffix, e.g. "PhD".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
    /// Family name prefix, e.g. "de".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name_prefix: Option<String>,
    /// Birth date (`YYYY-MM-DD`, kept as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Profile {
    /// A profile `{"id", "type": ["Profile"], "name"}`.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            r#type: type_list(vocab::PROFILE),
            name: Some(name.into()),
            url: None,
            phone: None,
            description: None,
            endorsement: OneOrMany::default(),
            endorsement_jwt: OneOrMany::default(),
            image: None,
            email: None,
            address: None,
            other_identifier: OneOrMany::default(),
            official: None,
            parent_org: None,
            family_name: None,
            given_name: None,
            additional_name: None,
            patronymic_name: None,
            honorific_prefix: None,
            honorific_suffix: None,
            family_name_prefix: None,
            date_of_birth: None,
            extra: Map::new(),
        }
    }
}

/// A credential's `issuer` (or any Profile-or-URI slot): a bare URI or an embedded Profile.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileRef {
    /// Just the profile's URI (accepted on input; the 1EdTech validator rejects it).
    Uri(String),
    /// The embedded profile (what we emit).
    Profile(Box<Profile>),
}

impl ProfileRef {
    /// The profile's URI in either form.
    pub fn id(&self) -> &str {
        match self {
            Self::Uri(id) => id,
            Self::Profile(profile) => &profile.id,
        }
    }

    /// The embedded profile, if there is one.
    pub fn profile(&self) -> Option<&Profile> {
        match self {
            Self::Uri(_) => None,
            Self::Profile(profile) => Some(profile),
        }
    }
}

impl From<Profile> for ProfileRef {
    fn from(profile: Profile) -> Self {
        Self::Profile(Box::new(profile))
    }
}

impl Serialize for ProfileRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Uri(id) => serializer.serialize_str(id),
            Self::Profile(profile) => profile.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ProfileRef {
    /// A string is a URI; anything else must be a Profile (and its own error is reported).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(id) => Ok(Self::Uri(id)),
            other => serde_json::from_value(other)
                .map(|p| Self::Profile(Box::new(p)))
                .map_err(D::Error::custom),
        }
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Contains `"Address"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// Country name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_country: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_country_code: Option<String>,
    /// Region within the country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_region: Option<String>,
    /// Locality (city) within the region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_locality: Option<String>,
    /// Street address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// Post office box number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_office_box_number: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Geographic coordinates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geo: Option<GeoCoordinates>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Geographic coordinates. Numbers stay [`Number`]s so `1` does not come back as `1.0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GeoCoordinates {
    /// Always `"GeoCoordinates"` (a string).
    #[serde(rename = "type")]
    pub r#type: String,
    /// Latitude in degrees.
    pub latitude: Number,
    /// Longitude in degrees.
    pub longitude: Number,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Another identifier of a profile or achievement, e.g. a `sourcedId`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentifierEntry {
    /// Always `"IdentifierEntry"` (a string).
    #[serde(rename = "type")]
    pub r#type: String,
    /// The identifier value.
    pub identifier: String,
    /// Kind of identifier (`sourcedId`, `isbn`, `ext:…`, …).
    pub identifier_type: String,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl IdentifierEntry {
    /// An identifier entry of the given kind.
    pub fn new(identifier_type: impl Into<String>, identifier: impl Into<String>) -> Self {
        Self {
            r#type: vocab::IDENTIFIER_ENTRY.to_owned(),
            identifier: identifier.into(),
            identifier_type: identifier_type.into(),
            extra: Map::new(),
        }
    }
}
