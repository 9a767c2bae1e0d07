// Drives the staff console in headless Chromium as programme staff would: sign in, read the
// dashboard, find an award, revoke it with a reason, sign out. Saves screenshots of each page
// at laptop and tablet sizes.
//
//   node tests/e2e/console.mjs ORIGIN USERNAME PASSWORD RECIPIENT_EMAIL SCREENSHOT_DIR REPORT_CSV BADGE_PNG
//
// Then, as staff setting up a programme: create a session, a badge awarded for attending it
// (previewing the credential first), import the session's Zoom attendee report (REPORT_CSV)
// through the review step, and see the awards appear.
//
// Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [origin, username, password, email, shots, reportCsv, badgePng] = process.argv.slice(2);
if (!badgePng) {
  console.error('usage: console.mjs ORIGIN USERNAME PASSWORD RECIPIENT_EMAIL SCREENSHOT_DIR REPORT_CSV BADGE_PNG');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const external = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) external.push(request.url());
  });
  await page.goto(`${origin}/console`, { waitUntil: 'load' });
  check(new URL(page.url()).pathname === '/console/sign-in', 'the console asks to sign in first');
  await page.screenshot({ path: `${shots}/console-sign-in.png`, fullPage: true });

  await page.fill('#username', username);
  await page.fill('#password', 'not the password at all');
  await page.click('form button[type=submit]');
  check((await page.locator('#sign-in-error').textContent()).includes('Wrong username or password'),
    'a wrong password is said plainly');
  check(await page.inputValue('#username') === username, 'the username typed is kept');

  await page.fill('#password', password);
  await page.click('form button[type=submit]');
  await page.waitForURL(`${origin}/console`);
  check((await page.locator('header nav').textContent()).includes(`Signed in as ${username}`), 'signed in');
  check((await page.locator('main').textContent()).includes(email), 'the dashboard lists the recent award');
  await page.screenshot({ path: `${shots}/console-dashboard.png`, fullPage: true });

  await page.click('a[href="/console/awards"]');
  await page.fill('#q', email.split('@')[0]);
  await page.click('form[action="/console/awards"] button[type=submit]');
  check((await page.locator('#found').textContent()).startsWith('1 award found'), 'the search finds the award');
  const row = page.locator('tbody tr').first();
  // Revoking asks first, on a page of its own (tests/e2e/email.mjs walks it by keyboard).
  await row.locator('button', { hasText: 'Revoke…' }).click();
  await page.waitForURL(/\/revoke\?/);
  await page.fill('#reason', 'Issued in error');
  await page.click('#confirm-button');
  await page.waitForURL(/\/console\/awards\?/);
  check((await page.locator('main').textContent()).includes(`to ${email}.`), 'the award is revoked');
  check((await page.locator('tbody tr').first().textContent()).includes('revoked'), 'the list shows it revoked');
  await page.screenshot({ path: `${shots}/console-awards.png`, fullPage: true });

  // A session, a badge awarded for attending it, and its attendance report.
  await page.click('a[href="/console/events"]');
  await page.fill('#title', 'Cataloguing webinar');
  await page.fill('#starts_at', '2026-02-20T14:00');
  await page.fill('#duration_minutes', '60');
  await page.click('form[action="/console/events"] button[type=submit]');
  await page.waitForURL(/\/console\/events\/[0-9a-f-]+$/);
  const session = page.url().split('/').pop();
  await page.goto(`${origin}/console/achievements`, { waitUntil: 'load' });
  await page.fill('#name', 'Cataloguing webinar attendee');
  await page.fill('#description', 'Attended the cataloguing webinar.');
  await page.fill('#criteria_narrative', 'Attend at least 30 minutes of the webinar.');
  await page.fill('#credits_available', '1');
  await page.check('input[name=rule_kind][value=session]');
  await page.selectOption('#rule_session', session);
  await page.fill('#rule_session_minutes', '30');
  // Previewed as it is typed, without a click.
  await page.locator('#credential-preview').waitFor({ timeout: 15000 });
  check((await page.locator('#credential-preview').textContent()).includes('OpenBadgeCredential'),
    'the badge form previews, as it is typed, the credential it will mint');
  check((await page.locator('#page-preview').textContent()).includes('Cataloguing webinar attendee'),
    'and how the badge looks on its public page');
  await page.screenshot({ path: `${shots}/console-badge-preview.png`, fullPage: true });
  await page.click('button[value=save]');
  await page.waitForURL(/\/console\/achievements\/[0-9a-f-]+$/);
  await Promise.all([page.waitForEvent('load'), page.setInputFiles('#image-file', badgePng)]);
  check(await page.locator('img[alt="The current image"]').count() === 1, 'the badge image is uploaded');
  await page.goto(`${origin}/console/events/${session}`, { waitUntil: 'load' });
  await page.setInputFiles('#report-file', reportCsv);
  await page.waitForFunction(() => document.getElementById('report').value.includes('@'));
  await page.click('#import-form button[value=review]');
  await page.waitForLoadState('load');
  const review = await page.locator('#import-review').textContent();
  check(review.includes('amara.okafor@example.org') && review.includes('rejected') && review.includes('would be awarded'),
    'the review of the Zoom report lists its attendees, says who is awarded and what is rejected');
  await page.screenshot({ path: `${shots}/console-import-review.png`, fullPage: true });
  await page.click('#confirm-import');
  await page.waitForURL(/\/console\/imports\//);
  await page.locator('#import-status[data-status=succeeded]').waitFor({ timeout: 30000 });
  check((await page.locator('main').textContent()).includes('awarded now'), 'the import awarded by rule');
  await page.screenshot({ path: `${shots}/console-import-done.png`, fullPage: true });
  // Amara rejoined twice (32 + 27 + 3 minutes): her lines add up to one award.
  await page.goto(`${origin}/console/awards?q=amara.okafor`, { waitUntil: 'load' });
  check((await page.locator('#found').textContent()).startsWith('1 award found'), 'the imported Zoom attendee has the badge');

  const tablet = await browser.newPage({ viewport: { width: 820, height: 1180 } });
  await tablet.context().addCookies(await page.context().cookies());
  await tablet.goto(`${origin}/console/awards`, { waitUntil: 'load' });
  await tablet.screenshot({ path: `${shots}/console-awards-tablet.png`, fullPage: true });
  await tablet.close();

  // The pages this release added, on a laptop and on a phone: your password, the audit log
  // (filtered), API tokens.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.context().addCookies(await page.context().cookies());
  for (const [name, path] of [['password', '/console/password'], ['audit', '/console/audit?action=award'], ['tokens', '/console/tokens']]) {
    for (const [size, tab] of [['1280', page], ['390', phone]]) {
      await tab.goto(`${origin}${path}`, { waitUntil: 'load' });
      await tab.screenshot({ path: `${shots}/console-${name}-${size}.png`, fullPage: true });
    }
  }
  await page.goto(`${origin}/console/password`, { waitUntil: 'load' });
  check(await page.getByLabel(/current password/i).count() === 1, 'the password form says what each field is');
  await page.goto(`${origin}/console/audit`, { waitUntil: 'load' });
  check((await page.locator('main').textContent()).includes('award.revoke'), 'the audit log shows the revocation');
  await phone.close();

  await page.click('header nav button[type=submit]');
  await page.waitForURL(`${origin}/console/sign-in`);
  await page.goto(`${origin}/console`, { waitUntil: 'load' });
  check(new URL(page.url()).pathname === '/console/sign-in', 'signed out: the console asks again');
  check(external.length === 0, `no request leaves the site (${external.join(', ')})`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} console check(s) failed`);
  process.exit(1);
}
console.log(`ok: console screenshots in ${shots}`);
