// Browser test of the frontdesk chat widget: drives real Chromium (the system browser,
// via playwright-core) against a running `frontdesk serve`.
//
//   FRONTDESK_URL=http://127.0.0.1:8080 node widget.test.mjs
//
// Env: FRONTDESK_URL (required), CHROMIUM_PATH (default /usr/bin/chromium),
//      SCREENSHOT_PATH (default screenshots/widget.png next to this file).
// No test framework: each step logs what it checks; any failure exits non-zero.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const OVERALL_TIMEOUT_MS = 60_000;
const GZIP_BUDGET = 12 * 1024;
const QUESTION = 'what are your hours on friday?';

let browser = null;

async function fail(message) {
  console.error(`FAIL: ${message}`);
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}

const timer = setTimeout(() => fail(`overall timeout of ${OVERALL_TIMEOUT_MS / 1000} s exceeded`), OVERALL_TIMEOUT_MS);

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


const rawBase = process.env.FRONTDESK_URL;
if (!rawBase) {
  console.error('FAIL: FRONTDESK_URL is not set (e.g. FRONTDESK_URL=http://127.0.0.1:8080)');
  process.exit(2);
}
const base = rawBase.replace(/\/+$/, '');
const baseOrigin = new URL(base).origin;
const screenshotPath = resolve(HERE, process.env.SCREENSHOT_PATH || 'screenshots/widget.png');
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

let page;
let context;
let greeting = '';
let answer = '';
const requests = [];
const pageErrors = [];

await step('a. widget.js is served and under the gzip budget', async () => {
  const res = await fetch(`${base}/widget.js`);
  check(res.ok, `GET /widget.js returned HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const gz = gzipSync(body, { level: 9 }).length;
  console.log(`  widget.js: ${body.length} bytes, ${gz} bytes gzipped (budget ${GZIP_BUDGET})`);
  check(gz < GZIP_BUDGET, `widget.js is ${gz} bytes gzipped, budget is ${GZIP_BUDGET}`);

  const biz = await fetch(`${base}/api/v1/businesses/demo`);
  check(biz.ok, `GET /api/v1/businesses/demo returned HTTP ${biz.status}`);
  greeting = ((await biz.json()).greeting || '').trim();
});

await step(`b. open ${base}/demo in Chromium (${executablePath})`, async () => {
  browser = await chromium.launch({
    executablePath,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  console.log(`  Chromium ${browser.version()}`);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const res = await page.goto(`${base}/demo`, { waitUntil: 'load' });
  check(res && res.ok(), `GET /demo returned HTTP ${res && res.status()}`);
});

await step('c. launcher opens the panel with the greeting', async () => {
  const launcher = page.locator('.fd-launcher');
  await launcher.waitFor({ state: 'visible' });
  check((await launcher.getAttribute('aria-expanded')) === 'false', 'launcher should start collapsed');
  await launcher.click();
  await page.locator('.fd-panel').waitFor({ state: 'visible' });
  check((await launcher.getAttribute('aria-expanded')) === 'true', 'launcher aria-expanded should be "true"');
  const first = page.locator('.fd-msg-assistant').first();
  await first.waitFor({ state: 'visible' });
  const text = ((await first.textContent()) || '').trim();
  check(text.length > 0, 'greeting bubble is empty');
  if (greeting) check(text === greeting, `first bubble ${JSON.stringify(text)} is not the greeting ${JSON.stringify(greeting)}`);
  const focused = await page.evaluate(() => {
    const r = document.getElementById('frontdesk-widget').shadowRoot;
    return !!(r.activeElement && r.activeElement.classList.contains('fd-input'));
  });
  check(focused, 'focus did not move to the message input when the panel opened');
  console.log(`  greeting: ${JSON.stringify(text)}`);
});

await step('d. a question gets a streamed answer', async () => {
  const before = await page.locator('.fd-msg-assistant').count();
  // Record every distinct text of the new assistant bubble: a MutationObserver plus a
  // 5 ms poll, so each streamed delta is seen even if the observer batches.
  await page.evaluate((n) => {
    const root = document.getElementById('frontdesk-widget').shadowRoot;
    const seen = [];
    window.__fdSeen = seen;
    const record = () => {
      const b = root.querySelectorAll('.fd-msg-assistant')[n];
      const t = b ? b.textContent : '';
      if (t && t !== seen[seen.length - 1]) seen.push(t);
    };
    new MutationObserver(record).observe(root, { subtree: true, childList: true, characterData: true });
    (function tick() {
      record();
      setTimeout(tick, 5);
    })();
  }, before);

  const input = page.locator('.fd-input');
  await input.fill(QUESTION);
  await input.press('Enter');

  const visitor = page.locator('.fd-msg-visitor').last();
  await visitor.waitFor({ state: 'visible' });
  check(((await visitor.textContent()) || '').trim() === QUESTION, 'visitor bubble does not show the question');

  // The reply is complete once the send button is enabled again.
  await page.waitForFunction(
    (n) => {
      const r = document.getElementById('frontdesk-widget').shadowRoot;
      return !r.querySelector('.fd-send').disabled && r.querySelectorAll('.fd-msg-assistant').length > n;
    },
    before,
    { timeout: 20_000, polling: 10 }
  );
  const bubble = page.locator('.fd-msg-assistant').nth(before);
  const classes = (await bubble.getAttribute('class')) || '';
  answer = ((await bubble.textContent()) || '').trim();
  check(!classes.includes('fd-msg-error'), `the widget showed an error: ${JSON.stringify(answer)}`);

  const seen = await page.evaluate(() => window.__fdSeen.slice());
  const intermediate = [...new Set(seen.filter((t) => t.trim() && t.trim() !== answer))];
  console.log(`  streamed lengths: ${seen.map((t) => t.length).join(' → ')}`);
  console.log(`  answer: ${JSON.stringify(answer)}`);
  check(intermediate.length >= 2, `expected >= 2 intermediate streamed states, saw ${intermediate.length}`);
  check(/friday/i.test(answer), 'answer does not mention Friday');
  check(/\d{1,2}:\d{2}/.test(answer), 'answer has no time like 8:00');
});

await step('e. after a reload the conversation continues', async () => {
  await page.reload({ waitUntil: 'load' });
  await page.locator('.fd-panel').waitFor({ state: 'visible' });
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  await page.waitForFunction(
    ([q, a]) => {
      const host = document.getElementById('frontdesk-widget');
      if (!host) return false;
      const texts = (sel) =>
        Array.from(host.shadowRoot.querySelectorAll(sel), (e) => e.textContent.replace(/\s+/g, ' ').trim());
      return texts('.fd-msg-visitor').includes(q) && texts('.fd-msg-assistant').includes(a);
    },
    [norm(QUESTION), norm(answer)]
  );
  console.log('  previous question and answer are shown again');
});

await step('f. screenshot with the panel open', async () => {
  mkdirSync(dirname(screenshotPath), { recursive: true });
  // Let the panel's opening animation finish so the picture shows the settled widget.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.waitForTimeout(400);
  await page.screenshot({ path: screenshotPath });
  console.log(`  saved ${screenshotPath}`);
});

await step('g. no third-party requests, no cookies, no page errors', async () => {
  const foreign = requests.filter((u) => {
    const url = new URL(u);
    if (['data:', 'blob:', 'about:'].includes(url.protocol)) return false;
    return url.origin !== baseOrigin;
  });
  console.log(`  ${requests.length} requests, all to ${baseOrigin}: ${foreign.length === 0}`);
  check(foreign.length === 0, `requests to other origins: ${foreign.join(', ')}`);
  const docCookie = await page.evaluate(() => document.cookie);
  check(docCookie === '', `document.cookie is ${JSON.stringify(docCookie)}`);
  const cookies = await context.cookies();
  check(cookies.length === 0, `cookies were set: ${cookies.map((c) => c.name).join(', ')}`);
  check(pageErrors.length === 0, `uncaught page errors: ${pageErrors.join(' | ')}`);
});

await step('h. Escape closes the panel and returns focus to the launcher', async () => {
  await page.locator('.fd-input').focus();
  await page.keyboard.press('Escape');
  await page.locator('.fd-panel').waitFor({ state: 'hidden' });
  const state = await page.evaluate(() => {
    const r = document.getElementById('frontdesk-widget').shadowRoot;
    return {
      hostFocused: document.activeElement === r.host,
      launcherFocused: !!(r.activeElement && r.activeElement.classList.contains('fd-launcher')),
      expanded: r.querySelector('.fd-launcher').getAttribute('aria-expanded'),
    };
  });
  check(state.hostFocused && state.launcherFocused, 'focus is not on the launcher');
  check(state.expanded === 'false', 'launcher aria-expanded should be "false" after closing');
});

clearTimeout(timer);
await browser.close();
console.log('browser test passed');
process.exit(0);
