-- each issuer's printable certificate settings (/credentials/{id}.pdf): the paper it is laid
-- out for ('letter' or 'a4'), and the signature line's name and title (none: the issuer's name).
-- columns with a default or nullable: the previous release never names them.
alter table issuers add column paper_size text not null default 'letter';
alter table issuers add column signatory_name text;
alter table issuers add column signatory_title text;
