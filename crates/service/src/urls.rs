//! Every public URL the service mints, from one origin (`--public-url`).
//!
//! Ids in credentials are these URLs, so they must never change shape: a credential issued
//! today names `{origin}/issuers/{uuid}` as its issuer forever.

use uuid::Uuid;

/// Builds public URLs under one origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    origin: String,
}

impl Urls {
    /// URLs under `origin` (scheme, host, optional port and path prefix; a trailing `/` is
    /// dropped).
    pub fn new(origin: &str) -> Self {
        Urls {
            origin: origin.trim_end_matches('/').to_string(),
        }
    }

    /// The origin, without a trailing `/`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// An issuer's id: its Profile document.
    pub fn issuer(&self, id: Uuid) -> String {
        format!("{}/issuers/{id}", self.origin)
    }

    /// An issuer's controller document, listing all its public keys.
    pub fn issuer_keys(&self, issuer: Uuid) -> String {
        format!("{}/issuers/{issuer}/keys", self.origin)
    }

    /// One key's document: a verification method id (Data Integrity) or a `kid` (VC-JWT).
    pub fn key(&self, issuer: Uuid, key: Uuid) -> String {
        format!("{}/issuers/{issuer}/keys/{key}", self.origin)
    }

    /// An achievement's id.
    pub fn achievement(&self, id: Uuid) -> String {
        format!("{}/achievements/{id}", self.origin)
    }

    /// A credential's id.
    pub fn credential(&self, id: Uuid) -> String {
        format!("{}/credentials/{id}", self.origin)
    }

    /// An endorsement's id (and where its signed credential is served).
    pub fn endorsement(&self, id: Uuid) -> String {
        format!("{}/endorsements/{id}", self.origin)
    }

    /// An image, by content hash and type (`png` or `svg`).
    pub fn image(&self, sha256: &str, content_type: &str) -> String {
        let extension = if content_type == "image/svg+xml" {
            "svg"
        } else {
            "png"
        };
        format!("{}/images/{sha256}.{extension}", self.origin)
    }

    /// A status list credential's id.
    pub fn status_list(&self, id: Uuid) -> String {
        format!("{}/status/{id}", self.origin)
    }

    /// The JWK Set of every issuer's keys.
    pub fn jwks(&self) -> String {
        format!("{}/.well-known/jwks.json", self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slash_is_dropped() {
        let id = Uuid::nil();
        assert_eq!(
            Urls::new("https://badges.example.org/").issuer(id),
            format!("https://badges.example.org/issuers/{id}")
        );
    }
}
