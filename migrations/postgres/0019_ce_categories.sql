-- continuing-education categories (transcripts total credits per category): each issuer's
-- short list, in the order its staff set, and the one category an achievement counts toward.
-- a category in use by an achievement cannot be removed from the list (the foreign key).
create table ce_categories (
    issuer_id uuid not null references issuers (id),
    name text not null,
    position integer not null,
    primary key (issuer_id, name)
);

create table achievement_categories (
    achievement_id uuid primary key references achievements (id),
    issuer_id uuid not null,
    name text not null,
    foreign key (issuer_id, name) references ce_categories (issuer_id, name)
);

create index achievement_categories_category on achievement_categories (issuer_id, name);
