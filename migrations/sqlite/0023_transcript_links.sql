-- transcript links: a recipient typed their email on the transcript page and is sent a link
-- that opens their transcript for a while. one row per request: the record of which address
-- the link opens (the link carries this row's id, signed with its expiry) and its own small
-- outbox, delivered by the email worker beside award emails and invitations. sqlite dialect,
-- conventions as in 0001 (text ids, fixed-width utc text timestamps). a new table only.
create table transcript_links (
    id text primary key,
    -- the issuer whose email settings send it (one the recipient holds a credential from)
    issuer_id text not null references issuers (id),
    recipient_email text not null,
    created_at text not null,
    expires_at text not null,
    -- 'queued', 'sending', 'sent' or 'failed'
    state text not null,
    attempts integer not null default 0,
    next_attempt_at text not null,
    claim text,
    claimed_until text,
    sent_at text,
    last_error text,
    message_id text,
    subject text,
    dry_run integer not null default 0
);

create index transcript_links_due on transcript_links (state, next_attempt_at);
create index transcript_links_expiry on transcript_links (expires_at);
