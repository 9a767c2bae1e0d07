//! A JSON object as JSON-LD processing reads it, without copying it.
//!
//! A Data Integrity proof canonicalizes the credential less its `proof`, and the proof less its
//! `proofValue` with the credential's `@context`. Building those documents as new
//! `serde_json::Value`s copied every string of the credential (three times per verification:
//! less the proof, as a document, with the undefined-term sentinel), a tenth of the time of an
//! `eddsa-rdfc-2022` verification. A [`Document`] names the members instead, and is written
//! straight to the JSON bytes the JSON-LD parser reads, `@context` first so the streaming
//! parser need not hold the rest of the object back until it meets the context.

use serde_json::{Map, Value};

use super::JsonLdError;
use super::safe::unsafe_at;

/// A JSON object read in place: `members` less those named in `without`, with `context` (when
/// given) as its `@context`, in place of its own or, if it has none, after its last member.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// The object's members.
    pub members: &'a Map<String, Value>,
    /// Members left out (`proof`, `proofValue`).
    pub without: &'a [&'a str],
    /// The `@context` to use instead of the object's own.
    pub context: Option<&'a Value>,
}

impl<'a> Document<'a> {
    /// The whole of `members`.
    pub fn new(members: &'a Map<String, Value>) -> Self {
        Document {
            members,
            without: &[],
            context: None,
        }
    }

    /// The whole of `document`, which must be a JSON object.
    pub fn of(document: &'a Value) -> Result<Self, JsonLdError> {
        match document {
            Value::Object(members) => Ok(Self::new(members)),
            _ => Err(unsafe_at("", "a JSON-LD document must be a JSON object")),
        }
    }

    /// The members, in the order a copy made with `remove` and `insert` would have them.
    pub fn entries(&self) -> Vec<(&'a str, &'a Value)> {
        let mut entries = Vec::with_capacity(self.members.len() + 1);
        let mut context_seen = false;
        for (key, value) in self.members {
            if self.without.contains(&key.as_str()) {
                continue;
            }
            if key == "@context" {
                context_seen = true;
                entries.push((key.as_str(), self.context.unwrap_or(value)));
            } else {
                entries.push((key.as_str(), value));
            }
        }
        if let (Some(context), false) = (self.context, context_seen) {
            entries.push(("@context", context));
        }
        entries
    }

    /// A member's value.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        if key == "@context"
            && let Some(context) = self.context
        {
            return Some(context);
        }
        if self.without.contains(&key) {
            return None;
        }
        self.members.get(key)
    }

    /// The document as a new JSON value (for error messages and JCS).
    pub fn owned_value(&self) -> Value {
        Value::Object(
            self.entries()
                .into_iter()
                .map(|(key, value)| (key.to_string(), value.clone()))
                .collect(),
        )
    }

    /// The document as compact JSON, `@context` first; with `sentinel_vocab`, a context
    /// `{"@vocab": sentinel_vocab}` is put before the document's own contexts.
    pub(super) fn json_bytes(&self, sentinel_vocab: Option<&str>) -> Result<Vec<u8>, JsonLdError> {
        let syntax = |error: serde_json::Error| JsonLdError::Syntax(error.to_string());
        let mut out = Vec::with_capacity(2048);
        out.push(b'{');
        let context = self.get("@context");
        let mut first = true;
        if context.is_some() || sentinel_vocab.is_some() {
            out.extend_from_slice(b"\"@context\":");
            let sentinel = |out: &mut Vec<u8>, vocab: &str| -> Result<(), JsonLdError> {
                out.extend_from_slice(b"{\"@vocab\":");
                serde_json::to_writer(&mut *out, vocab).map_err(syntax)?;
                out.push(b'}');
                Ok(())
            };
            match (sentinel_vocab, context) {
                (None, Some(context)) => {
                    serde_json::to_writer(&mut out, context).map_err(syntax)?
                }
                (Some(vocab), None) => sentinel(&mut out, vocab)?,
                (Some(vocab), Some(context)) => {
                    out.push(b'[');
                    sentinel(&mut out, vocab)?;
                    let items = match context {
                        Value::Array(items) => items.as_slice(),
                        other => std::slice::from_ref(other),
                    };
                    for item in items {
                        out.push(b',');
                        serde_json::to_writer(&mut out, item).map_err(syntax)?;
                    }
                    out.push(b']');
                }
                (None, None) => {}
            }
            first = false;
        }
        for (key, value) in self.members {
            if key == "@context" || self.without.contains(&key.as_str()) {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            serde_json::to_writer(&mut out, key).map_err(syntax)?;
            out.push(b':');
            serde_json::to_writer(&mut out, value).map_err(syntax)?;
        }
        out.push(b'}');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_like_a_copy_with_members_removed_and_the_context_replaced() {
        let value = json!({ "type": "T", "@context": ["a"], "proof": {}, "name": "n" });
        let members = value.as_object().expect("object");
        let context = json!(["b"]);
        let document = Document {
            members,
            without: &["proof"],
            context: Some(&context),
        };
        let mut copy = members.clone();
        copy.remove("proof");
        copy.insert("@context".into(), context.clone());
        assert_eq!(document.owned_value(), Value::Object(copy));
        let json: Value = serde_json::from_slice(&document.json_bytes(None).expect("json"))
            .expect("utf-8 or JSON");
        assert_eq!(json, document.owned_value());
        assert_eq!(document.get("proof"), None);
        assert_eq!(document.get("@context"), Some(&context));
    }

    #[test]
    fn a_context_is_added_after_the_last_member_and_written_first() {
        let value = json!({ "type": "T", "name": "n" });
        let context = json!("c");
        let document = Document {
            members: value.as_object().expect("object"),
            without: &[],
            context: Some(&context),
        };
        let keys: Vec<&str> = document.entries().iter().map(|(key, _)| *key).collect();
        assert_eq!(keys, ["type", "name", "@context"]);
        let text = String::from_utf8(document.json_bytes(Some("urn:x:")).expect("json"))
            .expect("utf-8 or JSON");
        assert_eq!(
            text,
            r#"{"@context":[{"@vocab":"urn:x:"},"c"],"type":"T","name":"n"}"#
        );
    }

    #[test]
    fn the_sentinel_alone_when_there_is_no_context() {
        let value = json!({ "name": "n" });
        let document = Document::of(&value).expect("object");
        let text = String::from_utf8(document.json_bytes(Some("urn:x:")).expect("json"))
            .expect("utf-8 or JSON");
        assert_eq!(text, r#"{"@context":{"@vocab":"urn:x:"},"name":"n"}"#);
        assert!(Document::of(&json!([1])).is_err());
    }
}
