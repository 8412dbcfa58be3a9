// Every vector of schemas/request-vectors.json (docs/api.md "Signed requests").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, toHex, publicKeyFromSeed, blake2b256 } from '../../src/codec.js';
import { signingText, signRequest } from '../../src/request.js';

const file = JSON.parse(readFileSync(new URL('../../../schemas/request-vectors.json', import.meta.url)));
const seed = fromHex(file.seed, 32);

test('the seed makes the vectors public key', () => {
  assert.equal(file.format, 'cohours-request-vectors');
  assert.equal(toHex(publicKeyFromSeed(seed)), file.public_key);
  assert.ok(file.vectors.length >= 4);
});

for (const v of file.vectors) {
  test(`${v.method} ${v.path}`, () => {
    const body = fromHex(v.body_hex);
    assert.equal(toHex(blake2b256(body)), v.body_digest, 'body digest');
    assert.equal(signingText(v.method, v.path, v.time, body), v.signing_bytes, 'signed text');
    const headers = signRequest(seed, v.method, v.path, v.time, body);
    assert.deepEqual(headers, {
      'X-Cohours-Key': file.public_key,
      'X-Cohours-Time': String(v.time),
      'X-Cohours-Signature': v.signature,
    });
    // A JSON body given as its text signs the same as its bytes.
    if (v.method === 'POST' && v.path === '/v1/entries') {
      const text = new TextDecoder().decode(body);
      assert.equal(signRequest(seed, v.method, v.path, v.time, text)['X-Cohours-Signature'], v.signature);
    }
  });
}

test('the method is upper-cased and a path must be a path', () => {
  const v = file.vectors[0];
  assert.equal(signingText('get', v.path, v.time, ''), v.signing_bytes);
  assert.throws(() => signingText('GET', 'v1/me', v.time, ''));
  assert.throws(() => signingText('GET', v.path, 1.5, ''));
});
