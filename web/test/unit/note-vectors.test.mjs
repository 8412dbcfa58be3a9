// Private-note digests as the node computes them (schemas/note-vectors.json,
// written by tests/engine/make_note_vectors.cpp from note_digest in
// engine/include/cohours/directory.h): BLAKE2b-256 of the UTF-8 text, keyed
// with the phone's 32-byte salt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { noteDigest, newSalt, fromHex, toHex } from '../../src/codec.js';

const file = JSON.parse(readFileSync(new URL('../../../schemas/note-vectors.json', import.meta.url)));

test('the file holds the pinned note vectors', () => {
  assert.equal(file.format, 'cohours-note-vectors');
  assert.ok(file.vectors.length >= 5);
});

for (const v of file.vectors) {
  test(`note ${JSON.stringify(v.text.slice(0, 30))}${v.text.length > 30 ? '…' : ''} under salt ${v.salt.slice(0, 8)}…`, () => {
    assert.equal(toHex(new TextEncoder().encode(v.text)), v.text_hex, 'UTF-8 bytes');
    assert.equal(noteDigest(fromHex(v.salt, 32), v.text), v.digest);
  });
}

test('the same words under another salt give another digest', () => {
  const thanks = file.vectors.filter((v) => v.text === 'thank you');
  assert.equal(thanks.length, 2);
  assert.notEqual(thanks[0].digest, thanks[1].digest);
});

test('a fresh salt is 32 random bytes and never all zero', () => {
  let calls = 0;
  const salt = newSalt((b) => { calls += 1; if (calls > 1) b.fill(7); return b; });
  assert.equal(calls, 2, 'an all-zero draw is drawn again');
  assert.equal(toHex(salt), '07'.repeat(32));
  assert.notEqual(toHex(newSalt()), toHex(newSalt()));
});
