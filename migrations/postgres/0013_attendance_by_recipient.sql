-- a recipient's page in the console lists one person's attendance in every session: an index
-- by email, so that does not read every attendance row. (event, email) stays the primary key.
create index attendance_recipient on attendance (recipient_email, event_id);
