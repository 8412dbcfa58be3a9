// The key backup file (docs/phone.md "Key backup file"): it opens with the
// right passphrase only, says so plainly otherwise, and a file whose key or
// format was edited does not open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBackup, openBackup, passphraseProblem, BackupError, BACKUP_FORMAT, ITERATIONS } from '../../src/backup.js';
import { toHex, publicKeyFromSeed } from '../../src/codec.js';

const seed = '2a'.repeat(32);
const identity = { seed, public_key: toHex(publicKeyFromSeed(new Uint8Array(32).fill(0x2a))), alias: 'erin', node: 'Hilltop Care Co-op', node_key: 'ed'.repeat(32) };
// Fewer iterations keep the tests quick; the app uses ITERATIONS.
const fast = { iterations: 100000 };

test('a backup opens with its passphrase and gives back the same key', async () => {
  const file = await makeBackup(identity, 'correct horse battery', fast);
  assert.equal(file.format, BACKUP_FORMAT);
  assert.equal(file.kdf.name, 'PBKDF2');
  assert.equal(file.kdf.hash, 'SHA-256');
  assert.equal(file.cipher.name, 'AES-GCM');
  assert.equal(file.kdf.salt.length, 32);
  assert.equal(file.cipher.iv.length, 24);
  assert.equal(file.ciphertext.length, 96);
  assert.ok(!JSON.stringify(file).includes(seed), 'the seed is not in the file in the clear');
  const opened = await openBackup(JSON.stringify(file), 'correct horse battery');
  assert.deepEqual(opened, { seed, public_key: identity.public_key, alias: 'erin', node: 'Hilltop Care Co-op', node_key: identity.node_key });
});

test('the app makes files with 600,000 iterations', async () => {
  assert.equal(ITERATIONS, 600000);
  const file = await makeBackup(identity, 'a long enough passphrase');
  assert.equal(file.kdf.iterations, 600000);
});

test('a wrong passphrase gets a clear message', async () => {
  const file = await makeBackup(identity, 'correct horse battery', fast);
  await assert.rejects(openBackup(file, 'correct horse batterY'), (e) => {
    assert.ok(e instanceof BackupError);
    assert.equal(e.code, 'wrong_passphrase');
    assert.match(e.message, /passphrase does not open this backup/);
    return true;
  });
});

test('an edited key field or a file of something else does not open', async () => {
  const file = await makeBackup(identity, 'correct horse battery', fast);
  const swapped = { ...file, public_key: 'ab'.repeat(32) };
  await assert.rejects(openBackup(swapped, 'correct horse battery'), /passphrase does not open/);
  await assert.rejects(openBackup('{"hello": 1}', 'x'), (e) => e.code === 'not_backup');
  await assert.rejects(openBackup('not json at all', 'x'), (e) => e.code === 'not_backup');
  await assert.rejects(openBackup({ ...file, kdf: { ...file.kdf, iterations: 10 } }, 'correct horse battery'), (e) => e.code === 'not_backup');
});

test('passphrases: at least 10 characters, typed the same twice', () => {
  assert.match(passphraseProblem('short'), /at least 10/);
  assert.match(passphraseProblem('long enough one', 'long enough two'), /not the same/);
  assert.equal(passphraseProblem('long enough one', 'long enough one'), '');
  return assert.rejects(makeBackup(identity, 'short'), (e) => e.code === 'weak_passphrase');
});
