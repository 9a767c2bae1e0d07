// The badge form's rule builder, as a programme coordinator uses it: a series of webinars and
// a workshop with their attendance (set up through the admin API), then a badge for "at least
// 2 of the webinars of the series" built from the menus, its "who would be awarded now"
// preview before saving, and the rule shown back as a sentence. Screenshots at laptop
// (1280 px) and tablet (820 px) width.
//
//   node tests/e2e/rules.mjs ORIGIN USERNAME PASSWORD API_TOKEN SCREENSHOT_DIR
//
// Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [origin, username, password, token, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: rules.mjs ORIGIN USERNAME PASSWORD API_TOKEN SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

async function api(method, path, body) {
  const response = await fetch(`${origin}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) { throw new Error(`${method} ${path}: ${response.status} ${text}`); }
  return JSON.parse(text);
}

// The programme: two webinars and a workshop of one series, and who came.
const issuers = await api('GET', '/issuers');
const issuer = (issuers.issuers || issuers.items || issuers)[0];
const series = await api('POST', '/series', { issuer_id: issuer.id, title: 'Metadata month' });
const session = (title, day, format) => api('POST', '/events', {
  issuer_id: issuer.id, series_id: series.id, title, format, duration_minutes: 60,
  starts_at: `2026-02-${String(day).padStart(2, '0')}T14:00:00Z`,
});
const attend = (event, people) => api('POST', `/events/${event.id}/attendance`, {
  attendance: people.map(([email, name]) => ({ email, name, minutes: 60 })),
});
const ann = ['ann.lee@example.org', 'Ann Lee'];
const bob = ['bob.hart@example.org', 'Bob Hart'];
const cat = ['cat.ng@example.org', 'Cat Ng'];
const first = await session('Metadata webinar 1', 3, 'online');
const second = await session('Metadata webinar 2', 10, 'online');
const workshop = await session('Metadata workshop', 17, 'in_person');
await attend(first, [ann, bob, cat]);
await attend(second, [ann, cat]);
await attend(workshop, [bob, cat]);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** Fills the new-badge form: a series rule built from the menus. */
async function fillBadge(page, name) {
  await page.goto(`${origin}/console/achievements`, { waitUntil: 'load' });
  await page.fill('#name', name);
  await page.fill('#description', 'Attended the webinars of Metadata month.');
  await page.fill('#criteria_narrative', 'Attend at least two of the webinars of Metadata month.');
  await page.selectOption('#achievement_type', { label: 'Certificate of completion' });
  // The rule builder by keyboard: the radio buttons, then the fields of the chosen rule.
  await page.focus('input[name=rule_kind][value=none]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  check(await page.isChecked('input[name=rule_kind][value=series]'), 'the kind of rule is chosen with the arrow keys');
  check(await page.isHidden('#rule_session') && await page.isVisible('#rule_series'),
    'only the chosen rule\'s fields show');
  await page.fill('#rule_series_at_least', '2');
  await page.selectOption('#rule_series_format', { label: 'webinars' });
  await page.selectOption('#rule_series', { label: 'Metadata month' });
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${origin}/console/sign-in`, { waitUntil: 'load' });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('form button[type=submit]');
  await page.waitForURL(`${origin}/console`);

  await fillBadge(page, 'Metadata month: webinars');
  // Previewed as it is typed: who would be awarded now, before anything is saved.
  await page.waitForFunction(() => (document.getElementById('would-count') || {}).textContent?.includes('2 people'),
    null, { timeout: 15000 });
  const would = await page.locator('#would-award').textContent();
  check(would.includes('Attended at least 2 of the webinars of “Metadata month”.'), 'the preview says the rule in words');
  check(would.includes('Ann Lee') && would.includes('cat.ng@example.org') && !would.includes('bob.hart@example.org'),
    'and lists who would be awarded now (the workshop does not count as a webinar)');
  await page.screenshot({ path: `${shots}/rules-badge-preview.png`, fullPage: true });

  const tablet = await browser.newPage({ viewport: { width: 820, height: 1180 } });
  await tablet.context().addCookies(await page.context().cookies());
  await fillBadge(tablet, 'Metadata month: webinars (tablet)');
  await tablet.waitForFunction(() => (document.getElementById('would-count') || {}).textContent?.includes('2 people'),
    null, { timeout: 15000 });
  const wide = await tablet.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  check(!wide, 'the badge form fits a tablet without scrolling sideways');
  await tablet.screenshot({ path: `${shots}/rules-badge-preview-tablet.png`, fullPage: true });

  await page.click('button[value=save]');
  await page.waitForURL(/\/console\/achievements\/[0-9a-f-]+$/);
  check((await page.locator('#badge-rule').textContent()).includes('Attended at least 2 of the webinars of “Metadata month”.'),
    'the saved badge says who earns it in words');
  check(await page.isChecked('input[name=rule_kind][value=series]') && await page.inputValue('#rule_series_at_least') === '2',
    'and the builder shows the saved rule again');
  await page.screenshot({ path: `${shots}/rules-badge-saved.png`, fullPage: true });
  await page.goto(`${origin}/console/achievements`, { waitUntil: 'load' });
  check((await page.locator('table').first().textContent()).includes('Attended at least 2 of the webinars'),
    'the badge list says who earns each badge');

  // A mistake in the rule is shown beside its field, in words.
  await page.goto(`${origin}/console/achievements`, { waitUntil: 'load' });
  await page.check('input[name=rule_kind][value=session]');
  await page.fill('#rule_session_percent', '140');
  await page.click('button[value=save]');
  await page.waitForLoadState('load');
  check((await page.locator('#rule_session_percent-error').textContent()).includes('between 1 and 100'),
    'a wrong percentage is said beside its field');
  check((await page.locator('#mistakes').textContent()).includes('things to fix'), 'and every mistake is listed at once');
  await page.screenshot({ path: `${shots}/rules-badge-mistakes.png`, fullPage: true });
  await tablet.close();
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
