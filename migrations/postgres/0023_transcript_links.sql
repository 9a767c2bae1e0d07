-- transcript links: a recipient typed their email on the transcript page and is sent a link
-- that opens their transcript for a while. one row per request: the record of which address
-- the link opens (the link carries this row's id, signed with its expiry) and its own small
-- outbox, delivered by the email worker beside award emails and invitations. postgresql
-- dialect, conventions as in 0001 (uuid ids, timestamptz). a new table only.
create table transcript_links (
    id uuid primary key,
    -- the issuer whose email settings send it (one the recipient holds a credential from)
    issuer_id uuid not null references issuers (id),
    recipient_email text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    -- 'queued', 'sending', 'sent' or 'failed'
    state text not null,
    attempts bigint not null default 0,
    next_attempt_at timestamptz not null,
    claim uuid,
    claimed_until timestamptz,
    sent_at timestamptz,
    last_error text,
    message_id text,
    subject text,
    dry_run boolean not null default false
);

create index transcript_links_due on transcript_links (state, next_attempt_at);
create index transcript_links_expiry on transcript_links (expires_at);
