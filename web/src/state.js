// The phone's own state: its key and membership, the outbox, and the last
// answers of the node (so the app shows something useful with no signal).
// IndexedDB through idb-keyval; two databases, since idb-keyval keeps one
// object store per database.

import { createStore, get, set, del, values } from 'idb-keyval';
import { Api } from './api.js';
import { Outbox, WAITING } from './outbox.js';
import { fromHex, toHex, publicKeyFromSeed, signEntry, newNonce, newSalt, noteDigest, blake2b256, ZERO_KEY } from './codec.js';
import { identityFrom, enrolOrRecover, memberKeyOf } from './identity.js';
import { nodeAddress, membershipFrom, withMembership, withoutMembership, joinWithKey, moveCreditsFields } from './memberships.js';

const kv = createStore('cohours-phone', 'kv');
const outboxStore = createStore('cohours-outbox', 'items');

const listeners = new Set();
export function subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); }
function changed() { for (const fn of listeners) fn(); }

export const state = {
  identity: null,   // { seed, public_key, member_key, alias, roles, node, node_key, currency }
  // Other co-ops this phone's key is a member of (memberships.js): { base,
  // node, node_key, alias, roles, member_key, currency } each.
  memberships: [],
  cache: {},        // name -> { data, at }
  items: [],        // outbox items, oldest first
  // Read each time: a page may start before the browser says it is offline.
  get online() { return typeof navigator === 'undefined' ? true : navigator.onLine; },
  problem: '',      // why the last send did not go through
  noConnection: false, // ... because there was no connection at all
  nextAttemptAt: 0,
  announcement: '', // for the live region
};

let seedBytes = null;
export const api = new Api({ seed: () => seedBytes });

export const outbox = new Outbox({
  storage: {
    all: () => values(outboxStore),
    put: (item) => set(item.id, item, outboxStore),
    remove: (id) => del(id, outboxStore),
  },
  transport: api,
  now: () => Date.now(),
  onChange: () => { refreshItems(); },
});

async function refreshItems() {
  const before = new Map(state.items.map((i) => [i.id, i.state]));
  state.items = await outbox.items();
  for (const item of state.items) {
    const was = before.get(item.id);
    if (was === WAITING && item.state !== WAITING) {
      state.announcement = item.state === 'sent' ? `Sent: ${item.summary}` : `Not accepted: ${item.summary}`;
    }
  }
  state.problem = outbox.lastProblem;
  state.noConnection = outbox.lastOffline;
  state.nextAttemptAt = outbox.nextAttemptAt;
  changed();
}

export async function loadState() {
  const identity = await get('identity', kv);
  if (identity) setIdentity(identity, false);
  state.cache = (await get('cache', kv)) ?? {};
  state.memberships = (await get('memberships', kv)) ?? [];
  // What the node took (or refused) a month ago is in the statement now.
  await outbox.prune(30 * 86400000);
  await refreshItems();
  changed();
}

function setIdentity(identity, save = true) {
  state.identity = identity;
  seedBytes = identity ? fromHex(identity.seed, 32) : null;
  if (save) return identity ? set('identity', identity, kv) : del('identity', kv);
  return Promise.resolve();
}

export async function remember(name, data) {
  state.cache = { ...state.cache, [name]: { data, at: Date.now() } };
  await set('cache', state.cache, kv);
  // Roles (and so the buttons shown) follow what the node says now.
  const id = state.identity;
  // So does the member's own key (a phone that joined before it was kept).
  if (name === 'me' && id && data?.key === id.public_key &&
      (JSON.stringify(data.roles) !== JSON.stringify(id.roles) || data.alias !== id.alias ||
       (data.member_key && data.member_key !== id.member_key))) {
    await setIdentity({ ...id, roles: data.roles ?? id.roles, alias: data.alias ?? id.alias,
      member_key: data.member_key ?? id.member_key });
  }
  changed();
}

export async function getPref(name, fallback) { return (await get('pref:' + name, kv)) ?? fallback; }
export async function setPref(name, value) { await set('pref:' + name, value, kv); }

// ---- joining ----

// Makes (or reuses) the key for a joining attempt, so an answer lost on the
// way back can be retried with the same key and code.
async function joiningSeed() {
  let seed = await get('joining_seed', kv);
  if (!seed) {
    seed = toHex(crypto.getRandomValues(new Uint8Array(32)));
    await set('joining_seed', seed, kv);
  }
  return seed;
}

export async function enrol(code) {
  const seed = await joiningSeed();
  const publicKey = toHex(publicKeyFromSeed(fromHex(seed, 32)));
  const answer = await enrolOrRecover({
    enrol: () => api.enrol(code, publicKey),
    // An earlier try may have got through with its answer lost (the code is
    // spent then): the joining key, if a member, can read GET /v1/me.
    me: async () => {
      const before = seedBytes;
      seedBytes = fromHex(seed, 32);
      try {
        return await api.me();
      } catch (e) {
        seedBytes = before;
        throw e;
      }
    },
  });
  await setIdentity(identityFrom(seed, publicKey, answer));
  await del('joining_seed', kv);
  changed();
}

// After a backup was opened: check with the node who this key is.
export async function restore(opened) {
  const seed = opened.seed;
  seedBytes = fromHex(seed, 32);
  let me = null;
  try {
    me = await api.me();
  } catch (e) {
    seedBytes = state.identity ? fromHex(state.identity.seed, 32) : null;
    if (e.status === 401) throw new Error('This co-op does not know this key. It may belong to another co-op, or the coordinator replaced it.');
    throw e;
  }
  await setIdentity(identityFrom(seed, opened.public_key, me));
  await remember('me', me);
  changed();
}

// ---- several co-ops, one key (docs/phone.md "Several co-ops") ----

const otherApis = new Map();
// The API of a membership's node: the home node's for base '' (the app's
// own origin), else one Api per address, signing with this phone's key.
export function apiFor(base) {
  if (!base) return api;
  if (!otherApis.has(base)) otherApis.set(base, new Api({ base, seed: () => seedBytes }));
  return otherApis.get(base);
}

// Every co-op this key belongs to, the home co-op first.
export function allMemberships() {
  const id = state.identity;
  if (!id) return [];
  const home = { base: '', home: true, node: id.node, node_key: id.node_key, alias: id.alias, roles: id.roles,
    member_key: memberKeyOf(id), currency: id.currency };
  return [home, ...state.memberships];
}

async function saveMemberships(list) {
  state.memberships = list;
  await set('memberships', list, kv);
  changed();
}

// Joins another co-op with this phone's key and the code its coordinator gave.
export async function joinAnother(address, code) {
  const id = state.identity;
  if (!id) throw new Error('This phone has not joined a co-op yet.');
  const base = nodeAddress(address);
  const answer = await joinWithKey(apiFor(base), code, id.public_key);
  const membership = membershipFrom(base, answer);
  await saveMemberships(withMembership(state.memberships, membership, id.node_key));
  return membership;
}

export async function leaveMembership(nodeKey) {
  await saveMemberships(withoutMembership(state.memberships, nodeKey));
}

// Moves credits from one of this key's co-ops to itself at another. From
// the home co-op the entry goes through the outbox (it waits for signal);
// from another co-op it is sent now, and a refusal is told at once.
export async function moveCredits(fromNodeKey, toNodeKey, minutes) {
  const all = allMemberships();
  const from = all.find((m) => m.node_key === fromNodeKey);
  const to = all.find((m) => m.node_key === toNodeKey);
  const fields = moveCreditsFields({ from, to, minutes, author: state.identity.public_key, createdMs: api.nowMs(), nonce: newNonce() });
  const summary = `You moved ${minutes} minutes from ${from.node} to yourself at ${to.node}`;
  if (from.home) return { queued: true, item: await signAndQueue('transfer.out', fields.body, { summary }) };
  const signed = signEntry(fields, seedBytes);
  const answer = await apiFor(from.base).postEntries({ entries: [signed.hex], notes: [] });
  const result = answer?.results?.[0];
  if (!result || result.status === 'refused') throw new Error(result?.message ?? `${from.node} did not take it.`);
  return { queued: false, id: signed.id };
}

// ---- signing ----

// Signs an entry of `kind` with `body` for this member and puts it in the
// outbox. `note`: private text, digested under a fresh salt into the body's
// `noteField`. `receipt`: { blob, type } uploaded before the entry.
export async function signAndQueue(kind, body, { summary, note, noteField, receipt, meta } = {}) {
  const identity = state.identity;
  if (!identity) throw new Error('This phone has not joined a co-op yet.');
  const notes = [];
  const full = { ...body };
  if (noteField) {
    full[noteField] = ZERO_KEY;
    if (note && note.trim()) {
      const salt = newSalt();
      full[noteField] = noteDigest(salt, note.trim());
      notes.push({ salt: toHex(salt), text: note.trim() });
    }
  }
  let receiptItem;
  if (receipt) {
    const bytes = new Uint8Array(await receipt.blob.arrayBuffer());
    receiptItem = { blob: receipt.blob, type: receipt.type, digest: toHex(blake2b256(bytes)) };
    full.receipt_digest = receiptItem.digest;
  }
  const fields = {
    version: 2, kind, node: identity.node_key, author: identity.public_key, on_behalf: ZERO_KEY,
    created_ms: api.nowMs(), nonce: newNonce(), body: full,
  };
  const signed = signEntry(fields, seedBytes);
  const item = await outbox.add({ id: signed.id, hex: signed.hex, notes, receipt: receiptItem, summary, kind, meta: meta ?? {} });
  sendSoon();
  return item;
}

// ---- sending ----

let timer = null;

function schedule() {
  clearTimeout(timer);
  timer = null;
  if (!state.items.some((i) => i.state === WAITING)) return;
  const wait = Math.max(1000, outbox.nextAttemptAt - Date.now());
  timer = setTimeout(sendSoon, wait);
}

export async function sendSoon() {
  if (!state.identity) return;
  try {
    await outbox.flush();
  } catch (e) {
    state.problem = e.message;
  }
  await refreshItems();
  schedule();
}

export function startSender() {
  window.addEventListener('online', () => { changed(); outbox.nextAttemptAt = 0; sendSoon(); });
  window.addEventListener('offline', () => { changed(); });
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') sendSoon(); });
  sendSoon();
}

export async function forgetPhone() {
  await setIdentity(null);
  await saveMemberships([]);
  changed();
}
