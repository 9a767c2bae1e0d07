//! A JSON object as JSON-LD processing reads it, without copying it.
//!
//! A Data Integrity proof canonicalizes the credential less its `proof`, and the proof less its
//! `proofValue` with the credential's `@context`. Building those documents as new
//! `serde_json::Value`s copied every string of the credential (three times per verification:
//! less the proof, as a document, with the undefined-term sentinel), a tenth of the time of an
//! `eddsa-rdfc-2022` verification. A [`Document`] names the members instead, and is handed to
//! the JSON-LD parser as JSON events borrowed from it, every object's members in the order
//! expansion processes them so the parser need not hold objects back
//! ([`Document::events_in_processing_order`]); or, when that order is not known, written to
//! JSON text, `@context` first.

use std::borrow::Cow;
use std::cmp::Ordering;

use oxjsonld::JsonEvent;
use serde_json::{Map, Value};

use super::JsonLdError;
use super::safe::unsafe_at;
use crate::model::vocab::{VC_CONTEXT_V1, VC_CONTEXT_V2};

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
        let mut out = Vec::with_capacity(2048);
        let mut first = self.write_context(sentinel_vocab, &mut out)?;
        for (key, value) in self.members {
            if key == "@context" || self.without.contains(&key.as_str()) {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            write_json(&mut out, key)?;
            out.push(b':');
            write_json(&mut out, value)?;
        }
        out.push(b'}');
        Ok(out)
    }

    /// The document as JSON events, with every object's members in the order JSON-LD
    /// expansion processes them, for oxjsonld's streaming mode, and the length of its JSON
    /// text (near enough: strings are counted unescaped); `None` when that order cannot be
    /// known without the contexts, and the document must be read in the buffering mode.
    ///
    /// oxjsonld's buffering mode holds each object back until it has seen all of it, then
    /// replays its members into the streaming mode's states in this order: `@context`, the
    /// `@type` keys sorted, `@id`, the rest as written (`@graph` last, which safe mode refuses
    /// anyway). It does so again for every object nested in one it replays. Given in that
    /// order, the document takes the same path through the same states without the
    /// buffering; given as events, it is neither written out nor parsed again. Together, about
    /// half the time of a credential's conversion.
    ///
    /// Which keys mean `@type` and `@id` is known from the key alone when the first context is
    /// the VC v1 or v2 context: both define `type` and `id` as those keywords, as protected
    /// terms that no later context may change, and no bundled context defines either as
    /// anything else. `uid`, an alias of `@id` in the ODRL context, makes the order unknown.
    /// One place escapes the rule: VC v2's `verifiableCredential` resets the context, and a
    /// credential in it whose own context does not define `type` or `id` has them as plain
    /// properties (through a `@vocab`) or drops them (refused in safe mode). A plain property
    /// moved ahead of `@id` changes nothing: oxjsonld's RDF conversion holds a node's
    /// properties until its `@id` arrives (`JsonLdToRdfState::StartObject`); the test
    /// `streaming_in_processing_order_converts_as_buffering_does` has such a presentation.
    ///
    /// Call only after [`super::safe::scan_document`], which bounds the nesting and refuses
    /// inline contexts and other keywords.
    pub(super) fn events_in_processing_order(
        &self,
        sentinel_vocab: Option<&'a str>,
    ) -> Option<(Vec<JsonEvent<'a>>, usize)> {
        let context = self.get("@context")?;
        let first_context = match context {
            Value::Array(items) => items.first()?,
            other => other,
        };
        if !matches!(first_context.as_str(), Some(VC_CONTEXT_V1 | VC_CONTEXT_V2)) {
            return None;
        }
        let mut events = Events {
            events: Vec::with_capacity(256),
            json_bytes: 0,
        };
        events.push(JsonEvent::StartObject, 2);
        events.key("@context");
        match sentinel_vocab {
            None => events.value(context)?,
            Some(vocab) => {
                events.push(JsonEvent::StartArray, 2);
                events.push(JsonEvent::StartObject, 2);
                events.key("@vocab");
                events.string(vocab);
                events.push(JsonEvent::EndObject, 0);
                match context {
                    Value::Array(items) => items.iter().try_for_each(|item| events.value(item))?,
                    other => events.value(other)?,
                }
                events.push(JsonEvent::EndArray, 0);
            }
        }
        let members = self
            .members
            .iter()
            .filter(|(key, _)| *key != "@context" && !self.without.contains(&key.as_str()));
        events.members_in_order(members)?;
        Some((events.events, events.json_bytes))
    }

    /// Writes `{` and the `@context` member, with the sentinel vocabulary first if given;
    /// returns true if nothing followed the brace.
    fn write_context(
        &self,
        sentinel_vocab: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Result<bool, JsonLdError> {
        out.push(b'{');
        let context = self.get("@context");
        if context.is_none() && sentinel_vocab.is_none() {
            return Ok(true);
        }
        out.extend_from_slice(b"\"@context\":");
        let sentinel = |out: &mut Vec<u8>, vocab: &str| -> Result<(), JsonLdError> {
            out.extend_from_slice(b"{\"@vocab\":");
            write_json(out, vocab)?;
            out.push(b'}');
            Ok(())
        };
        match (sentinel_vocab, context) {
            (None, Some(context)) => write_json(out, context)?,
            (Some(vocab), None) => sentinel(out, vocab)?,
            (Some(vocab), Some(context)) => {
                out.push(b'[');
                sentinel(out, vocab)?;
                let items = match context {
                    Value::Array(items) => items.as_slice(),
                    other => std::slice::from_ref(other),
                };
                for item in items {
                    out.push(b',');
                    write_json(out, item)?;
                }
                out.push(b']');
            }
            (None, None) => {}
        }
        Ok(false)
    }
}

/// Writes `value` as compact JSON.
fn write_json(
    out: &mut Vec<u8>,
    value: &(impl serde::Serialize + ?Sized),
) -> Result<(), JsonLdError> {
    serde_json::to_writer(out, value).map_err(|error| JsonLdError::Syntax(error.to_string()))
}

/// Where a member goes in an object written in processing order: `@context`, then `@type`
/// (`type`), then `@id` (`id`), then everything else; `None` for a key whose meaning the key
/// alone does not tell (`uid`).
fn processing_rank(key: &str) -> Option<u8> {
    match key {
        "@context" => Some(0),
        "@type" | "type" => Some(1),
        "@id" | "id" => Some(2),
        "uid" => None,
        _ => Some(3),
    }
}

/// JSON events borrowed from a document, and the length of the JSON text they stand for.
struct Events<'a> {
    events: Vec<JsonEvent<'a>>,
    json_bytes: usize,
}

impl<'a> Events<'a> {
    fn push(&mut self, event: JsonEvent<'a>, bytes: usize) {
        self.events.push(event);
        self.json_bytes += bytes;
    }

    fn key(&mut self, key: &'a str) {
        self.push(JsonEvent::ObjectKey(Cow::Borrowed(key)), key.len() + 4);
    }

    fn string(&mut self, text: &'a str) {
        self.push(JsonEvent::String(Cow::Borrowed(text)), text.len() + 3);
    }

    /// `members` (of an object whose `StartObject` is pushed), in processing order, then
    /// `EndObject`.
    fn members_in_order(
        &mut self,
        members: impl Iterator<Item = (&'a String, &'a Value)>,
    ) -> Option<()> {
        let mut ranked = Vec::new();
        for (key, value) in members {
            ranked.push((processing_rank(key)?, key.as_str(), value));
        }
        // Stable: members of one rank keep their order, except the `@type` keys, which
        // expansion takes in code point order.
        ranked.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                if a.0 == 1 {
                    a.1.cmp(b.1)
                } else {
                    Ordering::Equal
                }
            })
        });
        for (_, key, value) in ranked {
            self.key(key);
            self.value(value)?;
        }
        self.push(JsonEvent::EndObject, 1);
        Some(())
    }

    /// `value`, every object in it in processing order.
    fn value(&mut self, value: &'a Value) -> Option<()> {
        match value {
            Value::Object(members) => {
                self.push(JsonEvent::StartObject, 1);
                self.members_in_order(members.iter())?;
            }
            Value::Array(items) => {
                self.push(JsonEvent::StartArray, 2);
                for item in items {
                    self.value(item)?;
                }
                self.push(JsonEvent::EndArray, 0);
            }
            Value::String(text) => self.string(text),
            // As serde_json writes it, so the same text as the JSON path parses.
            Value::Number(number) => {
                let text = number.to_string();
                let bytes = text.len() + 1;
                self.push(JsonEvent::Number(Cow::Owned(text)), bytes);
            }
            Value::Bool(flag) => self.push(JsonEvent::Boolean(*flag), 6),
            Value::Null => self.push(JsonEvent::Null, 5),
        }
        Some(())
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
