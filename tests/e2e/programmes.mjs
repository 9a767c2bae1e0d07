// Drives the console's programme pages (issue 18) in headless Chromium as a coordinator, with
// the keyboard alone where a form is filled: the issuer's continuing-education categories (typed,
// then saved with Tab and Enter), a badge's category chosen from its menu, the pathway editor, the
// endorsements page (an import sent empty must say what is missing beside the field), and a
// person's transcript (its badge, revoked by an earlier walk, listed as not counted with why). Every page is also opened at phone width (390 px) and must not scroll sideways.
// Screenshots at 1280 and 390 px.
//
//   node tests/e2e/programmes.mjs ORIGIN USERNAME PASSWORD ISSUER_ID ACHIEVEMENT_ID EMAIL SCREENSHOT_DIR
//
// The issuer, the badge and an award to EMAIL exist already (tests/e2e/run.sh makes them through
// the API). Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [origin, username, password, issuer, badge, email, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: programmes.mjs ORIGIN USERNAME PASSWORD ISSUER_ID ACHIEVEMENT_ID EMAIL SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// Presses Enter on the focused control and waits for the page the form leads to.
const enter = (p) => Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.keyboard.press('Enter')]);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${origin}/console/sign-in`, { waitUntil: 'load' });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${origin}/console`);
  check(!page.url().includes('sign-in'), 'signed in');
  // The phone shares the staff session (same browser context).
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  const both = async (path, name) => {
    await page.goto(`${origin}${path}`, { waitUntil: 'load' });
    await page.screenshot({ path: `${shots}/programmes-${name}-1280.png`, fullPage: true });
    await phone.goto(`${origin}${path}`, { waitUntil: 'load' });
    await phone.screenshot({ path: `${shots}/programmes-${name}-390.png`, fullPage: true });
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    check(overflow <= 0, `${name}: no horizontal scrolling at 390 px (${overflow}px)`);
  };

  // Categories, typed and saved with the keyboard.
  await both(`/console/issuers/${issuer}/categories`, 'categories');
  await page.focus('#categories');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Technology\nManagement');
  await page.keyboard.press('Tab');
  await enter(page);
  check((await page.inputValue('#categories')) === 'Technology\nManagement', 'categories saved in order');
  const menu = `#category-${badge}`;
  await page.focus(menu);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await enter(page);
  const chosen = await page.$eval(menu, (s) => s.options[s.selectedIndex].text);
  check(chosen === 'Technology', `the badge's category chosen with the keyboard (${chosen})`);
  // Too many categories: refused beside the field, in words, nothing saved.
  await page.fill('#categories', Array.from({ length: 21 }, (_, i) => `Topic ${i + 1}`).join('\n'));
  await page.focus('#categories');
  await page.keyboard.press('Tab');
  await enter(page);
  const refusal = (await page.textContent('#categories-error').catch(() => null)) || '';
  check(/20/.test(refusal), `too many categories refused beside the list, in words: ${refusal.trim()}`);
  await page.goto(`${origin}/console/issuers/${issuer}/categories`, { waitUntil: 'load' });
  check((await page.inputValue('#categories')) === 'Technology\nManagement', 'the refused list stored nothing');

  // The pathway editor: plain words, no JSON.
  await both(`/console/achievements/${badge}/pathway`, 'pathway');
  const pathway = (await page.textContent('main')) || '';
  check(/all of these|at least/i.test(pathway), 'the pathway editor speaks of "all of these" / "at least"');
  check(!/"\w+"\s*:/.test(pathway), 'the pathway editor shows no JSON');

  // Endorsements: an import sent empty is answered beside the field.
  await both(`/console/achievements/${badge}/endorsements`, 'endorsements');
  await page.focus('#credential');
  await page.keyboard.press('Tab');
  await enter(page);
  const invalid = await page.$$eval('[aria-invalid="true"]', (els) => els.map((e) => e.id));
  check(invalid.length > 0, `the empty endorsement form marks its fields (${invalid.join(', ')})`);
  await page.screenshot({ path: `${shots}/programmes-endorsements-refused-1280.png`, fullPage: true });

  // A person's transcript.
  await both(`/console/recipients/transcript?email=${encodeURIComponent(email)}`, 'transcript');
  const transcript = (await page.textContent('main')) || '';
  check(transcript.includes('Cataloguing webinar'), 'the transcript lists the badge');
  // The award was revoked by an earlier walk (console.mjs): listed as not counted, with why.
  check(/Not counted/.test(transcript) && /Revoked on/.test(transcript), 'the revoked badge is not counted, and the page says why');
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
