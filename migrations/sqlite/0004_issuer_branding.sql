-- issuer settings for the public pages. sqlite dialect, conventions as in 0001. every new
-- column is nullable or has a default, so the previous release's inserts (which do not name
-- them) keep working.

-- the issuer's colour on its public pages: '#rrggbb', or null for the default look
alter table issuers add column brand_color text;
-- whether the achievement page says how many times a badge was awarded (1) or not (0)
alter table issuers add column show_award_count integer not null default 1;
-- the issuer's linkedin company id (digits), passed to linkedin's add-to-profile link
alter table issuers add column linkedin_organization_id text;
