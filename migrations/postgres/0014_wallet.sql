-- wallets: personal claim links, the holder-bound copies made for wallets, and vc-api exchanges.

-- a claim link is a secret sent to one recipient; only its sha-256 is kept. it works until it is
-- used once (used_at set); staff or the recipient may ask for a fresh one at any time.
create table claim_links (
    id uuid primary key,
    award_id uuid not null references awards (id),
    token_sha256 text not null unique,
    created_at timestamptz not null,
    used_at timestamptz
);

create index claim_links_award on claim_links (award_id);

-- a copy of an award's credential bound to a wallet holder's did and signed again, kept with the
-- award. format: 'ldp_vc' (data integrity json) or 'jwt_vc_json' (a vc-jwt).
create table wallet_copies (
    id uuid primary key,
    award_id uuid not null references awards (id),
    holder text not null,
    format text not null check (format in ('ldp_vc', 'jwt_vc_json')),
    credential text not null,
    created_at timestamptz not null
);

create index wallet_copies_award on wallet_copies (award_id, created_at);

-- one vc-api exchange a wallet runs against a claim link: single use, and it expires.
create table wallet_exchanges (
    id uuid primary key,
    claim_id uuid not null references claim_links (id),
    challenge text not null,
    domain text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    completed_at timestamptz
);

create index wallet_exchanges_claim on wallet_exchanges (claim_id, expires_at);
