// Opens a joining link (`cohours member invite --url`) in headless Debian
// Chromium as a member would, taps Join, and waits for the home screen:
// the README's "A phone on a local node", checked by tests/api/readme_phone_test.sh.
//
//   node test/browser/join_link.mjs --link URL --alias ALIAS --out DIR
//
// Prints one line per check and "N passed, M failed"; a screenshot of the
// home screen (390x844) goes to DIR/home.png.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const link = opt('--link');
const alias = opt('--alias');
const out = resolve(opt('--out', 'join-link'));
const chromiumPath = opt('--chromium', process.env.CHROMIUM ?? '/usr/bin/chromium');
mkdirSync(out, { recursive: true });

let passed = 0;
let failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) passed += 1; else failed += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `: ${detail}` : ''}`);
};

const browser = await chromium.launch({
  executablePath: chromiumPath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  context.setDefaultTimeout(20000);
  const page = await context.newPage();
  page.on('pageerror', (e) => check('no script error', false, e.message));
  await page.goto(link);
  await page.getByRole('heading', { level: 1, name: /^Join/ }).waitFor();
  check('the link opens the app at Join, with the code filled in',
    (await page.getByLabel('Joining code').inputValue()).length > 0);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByRole('heading', { level: 1, name: `Hello, ${alias}` }).waitFor();
  check(`Join enrols the phone: "Hello, ${alias}"`, true);
  await page.screenshot({ path: join(out, 'home.png') });
} catch (e) {
  check('the member joins from the link', false, e.message.split('\n')[0]);
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
