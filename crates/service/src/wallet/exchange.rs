//! The VC-API exchange the DCC Learner Credential Wallet runs to receive a badge.
//!
//! Opening a claim page opens an exchange (or reuses one still open) at
//! `{public_url}/exchanges/{id}`; the page's button and QR code hand the wallet
//! `https://lcw.app/request?request={"credentialRequestOrigin": …, "protocols": {"vcapi": …}}`.
//! The wallet then:
//! 1. POSTs `{}`: Laurel answers a `verifiablePresentationRequest` asking for DID
//!    Authentication (`did:key` or `did:web`), with the exchange's challenge, its domain, and
//!    the exchange URL as the `interact` service to answer at;
//! 2. POSTs `{"verifiablePresentation": VP}`: Laurel checks the VP ([`super::didauth`]),
//!    makes the holder-bound copy, marks the claim used and the exchange complete in one
//!    transaction, and answers `{"verifiablePresentation": {… "verifiableCredential": [VC]}}`.
//!
//! Exchanges expire after [`EXCHANGE_MINUTES`] and complete once; opening the page does not
//! use the claim, only a completed exchange does.

use chrono::Duration;
use laurel_store::WalletExchange;
use serde_json::{Value, json};
use uuid::Uuid;

use super::claims::{Claim, claim_by_id, redeem_claim};
use super::copy::CopyFormat;
use super::didauth::verify_did_auth;
use crate::{Service, ServiceError, ServiceResult};

/// How long an exchange stays open.
pub const EXCHANGE_MINUTES: i64 = 15;

/// The Learner Credential Wallet's request link.
pub const LCW_REQUEST: &str = "https://lcw.app/request?request=";

/// The exchange a claim page offers: one still open, or a new one.
pub async fn open_exchange(service: &Service, claim: &Claim) -> ServiceResult<WalletExchange> {
    let now = service.clock.now();
    if let Some(open) = service.store.open_exchange(claim.link.id, now).await? {
        // One with time left for a wallet to finish; otherwise a fresh one.
        if open.expires_at - now > Duration::minutes(2) {
            return Ok(open);
        }
    }
    let mut challenge = [0u8; 16];
    getrandom::fill(&mut challenge)
        .map_err(|error| ServiceError::Internal(format!("no random bytes: {error}")))?;
    let exchange = WalletExchange {
        id: Uuid::now_v7(),
        claim_id: claim.link.id,
        challenge: Uuid::from_bytes(challenge).to_string(),
        domain: domain(service),
        created_at: now,
        expires_at: now + Duration::minutes(EXCHANGE_MINUTES),
        completed_at: None,
    };
    service.store.create_exchange(&exchange).await?;
    Ok(exchange)
}

/// The host (and port) of the public URL: the `domain` a wallet's proof must name.
pub fn domain(service: &Service) -> String {
    let origin = service.urls.origin();
    match url::Url::parse(origin) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => origin.to_string(),
        },
        Err(_) => origin.to_string(),
    }
}

/// `{public_url}/exchanges/{id}`.
pub fn exchange_url(service: &Service, id: Uuid) -> String {
    format!("{}/exchanges/{id}", service.urls.origin())
}

/// The JSON the Learner Credential Wallet's request link carries.
pub fn wallet_request(service: &Service, exchange_id: Uuid) -> Value {
    json!({
        "credentialRequestOrigin": service.urls.origin(),
        "protocols": {"vcapi": exchange_url(service, exchange_id)},
    })
}

/// `https://lcw.app/request?request=` + the URL-encoded [`wallet_request`].
pub fn lcw_link(service: &Service, exchange_id: Uuid) -> String {
    let request = wallet_request(service, exchange_id).to_string();
    let encoded: String = url::form_urlencoded::byte_serialize(request.as_bytes()).collect();
    format!("{LCW_REQUEST}{encoded}")
}

/// An exchange a wallet may still use, with its claim.
async fn usable(service: &Service, id: Uuid) -> ServiceResult<(WalletExchange, Claim)> {
    let exchange = service
        .store
        .exchange(id)
        .await
        .map_err(|error| ServiceError::from_store(error, "exchange", id))?;
    if exchange.completed_at.is_some() {
        return Err(ServiceError::Conflict(
            "this exchange is complete: the badge was already sent to a wallet, and an \
             exchange works once"
                .into(),
        ));
    }
    if service.clock.now() >= exchange.expires_at {
        return Err(ServiceError::Conflict(format!(
            "this exchange expired (exchanges last {EXCHANGE_MINUTES} minutes): open the claim \
             link again and scan the new code"
        )));
    }
    let claim = claim_by_id(service, exchange.claim_id).await?;
    Ok((exchange, claim))
}

/// Step 1: what the wallet must present (DID Authentication for this exchange).
pub async fn presentation_request(service: &Service, id: Uuid) -> ServiceResult<Value> {
    let (exchange, _) = usable(service, id).await?;
    Ok(json!({
        "verifiablePresentationRequest": {
            "query": [{
                "type": "DIDAuthentication",
                "acceptedMethods": [{"method": "key"}, {"method": "web"}],
            }],
            "challenge": exchange.challenge,
            "domain": exchange.domain,
            "interact": {
                "service": [{
                    "type": "VerifiableCredentialApiExchangeService",
                    "serviceEndpoint": exchange_url(service, id),
                }],
            },
        },
    }))
}

/// Step 2: checks the wallet's DID Authentication and answers with the holder-bound copy.
pub async fn receive_presentation(
    service: &Service,
    id: Uuid,
    presentation: Value,
) -> ServiceResult<Value> {
    let (exchange, claim) = usable(service, id).await?;
    // Blocking: the JSON-LD work, and for a did:web holder its DID document's fetch.
    let documents = service.remote_documents.clone();
    let holder = tokio::task::spawn_blocking(move || {
        verify_did_auth(
            &presentation,
            &exchange.challenge,
            &exchange.domain,
            documents.as_ref(),
        )
    })
    .await
    .map_err(|error| ServiceError::Internal(format!("checking the presentation: {error}")))??;
    let copy = redeem_claim(
        service,
        &claim,
        Some(id),
        &holder,
        CopyFormat::DataIntegrity,
    )
    .await?;
    let credential: Value = serde_json::from_str(&copy)
        .map_err(|error| ServiceError::Internal(format!("the signed copy: {error}")))?;
    Ok(json!({
        "verifiablePresentation": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [credential],
        },
    }))
}
