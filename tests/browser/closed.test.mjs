// Browser test of the widget on a closed account: the business's owner closed it, so the
// widget must open with the server's notice and a shut chat, and throw nothing.
//
//   FRONTDESK_URL=http://127.0.0.1:8080 node closed.test.mjs   (the demo business closed)
//
// Env: FRONTDESK_URL (required), CHROMIUM_PATH (default /usr/bin/chromium).

import { chromium } from 'playwright-core';

const base = (process.env.FRONTDESK_URL || '').replace(/\/+$/, '');
if (!base) {
  console.error('FAIL: FRONTDESK_URL is not set');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  timeout: 30_000,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const timer = setTimeout(async () => {
  console.error('FAIL: timed out');
  await browser.close().catch(() => {});
  process.exit(1);
}, 40_000);
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/demo`, { waitUntil: 'load' });
  await page.locator('.fd-launcher').click();
  const notice = page.locator('.fd-msg-error').first();
  await notice.waitFor({ state: 'visible' });
  const text = (await notice.textContent()).trim();
  console.log(`- the widget says: ${text}`);
  if (!/no longer available/.test(text)) throw new Error(`unexpected notice ${JSON.stringify(text)}`);
  if (!(await page.locator('.fd-input').isDisabled())) throw new Error('the input is still open');
  if (!(await page.locator('.fd-send').isDisabled())) throw new Error('the send button is still open');
  if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
  console.log('closed widget browser test passed');
} catch (err) {
  console.error(`FAIL: ${err && err.message ? err.message : err}`);
  clearTimeout(timer);
  await browser.close();
  process.exit(1);
}
clearTimeout(timer);
await browser.close();
process.exit(0);
