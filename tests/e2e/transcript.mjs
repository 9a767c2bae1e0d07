// "Your transcript by email" (/transcript), the page a recipient without their claim link uses,
// at phone and desktop widths: the form is labelled, a known and an unknown address get the
// same answer (the page never says who holds badges), a malformed address is said beside the
// field, and nothing scrolls sideways. Screenshots of both widths. Then the credential page's
// "Email me my wallet link" form, sent from the browser: our pages' `no-referrer` policy makes
// the browser say `Origin: null`, which must not read as a forgery.
//
//   node tests/e2e/transcript.mjs ORIGIN KNOWN_EMAIL SCREENSHOT_DIR [CREDENTIAL_URL]
//
// Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [origin, known, shots, credentialUrl] = process.argv.slice(2);
if (!shots) {
  console.error('usage: transcript.mjs ORIGIN KNOWN_EMAIL SCREENSHOT_DIR');
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

// Types `email` in the form by keyboard and sends it; returns the answer's status and text.
async function ask(page, email, { skipBrowserCheck = false } = {}) {
  await page.goto(`${origin}/transcript`, { waitUntil: 'load' });
  if (skipBrowserCheck) {
    await page.evaluate(() => { document.getElementById('transcript-email-form').noValidate = true; });
  }
  await page.locator('#transcript-email').focus();
  await page.keyboard.type(email);
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.keyboard.press('Enter'),
  ]);
  const text = await page.evaluate(() => document.body.innerText);
  if (response.status() !== 200) console.log(`  (${email}: ${response.status()}: ${text.slice(0, 200)})`);
  return { status: response.status(), text };
}

try {
  for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
    const page = await browser.newPage({ viewport });
    const opened = await page.goto(`${origin}/transcript`, { waitUntil: 'load' });
    check(opened.status() === 200, `${name}: /transcript opens`);
    const label = await page.locator('label[for="transcript-email"]').textContent();
    check(/email address/i.test(label), `${name}: the field is labelled "${label}"`);

    const knownAnswer = await ask(page, known);
    check(knownAnswer.status === 200 && (await page.locator('#transcript-email-sent').isVisible()),
      `${name}: a known address is told a link is on its way`);
    await page.screenshot({ path: `${shots}/transcript-email-${name}.png`, fullPage: true });
    const unknownAnswer = await ask(page, `nobody-${name}@example.org`);
    check(unknownAnswer.status === knownAnswer.status && unknownAnswer.text === knownAnswer.text,
      `${name}: an unknown address gets exactly the same answer`);

    const bad = await ask(page, 'not an address', { skipBrowserCheck: true });
    const error = page.locator('#transcript-email-error');
    check(bad.status === 400 && (await error.isVisible()), `${name}: a malformed address is refused (${bad.status})`);
    check((await page.locator('#transcript-email').getAttribute('aria-invalid')) === 'true' &&
      (await page.locator('#transcript-email').getAttribute('aria-describedby')) === 'transcript-email-error',
      `${name}: the message is tied to the field: "${(await error.textContent()).trim()}"`);
    check(!(await page.locator('#transcript-email-sent').count()), `${name}: nothing is said to be on its way`);

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px)`);
    await page.close();
  }
  if (credentialUrl) {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(credentialUrl, { waitUntil: 'load' });
    await page.locator('#wallet-email').focus();
    await page.keyboard.type(known);
    const [response] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.keyboard.press('Enter'),
    ]);
    const text = await page.evaluate(() => document.body.innerText);
    check(response.status() === 200 && text.includes('is on its way'),
      `the credential page's wallet-link form is accepted from the browser (${response.status()})`);
    await page.close();
  }
} finally {
  await browser.close();
}
if (failures.length > 0) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
