// Canonical bytes of cohours entries, format version 2 (docs/data-format.md,
// "Encoding rules" and "Entry"): cereal's portable binary in little-endian
// mode. One table (KINDS) describes every kind's body; it drives both the
// encoder and the strict decoder, as engine/src/entry_codec.cpp does.
//
// Fields use the shape of schemas/entry-vectors.json: keys and hashes as 64
// lower-case hex digits (zeros for none), nonce as a decimal string (or a
// BigInt), created_ms and i64 amounts as numbers or BigInts, enums by name.
// Every u64 and i64 is written through BigInt, so a nonce of 2^64 - 1 keeps
// every bit.

import { blake2b } from '@noble/hashes/blake2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import * as ed from '@noble/ed25519';

ed.hashes.sha512 = sha512;

export const ENTRY_FORMAT_VERSION = 2;
export const MAX_ENTRY_BYTES = 4096;
export const ZERO_KEY = '0'.repeat(64);

// Enums, in value order from 1 (payer starts at 0).
export const PAYERS = ['recipient', 'pool'];
export const EXPENSE_CATEGORIES = ['travel', 'childcare', 'meals', 'uniform', 'other'];
export const POLICY_TARGETS = ['role_floor', 'pool_floor', 'max_entry_minutes', 'categories',
  'pool_floor_none', 'expense_claim_limit', 'expense_month_limit', 'mileage_rate', 'vetted_categories'];
export const VETTING_KINDS = ['dbs-basic', 'dbs-standard', 'dbs-enhanced', 'dbs-enhanced-barred', 'pvg',
  'access-ni', 'other'];
export const ROLES = { volunteer: 1, carer: 2, 'service-user': 4, staff: 8, coordinator: 16,
  admin: 32, auditor: 64 };

const HOURS_BODY = [
  ['recipient', 'key'], ['payer', 'payer'], ['minutes', 'i64'], ['category', 'str8'],
  ['date_days', 'i32'], ['note_digest', 'key'],
];

// kind name -> [value, body fields in wire order]. 'key' covers every 32-byte
// key or hash; 'signature' is 64 bytes.
export const KINDS = {
  'member.join': [1, [['member', 'key'], ['roles', 'u32'], ['home_node', 'key']]],
  'member.role': [2, [['member', 'key'], ['roles', 'u32']]],
  'policy.set': [3, [['settings', 'settings']]],
  'hours.log': [4, HOURS_BODY],
  'hours.confirm': [5, [['target', 'key']]],
  'hours.void': [6, [['target', 'key'], ['reason_digest', 'key']]],
  transfer: [7, [['to', 'key'], ['minutes', 'i64'], ['memo_digest', 'key']]],
  'respite.request': [8, [['minutes', 'i64'], ['date_days', 'i32'], ['note_digest', 'key']]],
  'respite.offer': [9, [['request', 'key']]],
  'respite.cancel': [10, [['request', 'key']]],
  reversal: [11, [['target', 'key'], ['reason_digest', 'key']]],
  'expense.claim': [12, [['pence', 'i64'], ['currency', 'currency'], ['category', 'expense_category'],
    ['date_days', 'i32'], ['miles', 'u32'], ['hours', 'key'], ['receipt_digest', 'key'],
    ['note_digest', 'key']]],
  'expense.approve': [13, [['claim', 'key'], ['reason_digest', 'key']]],
  'expense.reject': [14, [['claim', 'key'], ['reason_digest', 'key']]],
  'expense.paid': [15, [['claim', 'key'], ['date_days', 'i32'], ['reference_digest', 'key']]],
  'transfer.out': [16, [['to', 'key'], ['to_node', 'key'], ['minutes', 'i64'], ['memo_digest', 'key']]],
  'transfer.in': [17, [['from_node', 'key'], ['origin', 'key'], ['to', 'key'], ['minutes', 'i64']]],
  'hours.log.remote': [18, [['provider', 'key'], ['provider_node', 'key'], ['hours', 'hours']]],
  'member.rekey': [19, [['member', 'key'], ['new_key', 'key']]],
  // Only a node makes these (`cohours node rotate-key`); a phone reads them.
  'node.rotate': [20, [['new_key', 'key'], ['proof', 'signature']]],
  // Signed by an admin or coordinator (`cohours vetting`); a phone reads them.
  'vetting.record': [21, [['volunteer', 'key'], ['kind', 'vetting_kind'], ['issued_days', 'i32'],
    ['expires_days', 'i32'], ['certificate_digest', 'key']]],
  'vetting.withdraw': [22, [['record', 'key'], ['reason_digest', 'key']]],
  // A group session (docs/decisions.md "Group sessions"): volunteers with
  // their minutes, the members helped; one entry, a leg per pair.
  'hours.group': [23, [['providers', 'group_providers'], ['recipients', 'keys32'], ['payer', 'payer'],
    ['category', 'str8'], ['date_days', 'i32'], ['note_digest', 'key']]],
  // Signed by an admin bringing a time bank over (`cohours member import-timeoverflow`).
  'balance.open': [24, [['member', 'key'], ['minutes', 'i64'], ['source_digest', 'key'], ['source_row', 'u32']]],
  // Trade limits between co-ops (docs/decisions.md): set by an admin, and
  // recorded by the node from the other co-op's log; a phone reads them.
  'clearing.limit': [25, [['peer', 'key'], ['limited', 'u8'], ['floor_minutes', 'i64']]],
  'clearing.limit.peer': [26, [['peer', 'key'], ['origin', 'key'], ['origin_seq', 'u64'], ['limited', 'u8'],
    ['floor_minutes', 'i64']]],
};
const KIND_BY_VALUE = Object.fromEntries(Object.entries(KINDS).map(([name, [value]]) => [value, name]));

const SETTING = [['target', 'policy_target'], ['subject', 'u32'], ['amount', 'i64'],
  ['categories', 'categories']];
const GROUP_PROVIDER = [['provider', 'key'], ['minutes', 'i64']];
// Volunteers and members helped at one group session, each at most this many.
export const MAX_GROUP_PEOPLE = 32;

const CATEGORY_RE = /^[a-z0-9-]{1,32}$/;
const HEX_RE = /^[0-9a-f]*$/;
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

export class CodecError extends Error {}

// ---- hex ----

export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex, length) {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !HEX_RE.test(hex))
    throw new CodecError(`not lower-case hex: ${String(hex).slice(0, 20)}`);
  if (length !== undefined && hex.length !== length * 2)
    throw new CodecError(`expected ${length} bytes of hex, got ${hex.length / 2}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

// ---- integers ----

function toBig(value, name) {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return BigInt(value);
  throw new CodecError(`${name}: not a whole number: ${value}`);
}

function intRange(value, name, min, max) {
  const v = toBig(value, name);
  if (v < min || v > max) throw new CodecError(`${name}: ${v} is out of range`);
  return v;
}

class Writer {
  constructor() { this.parts = []; this.size = 0; }
  raw(bytes) { this.parts.push(bytes); this.size += bytes.length; }
  fixed(value, width, signed, name) {
    const bits = BigInt(width * 8);
    const min = signed ? -(1n << (bits - 1n)) : 0n;
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    let v = intRange(value, name, min, max);
    if (v < 0n) v += 1n << bits;
    const out = new Uint8Array(width);
    for (let i = 0; i < width; i++) { out[i] = Number(v & 0xffn); v >>= 8n; }
    this.raw(out);
  }
  bytes() { return concatBytes(...this.parts); }
}

class Reader {
  constructor(bytes) { this.bytes = bytes; this.at = 0; }
  take(n, name) {
    if (this.at + n > this.bytes.length) throw new CodecError(`truncated at ${name}`);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  fixed(width, signed, name) {
    const b = this.take(width, name);
    let v = 0n;
    for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (signed && v >= 1n << BigInt(width * 8 - 1)) v -= 1n << BigInt(width * 8);
    return v;
  }
}

// A BigInt back to a number where it fits exactly (the vectors' integers).
function plain(v) {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function enumIndex(list, value, name, base) {
  const i = list.indexOf(value);
  if (i < 0) throw new CodecError(`${name}: '${value}' is not one of ${list.join(', ')}`);
  return i + base;
}

// ---- field types ----

const TYPES = {
  key: {
    write(w, v, name) { w.raw(fromHex(v, 32)); },
    read(r, name) { return toHex(r.take(32, name)); },
  },
  signature: {
    write(w, v, name) { w.raw(fromHex(v, 64)); },
    read(r, name) { return toHex(r.take(64, name)); },
  },
  u8: { write(w, v, n) { w.fixed(v, 1, false, n); }, read(r, n) { return plain(r.fixed(1, false, n)); } },
  u32: { write(w, v, n) { w.fixed(v, 4, false, n); }, read(r, n) { return plain(r.fixed(4, false, n)); } },
  i32: { write(w, v, n) { w.fixed(v, 4, true, n); }, read(r, n) { return plain(r.fixed(4, true, n)); } },
  i64: { write(w, v, n) { w.fixed(v, 8, true, n); }, read(r, n) { return plain(r.fixed(8, true, n)); } },
  u64: { write(w, v, n) { w.fixed(v, 8, false, n); }, read(r, n) { return r.fixed(8, false, n).toString(); } },
  str8: {
    write(w, v, name) {
      if (typeof v !== 'string' || !CATEGORY_RE.test(v))
        throw new CodecError(`${name}: a category is 1-32 of a-z, 0-9 and '-', got '${v}'`);
      const b = utf8.encode(v);
      w.fixed(b.length, 1, false, name);
      w.raw(b);
    },
    read(r, name) {
      const n = Number(r.fixed(1, false, name));
      const s = utf8Strict.decode(r.take(n, name));
      if (!CATEGORY_RE.test(s)) throw new CodecError(`${name}: bad category '${s}'`);
      return s;
    },
  },
  currency: {
    write(w, v, name) {
      if (typeof v !== 'string' || !/^[A-Z]{3}$/.test(v)) throw new CodecError(`${name}: not a currency: ${v}`);
      w.raw(utf8.encode(v));
    },
    read(r, name) {
      const s = String.fromCharCode(...r.take(3, name));
      if (!/^[A-Z]{3}$/.test(s)) throw new CodecError(`${name}: not a currency: ${s}`);
      return s;
    },
  },
  payer: {
    write(w, v, n) { w.fixed(enumIndex(PAYERS, v, n, 0), 1, false, n); },
    read(r, n) { return enumName(PAYERS, r.fixed(1, false, n), n, 0); },
  },
  expense_category: {
    write(w, v, n) { w.fixed(enumIndex(EXPENSE_CATEGORIES, v, n, 1), 1, false, n); },
    read(r, n) { return enumName(EXPENSE_CATEGORIES, r.fixed(1, false, n), n, 1); },
  },
  vetting_kind: {
    write(w, v, n) { w.fixed(enumIndex(VETTING_KINDS, v, n, 1), 1, false, n); },
    read(r, n) { return enumName(VETTING_KINDS, r.fixed(1, false, n), n, 1); },
  },
  policy_target: {
    write(w, v, n) { w.fixed(enumIndex(POLICY_TARGETS, v, n, 1), 1, false, n); },
    read(r, n) { return enumName(POLICY_TARGETS, r.fixed(1, false, n), n, 1); },
  },
  categories: {
    write(w, v, name) { writeList(w, v, name, 0, 64, (item, i) => TYPES.str8.write(w, item, `${name}[${i}]`)); },
    read(r, name) { return readList(r, name, 0, 64, (i) => TYPES.str8.read(r, `${name}[${i}]`)); },
  },
  settings: {
    write(w, v, name) { writeList(w, v, name, 1, 16, (item, i) => writeFields(w, SETTING, item, `${name}[${i}]`)); },
    read(r, name) { return readList(r, name, 1, 16, (i) => readFields(r, SETTING, `${name}[${i}]`)); },
  },
  group_providers: {
    write(w, v, name) {
      writeList(w, v, name, 0, MAX_GROUP_PEOPLE, (item, i) => writeFields(w, GROUP_PROVIDER, item, `${name}[${i}]`));
    },
    read(r, name) { return readList(r, name, 0, MAX_GROUP_PEOPLE, (i) => readFields(r, GROUP_PROVIDER, `${name}[${i}]`)); },
  },
  keys32: {
    write(w, v, name) { writeList(w, v, name, 0, MAX_GROUP_PEOPLE, (item, i) => TYPES.key.write(w, item, `${name}[${i}]`)); },
    read(r, name) { return readList(r, name, 0, MAX_GROUP_PEOPLE, (i) => TYPES.key.read(r, `${name}[${i}]`)); },
  },
  hours: {
    write(w, v, name) { writeFields(w, HOURS_BODY, v, name); },
    read(r, name) { return readFields(r, HOURS_BODY, name); },
  },
};

function enumName(list, value, name, base) {
  const i = Number(value) - base;
  if (i < 0 || i >= list.length) throw new CodecError(`${name}: unknown value ${value}`);
  return list[i];
}

function writeList(w, items, name, min, max, each) {
  if (!Array.isArray(items) || items.length < min || items.length > max)
    throw new CodecError(`${name}: a list of ${min} to ${max} items`);
  w.fixed(items.length, 1, false, name);
  items.forEach(each);
}

function readList(r, name, min, max, each) {
  const n = Number(r.fixed(1, false, name));
  if (n < min || n > max) throw new CodecError(`${name}: a list of ${min} to ${max} items, got ${n}`);
  return Array.from({ length: n }, (_, i) => each(i));
}

function writeFields(w, layout, values, name) {
  if (values === null || typeof values !== 'object') throw new CodecError(`${name}: missing`);
  for (const [field, type] of layout) {
    if (!(field in values)) throw new CodecError(`${name}.${field}: missing`);
    TYPES[type].write(w, values[field], `${name}.${field}`);
  }
}

function readFields(r, layout, name) {
  const out = {};
  for (const [field, type] of layout) out[field] = TYPES[type].read(r, `${name}.${field}`);
  return out;
}

// ---- entries ----

// The canonical bytes the author signs: everything before the signature.
export function encodeUnsigned(fields) {
  const spec = KINDS[fields.kind];
  if (!spec) throw new CodecError(`unknown kind '${fields.kind}'`);
  const version = fields.version ?? ENTRY_FORMAT_VERSION;
  if (version !== ENTRY_FORMAT_VERSION) throw new CodecError(`version ${version}: this app writes version 2`);
  const w = new Writer();
  w.fixed(1, 1, false, 'marker');
  w.fixed(version, 2, false, 'version');
  w.fixed(spec[0], 1, false, 'kind');
  TYPES.key.write(w, fields.node, 'node');
  TYPES.key.write(w, fields.author, 'author');
  TYPES.key.write(w, fields.on_behalf ?? ZERO_KEY, 'on_behalf');
  w.fixed(fields.created_ms, 8, true, 'created_ms');
  w.fixed(fields.nonce, 8, false, 'nonce');
  writeFields(w, spec[1], fields.body, 'body');
  const bytes = w.bytes();
  if (bytes.length + 64 > MAX_ENTRY_BYTES) throw new CodecError('an entry is at most 4096 bytes');
  return bytes;
}

// Decodes signed entry bytes strictly: marker, version, kind, ranges, no
// trailing bytes, and the result must re-encode to the same bytes. Returns
// { fields, signature } (the signature is not verified here: verifyEntry).
export function decodeSigned(bytes) {
  if (bytes.length > MAX_ENTRY_BYTES) throw new CodecError('an entry is at most 4096 bytes');
  const r = new Reader(bytes);
  if (Number(r.fixed(1, false, 'marker')) !== 1) throw new CodecError('not little-endian cereal (marker)');
  const version = Number(r.fixed(2, false, 'version'));
  if (version !== ENTRY_FORMAT_VERSION) throw new CodecError(`entry format version ${version}`);
  const kind = KIND_BY_VALUE[Number(r.fixed(1, false, 'kind'))];
  if (!kind) throw new CodecError('unknown kind');
  const fields = {
    version, kind,
    node: TYPES.key.read(r, 'node'),
    author: TYPES.key.read(r, 'author'),
    on_behalf: TYPES.key.read(r, 'on_behalf'),
    created_ms: plain(r.fixed(8, true, 'created_ms')),
    nonce: r.fixed(8, false, 'nonce').toString(),
  };
  fields.body = readFields(r, KINDS[kind][1], 'body');
  const signature = r.take(64, 'signature');
  if (r.at !== bytes.length) throw new CodecError('trailing bytes after the signature');
  const again = encodeUnsigned(fields);
  if (toHex(again) !== toHex(bytes.subarray(0, bytes.length - 64)))
    throw new CodecError('does not re-encode to the same bytes');
  return { fields, signature: toHex(signature) };
}

// ---- keys, signatures, ids ----

export function publicKeyFromSeed(seed) {
  return ed.getPublicKey(seed);
}

export function blake2b256(bytes, key) {
  return blake2b(bytes, key ? { dkLen: 32, key } : { dkLen: 32 });
}

// The entry id: BLAKE2b-256 of the signed bytes.
export function entryId(signedBytes) {
  return toHex(blake2b256(signedBytes));
}

// Signs fields with the 32-byte seed. Returns { unsigned, signature, signed
// (Uint8Array), hex (of signed), id }.
export function signEntry(fields, seed) {
  const author = toHex(publicKeyFromSeed(seed));
  if (fields.author !== author) throw new CodecError("the entry's author is not this key");
  const unsigned = encodeUnsigned(fields);
  const signature = ed.sign(unsigned, seed);
  const signed = concatBytes(unsigned, signature);
  return { unsigned, signature, signed, hex: toHex(signed), id: entryId(signed) };
}

export function verifyEntry(signedBytes) {
  const { fields } = decodeSigned(signedBytes);
  const unsigned = signedBytes.subarray(0, signedBytes.length - 64);
  const signature = signedBytes.subarray(signedBytes.length - 64);
  return ed.verify(signature, unsigned, fromHex(fields.author, 32));
}

// ---- private notes (docs/data-format.md "Privacy") ----

// BLAKE2b-256 of the UTF-8 text keyed with the 32-byte salt, as
// note_digest(salt, text) in engine/include/cohours/directory.h.
export function noteDigest(salt, text) {
  if (salt.length !== 32) throw new CodecError('a note salt is 32 bytes');
  return toHex(blake2b256(utf8.encode(text), salt));
}

// A fresh salt: 32 random bytes, never all zero (the node refuses that).
export function newSalt(random = (b) => crypto.getRandomValues(b)) {
  const salt = new Uint8Array(32);
  do random(salt); while (salt.every((b) => b === 0));
  return salt;
}

// A random u64 nonce, as a decimal string: makes otherwise equal entries
// distinct (two visits to the same person on the same day).
export function newNonce(random = (b) => crypto.getRandomValues(b)) {
  const b = new Uint8Array(8);
  random(b);
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v.toString();
}

export { U64_MAX, I64_MIN, I64_MAX };
