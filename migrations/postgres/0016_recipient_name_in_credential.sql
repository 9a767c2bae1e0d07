-- whether an issuer signs the recipient's name into its credentials (an unhashed `name`
-- IdentityObject beside the hashed email, as the Learner Credential Wallet reads it).
-- on by default: a badge that says who it is for is what recipients and employers expect.
-- a column with a default: the previous release never reads it.
alter table issuers add column include_recipient_name boolean not null default true;
