//! The credential request body, in the two shapes wallets send (pure, no I/O):
//! - OID4VCI 1.0 (§8.2): `{"credential_configuration_id": …, "proofs": {"jwt": ["…"]}}`
//!   (the singular `"proof"` of drafts 14–15 is read too);
//! - draft 13, which many wallets still speak: `{"format": "ldp_vc" | "jwt_vc_json",
//!   "credential_definition": {…}, "proof": {"proof_type": "jwt", "jwt": "…"}}`.
//!
//! The answer mirrors the shape asked in ([`Shape`]).

use serde_json::Value;

use super::{JWT_VC_CONFIGURATION, LDP_VC_CONFIGURATION, ProtocolError};
use crate::wallet::copy::CopyFormat;

/// Which version of the protocol a request was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// OID4VCI 1.0: answered `{"credentials": [{"credential": …}]}`.
    V1,
    /// Draft 13: answered `{"credential": …, "format": …}`.
    Draft13,
}

/// A credential request, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRequest {
    /// The format asked for.
    pub format: CopyFormat,
    /// The shape it was asked in.
    pub shape: Shape,
    /// The key proof JWT.
    pub proof_jwt: String,
}

/// The OID4VCI format identifier of a copy format.
pub fn format_name(format: CopyFormat) -> &'static str {
    match format {
        CopyFormat::DataIntegrity => "ldp_vc",
        CopyFormat::Jwt => "jwt_vc_json",
    }
}

/// Reads a credential request body.
pub fn read_request(body: &Value) -> Result<CredentialRequest, ProtocolError> {
    let Some(object) = body.as_object() else {
        return Err(ProtocolError::invalid_credential_request(
            "the credential request must be a JSON object",
        ));
    };
    let (format, shape) = if let Some(id) = object.get("credential_configuration_id") {
        let format = match id.as_str() {
            Some(LDP_VC_CONFIGURATION) => CopyFormat::DataIntegrity,
            Some(JWT_VC_CONFIGURATION) => CopyFormat::Jwt,
            _ => {
                return Err(ProtocolError::unknown_configuration(
                    "unknown_credential_configuration",
                    format!(
                        "credential_configuration_id {id} is not offered here \
                         ({LDP_VC_CONFIGURATION} or {JWT_VC_CONFIGURATION})"
                    ),
                ));
            }
        };
        (format, Shape::V1)
    } else if let Some(format) = object.get("format") {
        let format = match format.as_str() {
            Some("ldp_vc") => CopyFormat::DataIntegrity,
            Some("jwt_vc_json") => CopyFormat::Jwt,
            _ => {
                return Err(ProtocolError::unknown_configuration(
                    "unsupported_credential_format",
                    format!("format {format} is not offered here (ldp_vc or jwt_vc_json)"),
                ));
            }
        };
        check_definition(object.get("credential_definition"))?;
        (format, Shape::Draft13)
    } else if object.contains_key("credential_identifier") {
        return Err(ProtocolError::invalid_credential_request(
            "credential_identifier is not used here (no authorization_details are issued): \
             ask by credential_configuration_id",
        ));
    } else {
        return Err(ProtocolError::invalid_credential_request(
            "the request names no credential_configuration_id (or draft-13 format)",
        ));
    };
    let proof_jwt = proof_jwt(object)?;
    Ok(CredentialRequest {
        format,
        shape,
        proof_jwt,
    })
}

/// The one JWT key proof of a request: `proofs.jwt[0]` or `proof.jwt`.
fn proof_jwt(object: &serde_json::Map<String, Value>) -> Result<String, ProtocolError> {
    match (object.get("proofs"), object.get("proof")) {
        (Some(_), Some(_)) => Err(ProtocolError::invalid_proof(
            "the request has both proofs and proof; send one",
        )),
        (Some(proofs), None) => {
            let Some(jwts) = proofs.get("jwt").and_then(Value::as_array) else {
                return Err(ProtocolError::invalid_proof(
                    "proofs must hold a jwt array (the only proof type accepted)",
                ));
            };
            match jwts.as_slice() {
                [Value::String(jwt)] => Ok(jwt.clone()),
                [] | [_] => Err(ProtocolError::invalid_proof(
                    "proofs.jwt must hold one JWT string",
                )),
                _ => Err(ProtocolError::invalid_proof(
                    "one badge is issued per request, so send one proof",
                )),
            }
        }
        (None, Some(proof)) => {
            match proof.get("proof_type").and_then(Value::as_str) {
                Some("jwt") => {}
                _ => {
                    return Err(ProtocolError::invalid_proof(
                        "proof.proof_type must be \"jwt\" (the only proof type accepted)",
                    ));
                }
            }
            proof
                .get("jwt")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| ProtocolError::invalid_proof("proof.jwt must be a JWT string"))
        }
        (None, None) => Err(ProtocolError::invalid_proof(
            "the request has no key proof: sign a JWT over a c_nonce with the wallet's key",
        )),
    }
}

/// A draft-13 `credential_definition`, if sent, must ask for an Open Badge.
fn check_definition(definition: Option<&Value>) -> Result<(), ProtocolError> {
    let Some(types) = definition.and_then(|d| d.get("type")) else {
        return Ok(());
    };
    let badge = types.as_array().is_some_and(|types| {
        types.iter().any(|t| {
            matches!(
                t.as_str(),
                Some("OpenBadgeCredential" | "AchievementCredential")
            )
        })
    });
    if badge {
        Ok(())
    } else {
        Err(ProtocolError::unknown_configuration(
            "unsupported_credential_type",
            "credential_definition.type must include OpenBadgeCredential",
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn code(error: ProtocolError) -> &'static str {
        match error {
            ProtocolError::Refused { code, .. } => code,
            ProtocolError::Service(error) => panic!("{error}"),
        }
    }

    #[test]
    fn reads_the_1_0_shape() {
        let request = read_request(&json!({
            "credential_configuration_id": "OpenBadgeCredential_jwt_vc_json",
            "proofs": {"jwt": ["a.b.c"]},
        }))
        .unwrap();
        assert_eq!(
            request,
            CredentialRequest {
                format: CopyFormat::Jwt,
                shape: Shape::V1,
                proof_jwt: "a.b.c".into()
            }
        );
        let singular = read_request(&json!({
            "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
            "proof": {"proof_type": "jwt", "jwt": "d.e.f"},
        }))
        .unwrap();
        assert_eq!(singular.format, CopyFormat::DataIntegrity);
        assert_eq!(singular.proof_jwt, "d.e.f");
    }

    #[test]
    fn reads_the_draft_13_shape() {
        let request = read_request(&json!({
            "format": "ldp_vc",
            "credential_definition": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
            },
            "proof": {"proof_type": "jwt", "jwt": "a.b.c"},
        }))
        .unwrap();
        assert_eq!(request.shape, Shape::Draft13);
        assert_eq!(request.format, CopyFormat::DataIntegrity);
    }

    #[test]
    fn refuses_what_is_not_offered_or_not_proven() {
        let cases = [
            (
                json!({"credential_configuration_id": "Diploma", "proofs": {"jwt": ["a.b.c"]}}),
                "unknown_credential_configuration",
            ),
            (
                json!({"format": "mso_mdoc", "proof": {"proof_type": "jwt", "jwt": "a"}}),
                "unsupported_credential_format",
            ),
            (
                json!({"format": "ldp_vc", "credential_definition": {"type": ["Diploma"]},
                       "proof": {"proof_type": "jwt", "jwt": "a"}}),
                "unsupported_credential_type",
            ),
            (
                json!({"credential_configuration_id": "OpenBadgeCredential_ldp_vc"}),
                "invalid_proof",
            ),
            (
                json!({"credential_configuration_id": "OpenBadgeCredential_ldp_vc",
                       "proofs": {"jwt": ["a", "b"]}}),
                "invalid_proof",
            ),
            (
                json!({"credential_configuration_id": "OpenBadgeCredential_ldp_vc",
                       "proofs": {"ldp_vp": [{}]}}),
                "invalid_proof",
            ),
            (
                json!({"format": "jwt_vc_json", "proof": {"proof_type": "cwt", "cwt": "x"}}),
                "invalid_proof",
            ),
            (
                json!({"credential_identifier": "x"}),
                "invalid_credential_request",
            ),
            (json!({}), "invalid_credential_request"),
            (json!([]), "invalid_credential_request"),
        ];
        for (body, expected) in cases {
            assert_eq!(code(read_request(&body).unwrap_err()), expected, "{body}");
        }
    }
}
