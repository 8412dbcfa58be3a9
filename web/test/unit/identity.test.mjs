// Who the phone is: the member's own key after a rekey, and joining when
// the first enrol answer was lost (the code is spent, the retry gets
// bad_code, GET /v1/me with the joining key finds the membership).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Api, ApiError } from '../../src/api.js';
import { identityFrom, memberKeyOf, othersThan, enrolOrRecover } from '../../src/identity.js';
import { TransportError } from '../../src/outbox.js';
import { toHex, publicKeyFromSeed } from '../../src/codec.js';

const phoneKey = 'aa'.repeat(32);
const memberKey = 'bb'.repeat(32);
const members = [
  { alias: 'erin', key: memberKey, roles: ['volunteer'] },
  { alias: 'carol', key: 'cc'.repeat(32), roles: ['carer'] },
];

test('after a rekey the member is found by member_key, not by the phone key', () => {
  const identity = identityFrom('11'.repeat(32), phoneKey,
    { alias: 'erin', key: phoneKey, member_key: memberKey, roles: ['volunteer'], node: 'n', node_key: '00'.repeat(32) });
  assert.equal(identity.member_key, memberKey);
  assert.equal(memberKeyOf(identity), memberKey);
  assert.deepEqual(othersThan(members, identity).map((m) => m.alias), ['carol']);
});

test('an identity kept before member_key was stored falls back to the phone key', () => {
  const old = { seed: '11'.repeat(32), public_key: memberKey, alias: 'erin' };
  assert.deepEqual(othersThan(members, old).map((m) => m.alias), ['carol']);
  assert.deepEqual(othersThan(undefined, old), []);
  assert.equal(identityFrom('11', phoneKey, { alias: 'x' }).member_key, phoneKey);
});

// A node whose first enrol answer was lost: the code is spent, so the retry
// gets 403 bad_code, as app/src/invitations.cpp answers.
function nodeAfterLostAnswer(joinedKey) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    const path = new URL(url, 'http://node').pathname;
    calls.push(path);
    let status = 200, body;
    if (path === '/v1/enrol') {
      status = 403; body = { error: 'bad_code', message: 'that code is unknown, used or expired' };
    } else if (path === '/v1/me') {
      if (init.headers['X-Cohours-Key'] === joinedKey) {
        body = { alias: 'erin', key: joinedKey, member_key: joinedKey, roles: ['volunteer'], node: 'Hilltop', node_key: '00'.repeat(32), currency: 'GBP' };
      } else {
        status = 401; body = { error: 'unauthorised', message: 'this key is not a member of this co-op' };
      }
    }
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { calls, fetchImpl };
}

test('a lost enrol answer: bad_code on the retry, then GET /v1/me with the joining key finishes joining', async () => {
  const seed = new Uint8Array(32).fill(7);
  const publicKey = toHex(publicKeyFromSeed(seed));
  const { calls, fetchImpl } = nodeAfterLostAnswer(publicKey);
  const api = new Api({ seed: () => seed, fetchImpl });
  const answer = await enrolOrRecover({ enrol: () => api.enrol('ABCD-EFGH-JKLM', publicKey), me: () => api.me() });
  assert.deepEqual(calls, ['/v1/enrol', '/v1/me']);
  assert.equal(answer.alias, 'erin');
  assert.equal(identityFrom(toHex(seed), publicKey, answer).member_key, publicKey);
});

test('a code that really does not work: the enrol error stands, not the 401 of GET /v1/me', async () => {
  const seed = new Uint8Array(32).fill(7);
  const { calls, fetchImpl } = nodeAfterLostAnswer('dd'.repeat(32));
  const api = new Api({ seed: () => seed, fetchImpl });
  await assert.rejects(
    enrolOrRecover({ enrol: () => api.enrol('WXYZ-WXYZ-WXYZ', toHex(publicKeyFromSeed(seed))), me: () => api.me() }),
    (e) => e instanceof ApiError && e.status === 403 && e.error === 'bad_code');
  // GET /v1/me is signed again once at a later second (a 401 may be a replay).
  assert.deepEqual(calls, ['/v1/enrol', '/v1/me', '/v1/me']);
});

test('a 409 already_exists, or no connection: GET /v1/me decides too', async () => {
  const joined = { alias: 'erin', key: phoneKey, member_key: phoneKey };
  const conflict = new ApiError(409, { error: 'already_exists', message: 'already a member' });
  assert.equal(await enrolOrRecover({ enrol: async () => { throw conflict; }, me: async () => joined }), joined);
  const offline = new TransportError('No connection to the co-op right now.', { offline: true });
  await assert.rejects(enrolOrRecover({ enrol: async () => { throw offline; }, me: async () => { throw offline; } }),
    (e) => e === offline);
  // A successful enrol asks nothing more.
  let asked = false;
  assert.equal(await enrolOrRecover({ enrol: async () => joined, me: async () => { asked = true; } }), joined);
  assert.equal(asked, false);
});
