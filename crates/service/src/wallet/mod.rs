//! Wallets: how a recipient moves their badge into a digital wallet they control.
//!
//! The public credential page shows the credential to anyone, so it must never hand out a copy
//! bound to whoever asks. A wallet copy goes only through a **personal claim link**
//! ([`claims`]): a secret sent to the recipient's email (with the award, on staff request, or
//! when the recipient asks with their address), stored only as its SHA-256, and good for one
//! wallet. Using it runs a protocol in which the wallet proves control of its DID:
//! - [`exchange`]: the VC-API exchange the DCC Learner Credential Wallet speaks. The wallet
//!   asks, Laurel answers with a DID Authentication request (a fresh challenge and its
//!   domain), the wallet answers with a signed presentation ([`didauth`] checks it; a
//!   `did:web` holder's key comes from its DID document, [`did_web`]), and Laurel answers
//!   with the copy.
//! - [`oid4vci`]: OpenID4VCI's pre-authorized code flow, for the other wallets (LearnCard, the
//!   EU wallets): the claim page's offer, a token, and a key proof over a nonce.
//!
//! The copy ([`copy`]) is the award's credential with `credentialSubject.id` set to the
//! holder's DID ([`did`] checks its syntax), the same status entry (revoking the award revokes
//! every copy), signed again with the issuer's current key, and kept with the award. A link is
//! marked used in the same transaction that stores the copy, so two wallets racing for one
//! link cannot both get one.

pub mod claims;
pub mod copy;
pub mod did;
pub mod did_web;
pub mod didauth;
pub mod exchange;
pub mod oid4vci;
pub mod requests;
