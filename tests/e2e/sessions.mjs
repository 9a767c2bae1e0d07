// Drives the console's sessions as a programme coordinator would: set the issuer's time zone,
// create a series, create ten weekly webinars in one form (a form with mistakes first: all are
// shown at once), check that they stay at 09:00 local time across the clock change, then edit
// one session's start. Saves screenshots at laptop (1280 px) and tablet (820 px) widths.
//
//   node tests/e2e/sessions.mjs ORIGIN USERNAME PASSWORD SCREENSHOT_DIR
//
// Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [origin, username, password, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: sessions.mjs ORIGIN USERNAME PASSWORD SCREENSHOT_DIR');
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
  await page.goto(`${origin}/console/sign-in`, { waitUntil: 'load' });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('form button[type=submit]');
  await page.waitForURL(`${origin}/console`);

  // The issuer's time zone, typed with suggestions.
  await page.goto(`${origin}/console/issuers`, { waitUntil: 'load' });
  await page.click('main table a[href^="/console/issuers/"]');
  await page.waitForLoadState('load');
  const issuerPath = new URL(page.url()).pathname;
  await page.fill('#time_zone', 'America/Chicago');
  await page.click(`form[action="${issuerPath}"] button[type=submit]`);
  await page.waitForLoadState('load');
  check(await page.inputValue('#time_zone') === 'America/Chicago', 'the issuer is in America/Chicago');

  // A series, then ten weekly webinars in it.
  await page.goto(`${origin}/console/events`, { waitUntil: 'load' });
  await page.fill('#series-title', 'Cataloguing basics');
  await page.click('form[action="/console/series"] button[type=submit]');
  await page.waitForURL(/\/console\/series\/[0-9a-f-]+$/);
  const seriesPath = new URL(page.url()).pathname;
  const seriesId = seriesPath.split('/').pop();

  await page.goto(`${origin}/console/events/run`, { waitUntil: 'load' });
  check((await page.locator('#first_start-zone').textContent()).includes('America/Chicago'),
    'the run form says times are in America/Chicago');
  await page.selectOption('#series', seriesId);
  await page.fill('#title', '');
  await page.fill('#count', '0');
  await page.click('#run-form button[type=submit]');
  await page.waitForLoadState('load');
  const errors = await page.locator('main .error').allTextContents();
  check(errors.length >= 3, `every mistake is shown at once (${errors.length}: ${errors.join(' | ')})`);
  await page.screenshot({ path: `${shots}/sessions-run-mistakes-1280.png`, fullPage: true });

  await page.fill('#title', 'Cataloguing webinar {n}');
  await page.fill('#first_start', '2026-02-24T09:00');
  await page.fill('#count', '10');
  await page.fill('#every', '1');
  await page.selectOption('#unit', 'weeks');
  await page.fill('#duration_minutes', '60');
  await page.screenshot({ path: `${shots}/sessions-run-form-1280.png`, fullPage: true });
  await page.click('#run-form button[type=submit]');
  await page.waitForURL(`${origin}${seriesPath}`);
  const rows = page.locator('main tbody tr');
  check(await rows.count() === 10, 'the series lists ten webinars');
  const starts = await page.locator('main tbody tr td:nth-child(2)').allTextContents();
  check(starts.every((s) => s.includes('09:00')), 'every webinar starts at 09:00 Chicago time');
  check(starts[0].includes('CST') && starts[9].includes('CDT'), 'across the change from CST to CDT');
  check((await rows.nth(9).textContent()).includes('Cataloguing webinar 10'), 'numbered 1 to 10');
  await page.screenshot({ path: `${shots}/sessions-series-1280.png`, fullPage: true });

  // Edit the third webinar's start.
  await rows.nth(2).locator('a[href$="/edit"]').click();
  await page.waitForURL(/\/edit$/);
  check(await page.inputValue('#starts_at') === '2026-03-10T09:00', 'the edit form shows the local time');
  await page.fill('#starts_at', '2026-03-10T10:30');
  await page.click('form.session-form button[type=submit]');
  await page.waitForURL(/\/edit\?saved=1/);
  check((await page.locator('main [role=status]').textContent()).startsWith('Saved.'), 'the change is saved');
  check(await page.inputValue('#starts_at') === '2026-03-10T10:30', 'and shown back');
  await page.screenshot({ path: `${shots}/sessions-edit-1280.png`, fullPage: true });
  await page.goto(`${origin}${seriesPath}`, { waitUntil: 'load' });
  check((await page.locator('main tbody tr').nth(2).textContent()).includes('10:30 CDT'), 'the series shows the new start');

  const tablet = await browser.newPage({ viewport: { width: 820, height: 1180 } });
  await tablet.context().addCookies(await page.context().cookies());
  for (const [name, path] of [['series', seriesPath], ['run-form', '/console/events/run'], ['list', '/console/events']]) {
    await tablet.goto(`${origin}${path}`, { waitUntil: 'load' });
    await tablet.screenshot({ path: `${shots}/sessions-${name}-820.png`, fullPage: true });
  }
  const wide = await tablet.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  check(!wide, 'the session list fits a tablet without scrolling sideways');
  await tablet.close();
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} sessions check(s) failed`);
  process.exit(1);
}
console.log(`ok: sessions screenshots in ${shots}`);
