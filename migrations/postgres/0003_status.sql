-- status: bitstring status lists (revocation), where each award's bit is, revocation and
-- suspension of awards, and compromised keys. postgresql dialect, conventions as in 0001
-- (native uuid, timestamptz and bytea). counts and versions are bigint, so every u32 fits.
-- every new column is nullable, so the previous release's inserts (which do not name them)
-- keep working while instances are upgraded one at a time.

-- w3c bitstring status lists, one issuer and purpose each. positions are handed out by
-- counting up `allocated` while the row is locked; the caller turns a position into an index
-- with the list's `key` (a keyed shuffle), so indexes tell nothing about issuance order.
create table status_lists (
    id uuid primary key,
    issuer_id uuid not null references issuers (id),
    -- 'revocation'
    purpose text not null,
    -- entries (bits) in the list
    size bigint not null check (size > 0),
    -- positions handed out so far: never more than size, never handed out twice
    allocated bigint not null check (allocated between 0 and size),
    -- the shuffle key: random bytes
    key bytea not null,
    -- the bits, size / 8 bytes rounded up; index 0 is the most significant bit of byte 0
    bits bytea not null,
    -- bumped once per call that sets bits
    version bigint not null,
    -- the signed bitstringstatuslistcredential (json), and the version it shows (0: none).
    -- a credential is only stored over an older one.
    credential text,
    signed_version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

-- an issuer's lists of one purpose, newest first (the one positions are taken from), and
-- listing oldest first.
create index status_lists_issuer_purpose_created on status_lists (issuer_id, purpose, created_at);

alter table awards
    -- where an award's revocation bit is: null for credentials issued before status lists
    add column status_list_id uuid references status_lists (id),
    add column status_index bigint,
    -- revocation is permanent: written once, by revoke_awards, together with the bit
    add column revoked_at timestamptz,
    add column revocation_reason text,
    -- suspension is reversible and kept issuer-side (no status bit)
    add column suspended_at timestamptz,
    add column suspension_reason text;

-- one credential per bit: a position handed out twice would make revoking one credential
-- revoke another.
create unique index awards_status_slot on awards (status_list_id, status_index)
    where status_list_id is not null;

-- when a key is known to have been compromised: signatures from then on are not trusted.
alter table issuer_keys add column compromised_since timestamptz;
