-- laurel's first schema, postgresql dialect.
--
-- native uuid, timestamptz (microseconds) and bytea. lists (tags, scopes) and alignments are
-- json text, as on sqlite, so both backends behave the same.

-- named values the service sets once (instance id, key-encryption check, ...).
create table settings (
    name text primary key,
    value text not null
);

-- admin api tokens. only the sha-256 of a secret is kept, and a token is looked up by it.
create table api_tokens (
    id uuid primary key,
    name text not null,
    secret_sha256 text not null,
    -- json array of scope names
    scopes text not null,
    created_at timestamptz not null,
    -- a revoked token stays listed but authenticates nothing
    revoked_at timestamptz,
    constraint api_tokens_name_key unique (name),
    constraint api_tokens_secret_sha256_key unique (secret_sha256)
);

-- issuing organizations (open badges profiles).
create table issuers (
    id uuid primary key,
    name text not null,
    url text,
    email text,
    description text,
    -- sha-256 of the logo in images
    image text,
    jwt_algorithm text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

-- signing keys. retired keys stay: credentials they signed must keep verifying.
create table issuer_keys (
    id uuid primary key,
    issuer_id uuid not null references issuers (id),
    purpose text not null check (purpose in ('data_integrity', 'jwt')),
    algorithm text not null,
    -- public key as a jwk (json text)
    public_jwk text not null,
    -- pkcs#8 private key, encrypted by the server's key-encryption key
    sealed_private_key bytea not null,
    created_at timestamptz not null,
    retired_at timestamptz
);

-- an issuer's keys, oldest first.
create index issuer_keys_issuer on issuer_keys (issuer_id, created_at);

-- uploaded images, stored once per content hash.
create table images (
    sha256 text primary key,
    content_type text not null,
    bytes bytea not null
);

-- badge classes.
create table achievements (
    id uuid primary key,
    issuer_id uuid not null references issuers (id),
    name text not null,
    description text not null,
    criteria_narrative text,
    criteria_url text,
    -- sha-256 of the badge image in images
    image text,
    achievement_type text,
    -- json array of strings
    tags text not null,
    -- json array of open badges alignment objects
    alignment text not null,
    credits_available double precision,
    valid_for_days bigint,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

-- an issuer's achievements, oldest first.
create index achievements_issuer on achievements (issuer_id, created_at);

-- awarded credentials, exactly as signed.
create table awards (
    id uuid primary key,
    achievement_id uuid not null references achievements (id),
    issuer_id uuid not null references issuers (id),
    -- normalized (trimmed, lowercased)
    recipient_email text not null,
    recipient_name text,
    issued_at timestamptz not null,
    valid_until timestamptz,
    -- the data integrity credential (json) and the same credential as a vc-jwt
    credential text not null,
    jwt text not null,
    -- exactly once: one award per recipient and achievement. inserts say
    -- "on conflict (achievement_id, recipient_email) do nothing".
    constraint awards_achievement_recipient_key unique (achievement_id, recipient_email)
);

-- listing, newest first: one achievement's awards, one recipient's, everyone's.
create index awards_achievement_issued on awards (achievement_id, issued_at, id);
create index awards_recipient on awards (recipient_email);
create index awards_issued on awards (issued_at, id);

-- responses replayed when a client retries with the same idempotency-key.
create table idempotency (
    key text not null,
    -- keys are scoped by the token that sent them
    token_id uuid not null references api_tokens (id),
    -- sha-256 of method, path and body: a retry must match it
    request_hash text not null,
    status integer not null,
    body text not null,
    created_at timestamptz not null,
    primary key (key, token_id)
);
