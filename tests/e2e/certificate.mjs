// The printable certificate as a recipient meets it: open the credential page, follow the
// "Certificate (PDF)" button (a PDF comes back), and see the page as it prints (print media:
// the verification URL and QR code instead of the technical steps) at phone and desktop
// widths. If pdftoppm (Debian's poppler-utils) is installed, the PDF's page is saved as a PNG
// screenshot too.
//
//   node tests/e2e/certificate.mjs CREDENTIAL_PAGE_URL SCREENSHOT_DIR
//
// Uses Debian's /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const [credential, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: certificate.mjs CREDENTIAL_PAGE_URL SCREENSHOT_DIR');
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
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(credential, { waitUntil: 'load' });
  const button = page.locator('a#certificate');
  check(await button.isVisible(), 'the credential page shows a Certificate (PDF) button');
  const href = await button.getAttribute('href');
  const response = await page.request.get(new URL(href, credential).toString());
  const body = await response.body();
  check(response.status() === 200, 'the certificate answers 200');
  check((response.headers()['content-type'] || '').startsWith('application/pdf'), 'the certificate is application/pdf');
  check(body.subarray(0, 5).toString('latin1') === '%PDF-', 'the certificate bytes start with %PDF-');
  writeFileSync(`${shots}/certificate.pdf`, body);
  try {
    execFileSync('pdftoppm', ['-png', '-r', '80', '-singlefile', `${shots}/certificate.pdf`, `${shots}/certificate-pdf`]);
    console.log('ok   the certificate rendered to certificate-pdf.png');
  } catch {
    console.log('skip pdftoppm is not installed: no PNG of the PDF');
  }

  check(!(await page.locator('#print-verify').isVisible()), 'the print-only verification block is hidden on screen');
  await page.emulateMedia({ media: 'print' });
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    check(await page.locator('#print-verify svg.qr').isVisible(), `printing at ${width} px shows the QR code`);
    check(!(await page.locator('details.technical').isVisible()), `printing at ${width} px hides the technical steps`);
    check(!(await page.locator('a#certificate').isVisible()), `printing at ${width} px hides the buttons`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    check(!overflow, `printing at ${width} px has no horizontal overflow`);
    await page.screenshot({ path: `${shots}/credential-print-${width}.png`, fullPage: true });
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} failed`);
  process.exit(1);
}
