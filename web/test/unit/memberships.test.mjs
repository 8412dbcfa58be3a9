// One key, several co-ops on the phone: the other co-op's address as typed,
// the list of memberships under the one key, joining another co-op with the
// key the phone already has, and the entry that moves credits to oneself at
// another co-op (a transfer.out the engine's own vectors decode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Api } from '../../src/api.js';
import { toHex, fromHex, publicKeyFromSeed, signEntry, decodeSigned, verifyEntry } from '../../src/codec.js';
import { nodeAddress, membershipFrom, withMembership, withoutMembership, joinWithKey, moveCreditsFields } from '../../src/memberships.js';

const seed = new Uint8Array(32).fill(9);
const phoneKey = toHex(publicKeyFromSeed(seed));
const hill = { node: 'Hilltop', node_key: '11'.repeat(32), member_key: phoneKey };
const river = { base: 'https://riverside.example.org', node: 'Riverside', node_key: '22'.repeat(32), member_key: phoneKey };

test('the other co-op\'s address: its origin, https unless on this machine, a sentence otherwise', () => {
  assert.equal(nodeAddress('riverside.example.org'), 'https://riverside.example.org');
  assert.equal(nodeAddress(' https://riverside.example.org/app/#/ '), 'https://riverside.example.org');
  assert.equal(nodeAddress('http://127.0.0.1:8081/'), 'http://127.0.0.1:8081');
  assert.equal(nodeAddress('http://localhost:9000'), 'http://localhost:9000');
  assert.throws(() => nodeAddress('http://riverside.example.org'), /must start with https/);
  assert.throws(() => nodeAddress(''), /Type the address/);
  assert.throws(() => nodeAddress('ftp://riverside.example.org'), /not a web address/);
  assert.throws(() => nodeAddress('http://exa mple'), /not a web address/);
});

test('memberships: one per node, never the home co-op, and a co-op can be left', () => {
  const answer = { alias: 'jo', key: phoneKey, member_key: phoneKey, roles: ['carer'], node: 'Riverside', node_key: river.node_key, currency: 'GBP' };
  const m = membershipFrom(river.base, answer);
  assert.deepEqual(m, { base: river.base, node: 'Riverside', node_key: river.node_key, alias: 'jo', roles: ['carer'], member_key: phoneKey, currency: 'GBP' });
  let list = withMembership([], m, hill.node_key);
  assert.equal(list.length, 1);
  // Joining the same node again (a new alias there) replaces the old entry.
  list = withMembership(list, { ...m, alias: 'joanne' }, hill.node_key);
  assert.deepEqual(list.map((x) => x.alias), ['joanne']);
  assert.throws(() => withMembership(list, { ...m, node_key: hill.node_key }, hill.node_key), /already a member/);
  assert.deepEqual(withoutMembership(list, river.node_key), []);
});

// A node that enrols a key with a code, and answers GET /v1/me for members.
function otherNode({ lostAnswer = false, answerKey } = {}) {
  const calls = [];
  const members = new Set();
  const fetchImpl = async (url, init) => {
    const { origin, pathname } = new URL(url);
    calls.push(`${init.method} ${origin}${pathname}`);
    let status = 200, body;
    if (pathname === '/v1/enrol') {
      const asked = JSON.parse(init.body);
      members.add(asked.public_key);
      if (lostAnswer) { status = 403; body = { error: 'bad_code', message: 'that code is unknown, used or expired' }; }
      else body = { alias: 'jo', key: answerKey ?? asked.public_key, member_key: asked.public_key, roles: ['carer'], node: 'Riverside', node_key: river.node_key };
    } else if (pathname === '/v1/me') {
      const key = init.headers['X-Cohours-Key'];
      if (members.has(key)) body = { alias: 'jo', key, member_key: key, roles: ['carer'], node: 'Riverside', node_key: river.node_key, balance_minutes: 0 };
      else { status = 401; body = { error: 'unauthorised', message: 'this key is not a member of this co-op' }; }
    }
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { calls, fetchImpl };
}

test('joining another co-op sends this phone\'s key to that node, not a new one', async () => {
  const node = otherNode();
  const api = new Api({ base: river.base, seed: () => seed, fetchImpl: node.fetchImpl });
  const answer = await joinWithKey(api, 'abcd-efgh-jklm', phoneKey);
  assert.equal(answer.key, phoneKey);
  assert.deepEqual(node.calls, ['POST https://riverside.example.org/v1/enrol']);
});

test('a lost answer at the other co-op: GET /v1/me there, signed with the same key, finishes joining', async () => {
  const node = otherNode({ lostAnswer: true });
  const api = new Api({ base: river.base, seed: () => seed, fetchImpl: node.fetchImpl });
  const answer = await joinWithKey(api, 'ABCD-EFGH-JKLM', phoneKey);
  assert.equal(answer.node_key, river.node_key);
  assert.deepEqual(node.calls, ['POST https://riverside.example.org/v1/enrol', 'GET https://riverside.example.org/v1/me']);
});

test('an answer about another key is not kept as a membership', async () => {
  const node = otherNode({ answerKey: 'ee'.repeat(32) });
  const api = new Api({ base: river.base, seed: () => seed, fetchImpl: node.fetchImpl });
  await assert.rejects(joinWithKey(api, 'ABCD-EFGH-JKLM', phoneKey), /another key/);
});

test('moving credits to oneself: a transfer.out for the co-op they leave, to this member there', () => {
  const fields = moveCreditsFields({ from: hill, to: river, minutes: 90, author: phoneKey, createdMs: 1795000000000, nonce: '5' });
  const signed = signEntry(fields, seed);
  const { fields: decoded } = decodeSigned(signed.signed);
  assert.equal(decoded.kind, 'transfer.out');
  assert.equal(decoded.node, hill.node_key);  // only Hilltop's log takes it
  assert.equal(decoded.author, phoneKey);
  assert.deepEqual(decoded.body, { to: phoneKey, to_node: river.node_key, minutes: 90, memo_digest: '00'.repeat(32) });
  assert.ok(verifyEntry(fromHex(signed.hex)));
  // The other way round is an entry for Riverside's log.
  const back = moveCreditsFields({ from: river, to: hill, minutes: 30, author: phoneKey, createdMs: 1, nonce: '6' });
  assert.equal(back.node, river.node_key);
  assert.equal(back.body.to_node, hill.node_key);
});

test('moving credits: two different co-ops and 1 minute to 24 hours, or a sentence', () => {
  const base = { author: phoneKey, createdMs: 1, nonce: '1' };
  assert.throws(() => moveCreditsFields({ ...base, from: hill, to: hill, minutes: 60 }), /two different co-ops/);
  assert.throws(() => moveCreditsFields({ ...base, from: hill, to: undefined, minutes: 60 }), /Choose the co-op/);
  assert.throws(() => moveCreditsFields({ ...base, from: hill, to: river, minutes: 0 }), /1 minute and 24 hours/);
  assert.throws(() => moveCreditsFields({ ...base, from: hill, to: river, minutes: 1441 }), /1 minute and 24 hours/);
  assert.throws(() => moveCreditsFields({ ...base, from: hill, to: river, minutes: 1.5 }), /1 minute and 24 hours/);
});
