// The real node for the browser test: a fresh data directory, `cohours init`,
// a coordinator, a floor for carers, then `cohoursd --http 127.0.0.1:PORT
// --web DIST` on a free port; members join with codes from `cohours member
// invite` (docs/api.md "POST /v1/enrol", docs/cli.md).
//
// cohoursd runs on the real clock: the phones sign requests with theirs, and
// the node refuses a time more than 120 s from its own (so COHOURS_NOW, which
// CTest sets for every other test, is taken out of its environment).
import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, test, ms = 20000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await test();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not happen within ${ms / 1000} s${last ? `: ${last.message}` : ''}`);
}

export async function startRealNode({ dist, out, cohours, cohoursd }) {
  if (!cohours || !cohoursd) throw new Error('--backend real needs --cohours BIN and --cohoursd BIN');
  const env = { ...process.env };
  delete env.COHOURS_NOW;
  const data = mkdtempSync(join(tmpdir(), 'cohours-web-'));
  const cli = async (...args) => {
    try {
      const { stdout } = await run(cohours, ['--data', data, ...args], { env });
      return stdout;
    } catch (e) {
      throw new Error(`cohours ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
    }
  };
  await cli('init', '--name', 'Hilltop Care Co-op');
  await cli('member', 'add', 'dave', '--role', 'coordinator', '--role', 'admin');
  await cli('policy', 'set', '--role', 'carer', '--floor-minutes', '-600', '--as', 'dave');

  const port = await freePort();
  const log = join(out, 'cohoursd.log');
  const daemon = spawn(cohoursd, ['--data', data, '--http', `127.0.0.1:${port}`, '--web', dist],
    { env, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] });
  let exited = null;
  daemon.on('exit', (code, signal) => { exited = code ?? signal; });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('cohoursd answering GET /v1/health', async () => {
    if (exited !== null) throw new Error(`cohoursd exited (${exited}): ${readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
    const r = await fetch(`${url}/v1/health`);
    return r.ok && (await r.json()).status === 'ok';
  });

  return {
    url,
    describe: `cohoursd (${cohoursd}) with data in ${data}`,
    // The coordinator invites; the code is what the phone needs.
    async invite(alias, roles) {
      const text = await cli('--json', 'member', 'invite', alias, ...roles.flatMap((r) => ['--role', r]), '--as', 'dave');
      let code;
      try { code = JSON.parse(text).code; } catch { code = undefined; }
      code = code ?? /\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){2,}\b/.exec(text)?.[0];
      if (!code) throw new Error(`no code in the output of member invite: ${text.slice(0, 200)}`);
      return code;
    },
    // The node holds exactly these bytes as the receipt file named by their
    // digest, in DATA/receipts (docs/data-format.md "Receipts").
    async receiptStored(digest, bytes) {
      try { return Buffer.compare(readFileSync(join(data, 'receipts', digest)), Buffer.from(bytes)) === 0; } catch { return false; }
    },
    // The node's own figures, through the CLI (docs/cli.md --json).
    async balanceMinutes(alias) {
      const accounts = JSON.parse(await cli('--json', 'balance', alias)).accounts;
      return accounts.find((a) => a.account === alias)?.balance_minutes;
    },
    // An admin changes the categories the co-op uses (policy.set).
    // A coordinator records the volunteer's DBS check, valid from a year
    // ago to two years ahead (the daemon's clock is the real one).
    // A coordinator records the volunteer's check, running out in `daysLeft` days.
    async vet(alias, daysLeft = 730) {
      const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);
      await cli('vetting', 'record', alias, '--as', 'dave', '--kind', 'dbs-enhanced-barred',
        '--issued', day(-365), '--expires', day(daysLeft));
    },
    // A member without a phone, added by the coordinator.
    async addMember(alias, roles) {
      await cli('member', 'add', alias, ...roles.flatMap((r) => ['--role', r]));
    },
    // A coordinator logs one volunteer's session for several members today.
    async groupSession(volunteer, members, minutes, category) {
      await cli('hours', 'group', '--as', 'dave', '--volunteer', volunteer, '--with', members.join(','),
        '--duration', String(minutes), '--category', category, '--date', 'today');
    },
    async setCategories(list) {
      await cli('policy', 'set', '--categories', list.join(','), '--as', 'dave');
    },
    async entriesOfKind(kind) {
      const log = JSON.parse(await cli('--json', 'log', 'show'));
      return log.records.filter((r) => r.kind === kind).length;
    },
    async stop() {
      if (exited === null) {
        daemon.kill('SIGTERM');
        await waitFor('cohoursd stopping', () => exited !== null, 10000).catch(() => daemon.kill('SIGKILL'));
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}
