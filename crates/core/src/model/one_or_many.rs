//! `OneOrMany<T>`: a JSON-LD value that may be written as a single item or as an array.
//!
//! JSON-LD compaction turns one-element arrays into bare values, so credentials in the wild
//! carry `"type": "Profile"`, `"proof": {…}` or `"identifier": {…}` where the Open Badges
//! schema says array. We must accept both, and we must write back the shape we read, because a
//! verifier re-serializing a parsed credential has to reproduce the signed document. What we
//! *emit* is always [`OneOrMany::Many`] (the builders never create `One`).

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A single value or an array of values, remembering which form it came in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OneOrMany<T> {
    /// A bare value (JSON-LD compacted a one-element set). Boxed so that recursive types
    /// (an endorsement inside a Profile inside an endorsement…) have a finite size.
    One(Box<T>),
    /// A JSON array (possibly with one element or none).
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    /// An empty array, which the model's fields skip when serializing.
    fn default() -> Self {
        Self::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    /// The items as a slice, whatever the form.
    pub fn as_slice(&self) -> &[T] {
        match self {
            Self::One(item) => std::slice::from_ref(&**item),
            Self::Many(items) => items,
        }
    }

    /// Iterates over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.as_slice().iter()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// True for an empty array (never for `One`).
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// The first item, if any.
    pub fn first(&self) -> Option<&T> {
        self.as_slice().first()
    }

    /// True if the value was written as a bare item rather than an array.
    pub fn is_one(&self) -> bool {
        matches!(self, Self::One(_))
    }

    /// Converts a bare item into a one-element array in place, so it serializes as an array.
    pub fn make_many(&mut self) -> &mut Vec<T> {
        if self.is_one() {
            *self = Self::Many(std::mem::take(self).into_vec());
        }
        match self {
            Self::Many(items) => items,
            Self::One(_) => unreachable!("a bare item was converted to Many just above"),
        }
    }

    /// Appends an item; the value becomes (or stays) an array.
    pub fn push(&mut self, item: T) {
        self.make_many().push(item);
    }

    /// The items as a vector.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            Self::One(item) => vec![*item],
            Self::Many(items) => items,
        }
    }
}

impl OneOrMany<String> {
    /// True if one of the strings equals `needle` (handy for `type` checks).
    pub fn contains_str(&self, needle: &str) -> bool {
        self.iter().any(|s| s == needle)
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(items: Vec<T>) -> Self {
        Self::Many(items)
    }
}

impl<T> FromIterator<T> for OneOrMany<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::Many(iter.into_iter().collect())
    }
}

impl<'a, T> IntoIterator for &'a OneOrMany<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> IntoIterator for OneOrMany<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<T: Serialize> Serialize for OneOrMany<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::One(item) => item.serialize(serializer),
            Self::Many(items) => items.serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for OneOrMany<T> {
    /// An array becomes `Many`, anything else is parsed as a single `T`. Going through a
    /// `Value` (instead of `#[serde(untagged)]`) keeps the inner error message, e.g.
    /// "missing field `type`", instead of "did not match any variant".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            array @ Value::Array(_) => serde_json::from_value(array).map(Self::Many),
            other => serde_json::from_value(other).map(|item| Self::One(Box::new(item))),
        }
        .map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_shape() {
        let one: OneOrMany<String> = serde_json::from_value(json!("Profile")).expect("parses");
        assert!(one.is_one());
        assert_eq!(serde_json::to_value(&one).expect("ser"), json!("Profile"));
        let many: OneOrMany<String> = serde_json::from_value(json!(["Profile"])).expect("parses");
        assert!(!many.is_one());
        assert_eq!(
            serde_json::to_value(&many).expect("ser"),
            json!(["Profile"])
        );
        assert!(one.contains_str("Profile") && many.contains_str("Profile"));
    }

    #[test]
    fn push_turns_one_into_many() {
        let mut v = OneOrMany::One(Box::new(1));
        v.push(2);
        assert_eq!(v, OneOrMany::Many(vec![1, 2]));
        let mut single = OneOrMany::One(Box::new(7));
        single.make_many();
        assert_eq!(serde_json::to_value(&single).expect("ser"), json!([7]));
    }
}
