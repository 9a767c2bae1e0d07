-- endorsements: another organisation's signed word on an achievement or an issuer (open badges
-- 3.0 endorsementcredential). the credential is kept exactly as signed (by laurel with a hosted
-- endorser's keys, or imported as the endorser signed it), and embedded as it is in the
-- achievement / issuer profile of credentials issued later. achievement_id null: the issuer
-- itself is endorsed. withdrawn ones stay for the record but are no longer embedded or shown.
create table endorsements (
    id text primary key,
    issuer_id text not null references issuers (id),
    achievement_id text references achievements (id),
    endorser_id text not null,
    endorser_name text not null,
    endorser_issuer_id text references issuers (id),
    comment text,
    origin text not null,
    credential text not null,
    created_at text not null,
    withdrawn_at text
);

create index endorsements_subject on endorsements (issuer_id, achievement_id);
