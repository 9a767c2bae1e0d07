-- imports are bounded: an import's per-line results (which name every attendee) are dropped
-- once they are old or the issuer's stored results grow too large, keeping the summary. this
-- records when that happened, so a pass over old results skips the ones already shortened.
-- a nullable column: the previous release never reads it.
alter table import_jobs add column result_expired_at timestamptz;

-- counting one issuer's unfinished imports, and finding old results, by status and time.
create index import_jobs_status_updated on import_jobs (status, updated_at);
