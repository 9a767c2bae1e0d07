// Drives Laurel's public pages in headless Chromium as a recipient and an employer would:
// open a credential page (at 1280 and 390 px: actions first, the verdict in a sentence, the
// steps collapsed, nothing wider than the screen) and read its verdict and LinkedIn link,
// then upload the baked PNG on the verify page and read that verdict and the name signed into
// the badge. Saves screenshots of each page.
//
//   node tests/e2e/pages.mjs ORIGIN CREDENTIAL_URL BAKED_PNG SCREENSHOT_DIR
//
// Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [origin, credentialUrl, png, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: pages.mjs ORIGIN CREDENTIAL_URL BAKED_PNG SCREENSHOT_DIR');
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
  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await browser.newPage({ viewport });
    const external = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) external.push(request.url());
    });
    const response = await page.goto(credentialUrl, { waitUntil: 'load' });
    check(response.status() === 200 && response.headers()['content-type'].startsWith('text/html'),
      `${name}: the credential URL is a web page for a browser`);
    const verdict = page.locator('#verdict');
    check(await verdict.getAttribute('data-verdict') === 'valid', `${name}: the credential page says valid`);
    const sentence = await verdict.textContent();
    check(/^This badge is valid: issued by Library Association to Ana Reader on \d{1,2} \w+ \d{4}\.$/.test(sentence.trim()),
      `${name}: the verdict is one sentence saying by whom, to whom and when (${sentence})`);
    const order = await page.evaluate(() => {
      const at = (selector) => {
        const element = document.querySelector(selector);
        return element ? [...document.querySelectorAll('*')].indexOf(element) : -1;
      };
      return { actions: at('#actions'), verdict: at('#verdict'), details: at('details.technical') };
    });
    check(order.actions >= 0 && order.actions < order.verdict && order.verdict < order.details,
      `${name}: the recipient's actions come first, then the verdict, then the steps`);
    check(await page.locator('details.technical').evaluate((d) => !d.open), `${name}: the technical steps are collapsed`);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    check(widths.scroll <= widths.client, `${name}: nothing is wider than the screen (${widths.scroll} <= ${widths.client})`);
    const number = (await page.locator('#certificate-number').textContent()).trim();
    check(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(number), `${name}: the certificate number is shown (${number})`);
    const text = await page.locator('main').innerText();
    check(text.includes('1.5 hours') && !/\d h\b|hours:/.test(text), `${name}: credits are said in words (1.5 hours)`);
    const linkedin = new URL(await page.locator('#linkedin').getAttribute('href'));
    check(linkedin.origin === 'https://www.linkedin.com' && linkedin.pathname === '/profile/add',
      `${name}: LinkedIn add-to-profile link`);
    for (const field of ['name', 'organizationName', 'issueYear', 'issueMonth', 'certUrl', 'certId']) {
      check((linkedin.searchParams.get(field) || '') !== '', `${name}: LinkedIn field ${field} is filled`);
    }
    check(linkedin.searchParams.get('certUrl') === credentialUrl, `${name}: LinkedIn certUrl is the credential page`);
    check(linkedin.searchParams.get('certId') === number, `${name}: LinkedIn certId is the certificate number`);
    check(external.length === 0, `${name}: no request leaves the site (${external.join(', ')})`);
    await page.screenshot({ path: `${shots}/credential-${name}.png`, fullPage: true });
    await page.close();
  }

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${origin}/verify`, { waitUntil: 'load' });
  await page.setInputFiles('#verify-file', png);
  await page.click('#verify-form button[type=submit]');
  const verdict = page.locator('#verify-result #verdict');
  await verdict.waitFor({ timeout: 20000 });
  check(await verdict.getAttribute('data-verdict') === 'valid', 'verify page: the uploaded baked PNG is valid');
  const named = await page.locator('#recipient-name').textContent();
  check(named.includes('Issued to Ana Reader') && named.includes('as the issuer wrote it'),
    'verify page: the name signed into the badge, said to be the issuer\'s word');
  await page.screenshot({ path: `${shots}/verify-png.png`, fullPage: true });

  await page.goto(`${origin}/verify`, { waitUntil: 'load' });
  await page.fill('#verify-text', '{"not": "a credential"}');
  await page.click('#verify-form button[type=submit]');
  await page.waitForLoadState('load');
  const pasted = await page.locator('#verdict').getAttribute('data-verdict');
  check(pasted !== 'valid', 'verify page: pasted junk is not valid (form post, no script needed)');
  await page.screenshot({ path: `${shots}/verify-pasted.png`, fullPage: true });
} finally {
  await browser.close();
}
console.log(`${failures.length === 0 ? 'ok' : 'FAILED'}: screenshots in ${shots}`);
process.exit(failures.length === 0 ? 0 : 1);
