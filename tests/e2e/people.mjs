// Drives the console in headless Chromium as a coordinator after an in-person workshop: paste
// the sign-in sheet (Name, Email, with its header row) on the session's page, review it (every
// line with its address; who would be awarded), confirm, then open a recipient's page from an
// award row. Screenshots at laptop (1280) and tablet (820) widths.
//
//   node tests/e2e/people.mjs ORIGIN USERNAME PASSWORD SESSION_ID SCREENSHOT_DIR
//
// The session (in person) and a badge whose rule asks only for attendance of it exist already
// (tests/e2e/run.sh makes them through the API). Uses Debian's /usr/bin/chromium (or
// $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [origin, username, password, session, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: people.mjs ORIGIN USERNAME PASSWORD SESSION_ID SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const sheet = [
  'Name,Email',
  'Jane Workshop,jane.workshop@example.org',
  '"Lee, Sam",Sam.Lee@Example.org',
  'Signed without an address,',
  '',
].join('\n');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const tablet = await browser.newPage({ viewport: { width: 820, height: 1180 } });
  const both = async (name) => {
    await page.screenshot({ path: `${shots}/people-${name}-1280.png`, fullPage: true });
    await tablet.goto(page.url(), { waitUntil: 'load' });
    await tablet.screenshot({ path: `${shots}/people-${name}-820.png`, fullPage: true });
  };
  await page.goto(`${origin}/console/sign-in`, { waitUntil: 'load' });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('form button[type=submit]');
  await page.waitForURL(`${origin}/console`);
  await tablet.context().addCookies(await page.context().cookies());

  await page.goto(`${origin}/console/events/${session}`, { waitUntil: 'load' });
  check(await page.locator('#attendee-list[open]').count() === 1, 'an in-person session opens the attendee list form');
  await page.fill('#list', sheet);
  await page.click('#list-form button[value=review]');
  await page.waitForLoadState('load');
  const review = await page.locator('#import-review').textContent();
  check(review.includes('Review of the attendee list'), 'the list is reviewed before anything is recorded');
  check(review.includes('jane.workshop@example.org') && review.includes('sam.lee@example.org'), 'the review lists every address');
  check(review.includes('no email address on this line'), 'the line without an address is rejected, with the reason');
  check(/2 would be awarded/.test(review), 'the review says who would be awarded');
  await page.screenshot({ path: `${shots}/people-list-review-1280.png`, fullPage: true });
  // The review is a POST's answer: the tablet shot shows the same review by posting again.
  await tablet.goto(`${origin}/console/events/${session}`, { waitUntil: 'load' });
  await tablet.fill('#list', sheet);
  await tablet.click('#list-form button[value=review]');
  await tablet.waitForLoadState('load');
  await tablet.screenshot({ path: `${shots}/people-list-review-820.png`, fullPage: true });

  await page.click('#confirm-list');
  await page.waitForURL(/\/console\/imports\//);
  await page.locator('#import-status[data-status=succeeded]').waitFor({ timeout: 30000 });
  check((await page.locator('main').textContent()).includes('2 awarded now'), 'confirming awards the two people on the list');
  await both('list-done');

  await page.goto(`${origin}/console/awards?q=jane.workshop`, { waitUntil: 'load' });
  check((await page.locator('#found').textContent()).startsWith('1 award found'), 'the award is listed');
  await page.click('tbody tr a.person');
  await page.waitForURL(/\/console\/recipients\?email=/);
  const person = await page.locator('#person-page').textContent();
  check(person.includes('jane.workshop@example.org'), 'the award row opens the recipient’s page');
  check(person.includes('attended, no minutes recorded'), 'the page lists the workshop, attended without minutes');
  check((await page.locator('#credits').textContent()).includes('of credit earned'), 'the page totals the credits earned');
  await both('recipient');

  // Keyboard only: the search box is reachable and finds the person.
  await page.goto(`${origin}/console/recipients`, { waitUntil: 'load' });
  await page.focus('#q');
  await page.keyboard.type('sam.lee');
  await Promise.all([page.waitForURL(/[?&]q=sam\.lee/), page.keyboard.press('Enter')]);
  check(await page.locator('a[href="/console/recipients?email=sam.lee%40example.org"]').count() >= 1, 'the search finds a person by part of the address');
  await both('search');
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} people check(s) failed`);
  process.exit(1);
}
console.log(`ok: people screenshots in ${shots}`);
