-- a recipient's role in what they were awarded for (OB 3.0 AchievementSubject.role):
-- "Presenter", "Mentor", ... or the issuer's own words, checked before it is stored.
-- on awards: the role signed into the credential, kept beside it for pages and transcripts.
-- on attendance and completions: the role someone had in a session or a course, which award
-- rules read ("presenters earn twice the credits") and awards by rule sign in.
-- nullable columns: rows stored before have no role, and the previous release never reads them.
alter table awards add column role text;
alter table attendance add column role text;
alter table completions add column role text;
