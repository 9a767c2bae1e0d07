-- notifications: recipients told of their badge by email. sqlite dialect, conventions as in
-- 0001 (text ids, fixed-width utc text timestamps). new tables only: the previous release
-- never reads them.

-- an issuer's outgoing mail server and sender. an issuer without a row sends no email, and
-- awarding queues nothing for it.
create table issuer_email (
    issuer_id text primary key references issuers (id),
    smtp_host text not null,
    smtp_port integer not null check (smtp_port between 1 and 65535),
    -- 'starttls' (required), 'tls' (implicit, port 465) or 'none' (a relay on localhost)
    smtp_security text not null,
    smtp_username text,
    -- the smtp password, sealed by the key-encryption key (never stored in the clear)
    smtp_password blob,
    from_address text not null,
    from_name text,
    reply_to text,
    -- sends per minute across every instance; null: no limit
    rate_per_minute integer check (rate_per_minute > 0),
    -- 1: render and record each email, but send nothing
    dry_run integer not null default 0,
    -- the current rate window: when it began and how many sends it has counted. shared by
    -- instances, so the limit holds for the whole installation.
    window_started_at text,
    window_count integer not null default 0,
    updated_at text not null
);

-- email templates: one per issuer (its default) and one per achievement (overrides it).
-- owner_id is the issuer's or the achievement's id.
create table email_templates (
    owner_id text primary key,
    issuer_id text not null references issuers (id),
    achievement_id text references achievements (id),
    subject text not null,
    text_body text not null,
    -- null: the email is plain text only
    html_body text,
    updated_at text not null
);

-- the outbox: one row per credential whose recipient is to be (or was) told. inserted in the
-- same transaction as the credential, so a crash never loses or duplicates one.
create table notifications (
    award_id text primary key references awards (id),
    issuer_id text not null references issuers (id),
    achievement_id text not null references achievements (id),
    -- 'queued', 'sending', 'sent' or 'failed'
    state text not null,
    -- delivery attempts since last queued
    attempts integer not null default 0,
    created_at text not null,
    -- when last (re)queued
    queued_at text not null,
    -- when a queued row may next be claimed (retries wait here)
    next_attempt_at text not null,
    -- a worker's claim: its id, and when the claim lapses (a crashed worker's rows are
    -- claimed again after it)
    claim text,
    claimed_until text,
    last_attempt_at text,
    sent_at text,
    failed_at text,
    -- why the last attempt failed, and the server's reply when it answered
    last_error text,
    smtp_reply text,
    -- what was sent
    message_id text,
    subject text,
    -- 1: the email was recorded, not sent (dry mode)
    dry_run integer not null default 0
);

-- the worker's query: due rows, oldest first.
create index notifications_due on notifications (state, next_attempt_at);
-- listing and bulk resend per achievement and state.
create index notifications_achievement_state on notifications (achievement_id, state);
create index notifications_issuer_state on notifications (issuer_id, state);
