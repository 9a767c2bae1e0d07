// Cohort roles, pathway progress and the badge form's CE category menu (issue 18), in headless
// Chromium: a coordinator awards a badge in the console with a role ("Presenter"), and the
// credential page says "as Presenter"; the recipient, from the claim link of that badge,
// opens their progress toward a certificate made of three badges ("2 of 3 done"); the badge
// form's category menu is used with the keyboard alone, and in the pathway editor the "how many"
// box hides while "all of these" is chosen. Every page at 1280 and 390 px, with screenshots,
// and none may scroll sideways at 390 px.
//
//   node tests/e2e/cohorts.mjs ORIGIN USERNAME PASSWORD TOKEN ISSUER_ID LAUREL DATA_DIR SCREENSHOT_DIR
//
// TOKEN is an admin API token (the badges and the pathway are made through the API); LAUREL and
// DATA_DIR run `laurel credential claim-link` for the recipient's link. The issuer's categories
// are "Technology" and "Management" (set by programmes.mjs, which runs before). Uses Debian's
// /usr/bin/chromium (or $CHROMIUM); playwright-core downloads no browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const [origin, username, password, token, issuer, laurel, data, shots] = process.argv.slice(2);
if (!shots) {
  console.error('usage: cohorts.mjs ORIGIN USERNAME PASSWORD TOKEN ISSUER_ID LAUREL DATA_DIR SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const api = async (method, path, body) => {
  const response = await fetch(`${origin}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
};
const enter = (p) => Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.keyboard.press('Enter')]);

// Three webinars and a certificate made of all three.
const email = 'cohort@example.org';
const steps = [];
for (const name of ['Reference interview', 'Collection development', 'Digital literacy']) {
  steps.push(await api('POST', '/achievements', {
    issuer_id: issuer, name, description: `Attended the ${name.toLowerCase()} webinar.`,
    criteria_narrative: 'Attend the whole webinar.', credits_available: 1,
  }));
}
const certificate = await api('POST', '/achievements', {
  issuer_id: issuer, name: 'Public services certificate',
  description: 'Completed the three public-services webinars.', criteria_narrative: 'Hold the three webinar badges.',
});
await api('PUT', `/achievements/${certificate.id}/pathway`, {
  rule: { steps: steps.map((s) => ({ achievement_id: s.id })) },
});
// The second webinar through the API; the first in the console, with a role.
await api('POST', `/achievements/${steps[1].id}/awards`, { email, name: 'Cora Cohort' });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  const fits = async (p, name) => {
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `${name}: no horizontal scrolling at 390 px (${overflow}px)`);
  };
  const both = async (url, name) => {
    await page.goto(url, { waitUntil: 'load' });
    await page.screenshot({ path: `${shots}/cohorts-${name}-1280.png`, fullPage: true });
    await phone.goto(url, { waitUntil: 'load' });
    await phone.screenshot({ path: `${shots}/cohorts-${name}-390.png`, fullPage: true });
    await fits(phone, name);
  };
  await page.goto(`${origin}/console/sign-in`, { waitUntil: 'load' });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await enter(page);
  check(!page.url().includes('sign-in'), 'signed in');

  // The award form's role field, at phone width (the coordinator at the session's door).
  await both(`${origin}/console/awards`, 'award-form');
  await phone.selectOption('#new-achievement', steps[0].id);
  await phone.fill('#new-email', email);
  await phone.fill('#new-name', 'Cora Cohort');
  await phone.focus('#new-role');
  await phone.keyboard.type('Presenter');
  await phone.screenshot({ path: `${shots}/cohorts-award-role-390.png`, fullPage: true });
  await Promise.all([phone.waitForURL(/done=award/), phone.click('#award-form button[type=submit]')]);
  const awarded = await api('GET', `/awards?achievement=${steps[0].id}&email=${encodeURIComponent(email)}`);
  const award = awarded.awards[0];
  check(award && award.id, 'the award was made');

  // The credential page says the role.
  await both(`${origin}/credentials/${award.id}`, 'credential-role');
  const role = (await page.textContent('#role').catch(() => '')) || '';
  const line = (await page.textContent('.recipient').catch(() => '')) || '';
  check(role.trim() === 'Presenter' && /as Presenter/.test(line), `the credential page says "as Presenter" (${line.trim()})`);

  // The recipient, from the claim link: their progress toward the certificate.
  const claim = execFileSync(laurel, ['credential', 'claim-link', '--data-dir', data, award.id], { encoding: 'utf8' }).trim().split('\n').pop().trim();
  const visitor = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const recipient = await visitor.newPage();
  const recipientPhone = await visitor.newPage();
  await recipientPhone.setViewportSize({ width: 390, height: 844 });
  await recipient.goto(claim, { waitUntil: 'load' });
  const toward = recipient.locator('section.pathways a', { hasText: 'Public services certificate' });
  check(await toward.count() === 1, 'the claim page links to the progress toward the certificate');
  const progressUrl = new URL(await toward.getAttribute('href'), claim).href;
  await recipient.screenshot({ path: `${shots}/cohorts-claim-1280.png`, fullPage: true });
  await recipientPhone.goto(claim, { waitUntil: 'load' });
  await recipientPhone.screenshot({ path: `${shots}/cohorts-claim-390.png`, fullPage: true });
  await fits(recipientPhone, 'claim');
  // Followed with the keyboard: focus the link, Enter.
  await toward.focus();
  await enter(recipient);
  check(recipient.url() === progressUrl, 'the link opens the progress page');
  const progress = ((await recipient.textContent('#pathway-progress').catch(() => '')) || '').trim();
  check(/^2 of 3 done/.test(progress), `the progress page says "2 of 3 done" (${progress})`);
  await recipient.screenshot({ path: `${shots}/cohorts-progress-1280.png`, fullPage: true });
  await recipientPhone.goto(progressUrl, { waitUntil: 'load' });
  await recipientPhone.screenshot({ path: `${shots}/cohorts-progress-390.png`, fullPage: true });
  await fits(recipientPhone, 'progress');
  await visitor.close();

  // The badge form's CE category menu, with the keyboard alone.
  await both(`${origin}/console/achievements/${steps[0].id}`, 'badge-form');
  const manage = page.locator(`#category-hint a[href="/console/issuers/${issuer}/categories"]`);
  check(await manage.count() === 1, 'the category menu links to where the list is managed');
  await page.focus('#category');
  await page.keyboard.press('ArrowDown'); // Technology
  await page.keyboard.press('ArrowDown'); // Management
  await page.focus('button[name=action][value=save]');
  await enter(page);
  check(/saved=1/.test(page.url()), 'the badge was saved');
  const chosen = await page.$eval('#category', (s) => s.options[s.selectedIndex].text);
  check(chosen === 'Management', `the category chosen with the keyboard is kept (${chosen})`);
  const stored = await api('GET', `/achievements/${steps[0].id}`);
  check(stored.category === 'Management', `the API shows the category (${stored.category})`);
  await page.screenshot({ path: `${shots}/cohorts-badge-category-1280.png`, fullPage: true });

  // The pathway editor: the "how many" box only with "at least this many".
  await both(`${origin}/console/achievements/${certificate.id}/pathway`, 'pathway-editor');
  const box = page.locator('#g0_n');
  check(await page.inputValue('#g0_rule') === 'all' && !(await box.isVisible()), 'with "all of these" the number box is hidden');
  await page.focus('#g0_rule');
  await page.selectOption('#g0_rule', 'at_least');
  check(await box.isVisible(), 'with "at least this many" the number box shows');
  await page.screenshot({ path: `${shots}/cohorts-pathway-at-least-1280.png`, fullPage: true });
  await page.selectOption('#g0_rule', 'all');
  check(!(await box.isVisible()), 'back to "all of these", it hides again');
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
