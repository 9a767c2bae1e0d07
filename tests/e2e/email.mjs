// Email as a programme coordinator sets it up and watches it, in headless Chromium: the
// issuer's mail settings and a test email (to a tiny SMTP server started here), the template
// editor's live preview, awards by hand and their delivery on the awards table (sent, failed
// with the server's reason, resend), the failures on the dashboard, revoking through the
// confirmation, and a keyboard-only pass of the awards page (Tab to Revoke…, Enter, Tab to
// the reason, type, Tab to the button, Space). Screenshots at 1280 px and at 820 px (tablet).
//
//   node tests/e2e/email.mjs ORIGIN USERNAME PASSWORD SCREENSHOT_DIR
//
// Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import net from 'node:net';

const [origin, username, password, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: email.mjs ORIGIN USERNAME PASSWORD SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// Just enough SMTP (RFC 5321) for Laurel: EHLO, MAIL, RCPT (bounce@… refused for good), DATA, QUIT.
const received = [];
const smtp = net.createServer((socket) => {
  let buffer = '';
  let inData = false;
  let rcpt = [];
  let data = '';
  const say = (line) => socket.write(`${line}\r\n`);
  say('220 e2e.test ESMTP ready');
  socket.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    let end;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (inData) {
        if (line === '.') {
          inData = false;
          received.push({ to: rcpt, data });
          say(`250 2.0.0 Ok: queued as E${received.length}`);
          rcpt = [];
          data = '';
        } else {
          data += `${line}\n`;
        }
        continue;
      }
      const upper = line.toUpperCase();
      if (upper.startsWith('EHLO')) say('250-e2e.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 OK');
      else if (upper.startsWith('HELO')) say('250 e2e.test');
      else if (upper.startsWith('MAIL FROM:')) { rcpt = []; say('250 2.1.0 Ok'); }
      else if (upper.startsWith('RCPT TO:')) {
        const address = (line.match(/<([^>]*)>/) || [])[1] || '';
        if (address.startsWith('bounce@')) say(`550 5.1.1 <${address}>: Recipient address rejected: User unknown`);
        else { rcpt.push(address); say('250 2.1.5 Ok'); }
      } else if (upper === 'DATA') { inData = true; say('354 End data with <CR><LF>.<CR><LF>'); }
      else if (upper === 'RSET' || upper === 'NOOP') say('250 2.0.0 Ok');
      else if (upper === 'QUIT') { say('221 2.0.0 Bye'); socket.end(); }
      else say('502 5.5.2 Command not recognized');
    }
  });
  socket.on('error', () => {});
});
await new Promise((resolve) => smtp.listen(0, '127.0.0.1', resolve));
const smtpPort = smtp.address().port;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const main = async (tab) => (await tab.locator('main').textContent()) || '';
/** Reloads `path` until `test(main text)` holds (the worker sends in the background). */
const until = async (tab, path, test, what) => {
  for (let i = 0; i < 40; i++) {
    await tab.goto(`${origin}${path}`, { waitUntil: 'load' });
    if (test(await main(tab))) return true;
    await tab.waitForTimeout(500);
  }
  check(false, what);
  return false;
};
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${origin}/console/sign-in`, { waitUntil: 'load' });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('form button[type=submit]');
  await page.waitForURL(`${origin}/console`);

  // The issuer's email settings: every mistake at once, then saved.
  await page.goto(`${origin}/console/issuers`, { waitUntil: 'load' });
  await page.locator('main a[href^="/console/issuers/"]').first().click();
  await page.waitForLoadState('load');
  await page.click('#email-link');
  await page.waitForURL(/\/email$/);
  await page.fill('#host', 'mail server');
  await page.fill('#port', 'seventy');
  await page.fill('#from_address', 'not an address');
  await page.click('#email-settings button[type=submit]');
  await page.waitForLoadState('load');
  const errors = await page.locator('.error[id$="-error"]').count();
  check(errors >= 3, `the settings form shows all its mistakes at once (${errors})`);
  await page.screenshot({ path: `${shots}/email-settings-mistakes-1280.png`, fullPage: true });
  await page.fill('#host', '127.0.0.1');
  await page.selectOption('#security', 'none');
  await page.fill('#port', String(smtpPort));
  await page.fill('#from_address', 'badges@library.example.org');
  await page.click('#email-settings button[type=submit]');
  await page.waitForURL(/\?saved=1$/);
  check((await main(page)).includes('Saved the email settings.'), 'the settings are saved (post/redirect/get)');

  // A test email, with the server's answer in words.
  await page.fill('#to', 'coordinator@library.example.org');
  await page.click('#email-test button[type=submit]');
  await page.waitForLoadState('load');
  const answer = await page.locator('#test-result').textContent();
  check(answer.includes('Sent; the server answered 250'), `the test email reports the server's answer: ${answer}`);
  check(received.some((m) => m.to.includes('coordinator@library.example.org')), 'the test email arrived');
  await page.screenshot({ path: `${shots}/email-settings-1280.png`, fullPage: true });

  // The template editor previews while one types.
  await page.click('a[href$="/email/template"]');
  await page.waitForURL(/\/email\/template$/);
  await page.fill('#subject', 'Your badge from {{issuer_name}}: {{badge_name}}');
  await page.waitForFunction(() => (document.getElementById('preview-subject') || {}).textContent?.startsWith('Your badge from'), null, { timeout: 10000 });
  check((await page.locator('#preview-subject').textContent()).includes('Library Association'), 'the preview follows what is typed');
  await page.screenshot({ path: `${shots}/email-template-1280.png`, fullPage: true });

  // Awards by hand, emailed: one arrives, one bounces.
  for (const address of ['learner@example.org', 'bounce@example.org']) {
    await page.goto(`${origin}/console/awards`, { waitUntil: 'load' });
    await page.selectOption('#new-achievement', { index: 0 });
    await page.fill('#new-email', address);
    await page.click('#award-form button[type=submit]');
    await page.waitForURL(/done=award/);
  }
  await until(page, '/console/awards?q=example.org', (t) => t.includes('Sent ') && t.includes('Failed: '), 'delivery shows sent and failed on the awards table');
  const bounced = page.locator('tr', { hasText: 'bounce@example.org' });
  check((await bounced.textContent()).includes('550 5.1.1'), 'the failure says why, with the server\'s reply');
  check(await bounced.locator('button', { hasText: 'Resend' }).count() === 1, 'a failed email can be resent');
  await page.screenshot({ path: `${shots}/email-awards-1280.png`, fullPage: true });
  const tablet = await browser.newPage({ viewport: { width: 820, height: 1180 } });
  await tablet.context().addCookies(await page.context().cookies());
  await tablet.goto(`${origin}/console/awards?q=example.org`, { waitUntil: 'load' });
  const overflow = await tablet.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `the awards table fits a tablet without sideways scrolling (${overflow}px over)`);
  await tablet.screenshot({ path: `${shots}/email-awards-820.png`, fullPage: true });

  await page.goto(`${origin}/console`, { waitUntil: 'load' });
  check((await page.locator('#failed-notifications').textContent()).startsWith('1 '), 'the dashboard counts the failure');
  check((await page.locator('#email-failures').textContent()).includes('bounce@example.org'), 'and lists it with a link');
  await page.screenshot({ path: `${shots}/email-dashboard-1280.png`, fullPage: true });

  // Resend: back to the same search.
  await page.goto(`${origin}/console/awards?q=bounce`, { waitUntil: 'load' });
  await page.locator('tr', { hasText: 'bounce@example.org' }).locator('button', { hasText: 'Resend' }).click();
  await page.waitForURL(/done=notify/);
  check(await page.inputValue('#q') === 'bounce', 'the search is kept after resending');

  // Revoke with the confirmation, by mouse, at tablet width.
  await tablet.goto(`${origin}/console/awards?q=learner`, { waitUntil: 'load' });
  await tablet.locator('tr', { hasText: 'learner@example.org' }).locator('button', { hasText: 'Revoke…' }).click();
  await tablet.waitForURL(/\/revoke\?/);
  const confirm = await main(tablet);
  check(confirm.includes('learner@example.org') && confirm.includes('The reason you give is public'), 'the confirmation names the recipient and says the reason is public');
  await tablet.screenshot({ path: `${shots}/email-confirm-820.png`, fullPage: true });
  await tablet.click('#confirm-button');
  check(/\/revoke$/.test(new URL(tablet.url()).pathname) || (await main(tablet)).includes('Give a reason'), 'an empty reason is refused (the browser or the server says so)');
  await tablet.fill('#reason', 'Awarded by mistake');
  await tablet.click('#confirm-button');
  await tablet.waitForURL(/done=revoke/);
  check(await tablet.inputValue('#q') === 'learner', 'the search is kept after revoking');
  check((await tablet.locator('tr', { hasText: 'learner@example.org' }).textContent()).includes('Awarded by mistake'), 'the revoked row shows the reason and date');
  await tablet.reload({ waitUntil: 'load' });
  check((await main(tablet)).includes('Revoked the award of'), 'reloading after the redirect changes nothing');
  await tablet.screenshot({ path: `${shots}/email-revoked-820.png`, fullPage: true });
  await tablet.close();

  // Keyboard only: Tab to Revoke…, Enter; Tab to the reason, type; Tab to the button, Space.
  await page.goto(`${origin}/console/awards?q=bounce`, { waitUntil: 'load' });
  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => (document.activeElement?.textContent || '').trim() === 'Revoke…');
  }
  check(reached, 'Tab reaches the Revoke… control');
  await page.screenshot({ path: `${shots}/email-keyboard-focus-1280.png`, fullPage: true });
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/revoke\?/);
  reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'reason');
  }
  check(reached, 'Tab reaches the reason');
  await page.keyboard.type('Bounced: address no longer valid');
  reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'confirm-button');
  }
  check(reached, 'Tab reaches the confirm button');
  await page.keyboard.press('Space');
  await page.waitForURL(/done=revoke/);
  check((await page.locator('tr', { hasText: 'bounce@example.org' }).textContent()).includes('Bounced: address no longer valid'), 'revoked with the keyboard alone');
  await page.screenshot({ path: `${shots}/email-keyboard-done-1280.png`, fullPage: true });
} finally {
  await browser.close();
  smtp.close();
}
if (failures.length) {
  console.error(`${failures.length} email check(s) failed`);
  process.exit(1);
}
console.log(`ok: email screenshots in ${shots}`);
