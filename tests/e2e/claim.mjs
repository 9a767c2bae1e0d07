// The claim page a recipient's personal wallet link opens, at phone and desktop widths: the
// badge, the "Add to Learner Credential Wallet" link (its request JSON decoded and checked),
// the QR code, no horizontal scrolling. Screenshots of both widths.
//
//   node tests/e2e/claim.mjs ORIGIN CLAIM_URL SCREENSHOT_DIR
//
// Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [origin, claimUrl, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: claim.mjs ORIGIN CLAIM_URL SCREENSHOT_DIR');
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
  for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
    const page = await browser.newPage({ viewport });
    const response = await page.goto(claimUrl, { waitUntil: 'load' });
    check(response.status() === 200, `${name}: the claim page opens`);
    check(response.headers()['cache-control'] === 'no-store', `${name}: the claim page is never cached`);
    check((await page.locator('h1').textContent()).includes('wallet'), `${name}: the heading speaks of a wallet`);
    const href = await page.locator('#add-to-lcw').getAttribute('href');
    const link = new URL(href);
    check(link.origin === 'https://lcw.app' && link.pathname === '/request', `${name}: the button opens lcw.app/request`);
    let request = {};
    try { request = JSON.parse(link.searchParams.get('request')); } catch { /* checked below */ }
    check(request.credentialRequestOrigin === origin, `${name}: credentialRequestOrigin is the service`);
    const vcapi = request.protocols && request.protocols.vcapi;
    check(typeof vcapi === 'string' && vcapi.startsWith(`${origin}/exchanges/`), `${name}: protocols.vcapi is an exchange here`);
    const qr = page.locator('#lcw-qr');
    check((await qr.getAttribute('src')).startsWith('data:image/svg+xml;base64,'), `${name}: a QR code is drawn`);
    const box = await qr.boundingBox();
    check(box && box.width > 100 && box.width <= viewport.width, `${name}: the QR code fits the screen`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px)`);
    // The exchange answers a wallet's first message with a DID Authentication request.
    const first = await fetch(vcapi, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const vpr = (await first.json()).verifiablePresentationRequest || {};
    check(first.status === 200 && vpr.query && vpr.query[0].type === 'DIDAuthentication' && vpr.challenge,
      `${name}: the exchange asks for DID Authentication`);
    await page.screenshot({ path: `${shots}/claim-${name}.png`, fullPage: true });
    await page.close();
  }
} finally {
  await browser.close();
}
if (failures.length > 0) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
