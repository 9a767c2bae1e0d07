-- openid4vci (pre-authorized code flow): credential offers made from a claim link, and the
-- c_nonces wallets sign their key proofs over.

-- one offer shown on a claim page. its url secret, its pre-authorized code and the access token
-- a wallet gets for the code are kept only as sha-256. the code works once (token_sha256 set) and
-- only until expires_at; the token until token_expires_at; the offer hands out one credential
-- (used_at set).
create table oid4vci_offers (
    id uuid primary key,
    claim_id uuid not null references claim_links (id),
    offer_sha256 text not null unique,
    code_sha256 text not null unique,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    token_sha256 text unique,
    token_expires_at timestamptz,
    used_at timestamptz
);

create index oid4vci_offers_claim on oid4vci_offers (claim_id);

-- a c_nonce: used once (used_at set), refused after expires_at.
create table oid4vci_nonces (
    nonce_sha256 text primary key,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
);
