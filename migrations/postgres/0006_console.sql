-- the staff console: people who sign in, their sessions, and the audit log. postgresql dialect,
-- conventions as in 0001 (native uuid and timestamptz). new tables only: the previous release never reads them.

-- staff accounts. role: 'admin' (everything), 'manager' (the issuers in issuer_ids), 'viewer'
-- (read only).
create table users (
    id uuid primary key,
    -- what they sign in with, lowercased
    username text collate "C" not null unique,
    -- argon2id, in the phc string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash)
    password_hash text not null,
    role text not null,
    -- the issuers a manager manages (json array of ids)
    issuer_ids text not null,
    -- failed sign-ins in a row, and the lock-out they led to
    failed_sign_ins bigint not null default 0,
    locked_until timestamptz,
    created_at timestamptz not null,
    disabled_at timestamptz
);

-- signed-in sessions. the cookie holds a random secret; only its sha-256 is kept, so a copy of
-- the database signs nobody in.
create table sessions (
    secret_sha256 text primary key,
    user_id uuid not null references users (id),
    -- the token every form of this session must carry
    csrf_token text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null
);

create index sessions_user on sessions (user_id);

-- who changed what, when: every change made in the console.
create table audit_log (
    id uuid primary key,
    at timestamptz not null,
    -- the user's id and name as they were
    user_id uuid,
    username text not null,
    -- 'sign_in', 'issuer.update', ...
    action text not null,
    -- what it was done to (an id), if anything
    target text,
    -- what changed, for people (json)
    detail text not null
);

create index audit_log_at on audit_log (at, id);
