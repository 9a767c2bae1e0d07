//! The claim page's section for wallets other than the Learner Credential Wallet: an
//! OpenID4VCI credential offer (`openid-credential-offer://?credential_offer_uri=…`) as a QR
//! code and a link.
//!
//! The claim page (`/claim/{token}`) holds an [`OtherWallets`] named `other_wallets` and
//! includes `templates/pages/claim_other_wallets.html` where it marks the place. Each view of
//! the page makes a fresh offer ([`oid4vci::offer_for_claim`]); it lasts
//! [`oid4vci::OFFER_MINUTES`]. The QR code is an SVG drawn with the `qrcode` crate and shown as
//! a `data:` image, so no markup is built outside the template.

use super::claim::qr_data_url;
use crate::HttpResult;
use laurel_service::Service;
use laurel_service::wallet::claims::Claim;
use laurel_service::wallet::oid4vci;

/// What the claim page shows other wallets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherWallets {
    /// `openid-credential-offer://?credential_offer_uri=…`: the link, and what the QR carries.
    pub offer_uri: String,
    /// The offer as a QR code: a `data:image/svg+xml` URL.
    pub offer_qr: String,
    /// How long the code works, in minutes.
    pub minutes: i64,
}

/// Makes a credential offer for the claim and its QR code.
pub async fn other_wallets(service: &Service, claim: &Claim) -> HttpResult<OtherWallets> {
    let offer = oid4vci::offer_for_claim(service, claim).await?;
    Ok(OtherWallets {
        offer_qr: qr_data_url(&offer.uri)?,
        offer_uri: offer.uri,
        minutes: oid4vci::OFFER_MINUTES,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use askama::Template;

    use super::*;

    /// The claim page's use of the section, reduced to it.
    #[derive(Template)]
    #[template(
        source = r#"{% include "pages/claim_other_wallets.html" %}"#,
        ext = "html"
    )]
    struct Section {
        other_wallets: OtherWallets,
    }

    #[test]
    fn the_section_links_the_offer_and_shows_its_code() {
        let uri = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fb.example%2Foffers%2Fabc";
        let section = Section {
            other_wallets: OtherWallets {
                offer_uri: uri.into(),
                offer_qr: qr_data_url(uri).unwrap(),
                minutes: 10,
            },
        };
        let html = section.render().unwrap();
        assert!(
            html.contains(&format!("href=\"{}\"", uri.replace('&', "&amp;"))),
            "{html}"
        );
        assert!(html.contains("src=\"data:image/svg+xml;base64,"), "{html}");
        assert!(html.contains("Other wallets (LearnCard, EU wallets): scan this"));
        assert!(html.contains("10 minutes"));
    }
}
