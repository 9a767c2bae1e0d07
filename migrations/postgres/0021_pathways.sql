-- pathways: an achievement earned (or an invitation sent) by holding others. postgresql dialect,
-- conventions as in 0001 (uuid ids, timestamptz). new tables only.

-- one pathway per achievement it leads to. rule is the service's json tree ("all of", "at
-- least n of", nested groups); outcome 'award' awards the achievement when the rule holds,
-- 'invite' sends the recipient an invitation to it (an email from the invitation template).
create table pathways (
    achievement_id uuid primary key references achievements (id),
    issuer_id uuid not null references issuers (id),
    rule text not null,
    outcome text not null check (outcome in ('award', 'invite')),
    -- the invitation email's template (null: laurel's default)
    invitation_subject text,
    invitation_body text,
    updated_at timestamptz not null
);

-- every achievement a pathway's rule names, at any depth: how an award finds the pathways it
-- takes part in. rewritten with its pathway, in the same transaction.
create table pathway_requirements (
    pathway_id uuid not null references pathways (achievement_id),
    required_id uuid not null references achievements (id),
    primary key (pathway_id, required_id)
);

create index pathway_requirements_required on pathway_requirements (required_id);

-- invitations: one per (achievement, recipient), ever; the primary key makes a second
-- completion (a race, a re-evaluation) send nothing more. its own small outbox, delivered
-- by the email worker beside the award notifications.
create table pathway_invitations (
    achievement_id uuid not null references achievements (id),
    issuer_id uuid not null references issuers (id),
    recipient_email text not null,
    recipient_name text,
    created_at timestamptz not null,
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
    dry_run boolean not null default false,
    primary key (achievement_id, recipient_email)
);

create index pathway_invitations_due on pathway_invitations (state, next_attempt_at);
