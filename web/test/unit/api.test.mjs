// The API client: identical requests never sign alike (the node refuses a
// repeated signature as a replay), identical reads in flight are shared,
// the node's clock is learnt from its Date header, errors are sorted into
// "try again later" and answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ed from '@noble/ed25519';
import { Api, ApiError } from '../../src/api.js';
import { TransportError } from '../../src/outbox.js';
import { signingText } from '../../src/request.js';
import { fromHex, publicKeyFromSeed } from '../../src/codec.js';

const seed = new Uint8Array(32).fill(9);

function fakeFetch(handler) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, ...init });
    const { status = 200, body = {}, headers = {} } = await handler(url, init, calls.length);
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
  };
  return { calls, fetchImpl };
}

test('requests are signed as docs/api.md says, and verify', async () => {
  const { calls, fetchImpl } = fakeFetch(() => ({ body: { ok: true } }));
  const api = new Api({ seed: () => seed, fetchImpl });
  await api.postEntries({ entries: ['01'] });
  const h = calls[0].headers;
  const text = signingText('POST', '/v1/entries', Number(h['X-Cohours-Time']), calls[0].body);
  assert.ok(ed.verify(fromHex(h['X-Cohours-Signature'], 64), new TextEncoder().encode(text), publicKeyFromSeed(seed)));
});

test('the same request twice in one second gets two different signatures', async () => {
  const { calls, fetchImpl } = fakeFetch(() => ({ body: {} }));
  const api = new Api({ seed: () => seed, fetchImpl });
  await api.me();
  await api.me();
  await api.postEntries({ entries: ['01'] });
  await api.postEntries({ entries: ['01'] });
  const sigs = calls.map((c) => c.headers['X-Cohours-Signature']);
  assert.equal(new Set(sigs).size, 4);
  const times = calls.map((c) => Number(c.headers['X-Cohours-Time']));
  assert.ok(times[1] > times[0] && times[3] > times[2]);
  assert.ok(times[1] - Math.floor(Date.now() / 1000) <= 2, 'stays well inside the ±120 s window');
});

test('identical reads in flight are shared', async () => {
  let release;
  const gate = new Promise((r) => { release = r; });
  const { calls, fetchImpl } = fakeFetch(async () => { await gate; return { body: { alias: 'erin' } }; });
  const api = new Api({ seed: () => seed, fetchImpl });
  const a = api.pending();
  const b = api.pending();
  release();
  assert.deepEqual(await a, await b);
  assert.equal(calls.length, 1);
});

test('a phone clock minutes off is corrected from the Date header', async () => {
  const serverNow = Date.now() + 10 * 60 * 1000;
  const { calls, fetchImpl } = fakeFetch((url, init, n) => (n === 1
    ? { status: 401, body: { error: 'unauthorised', message: 'time outside the window' }, headers: { Date: new Date(serverNow).toUTCString() } }
    : { body: { alias: 'erin' }, headers: { Date: new Date(serverNow).toUTCString() } }));
  const api = new Api({ seed: () => seed, fetchImpl });
  assert.deepEqual(await api.me(), { alias: 'erin' });
  assert.equal(calls.length, 2, 'signed again with the node\'s time');
  const t = Number(calls[1].headers['X-Cohours-Time']);
  assert.ok(Math.abs(t - serverNow / 1000) < 5);
});

test('a request the page signed before a reload, in the same second, is signed again at a later second', async () => {
  const used = new Set();
  const { calls, fetchImpl } = fakeFetch((url, init) => {
    const signature = init.headers['X-Cohours-Signature'];
    if (used.has(signature)) return { status: 401, body: { error: 'unauthorised', message: 'this request was already used; sign a new one' } };
    used.add(signature);
    return { body: { alias: 'erin' } };
  });
  await new Api({ seed: () => seed, fetchImpl }).me();
  // The reloaded page: a new client that has not signed anything yet.
  assert.deepEqual(await new Api({ seed: () => seed, fetchImpl }).me(), { alias: 'erin' });
  const times = calls.map((c) => Number(c.headers['X-Cohours-Time']));
  assert.ok(calls.length === 2 || (calls.length === 3 && times[2] === times[1] + 1), JSON.stringify(times));
  // A key the node does not know is asked once more, then the refusal is the answer.
  const refused = fakeFetch(() => ({ status: 401, body: { error: 'unauthorised', message: 'unknown key' } }));
  await assert.rejects(new Api({ seed: () => seed, fetchImpl: refused.fetchImpl }).me(), (e) => e instanceof ApiError && e.status === 401);
  assert.equal(refused.calls.length, 2);
});

test('no connection and a busy node are worth retrying; a refusal is an answer', async () => {
  const offline = new Api({ seed: () => seed, fetchImpl: async () => { throw new TypeError('Failed to fetch'); } });
  await assert.rejects(offline.me(), (e) => e instanceof TransportError && e.offline);
  const busy = new Api({ seed: () => seed, fetchImpl: fakeFetch(() => ({ status: 429, body: { error: 'rate_limited' }, headers: { 'Retry-After': '7' } })).fetchImpl });
  await assert.rejects(busy.me(), (e) => e instanceof TransportError && e.retryAfterMs === 7000 && !e.offline);
  const forbidden = new Api({ seed: () => seed, fetchImpl: fakeFetch(() => ({ status: 403, body: { error: 'bad_code', message: 'that code is unknown' } })).fetchImpl });
  await assert.rejects(forbidden.enrol('X', 'ab'), (e) => e instanceof ApiError && e.error === 'bad_code' && e.status === 403);
  const enrol = fakeFetch(() => ({ body: {} }));
  await new Api({ seed: () => seed, fetchImpl: enrol.fetchImpl }).enrol('HX4K', 'ab');
  assert.equal(enrol.calls[0].headers['X-Cohours-Signature'], undefined, 'enrolment is not signed');
});
