-- each issuer's time zone (an IANA name such as America/Chicago): the console reads and shows
-- session times in it, and attendance reports are read in it by default. the API stays UTC.
-- a column with a default: the previous release never reads it, and every issuer starts in UTC.
alter table issuers add column time_zone text not null default 'UTC';
