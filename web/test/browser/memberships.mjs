// One key, several co-ops on a phone (docs/phone.md "Several co-ops"), in
// headless Debian Chromium against two real nodes of one consortium:
// Hilltop serves the app; Jo joins Hilltop by its link, then Riverside from
// the "My co-ops" screen with the same key (a call to another origin: CORS
// on Riverside's API, connect-src in Hilltop's page); both balances show;
// Jo moves an hour from Hilltop to herself at Riverside, and Riverside's
// node credits her once it has Hilltop's transfer.out. Every wait is for a
// condition.
//
//   node test/browser/memberships.mjs --dist DIR --out DIR --cohours BIN --cohoursd BIN
import { chromium } from 'playwright-core';
import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dist = resolve(opt('--dist', join(here, '../../dist')));
const out = resolve(opt('--out', join(here, '../../test-output-memberships')));
const cohours = opt('--cohours') && resolve(opt('--cohours'));
const cohoursd = opt('--cohoursd') && resolve(opt('--cohoursd'));
const chromiumPath = opt('--chromium', process.env.CHROMIUM ?? '/usr/bin/chromium');
const run = promisify(execFile);
const TIMEOUT = 20000;

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed += 1; console.log(`ok   ${name}`); } else { failed += 1; console.log(`FAIL ${name}${detail ? `: ${detail}` : ''}`); }
  return ok;
}
if (!existsSync(chromiumPath) || !cohours || !cohoursd) {
  console.log(`FAIL needs ${chromiumPath}, --cohours BIN and --cohoursd BIN`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

function freePort() {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => res(port)); });
  });
}
async function waitFor(what, test, ms = TIMEOUT) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try { const v = await test(); if (v) return v; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not happen within ${ms / 1000} s${last ? `: ${last.message}` : ''}`);
}

// The daemons and commands run on the real clock: the phone signs with it.
const env = { ...process.env };
delete env.COHOURS_NOW;
const root = mkdtempSync(join(tmpdir(), 'cohours-coops-'));
const cli = async (...a) => {
  try { return (await run(cohours, a, { env, cwd: root })).stdout; } catch (e) {
    throw new Error(`cohours ${a.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
  }
};
const at = (node, ...a) => cli('--data', join(root, node), ...a);
const daemons = [];

async function startNodes() {
  const peer = { hilltop: await freePort(), riverside: await freePort() };
  const http = { hilltop: await freePort(), riverside: await freePort() };
  await at('hilltop', 'init', '--name', 'Hilltop Care Co-op');
  await at('riverside', 'init', '--name', 'Riverside Carers');
  const file = join(root, 'county.json');
  await at('hilltop', 'consortium', 'new', file, '--name', 'county', '--node-name', 'hilltop', '--address', `127.0.0.1:${peer.hilltop}`);
  const riverKey = (await at('riverside', 'consortium', 'key')).trim();
  await cli('consortium', 'add', file, '--node-name', 'riverside', '--key', riverKey, '--address', `127.0.0.1:${peer.riverside}`);
  for (const node of ['hilltop', 'riverside']) await at(node, 'consortium', 'sign', file);
  for (const node of ['hilltop', 'riverside']) await at(node, 'consortium', 'join', file);
  for (const node of ['hilltop', 'riverside']) await at(node, 'member', 'add', 'dave', '--role', 'coordinator', '--role', 'admin');
  // Volunteers at Hilltop may go an hour below zero, so Jo has an hour to move.
  await at('hilltop', 'policy', 'set', '--role', 'volunteer', '--floor-minutes', '-60', '--as', 'dave');
  for (const node of ['hilltop', 'riverside']) {
    const log = join(out, `${node}.log`);
    const daemon = spawn(cohoursd, ['--data', join(root, node), '--http', `127.0.0.1:${http[node]}`, '--web', dist],
      { env, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] });
    daemons.push(daemon);
    await waitFor(`${node}'s cohoursd answering`, async () => (await fetch(`http://127.0.0.1:${http[node]}/v1/health`)).ok);
  }
  return { hill: `http://127.0.0.1:${http.hilltop}`, river: `http://127.0.0.1:${http.riverside}` };
}

async function invite(node, alias, role) {
  const text = await at(node, '--json', 'member', 'invite', alias, '--role', role, '--as', 'dave');
  return JSON.parse(text).code;
}
async function balance(node, alias) {
  const accounts = JSON.parse(await at(node, '--json', 'balance', alias)).accounts;
  return accounts.find((a) => a.account === alias)?.balance_minutes;
}

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'] });
let page;
const errors = [];
try {
  const urls = await startNodes();
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  context.setDefaultTimeout(TIMEOUT);
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  // A refused answer the app handles (a 401 signed again) is logged by the
  // browser as a failed load: not a script error.
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text()); });
  const heading = (name) => page.getByRole('heading', { level: 1, name }).waitFor();
  const text = async (pattern) => { await page.locator('main').getByText(pattern).first().waitFor(); return true; };

  // 1. Jo joins Hilltop by its link.
  await page.goto(`${urls.hill}/#enrol=${await invite('hilltop', 'jo', 'volunteer')}`);
  await heading(/^Join/);
  await page.getByRole('button', { name: 'Join' }).click();
  await heading('Hello, jo');

  // 2. My co-ops: Riverside, by its address and a code from its coordinator.
  await page.getByRole('link', { name: /My co-ops/ }).click();
  await heading('My co-ops');
  await page.getByLabel("The co-op's address").fill('http://riverside.invalid');
  await page.getByLabel('Joining code').fill('ABCD-EFGH-JKLM');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  check('plain http to another machine is refused before anything is sent', await text(/must start with https/));
  await page.getByLabel("The co-op's address").fill(urls.river);
  await page.getByLabel('Joining code').fill(await invite('riverside', 'jo', 'carer'));
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  check('joined Riverside with the same key', await text(/You joined Riverside Carers as jo, with the same key/));
  const keys = JSON.parse(await at('riverside', '--json', 'member', 'show', 'jo')).key ===
    JSON.parse(await at('hilltop', '--json', 'member', 'show', 'jo')).key;
  check('both nodes know Jo by one key', keys);
  check('a card per co-op, each with its own hours',
    await text('Hilltop Care Co-op (this app’s co-op)') && await text(/You are jo there, carer/)
    && (await page.locator('.big', { hasText: 'No hours yet' }).count()) === 2);
  await page.screenshot({ path: join(out, 'coops.png'), fullPage: true });
  await page.evaluate(readFileSync(join(here, '../../node_modules/axe-core/axe.min.js'), 'utf8'));
  const serious = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
  });
  check('My co-ops: axe finds no serious or critical violation', serious.length === 0, serious.join('; '));

  // 3. Jo moves an hour from Hilltop to herself at Riverside.
  await page.getByRole('radio', { name: '1 hour', exact: true }).check();
  await page.getByRole('button', { name: 'Move hours' }).click();
  check('the move is signed and queued', await text(/1 hour will move from Hilltop Care Co-op to Riverside Carers/));
  await waitFor('Riverside crediting Jo', async () => (await balance('riverside', 'jo')) === 60, 30000);
  check('Riverside credited Jo 60 minutes; Hilltop debited her 60',
    (await balance('riverside', 'jo')) === 60 && (await balance('hilltop', 'jo')) === -60);
  await page.reload();
  await heading('My co-ops');
  await page.locator('.big', { hasText: /^1 hour$/ }).waitFor();
  check('the phone shows both balances', await text('1 hour below zero'));
  await page.screenshot({ path: join(out, 'coops-moved.png'), fullPage: true });
  check('no script errors', errors.length === 0, errors.join(' | '));
} catch (e) {
  check('the scenario ran to the end', false, e.message.split('\n')[0]);
  for (const error of errors) console.log(`  [page] ${error}`);
  if (page) await page.screenshot({ path: join(out, 'failure.png'), fullPage: true }).catch(() => {});
} finally {
  await browser.close().catch(() => {});
  for (const d of daemons) d.kill('SIGTERM');
  await Promise.all(daemons.map((d) => new Promise((r) => (d.exitCode !== null ? r() : d.once('exit', r)))));
  rmSync(root, { recursive: true, force: true });
}
writeFileSync(join(out, 'result.txt'), `${passed} passed, ${failed} failed\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
