//! `--trust FILE`: the issuers a verifier trusts, and the keys each of them signs with.
//!
//! A valid signature only proves that *some* key signed; the trust list says whose key it must
//! be. A credential naming a trusted issuer (by id or by name) but signed with another key is
//! an impersonation, and is reported as invalid.
//!
//! The file is JSON: `{"issuers": [{"id": "...", "name": "...", "keys": [KEY, ...]}]}` where a
//! KEY is a public JWK, a Multikey string (`z6Mk…`) or a did:key.

use laurel_core::keys::PublicKey;
use serde::Serialize;
use serde_json::Value;

/// What the trust list says about an issuer and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = IssuerTrust))]
#[serde(rename_all = "kebab-case")]
pub enum Trust {
    /// The issuer is on the list and signed with one of its keys.
    Trusted,
    /// No trust list was given, or the issuer is not on it.
    Unknown,
    /// The credential claims a listed issuer's id or name, with a key that issuer does not use.
    Impersonated,
}

impl std::fmt::Display for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Trust::Trusted => "trusted",
            Trust::Unknown => "unknown (not in a trust list)",
            Trust::Impersonated => "IMPERSONATED (a trusted issuer's id or name with another key)",
        })
    }
}

/// Issuers the user trusts, or that a hosting service knows as its own.
#[derive(Debug, Clone)]
pub struct TrustList {
    /// Who vouches for this list, as reports name it ("the trust list trust.json").
    label: String,
    issuers: Vec<TrustedIssuer>,
}

impl Default for TrustList {
    fn default() -> Self {
        TrustList::new("your trust list")
    }
}

#[derive(Debug, Clone)]
struct TrustedIssuer {
    id: String,
    name: Option<String>,
    keys: Vec<PublicKey>,
}

impl TrustList {
    /// An empty list that reports call `label`.
    pub fn new(label: impl Into<String>) -> Self {
        TrustList {
            label: label.into(),
            issuers: Vec::new(),
        }
    }

    /// The same list under another label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Who vouches for this list.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Adds an issuer with its keys.
    pub fn add(&mut self, id: impl Into<String>, name: Option<String>, keys: Vec<PublicKey>) {
        self.issuers.push(TrustedIssuer {
            id: id.into(),
            name,
            keys,
        });
    }

    /// Reads a trust list document. The error is a sentence for the user.
    pub fn from_json(document: &Value) -> Result<Self, String> {
        let issuers = document
            .get("issuers")
            .and_then(Value::as_array)
            .ok_or("a trust list is {\"issuers\": [{\"id\", \"name\", \"keys\"}]}")?;
        let mut list = TrustList::default();
        for (index, entry) in issuers.iter().enumerate() {
            let id = entry
                .get("id")
                .and_then(Value::as_str)
                .ok_or(format!("issuers[{index}] has no id"))?;
            let mut keys = Vec::new();
            for key in entry
                .get("keys")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let parsed = match key {
                    Value::String(text) if text.starts_with("did:key:") => {
                        PublicKey::from_did_key(text)
                    }
                    Value::String(text) => PublicKey::from_multikey(text),
                    other => PublicKey::from_jwk(other),
                };
                keys.push(parsed.map_err(|error| format!("issuers[{index}]: {error}"))?);
            }
            if keys.is_empty() {
                return Err(format!("issuers[{index}] ({id}) lists no keys"));
            }
            list.issuers.push(TrustedIssuer {
                id: id.to_string(),
                name: entry
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                keys,
            });
        }
        Ok(list)
    }

    /// Judges an issuer id and name signed with `key` (a key whose signature verified). With no
    /// such key there is nothing to judge: a credential whose signature fails is invalid for
    /// that, not an impersonation.
    pub fn judge(
        &self,
        issuer_id: &str,
        issuer_name: Option<&str>,
        key: Option<&PublicKey>,
    ) -> Trust {
        let claimed = self.issuers.iter().filter(|issuer| {
            issuer.id == issuer_id
                || issuer
                    .name
                    .as_deref()
                    .zip(issuer_name)
                    .is_some_and(|(trusted, claimed)| same_name(trusted, claimed))
        });
        let Some(key) = key else {
            return Trust::Unknown;
        };
        let mut any = false;
        for issuer in claimed {
            any = true;
            if issuer.id == issuer_id && issuer.keys.contains(key) {
                return Trust::Trusted;
            }
        }
        if any {
            Trust::Impersonated
        } else {
            Trust::Unknown
        }
    }
}

fn same_name(a: &str, b: &str) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    fold(a) == fold(b)
}
