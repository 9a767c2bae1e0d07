//! The token, nonce and credential endpoints' work: trading the pre-authorized code for an
//! access token, handing out `c_nonce`s, and answering a credential request with the
//! holder-bound copy.

use chrono::Duration;
use laurel_store::{OfferSecret, Redemption, StoreError};
use serde_json::{Value, json};

use super::proof::check_proof;
use super::request::{Shape, format_name, read_request};
use super::{
    NONCE_MINUTES, OFFER_MINUTES, PRE_AUTHORIZED_GRANT, ProtocolError, TOKEN_MINUTES, hash,
    random_secret,
};
use crate::wallet::claims::claim_by_id;
use crate::wallet::copy::{CopyFormat, signed_copy};
use crate::{Service, ServiceError, ServiceResult};

/// The longest code or token looked up (ours are 43 characters).
const MAX_SECRET_CHARS: usize = 128;

/// The token request's form fields (RFC 6749 §4.5 with OID4VCI §6.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct TokenRequest {
    /// Must be the pre-authorized code grant.
    pub grant_type: Option<String>,
    /// The code from the offer.
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: Option<String>,
    /// A transaction code: none is asked for, so any sent is ignored.
    pub tx_code: Option<String>,
}

/// `POST /nonce`: a fresh `c_nonce`, good once for [`NONCE_MINUTES`].
pub async fn nonce(service: &Service) -> ServiceResult<String> {
    let nonce = random_secret()?;
    let now = service.clock.now();
    service
        .store
        .create_nonce(&hash(&nonce), now, now + Duration::minutes(NONCE_MINUTES))
        .await?;
    Ok(nonce)
}

/// `POST /token`: trades a pre-authorized code (once, while fresh) for an access token, and
/// adds a `c_nonce` for draft-13 wallets that take it from here.
pub async fn token(service: &Service, request: &TokenRequest) -> Result<Value, ProtocolError> {
    match request.grant_type.as_deref() {
        Some(PRE_AUTHORIZED_GRANT) => {}
        Some(other) => {
            return Err(ProtocolError::Refused {
                code: "unsupported_grant_type",
                description: format!(
                    "grant_type {other:?} is not supported: only {PRE_AUTHORIZED_GRANT}"
                ),
                unauthorized: false,
            });
        }
        None => return Err(ProtocolError::invalid_request("grant_type is missing")),
    }
    let Some(code) = request.pre_authorized_code.as_deref() else {
        return Err(ProtocolError::invalid_request(
            "pre-authorized_code is missing",
        ));
    };
    let unknown = || {
        ProtocolError::invalid_grant(
            "this pre-authorized code is not known: scan the code on the claim page again",
        )
    };
    if code.is_empty() || code.len() > MAX_SECRET_CHARS {
        return Err(unknown());
    }
    let offer = service
        .store
        .credential_offer(OfferSecret::Code(&hash(code)))
        .await
        .map_err(ServiceError::from)?
        .ok_or_else(unknown)?;
    let spent = || {
        ProtocolError::invalid_grant(
            "this pre-authorized code was already used, and works once: open the claim link \
             again for a new code",
        )
    };
    if offer.token_sha256.is_some() {
        return Err(spent());
    }
    let now = service.clock.now();
    if now >= offer.expires_at {
        return Err(ProtocolError::invalid_grant(format!(
            "this pre-authorized code expired (codes last {OFFER_MINUTES} minutes): open the \
             claim link again and scan the new code"
        )));
    }
    claim_by_id(service, offer.claim_id)
        .await
        .map_err(|error| ProtocolError::from_service("invalid_grant", error))?;
    let access_token = random_secret()?;
    match service
        .store
        .grant_access_token(
            offer.id,
            &hash(&access_token),
            now + Duration::minutes(TOKEN_MINUTES),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(spent()),
        Err(error) => return Err(ServiceError::from(error).into()),
    }
    let c_nonce = nonce(service).await?;
    Ok(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_MINUTES * 60,
        "c_nonce": c_nonce,
        "c_nonce_expires_in": NONCE_MINUTES * 60,
    }))
}

/// `POST /credential`: checks the bearer token, the request and its key proof, then issues
/// the copy bound to the proof's key and marks the offer and the claim link used, in one
/// transaction. The answer has the shape the request had.
pub async fn credential(
    service: &Service,
    bearer: Option<&str>,
    body: &Value,
) -> Result<Value, ProtocolError> {
    let Some(token) = bearer.filter(|t| !t.is_empty() && t.len() <= MAX_SECRET_CHARS) else {
        return Err(ProtocolError::invalid_token(
            "the request has no access token (Authorization: Bearer …) from the token endpoint",
        ));
    };
    let offer = service
        .store
        .credential_offer(OfferSecret::Token(&hash(token)))
        .await
        .map_err(ServiceError::from)?
        .ok_or_else(|| ProtocolError::invalid_token("this access token is not known"))?;
    let now = service.clock.now();
    if offer.used_at.is_some() {
        return Err(ProtocolError::invalid_token(
            "this access token already received its badge, and works once",
        ));
    }
    if offer.token_expires_at.is_none_or(|expires| now >= expires) {
        return Err(ProtocolError::invalid_token(format!(
            "this access token expired (tokens last {TOKEN_MINUTES} minutes): scan the claim \
             page's code again"
        )));
    }
    let request = read_request(body)?;
    let proof = check_proof(&request.proof_jwt, service.urls.origin(), now)?;
    if !service
        .store
        .use_nonce(&hash(&proof.nonce), now)
        .await
        .map_err(ServiceError::from)?
    {
        return Err(ProtocolError::invalid_nonce(
            "the proof's nonce is not a live c_nonce of this issuer (unknown, expired or \
             already used): ask the nonce endpoint for a fresh one and sign again",
        ));
    }
    let refused = |error| ProtocolError::from_service("invalid_credential_request", error);
    let claim = claim_by_id(service, offer.claim_id)
        .await
        .map_err(refused)?;
    let copy = signed_copy(service, &claim.award, &proof.holder, request.format)
        .await
        .map_err(refused)?;
    let credential = copy.credential.clone();
    let redemption = Redemption {
        claim_id: claim.link.id,
        exchange_id: None,
        copy: Some(copy),
        at: now,
    };
    match service
        .store
        .redeem_credential_offer(offer.id, &redemption)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ProtocolError::invalid_credential_request(
                "this claim link was already used to add the badge to a wallet, and works \
                 once: ask for a new link on the badge's page",
            ));
        }
        Err(error) => return Err(ServiceError::from(error).into()),
    }
    let credential = match request.format {
        CopyFormat::DataIntegrity => serde_json::from_str(&credential)
            .map_err(|error| ServiceError::Internal(format!("the signed copy: {error}")))?,
        CopyFormat::Jwt => Value::String(credential),
    };
    Ok(match request.shape {
        Shape::V1 => json!({"credentials": [{"credential": credential}]}),
        Shape::Draft13 => json!({
            "credential": credential,
            "format": format_name(request.format),
        }),
    })
}
