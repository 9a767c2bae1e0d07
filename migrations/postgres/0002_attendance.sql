-- attendance: series and sessions, who attended them, who completed what, and the imports
-- that bring attendance in; and award rules on achievements. postgresql dialect, conventions
-- as in 0001 (native uuid and timestamptz). minutes and row counts are bigint, so every u32
-- fits.

-- when an achievement is awarded by itself: json array of award rules, [] for none. the
-- default keeps the previous release's inserts (which do not name the column) working.
alter table achievements add column award_rules text not null default '[]';

-- named groups of sessions ("cataloguing basics, three webinars").
create table series (
    id uuid primary key,
    issuer_id uuid not null references issuers (id),
    title text not null,
    description text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    -- the target of events' (issuer_id, series_id) reference, which keeps a session in a
    -- series of its own issuer
    constraint series_issuer_id_key unique (issuer_id, id)
);

-- an issuer's series, oldest first.
create index series_issuer on series (issuer_id, created_at);

-- sessions: webinars and workshops.
create table events (
    id uuid primary key,
    issuer_id uuid not null references issuers (id),
    -- null: not part of a series. a series of the same issuer (not checked when null).
    series_id uuid,
    title text not null,
    starts_at timestamptz not null,
    -- planned length: the base of percentage thresholds
    duration_minutes bigint not null,
    format text not null check (format in ('online', 'in_person')),
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint events_series_fkey foreign key (issuer_id, series_id)
        references series (issuer_id, id)
);

-- listing by start time: one issuer's sessions, one series'.
create index events_issuer_starts on events (issuer_id, starts_at, id);
create index events_series_starts on events (series_id, starts_at, id);

-- who attended which session. one row per (event, email): recording again merges into it
-- (more minutes, earlier join, later leave), so importing a report twice changes nothing.
-- the primary key also serves listing by event, then email.
create table attendance (
    event_id uuid not null references events (id),
    -- normalized (trimmed, lowercased). byte order ("c"), as on sqlite, whatever the
    -- database's collation, so both backends list attendance alike.
    recipient_email text collate "C" not null,
    recipient_name text,
    minutes bigint not null,
    first_join timestamptz,
    last_leave timestamptz,
    -- where the first record came from ('api', 'import:zoom', ...)
    source text not null,
    recorded_at timestamptz not null,
    primary key (event_id, recipient_email)
);

-- completions of something an issuer names ('cataloguing-101') by one person: the first
-- record is kept. inserts say "on conflict (issuer_id, what, recipient_email) do nothing".
create table completions (
    id uuid primary key,
    issuer_id uuid not null references issuers (id),
    -- byte order ("c"), as on sqlite, so both backends list completions alike
    what text collate "C" not null,
    -- normalized (trimmed, lowercased)
    recipient_email text not null,
    recipient_name text,
    completed_at timestamptz not null,
    -- result as the source gave it ('87', 'pass')
    score text,
    -- a url or a description
    evidence text,
    recorded_at timestamptz not null,
    constraint completions_issuer_what_recipient_key unique (issuer_id, what, recipient_email)
);

-- an issuer's completions, by what, then completion time.
create index completions_issuer_what_completed on completions (issuer_id, what, completed_at, id);

-- attendance imports, kept in the database so any instance can answer a poll.
create table import_jobs (
    id uuid primary key,
    event_id uuid not null references events (id),
    status text not null check (status in ('queued', 'running', 'succeeded', 'failed')),
    -- a dry run records and awards nothing
    dry_run boolean not null,
    file_name text,
    total_rows bigint not null,
    processed_rows bigint not null,
    -- the outcome as json (summary and per-line results), once finished; can be large, so
    -- listings leave it out
    result text,
    error text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    finished_at timestamptz
);

-- listing, newest first: one event's imports, everyone's.
create index import_jobs_event_created on import_jobs (event_id, created_at, id);
create index import_jobs_created on import_jobs (created_at, id);
