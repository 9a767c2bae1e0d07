//! Periodic clean-up of what expires: the wallet protocols' short-lived rows, and transcript
//! links recipients asked for by email.
//!
//! Every claim page opens a VC-API exchange and an OpenID4VCI offer, and every wallet asking
//! for a nonce stores one (the nonce endpoint needs no sign-in). Each lives minutes, but
//! nothing else deletes them, so without this the tables would only grow. `laurel serve`
//! runs [`run`]: a [`sweep`] when it starts and every [`EVERY`] after.
//!
//! A row goes [`KEPT_AFTER_EXPIRY`] after it expired, not at once: a wallet that comes back
//! late then still hears "this exchange expired, open the link again" rather than "no such
//! exchange". What was handed out stays: wallet copies are kept with their award, and a claim
//! link's use is recorded on the link.
//!
//! "Now" is the service's clock, so tests move time instead of waiting.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use tokio::sync::watch;

use crate::{Service, ServiceResult};

/// How often [`run`] sweeps.
pub const EVERY: Duration = Duration::from_secs(60 * 60);

/// How long an expired row is kept before it is deleted.
pub const KEPT_AFTER_EXPIRY: TimeDelta = TimeDelta::days(1);

/// What one [`sweep`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// VC-API exchanges.
    pub exchanges: u64,
    /// OpenID4VCI credential offers.
    pub offers: u64,
    /// OpenID4VCI nonces.
    pub nonces: u64,
    /// Transcript links asked for by email.
    pub transcript_links: u64,
}

/// Deletes the exchanges, offers, nonces and transcript links that expired more than
/// [`KEPT_AFTER_EXPIRY`] ago.
pub async fn sweep(service: &Service) -> ServiceResult<Swept> {
    let before = service.clock.now() - KEPT_AFTER_EXPIRY;
    let exchanges = service.store.delete_expired_exchanges(before).await?;
    let oid4vci = service.store.delete_expired_oid4vci(before).await?;
    let transcript_links = service
        .store
        .delete_expired_transcript_links(before)
        .await?;
    Ok(Swept {
        exchanges,
        offers: oid4vci.offers,
        nonces: oid4vci.nonces,
        transcript_links,
    })
}

/// Sweeps now and then every `every` until `stop` turns true. A failed sweep is logged and
/// tried again next time: it only delays the clean-up.
pub async fn run(service: Arc<Service>, mut stop: watch::Receiver<bool>, every: Duration) {
    loop {
        if *stop.borrow() {
            break;
        }
        match sweep(&service).await {
            Ok(swept) if swept != Swept::default() => tracing::info!(
                exchanges = swept.exchanges,
                offers = swept.offers,
                nonces = swept.nonces,
                transcript_links = swept.transcript_links,
                "deleted expired wallet exchanges, offers, nonces and transcript links"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(
                %error,
                "could not delete expired wallet rows and transcript links; trying again later"
            ),
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = tokio::time::sleep(every) => {}
        }
    }
}
