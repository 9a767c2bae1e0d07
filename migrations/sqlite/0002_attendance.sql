-- attendance: series and sessions, who attended them, who completed what, and the imports
-- that bring attendance in; and award rules on achievements. sqlite dialect, conventions as in
-- 0001 (text ids and fixed-width utc text timestamps). minutes and row counts are integers,
-- booleans 0 or 1.

-- when an achievement is awarded by itself: json array of award rules, [] for none. the
-- default keeps the previous release's inserts (which do not name the column) working.
alter table achievements add column award_rules text not null default '[]';

-- named groups of sessions ("cataloguing basics, three webinars").
create table series (
    id text primary key,
    issuer_id text not null references issuers (id),
    title text not null,
    description text,
    created_at text not null,
    updated_at text not null,
    -- the target of events' (issuer_id, series_id) reference, which keeps a session in a
    -- series of its own issuer
    constraint series_issuer_id_key unique (issuer_id, id)
);

-- an issuer's series, oldest first.
create index series_issuer on series (issuer_id, created_at);

-- sessions: webinars and workshops.
create table events (
    id text primary key,
    issuer_id text not null references issuers (id),
    -- null: not part of a series. a series of the same issuer (not checked when null).
    series_id text,
    title text not null,
    starts_at text not null,
    -- planned length: the base of percentage thresholds
    duration_minutes integer not null,
    format text not null check (format in ('online', 'in_person')),
    created_at text not null,
    updated_at text not null,
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
    event_id text not null references events (id),
    -- normalized (trimmed, lowercased)
    recipient_email text not null,
    recipient_name text,
    minutes integer not null,
    first_join text,
    last_leave text,
    -- where the first record came from ('api', 'import:zoom', ...)
    source text not null,
    recorded_at text not null,
    primary key (event_id, recipient_email)
);

-- completions of something an issuer names ('cataloguing-101') by one person: the first
-- record is kept. inserts say "on conflict (issuer_id, what, recipient_email) do nothing".
create table completions (
    id text primary key,
    issuer_id text not null references issuers (id),
    what text not null,
    -- normalized (trimmed, lowercased)
    recipient_email text not null,
    recipient_name text,
    completed_at text not null,
    -- result as the source gave it ('87', 'pass')
    score text,
    -- a url or a description
    evidence text,
    recorded_at text not null,
    constraint completions_issuer_what_recipient_key unique (issuer_id, what, recipient_email)
);

-- an issuer's completions, by what, then completion time.
create index completions_issuer_what_completed on completions (issuer_id, what, completed_at, id);

-- attendance imports, kept in the database so any instance can answer a poll.
create table import_jobs (
    id text primary key,
    event_id text not null references events (id),
    status text not null check (status in ('queued', 'running', 'succeeded', 'failed')),
    -- a dry run records and awards nothing
    dry_run integer not null check (dry_run in (0, 1)),
    file_name text,
    total_rows integer not null,
    processed_rows integer not null,
    -- the outcome as json (summary and per-line results), once finished; can be large, so
    -- listings leave it out
    result text,
    error text,
    created_at text not null,
    updated_at text not null,
    finished_at text
);

-- listing, newest first: one event's imports, everyone's.
create index import_jobs_event_created on import_jobs (event_id, created_at, id);
create index import_jobs_created on import_jobs (created_at, id);
