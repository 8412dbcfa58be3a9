// The outbox against a fake node: entries wait while there is no network,
// go when it returns, a lost answer is retried with the same bytes (the node
// answers `duplicate`, never a second entry), a refusal is final and shown
// with the node's reason, receipts go up before their claim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox, TransportError, memoryStorage, backoffMs, WAITING, SENT, REFUSED, QUESTION } from '../../src/outbox.js';

// A node that keeps entries by their bytes; `down` makes every call fail as
// a phone with no signal does; `loseNextAnswer` stores but loses the answer.
function fakeNode() {
  const node = {
    down: false, loseNextAnswer: false, stored: new Map(), refuse: new Set(), calls: 0, receipts: new Map(), badRequest: new Set(),
    alike: new Set(),
    async postEntries({ entries, notes, again = [] }) {
      node.calls += 1;
      if (node.down) throw new TransportError('No connection to the co-op right now.');
      if (entries.some((h) => node.badRequest.has(h))) throw Object.assign(new Error('notes: bad salt'), { status: 400, error: 'bad_request' });
      node.lastNotes = notes;
      const results = entries.map((hex) => {
        const id = 'id-' + hex;
        if (node.refuse.has(hex)) return { status: 'refused', id, error: 'floor_breached', message: 'carol would go below their floor of -10h 00m' };
        // Like the node: a question, not remembered, until `again` names the id.
        if (node.alike.has(hex) && !node.stored.has(hex) && !again.includes(id))
          return { status: 'refused', id, error: 'possible_duplicate', message: 'possible duplicate: alice logged 1h of shopping for bob on 2026-11-20 (pending)' };
        if (node.stored.has(hex)) return { status: 'duplicate', id, seq: node.stored.get(hex) };
        node.stored.set(hex, node.stored.size + 1);
        return { status: 'stored', id, seq: node.stored.size };
      });
      if (node.loseNextAnswer) { node.loseNextAnswer = false; throw new TransportError('the answer was lost'); }
      return { results };
    },
    async postReceipt(blob, type) {
      if (node.down) throw new TransportError('No connection to the co-op right now.');
      const digest = 'digest-of-' + blob;
      node.receipts.set(digest, type);
      return { digest };
    },
  };
  return node;
}

function setup() {
  let now = 1000;
  const node = fakeNode();
  const storage = memoryStorage();
  const outbox = new Outbox({ storage, transport: node, now: () => now, random: () => 0 });
  return { node, storage, outbox, tick: (ms) => { now += ms; } };
}

const item = (hex, extra = {}) => ({ id: 'id-' + hex, hex, summary: `entry ${hex}`, kind: 'hours.log', ...extra });

test('an entry waits with no network and is sent when the network returns', async () => {
  const { node, outbox, tick } = setup();
  node.down = true;
  await outbox.add(item('aa', { notes: [{ salt: '01', text: 'tea' }] }));
  const first = await outbox.flush();
  assert.equal(first.waiting, 1);
  assert.match(first.problem, /No connection/);
  assert.equal((await outbox.get('id-aa')).state, WAITING);
  assert.ok(outbox.nextAttemptAt > 1000, 'a retry is scheduled');
  node.down = false;
  tick(5000);
  const second = await outbox.flush();
  assert.deepEqual([second.sent, second.waiting], [1, 0]);
  const sent = await outbox.get('id-aa');
  assert.equal(sent.state, SENT);
  assert.equal(sent.seq, 1);
  assert.deepEqual(node.lastNotes, [{ salt: '01', text: 'tea' }], 'the note travels beside its entry');
});

test('a lost answer is retried with the same bytes: the node answers duplicate, one entry only', async () => {
  const { node, outbox } = setup();
  await outbox.add(item('bb'));
  node.loseNextAnswer = true;
  const lost = await outbox.flush();
  assert.equal(lost.waiting, 1);
  assert.equal(node.stored.size, 1, 'the node has it already');
  const again = await outbox.flush();
  assert.equal(again.sent, 1);
  assert.equal(node.stored.size, 1, 'still one entry');
  assert.equal((await outbox.get('id-bb')).seq, 1);
});

test('adding the same signed entry twice (a double tap) keeps one item', async () => {
  const { node, outbox } = setup();
  await outbox.add(item('cc'));
  await outbox.add(item('cc'));
  assert.equal((await outbox.items()).length, 1);
  await outbox.flush();
  assert.equal(node.stored.size, 1);
});

test('a refusal is final, keeps the node\'s reason, and is not sent again', async () => {
  const { node, outbox } = setup();
  node.refuse.add('dd');
  await outbox.add(item('dd'));
  await outbox.add(item('ee'));
  const report = await outbox.flush();
  assert.deepEqual([report.sent, report.refused, report.waiting], [1, 1, 0]);
  const refused = await outbox.get('id-dd');
  assert.equal(refused.state, REFUSED);
  assert.equal(refused.error, 'floor_breached');
  assert.match(refused.message, /floor/);
  const calls = node.calls;
  await outbox.flush();
  assert.equal(node.calls, calls, 'nothing left to send');
});

test('hours like some already logged wait for the member\'s answer: more help goes again, the same help is dropped', async () => {
  const { node, outbox } = setup();
  node.alike.add('a1');
  node.alike.add('a2');
  await outbox.add(item('a1'));
  await outbox.add(item('a2'));
  await outbox.add(item('a3'));
  const report = await outbox.flush();
  assert.deepEqual([report.sent, report.refused, report.waiting], [1, 0, 0]);
  const asked = await outbox.get('id-a1');
  assert.equal(asked.state, QUESTION);
  assert.match(asked.message, /possible duplicate/);
  const calls = node.calls;
  await outbox.flush();
  assert.equal(node.calls, calls, 'a question is not sent again until it is answered');

  await outbox.answer('id-a1', true);
  await outbox.answer('id-a2', false);
  assert.equal((await outbox.get('id-a1')).state, WAITING);
  const dropped = await outbox.get('id-a2');
  assert.equal(dropped.state, REFUSED);
  assert.equal(dropped.error, 'dropped');
  const second = await outbox.flush();
  assert.equal(second.sent, 1);
  assert.equal((await outbox.get('id-a1')).state, SENT);
  assert.ok(node.stored.has('a1'));
  assert.ok(!node.stored.has('a2'), 'the same help is never sent');
});

test('a request the node will never take is narrowed down to the entry at fault', async () => {
  const { node, outbox } = setup();
  node.badRequest.add('f1');
  await outbox.add(item('f0'));
  await outbox.add(item('f1'));
  await outbox.add(item('f2'));
  const report = await outbox.flush();
  assert.deepEqual([report.sent, report.refused], [2, 1]);
  assert.equal((await outbox.get('id-f1')).state, REFUSED);
  assert.match((await outbox.get('id-f1')).message, /salt/);
});

test('entries go oldest first, at most 100 to a request', async () => {
  const { node, outbox, tick } = setup();
  for (let i = 0; i < 150; i++) { await outbox.add(item('x' + String(i).padStart(3, '0'))); tick(1); }
  const sizes = [];
  const post = node.postEntries;
  node.postEntries = async (body) => { sizes.push(body.entries.length); return post(body); };
  await outbox.flush();
  assert.deepEqual(sizes, [100, 50]);
  assert.equal(node.stored.get('x000'), 1);
  assert.equal(node.stored.get('x149'), 150);
});

test('a receipt goes up before its claim, and is not sent twice', async () => {
  const { node, outbox } = setup();
  await outbox.add(item('claim', { kind: 'expense.claim', receipt: { blob: 'photo', type: 'image/png', digest: 'digest-of-photo' } }));
  node.loseNextAnswer = true;
  await outbox.flush();
  assert.equal(node.receipts.get('digest-of-photo'), 'image/png');
  let uploads = 0;
  const up = node.postReceipt;
  node.postReceipt = async (...a) => { uploads += 1; return up(...a); };
  await outbox.flush();
  assert.equal(uploads, 0, 'already uploaded');
  const sent = await outbox.get('id-claim');
  assert.equal(sent.state, SENT);
  assert.equal(sent.receipt.blob, null, 'the photo is dropped from the phone once the claim is in');
});

test('a receipt that arrives damaged is sent again before the claim goes', async () => {
  const { node, outbox } = setup();
  await outbox.add(item('claim2', { kind: 'expense.claim', receipt: { blob: 'photo', type: 'image/png', digest: 'something-else' } }));
  const report = await outbox.flush();
  assert.equal(report.waiting, 1);
  assert.match(report.problem, /receipt/);
  assert.equal(node.stored.size, 0, 'the claim waits for its receipt');
});

test('backoff doubles from 2 seconds up to 5 minutes', () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffMs(n, () => 0)), [2000, 4000, 8000, 16000]);
  assert.equal(backoffMs(20, () => 0), 300000);
  assert.equal(backoffMs(1, () => 1), 2400, 'up to a fifth more at random');
});

test('one flush at a time: a second call waits for the first', async () => {
  const { node, outbox } = setup();
  await outbox.add(item('gg'));
  const [a, b] = await Promise.all([outbox.flush(), outbox.flush()]);
  assert.equal(a, b);
  assert.equal(node.calls, 1);
});

test('settled items older than a week are pruned, waiting ones never', async () => {
  const { node, outbox, tick } = setup();
  await outbox.add(item('old'));
  await outbox.flush();
  node.down = true;
  await outbox.add(item('new'));
  tick(8 * 86400000);
  await outbox.prune(7 * 86400000);
  assert.deepEqual((await outbox.items()).map((i) => i.id), ['id-new']);
});

test('long notes make smaller requests (1 MiB of JSON at most)', async () => {
  const { node, outbox, tick } = setup();
  const note = [{ salt: '01'.repeat(32), text: 'x'.repeat(4000) }, { salt: '02'.repeat(32), text: 'y'.repeat(4000) }, { salt: '03'.repeat(32), text: 'z'.repeat(4000) }];
  for (let i = 0; i < 100; i++) { await outbox.add(item('n' + String(i).padStart(3, '0'), { notes: note })); tick(1); }
  const sizes = [];
  const post = node.postEntries;
  node.postEntries = async (body) => { sizes.push(JSON.stringify(body).length); return post(body); };
  const report = await outbox.flush();
  assert.equal(report.sent, 100);
  assert.ok(sizes.length > 1 && sizes.every((n) => n < 1024 * 1024), sizes.join(', '));
});

test('a request refused as unauthorised keeps its entries waiting', async () => {
  const { node, outbox } = setup();
  node.postEntries = async () => { throw Object.assign(new Error('the time is more than 120 seconds from the node\'s clock'), { status: 401, error: 'unauthorised' }); };
  await outbox.add(item('u1'));
  await outbox.add(item('u2'));
  const report = await outbox.flush();
  assert.deepEqual([report.refused, report.waiting], [0, 2]);
  assert.match(report.problem, /120 seconds/);
});

test('a node without receipts keeps the claim waiting with a reason; a refused photo refuses its claim', async () => {
  const { node, outbox } = setup();
  node.postReceipt = async () => { throw Object.assign(new Error('no such path: /v1/receipts'), { status: 404, error: 'not_found' }); };
  await outbox.add(item('r1', { kind: 'expense.claim', receipt: { blob: 'photo', type: 'image/png', digest: 'digest-of-photo' } }));
  await outbox.add(item('r2'));
  const first = await outbox.flush();
  assert.deepEqual([first.waiting, node.stored.size], [2, 0]);
  assert.match(first.problem, /did not take the receipt photo \(no such path/);
  assert.ok(outbox.nextAttemptAt > 1000, 'with backoff');
  node.postReceipt = async () => { throw Object.assign(new Error('a receipt is a JPEG, PNG, WebP or PDF file'), { status: 400, error: 'bad_request' }); };
  const second = await outbox.flush();
  assert.deepEqual([second.refused, second.sent, second.waiting], [1, 1, 0]);
  assert.match((await outbox.get('id-r1')).message, /The receipt photo was not accepted: a receipt is a JPEG/);
  assert.equal(node.stored.has('r1'), false, 'the claim was not sent without its photo');
});

test('a photo refused for the member\'s 20 unclaimed receipts (409) waits; the other claims still go', async () => {
  const { node, outbox } = setup();
  const up = node.postReceipt;
  node.postReceipt = async (blob, type) => {
    if (blob === 'third') throw Object.assign(new Error('you have sent 20 receipts that no claim names yet; send the claims for them before sending another'), { status: 409, error: 'limit_reached' });
    return up(blob, type);
  };
  await outbox.add(item('l1', { kind: 'expense.claim', receipt: { blob: 'first', type: 'image/png', digest: 'digest-of-first' } }));
  await outbox.add(item('l2', { kind: 'expense.claim', receipt: { blob: 'third', type: 'image/png', digest: 'digest-of-third' } }));
  const first = await outbox.flush();
  assert.deepEqual([first.sent, first.waiting, first.refused], [1, 1, 0]);
  assert.match(first.problem, /too many receipt photos/);
  assert.equal((await outbox.get('id-l2')).state, WAITING);
  assert.equal(node.stored.has('l2'), false, 'the claim was not sent without its photo');
  node.postReceipt = up;
  const second = await outbox.flush();
  assert.deepEqual([second.sent, second.waiting], [1, 0]);
});

test('a photo that is not a photo or PDF (415) refuses its claim with the node\'s words', async () => {
  const { node, outbox } = setup();
  node.postReceipt = async () => {
    throw Object.assign(new Error('a receipt is sent as image/jpeg, image/png, image/webp or application/pdf, not image/heic'),
      { status: 415, error: 'unsupported_media_type' });
  };
  await outbox.add(item('h1', { kind: 'expense.claim', receipt: { blob: 'photo', type: 'image/heic', digest: 'digest-of-photo' } }));
  const report = await outbox.flush();
  assert.deepEqual([report.refused, report.waiting, node.stored.size], [1, 0, 0]);
  const refused = await outbox.get('id-h1');
  assert.equal(refused.error, 'unsupported_media_type');
  assert.match(refused.message, /The receipt photo was not accepted: a receipt is sent as image\/jpeg/);
});

test('a claim the node refuses for want of its photo (not_found) sends the photo again, once', async () => {
  const { node, outbox } = setup();
  // The node lost the photo after it was sent: it refuses the claim, without remembering.
  const post = node.postEntries;
  node.postEntries = async (request) => {
    if (!node.receipts.has('digest-of-photo')) {
      return { results: request.entries.map((hex) => ({ status: 'refused', id: 'id-' + hex, error: 'not_found', message: 'the receipt digest-o... this claim names is not kept here: send the receipt before its claim' })) };
    }
    return post(request);
  };
  await outbox.add(item('c1', { kind: 'expense.claim', receipt: { blob: 'photo', type: 'image/png', digest: 'digest-of-photo' } }));
  const up = node.postReceipt;
  let uploads = 0;
  node.postReceipt = async (...a) => { uploads += 1; const answer = await up(...a); if (uploads === 1) node.receipts.clear(); return answer; };
  const first = await outbox.flush();
  assert.deepEqual([first.sent, first.refused, first.waiting], [0, 0, 1], 'still waiting, not refused');
  const second = await outbox.flush();
  assert.deepEqual([second.sent, uploads], [1, 2], 'the photo went again, then the same claim');
  assert.equal((await outbox.get('id-c1')).state, SENT);
  // A second time the node lacks it, the refusal stands.
  await outbox.add(item('c2', { kind: 'expense.claim', receipt: { blob: 'photo', type: 'image/png', digest: 'digest-of-photo' } }));
  node.postReceipt = async (...a) => { uploads += 1; const answer = await up(...a); node.receipts.clear(); return answer; };
  await outbox.flush();
  const last = await outbox.flush();
  assert.equal(last.refused, 1);
  const refused = await outbox.get('id-c2');
  assert.deepEqual([refused.state, refused.error], [REFUSED, 'not_found']);
  assert.equal(refused.receipt.blob, null);
});

test('an unexpected failure is retried with backoff, not thrown', async () => {
  const { node, outbox } = setup();
  node.postEntries = async () => { throw new SyntaxError('Unexpected token'); };
  await outbox.add(item('z1'));
  const report = await outbox.flush();
  assert.equal(report.waiting, 1);
  assert.match(report.problem, /Unexpected token/);
  assert.ok(outbox.nextAttemptAt > 1000);
});
