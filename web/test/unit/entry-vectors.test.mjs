// Every vector of schemas/entry-vectors.json (docs/data-format.md "Test
// vectors"): fields -> unsigned bytes, the signature from the seed, the
// signed bytes, the id; and the signed bytes decode back to the fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  KINDS, encodeUnsigned, signEntry, decodeSigned, verifyEntry, entryId, fromHex, toHex,
  publicKeyFromSeed, CodecError,
} from '../../src/codec.js';

const file = JSON.parse(readFileSync(new URL('../../../schemas/entry-vectors.json', import.meta.url)));

test('the file holds one vector of each kind the codec knows, in kind order', () => {
  assert.equal(file.format, 'cohours-entry-vectors');
  assert.equal(file.entry_format_version, 2);
  assert.equal(file.vectors.length, Object.keys(KINDS).length);
  assert.ok(file.vectors.some((v) => v.kind === 'hours.group'));
  assert.deepEqual(file.vectors.map((v) => v.kind), Object.keys(KINDS).sort((a, b) => KINDS[a][0] - KINDS[b][0]));
});

for (const v of file.vectors) {
  test(`${v.kind}: fields encode, sign and hash to the pinned bytes`, () => {
    const seed = fromHex(v.seed, 32);
    assert.equal(toHex(publicKeyFromSeed(seed)), v.fields.author, 'seed makes the author key');
    assert.equal(toHex(encodeUnsigned(v.fields)), v.unsigned, 'unsigned bytes');
    const s = signEntry(v.fields, seed);
    assert.equal(toHex(s.signature), v.signature, 'signature');
    assert.equal(s.hex, v.signed, 'signed bytes');
    assert.equal(s.id, v.id, 'id');
    assert.equal(entryId(fromHex(v.signed)), v.id);
  });

  test(`${v.kind}: signed bytes decode to the same fields and verify`, () => {
    const bytes = fromHex(v.signed);
    const { fields, signature } = decodeSigned(bytes);
    assert.deepEqual(fields, v.fields);
    assert.equal(signature, v.signature);
    assert.equal(verifyEntry(bytes), true);
    const tampered = bytes.slice();
    tampered[tampered.length - 65] ^= 1;
    assert.equal(verifyEntry(tampered), false, 'a changed byte does not verify');
  });
}

test('nonces past 2^53 keep every bit (BigInt, never a Number)', () => {
  const transfer = file.vectors.find((v) => v.kind === 'transfer');
  assert.equal(transfer.fields.nonce, '18446744073709551615');
  assert.equal(toHex(encodeUnsigned({ ...transfer.fields, nonce: 18446744073709551615n })), transfer.unsigned);
  const out = file.vectors.find((v) => v.kind === 'transfer.out');
  assert.equal(out.fields.nonce, '9007199254740993');
  // Through a Number the nonce would round to 2^53 and the bytes would differ.
  assert.notEqual(toHex(encodeUnsigned({ ...out.fields, nonce: '9007199254740992' })), out.unsigned);
});

test('the decoder is strict', () => {
  const v = file.vectors.find((x) => x.kind === 'hours.log');
  const bytes = fromHex(v.signed);
  const bad = (mutate, why) => {
    const b = mutate(bytes.slice());
    assert.throws(() => decodeSigned(b), CodecError, why);
  };
  bad((b) => { b[0] = 0; return b; }, 'endianness marker');
  bad((b) => { b[1] = 1; return b; }, 'version 1');
  bad((b) => { b[3] = 99; return b; }, 'unknown kind');
  bad((b) => b.subarray(0, b.length - 1), 'truncated');
  bad((b) => new Uint8Array([...b, 0]), 'trailing byte');
  // payer is the byte after the recipient: 116 + 32
  bad((b) => { b[148] = 7; return b; }, 'unknown payer');
});

test('the encoder refuses values out of range and unknown names', () => {
  const v = file.vectors.find((x) => x.kind === 'hours.log');
  const withBody = (body) => ({ ...v.fields, body: { ...v.fields.body, ...body } });
  assert.throws(() => encodeUnsigned(withBody({ payer: 'friend' })), CodecError);
  assert.throws(() => encodeUnsigned(withBody({ category: 'Befriending' })), CodecError);
  assert.throws(() => encodeUnsigned(withBody({ minutes: 1.5 })), CodecError);
  assert.throws(() => encodeUnsigned(withBody({ date_days: 2 ** 31 })), CodecError);
  assert.throws(() => encodeUnsigned(withBody({ recipient: 'AB'.repeat(32) })), CodecError);
  assert.throws(() => encodeUnsigned({ ...v.fields, nonce: '-1' }), CodecError);
  assert.throws(() => encodeUnsigned({ ...v.fields, nonce: (1n << 64n).toString() }), CodecError);
  assert.throws(() => encodeUnsigned({ ...v.fields, kind: 'hours.gift' }), CodecError);
  assert.throws(() => encodeUnsigned({ ...v.fields, version: 1 }), CodecError);
  assert.throws(() => signEntry(v.fields, fromHex('02'.repeat(32))), CodecError, 'author is not the signer');
});
