// Key backup: the member's 32-byte ed25519 seed in a file protected by a
// passphrase (docs/phone.md, "Key backup file"). WebCrypto only:
// PBKDF2-HMAC-SHA-256 (600,000 iterations, 16-byte random salt) derives a
// 256-bit AES-GCM key; AES-GCM (12-byte random IV, 128-bit tag) encrypts the
// seed, with the file's format name and public key as additional data, so a
// file whose key field was edited does not open either.
//
// {
//   "format": "cohours-key-backup-1",
//   "public_key": "<64 hex>", "alias": "erin",
//   "node": "Hilltop Care Co-op", "node_key": "<64 hex>",
//   "created": "2026-11-30T12:00:00.000Z",
//   "kdf": {"name": "PBKDF2", "hash": "SHA-256", "iterations": 600000, "salt": "<32 hex>"},
//   "cipher": {"name": "AES-GCM", "iv": "<24 hex>"},
//   "ciphertext": "<96 hex: 32 bytes of seed, 16 of tag>"
// }

import { fromHex, toHex, publicKeyFromSeed } from './codec.js';

export const BACKUP_FORMAT = 'cohours-key-backup-1';
export const ITERATIONS = 600000;
// Below this a file is refused: someone made it weaker than this app would.
const MIN_ITERATIONS = 100000;
const MAX_ITERATIONS = 10000000;
export const MIN_PASSPHRASE = 10;

const utf8 = new TextEncoder();

export class BackupError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new BackupError('no_crypto', 'This browser cannot make a protected backup (it needs a secure https page).');
  return s;
}

async function deriveKey(passphrase, salt, iterations) {
  const material = await subtle().importKey('raw', utf8.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

function additionalData(publicKey) {
  return utf8.encode(`${BACKUP_FORMAT}\n${publicKey}`);
}

export function passphraseProblem(passphrase, repeat) {
  if (passphrase.length < MIN_PASSPHRASE)
    return `Use at least ${MIN_PASSPHRASE} letters or numbers. A few words you will remember work well.`;
  if (repeat !== undefined && passphrase !== repeat) return 'The two passphrases are not the same. Type them again.';
  return '';
}

// Makes the backup file's JSON object. `identity`: { seed (hex), public_key,
// alias, node, node_key }.
export async function makeBackup(identity, passphrase, { iterations = ITERATIONS, random } = {}) {
  const problem = passphraseProblem(passphrase);
  if (problem) throw new BackupError('weak_passphrase', problem);
  const rand = random ?? ((b) => globalThis.crypto.getRandomValues(b));
  const seed = fromHex(identity.seed, 32);
  const publicKey = toHex(publicKeyFromSeed(seed));
  if (publicKey !== identity.public_key) throw new BackupError('bad_identity', 'The key on this phone does not match its public key.');
  const salt = rand(new Uint8Array(16));
  const iv = rand(new Uint8Array(12));
  const key = await deriveKey(passphrase, salt, iterations);
  const sealed = new Uint8Array(await subtle().encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(publicKey), tagLength: 128 }, key, seed));
  return {
    format: BACKUP_FORMAT,
    public_key: publicKey,
    alias: identity.alias ?? '',
    node: identity.node ?? '',
    node_key: identity.node_key ?? '',
    created: new Date().toISOString(),
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toHex(salt) },
    cipher: { name: 'AES-GCM', iv: toHex(iv) },
    ciphertext: toHex(sealed),
  };
}

// Opens a backup (its text or parsed object) with the passphrase. Returns {
// seed (hex), public_key, alias, node, node_key }. Throws BackupError with a
// message for people: 'not_backup', 'wrong_passphrase'.
export async function openBackup(fileOrText, passphrase) {
  let file = fileOrText;
  if (typeof file === 'string') {
    try { file = JSON.parse(file); } catch { file = null; }
  }
  const notBackup = () => new BackupError('not_backup', 'This file is not a cohours key backup. Choose the file the app saved when you made the backup.');
  if (!file || typeof file !== 'object' || file.format !== BACKUP_FORMAT) throw notBackup();
  const { kdf, cipher } = file;
  let salt, iv, sealed;
  try {
    if (kdf?.name !== 'PBKDF2' || kdf.hash !== 'SHA-256' || cipher?.name !== 'AES-GCM') throw notBackup();
    if (!Number.isInteger(kdf.iterations) || kdf.iterations < MIN_ITERATIONS || kdf.iterations > MAX_ITERATIONS) throw notBackup();
    salt = fromHex(kdf.salt);
    iv = fromHex(cipher.iv, 12);
    sealed = fromHex(file.ciphertext, 48);
    fromHex(file.public_key, 32);
  } catch (e) {
    throw e instanceof BackupError ? e : notBackup();
  }
  const key = await deriveKey(passphrase, salt, kdf.iterations);
  let seed;
  try {
    seed = new Uint8Array(await subtle().decrypt(
      { name: 'AES-GCM', iv, additionalData: additionalData(file.public_key), tagLength: 128 }, key, sealed));
  } catch {
    throw new BackupError('wrong_passphrase', 'That passphrase does not open this backup. Check it (capital letters count) and try again.');
  }
  if (toHex(publicKeyFromSeed(seed)) !== file.public_key) throw notBackup();
  return { seed: toHex(seed), public_key: file.public_key, alias: file.alias ?? '', node: file.node ?? '', node_key: file.node_key ?? '' };
}
