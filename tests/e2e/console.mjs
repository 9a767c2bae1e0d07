// Drives the staff console in headless Chromium as programme staff would: sign in, read the
// dashboard, find an award, revoke it with a reason, sign out. Saves screenshots of each page
// at laptop and tablet sizes.
//
//   node tests/e2e/console.mjs ORIGIN USERNAME PASSWORD RECIPIENT_EMAIL SCREENSHOT_DIR
//
// Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [origin, username, password, email, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: console.mjs ORIGIN USERNAME PASSWORD RECIPIENT_EMAIL SCREENSHOT_DIR');
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
  await row.locator('input[name=reason]').fill('Issued in error');
  await row.locator('button[value=revoke]').click();
  await page.waitForLoadState('load');
  check((await page.locator('main').textContent()).includes(`Revoked the award of ${email}.`), 'the award is revoked');
  check((await page.locator('tbody tr').first().textContent()).includes('revoked'), 'the list shows it revoked');
  await page.screenshot({ path: `${shots}/console-awards.png`, fullPage: true });

  const tablet = await browser.newPage({ viewport: { width: 820, height: 1180 } });
  await tablet.context().addCookies(await page.context().cookies());
  await tablet.goto(`${origin}/console/awards`, { waitUntil: 'load' });
  await tablet.screenshot({ path: `${shots}/console-awards-tablet.png`, fullPage: true });
  await tablet.close();

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
