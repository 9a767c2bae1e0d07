-- issuer settings for the public pages. postgresql dialect, conventions as in 0001. every new
-- column is nullable or has a default, so the previous release's inserts (which do not name
-- them) keep working while instances are upgraded one at a time.

-- the issuer's colour on its public pages: '#rrggbb', or null for the default look
alter table issuers add column brand_color text;
-- whether the achievement page says how many times a badge was awarded
alter table issuers add column show_award_count boolean not null default true;
-- the issuer's linkedin company id (digits), passed to linkedin's add-to-profile link
alter table issuers add column linkedin_organization_id text;
