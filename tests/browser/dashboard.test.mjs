// Browser test of the owner's dashboard in real Chromium (playwright-core, system browser):
// sign up, edit the business hours, ask the assistant about them and see the new hours,
// export leads as CSV, and save a screenshot of every dashboard page for review.
//
//   FRONTDESK_URL=http://127.0.0.1:8080 node dashboard.test.mjs
//
// Env: FRONTDESK_URL (required), CHROMIUM_PATH (default /usr/bin/chromium),
//      SCREENSHOT_DIR (default screenshots/ next to this file).

import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const OVERALL_TIMEOUT_MS = 90_000;
const PASSWORD = 'a long and unusual passphrase';
const base = (process.env.FRONTDESK_URL || '').replace(/\/+$/, '');
if (!base) {
  console.error('FAIL: FRONTDESK_URL is not set');
  process.exit(2);
}
const shots = resolve(HERE, process.env.SCREENSHOT_DIR || 'screenshots');
mkdirSync(shots, { recursive: true });

let browser = null;
async function fail(message) {
  console.error(`FAIL: ${message}`);
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}
setTimeout(() => fail(`overall timeout of ${OVERALL_TIMEOUT_MS / 1000} s exceeded`), OVERALL_TIMEOUT_MS).unref();
function check(condition, message) {
  if (!condition) throw new Error(message);
}
async function step(label, fn) {
  console.log(`- ${label}`);
  try {
    await fn();
  } catch (err) {
    await fail(`${label}: ${err && err.message ? err.message : err}`);
  }
}

let page;
const pageErrors = [];

async function shoot(name) {
  const path = join(shots, `dashboard-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`  saved ${path}`);
}

/// Every visible form control has an accessible name.
async function checkLabels() {
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
      .filter((el) => {
        const byFor = el.id && document.querySelector(`label[for="${el.id}"]`);
        return !byFor && !el.closest('label') && !el.getAttribute('aria-label');
      })
      .map((el) => el.outerHTML.slice(0, 80))
  );
  check(unlabelled.length === 0, `controls without a label: ${unlabelled.join(', ')}`);
}

await step('a. open Chromium', async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    timeout: 30_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

await step('b. sign up', async () => {
  await page.goto(`${base}/app/signup`);
  await checkLabels();
  await shoot('signup');
  await page.getByLabel('Your name').fill('Rosa Baker');
  await page.getByLabel('Email').fill('rosa@corner-bakery.test');
  await page.getByLabel('Business name').fill('Corner Bakery');
  await page.getByLabel('Time zone').fill('America/Chicago');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Password again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${base}/app`);
  check((await page.locator('h1').textContent()) === 'Home', 'lands on Home');
  check(await page.locator('svg[role=img]').count() === 1, 'the activity chart is there');
  await checkLabels();
  await shoot('home');
});

await step('c. edit Monday hours', async () => {
  await page.getByRole('link', { name: 'Business' }).click();
  await page.waitForURL(`${base}/app/business`);
  await checkLabels();
  await page.getByLabel('Monday').fill('07:15-11:45');
  await page.getByRole('button', { name: 'Save hours' }).click();
  await page.waitForURL(`${base}/app/business?saved=1`);
  check((await page.getByRole('status').textContent()).includes('Saved'), 'a saved notice');
  check((await page.getByLabel('Monday').inputValue()) === '07:15-11:45', 'the form shows the new hours');
  await shoot('business');
});

await step('d. the assistant answers with the new hours', async () => {
  await page.goto(`${base}/app/preview`);
  await page.locator('.fd-launcher').click();
  const input = page.locator('.fd-input');
  await input.fill('what are your hours on monday?');
  await input.press('Enter');
  await page.waitForFunction(() => {
    const r = document.getElementById('frontdesk-widget').shadowRoot;
    return !r.querySelector('.fd-send').disabled && r.querySelectorAll('.fd-msg-assistant').length > 1;
  }, null, { timeout: 20_000 });
  const answer = (await page.locator('.fd-msg-assistant').last().textContent()).trim();
  console.log(`  answer: ${JSON.stringify(answer)}`);
  check(/7:15/.test(answer), 'the answer gives the new opening time');
    await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.waitForTimeout(300);
  await shoot('preview');
});

await step('d2. a visitor leaves their details in the widget', async () => {
  const ask = async (text) => {
    const before = await page.locator('.fd-msg-assistant').count();
    await page.locator('.fd-input').fill(text);
    await page.locator('.fd-input').press('Enter');
    await page.waitForFunction((n) => {
      const r = document.getElementById('frontdesk-widget').shadowRoot;
      return !r.querySelector('.fd-send').disabled && r.querySelectorAll('.fd-msg-assistant').length > n;
    }, before, { timeout: 20_000 });
    return (await page.locator('.fd-msg-assistant').last().textContent()).trim();
  };
  check((await ask('can someone call me back?')).includes("What's your name?"), 'asks for a name');
  await ask('Ana Diaz');
  await ask('512-555-0199');
  await ask('a question about prices');
  const consent = await ask('mornings');
  check(consent.includes('ending in 0199'), `asks for consent: ${consent}`);
  const done = await ask('yes');
  check(done.includes('sent to the team'), `the widget confirms: ${done}`);
  await shoot('lead-captured');
});

await step('e. the conversation is listed and its transcript opens', async () => {
  await page.goto(`${base}/app/conversations`);
  await checkLabels();
  await shoot('conversations');
  await page.locator('table a').first().click();
  await page.locator('.msg.visitor').first().waitFor();
  check((await page.locator('.msg.visitor').first().textContent()).includes('hours on monday'), 'transcript shows the question');
  await shoot('transcript');
});

await step('f. export leads as CSV', async () => {
  await page.goto(`${base}/app/leads`);
  await shoot('leads');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export all leads as CSV' }).click(),
  ]);
  const text = readFileSync(await download.path(), 'utf8');
  console.log(`  ${download.suggestedFilename()}: ${text.split('\n')[0]}`);
    check(text.startsWith('id,created,channel,name,phone,email'), 'a CSV with the lead columns');
  check(text.includes('Ana Diaz') && text.includes("'+15125550199"), 'the lead is in the export, its phone defused');
  check(download.suggestedFilename().endsWith('.csv'), 'a .csv file name');
});

await step('g. the other pages render, accessibly', async () => {
  for (const [path, name, heading] of [
    ['/app/appointments', 'appointments', 'Appointments'],
    ['/app/settings', 'settings', 'Settings'],
    ['/app/team', 'team', 'Team'],
    ['/app/security', 'security', 'Security'],
    ['/app/audit', 'audit', 'Audit log'],
    ['/app/account', 'account', 'Account'],
  ]) {
    const res = await page.goto(`${base}${path}`);
    check(res.ok(), `${path} returned ${res.status()}`);
    check((await page.locator('h1').textContent()) === heading, `${path} heading`);
    await checkLabels();
    await shoot(name);
  }
  const audit = await page.goto(`${base}/app/audit?range=today`);
  check(audit.ok(), 'audit log filters');
  const rows = await page.locator('tbody tr').allTextContents();
  check(rows.some((r) => r.includes('leads.exported')), 'the export is in the audit log');
  check(rows.some((r) => r.includes('transcript.viewed')), 'the transcript view is in the audit log');
  check(rows.some((r) => r.includes('knowledge.changed')), 'the hours change is in the audit log');
});

await step('h. sign out', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/app\/login/);
  await page.goto(`${base}/app`);
  check(page.url().endsWith('/app/login'), 'signed out: the dashboard asks to sign in');
  await shoot('login');
  check(pageErrors.length === 0, `page errors: ${pageErrors.join('; ')}`);
});

await browser.close();
console.log('dashboard browser test passed');
process.exit(0);
