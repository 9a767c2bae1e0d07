-- tokens limited to issuers, with an expiry, a last-use time and a personal-data switch; the
-- audit log says through what a change came. postgresql dialect, conventions as in 0001. new
-- columns with defaults only: the previous release never reads them and keeps working.

-- the issuers a token may see and change (json array of ids); '[]' is every issuer, the reach
-- every token had before this release.
alter table api_tokens add column issuer_ids text not null default '[]';
-- after this instant the token authenticates nothing; null: never expires.
alter table api_tokens add column expires_at timestamptz;
-- when the token last authenticated a request (written at most about once a minute).
alter table api_tokens add column last_used_at timestamptz;
-- whether answers to a read-only token show recipients' emails and names. true for tokens
-- made before this release, so existing read tokens keep seeing what they saw.
alter table api_tokens add column with_emails boolean not null default true;

-- through what the change came: 'console', 'api', 'cli' or 'system'. every entry before this
-- release came from the console.
alter table audit_log add column via text not null default 'console';
