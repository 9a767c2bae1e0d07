//! Discovery: the credential issuer metadata (OID4VCI 1.0 §12.2,
//! `/.well-known/openid-credential-issuer`) and the OAuth authorization server metadata
//! (RFC 8414, `/.well-known/oauth-authorization-server`) wallets read before the token call.
//!
//! Laurel is its own authorization server, and the only grant is the pre-authorized code, so
//! the server metadata names just the token endpoint. Each credential configuration carries
//! its display both where 1.0 puts it (`credential_metadata.display`) and where draft 13 did
//! (`display`), so wallets of either generation show a name.

use laurel_core::model::vocab::OB_CONTEXT_3_0_3;
use serde_json::{Value, json};

use super::{JWT_VC_CONFIGURATION, LDP_VC_CONFIGURATION, PRE_AUTHORIZED_GRANT};
use crate::{Service, ServiceResult};

/// The key proof algorithms accepted.
const PROOF_ALGS: [&str; 2] = ["EdDSA", "ES256"];

/// The credential issuer metadata.
pub async fn issuer_metadata(service: &Service) -> ServiceResult<Value> {
    let origin = service.urls.origin();
    let name = display_name(service).await?;
    let types = ["VerifiableCredential", "OpenBadgeCredential"];
    let display = json!([{"name": "Open Badge", "locale": "en"}]);
    let binding = ["did:key", "did:jwk"];
    let proof_types = json!({"jwt": {"proof_signing_alg_values_supported": PROOF_ALGS}});
    Ok(json!({
        "credential_issuer": origin,
        "credential_endpoint": format!("{origin}/credential"),
        "nonce_endpoint": format!("{origin}/nonce"),
        "display": [{"name": name, "locale": "en"}],
        "credential_configurations_supported": {
            LDP_VC_CONFIGURATION: {
                "format": "ldp_vc",
                "credential_definition": {
                    "@context": ["https://www.w3.org/ns/credentials/v2", OB_CONTEXT_3_0_3],
                    "type": types,
                },
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "cryptographic_binding_methods_supported": binding,
                "proof_types_supported": proof_types,
                "credential_metadata": {"display": display},
                "display": display,
            },
            JWT_VC_CONFIGURATION: {
                "format": "jwt_vc_json",
                "credential_definition": {"type": types},
                "credential_signing_alg_values_supported": ["EdDSA", "ES256", "RS256"],
                "cryptographic_binding_methods_supported": binding,
                "proof_types_supported": proof_types,
                "credential_metadata": {"display": display},
                "display": display,
            },
        },
    }))
}

/// The OAuth authorization server metadata (RFC 8414).
pub fn authorization_server_metadata(service: &Service) -> Value {
    let origin = service.urls.origin();
    json!({
        "issuer": origin,
        "token_endpoint": format!("{origin}/token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": true,
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": [],
    })
}

/// The name a wallet shows for this issuer: the issuer's, when the instance has one; else the
/// host it runs on.
async fn display_name(service: &Service) -> ServiceResult<String> {
    let issuers = service.store.list_issuers().await?;
    Ok(match issuers.as_slice() {
        [only] => only.name.clone(),
        _ => format!(
            "Open Badges from {}",
            crate::wallet::exchange::domain(service)
        ),
    })
}
