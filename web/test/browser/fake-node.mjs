// A small stand-in for cohoursd's client API (docs/api.md), for developing
// and testing the screens without a C++ build: serves the built app at `/`
// and /v1/ from memory. It checks what the real node checks first (signed
// request headers within ±120 s, entry signatures, author = requesting key,
// node = this node, duplicate bytes answer `duplicate`, notes match their
// digests) and keeps a simple ledger: hours pending until confirmed,
// respite, expense claims. The real node is the judge of every ledger rule;
// the browser test against the real cohoursd is tests/web/browser_test.sh.
//
//   node fake-node.mjs --dist DIR [--port N]
//   (prints "listening on http://127.0.0.1:PORT" and a joining link for
//   each of erin, carol and bob)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import * as ed from '@noble/ed25519';
import { decodeSigned, verifyEntry, fromHex, toHex, entryId, noteDigest, blake2b256, publicKeyFromSeed, ROLES, ZERO_KEY } from '../../src/codec.js';
import { signingText } from '../../src/request.js';
import { isoFromDays } from '../../src/dates.js';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png', '.txt': 'text/plain' };

export function makeFakeNode({ dist, name = 'Hilltop Care Co-op', categories } = {}) {
  const nodeSeed = new Uint8Array(32).fill(3);
  const nodeKey = toHex(publicKeyFromSeed(nodeSeed));
  const members = new Map(); // key -> { alias, roles: [] }
  const vetted = new Map(); // member key -> days its current safeguarding check has left
  const codes = new Map();   // code -> { alias, roles }
  const entries = new Map(); // id -> { seq, fields } ; refusals kept too
  const refusals = new Map();
  const movements = new Map(); // id -> movement
  const requests = new Map();
  const claims = new Map();
  const balances = new Map(); // key | 'pool' -> minutes
  const receipts = new Map();
  const notes = new Map();
  const thanks = []; // { id, entry, sender, volunteer, text, sent }
  const listings = new Map(); // id -> offer or request (docs/offers.md); the real node judges districts and checks
  const alertsOf = new Map(); // member key -> { on, email }
  const seen = new Set();
  const listingOut = (l) => ({ ...l, owner: alias(l.owner), matched_with: l.matched_with ? alias(l.matched_with) : '' });
  const alertsOut = (key) => ({ on: alertsOf.get(key)?.on ?? false, email: alertsOf.get(key)?.email ?? '', last_digest: null });
  let seq = 0;
  // The engine's default categories, in its order (engine/include/cohours/policy.h).
  let cats = categories ?? ['respite', 'befriending', 'transport', 'shopping', 'gardening', 'admin', 'training', 'other'];

  const alias = (key) => (key === ZERO_KEY ? 'the community' : members.get(key)?.alias ?? 'member-' + key.slice(0, 8));
  const bal = (k) => balances.get(k) ?? 0;
  const add = (k, m) => balances.set(k, bal(k) + m);
  const hasRole = (key, role) => members.get(key)?.roles.includes(role);

  function invite(aliasName, roles) {
    const code = Array.from({ length: 3 }, () => Math.random().toString(36).slice(2, 6).toUpperCase().padEnd(4, 'X')).join('-');
    codes.set(code, { alias: aliasName, roles });
    return code;
  }

  function addMember(aliasName, roles, key) {
    members.set(key, { alias: aliasName, roles });
  }

  function apply(fields, id) {
    const author = fields.author;
    const b = fields.body;
    const today = Math.floor(Date.now() / 86400000);
    const refuse = (error, message) => ({ status: 'refused', id, error, message });
    switch (fields.kind) {
      case 'hours.log': {
        if (!hasRole(author, 'volunteer') && !hasRole(author, 'carer')) return refuse('not_permitted', 'only volunteers and carers bank hours');
        if (!cats.includes(b.category)) return refuse('unknown_category', `category '${b.category}' is not allowed by the co-op's policy`);
        if (b.date_days > today + 1) return refuse('bad_date', 'hours are logged for help already given');
        if (b.recipient === author) return refuse('not_permitted', 'you cannot log hours given to yourself');
        if (b.recipient !== ZERO_KEY && !members.has(b.recipient)) return refuse('unknown_member', 'the recipient is not a member of this co-op');
        const su = b.recipient !== ZERO_KEY && hasRole(b.recipient, 'service-user');
        if ((b.payer === 'pool') !== (b.recipient === ZERO_KEY || su)) return refuse('not_permitted', 'the pool pays only for help to service users and the community');
        movements.set(id, { id, kind: 'hours', status: 'pending', provider: author, recipient: b.recipient, payer: b.payer === 'pool' ? 'pool' : b.recipient,
          minutes: b.minutes, category: b.category, date: isoFromDays(b.date_days) });
        return null;
      }
      case 'hours.confirm': {
        // A group session's id confirms the signer's own share (docs/api.md).
        const m = movements.get(b.target) ?? [...movements.values()].find((x) => x.session === b.target && x.recipient === author);
        if (!m) return refuse('unknown_entry', 'no hours entry ' + b.target.slice(0, 16));
        if (m.status !== 'pending') return refuse('wrong_state', `those hours are already ${m.status}; nothing to confirm`);
        if (author !== m.recipient) return refuse('not_permitted', 'only the member who received the help (or a coordinator on their behalf) may confirm these hours');
        m.status = 'confirmed';
        m.seq = seq + 1;
        m.recorded = isoFromDays(today);
        add(m.payer, -m.minutes);
        add(m.provider, m.minutes);
        if (m.request) requests.get(m.request).status = 'done';
        return null;
      }
      case 'hours.void': {
        const m = movements.get(b.target);
        if (!m || m.status !== 'pending') return refuse('wrong_state', 'those hours are not pending');
        if (author !== m.provider && author !== m.recipient) return refuse('not_permitted', 'only the provider, the recipient or a coordinator may void hours');
        m.status = 'voided';
        if (m.request) { const r = requests.get(m.request); r.status = 'open'; r.volunteer = null; }
        return null;
      }
      case 'respite.request':
        if (!hasRole(author, 'carer')) return refuse('not_permitted', 'only carers request respite');
        requests.set(id, { id, carer: author, minutes: b.minutes, date: isoFromDays(b.date_days), status: 'open', volunteer: null });
        return null;
      case 'respite.offer': {
        if (!hasRole(author, 'volunteer')) return refuse('not_permitted', 'only volunteers offer respite');
        const r = requests.get(b.request);
        if (!r) return refuse('unknown_entry', 'no respite request');
        if (r.status !== 'open') return refuse('wrong_state', `that request is ${r.status}, not open`);
        if (r.carer === author) return refuse('not_permitted', 'you cannot offer respite to yourself');
        // As a node made by `cohours init`: respite needs a current check.
        if (!vetted.has(author)) return refuse('not_vetted', 'the volunteer needs a current safeguarding check for \'respite\'');
        r.status = 'offered';
        r.volunteer = author;
        movements.set(id, { id, kind: 'respite', status: 'pending', provider: author, recipient: r.carer, payer: r.carer,
          minutes: r.minutes, category: 'respite', date: r.date, request: r.id });
        return null;
      }
      case 'respite.cancel': {
        const r = requests.get(b.request);
        if (!r || r.carer !== author) return refuse('not_permitted', 'only the carer who asked (or a coordinator) may cancel a request');
        if (r.status !== 'open' && r.status !== 'offered') return refuse('wrong_state', `that request is already ${r.status}`);
        for (const m of movements.values()) if (m.request === r.id && m.status === 'pending') m.status = 'voided';
        r.status = 'cancelled';
        return null;
      }
      case 'expense.claim':
        if (!hasRole(author, 'volunteer') && !hasRole(author, 'carer')) return refuse('not_permitted', 'only volunteers and carers claim expenses');
        claims.set(id, { id, claimant: author, date: isoFromDays(b.date_days), category: b.category, pence: b.pence, miles: b.miles,
          status: 'claimed', receipt: b.receipt_digest, seq: seq + 1 });
        return null;
      default:
        return refuse('not_permitted', `the fake node does not take ${fields.kind}`);
    }
  }

  function submit(hex, requester, again = []) {
    let bytes;
    try { bytes = fromHex(hex); } catch { return { status: 'refused', id: '', error: 'malformed', message: 'not hex' }; }
    const id = entryId(bytes);
    if (entries.has(id)) return { status: 'duplicate', id, seq: entries.get(id).seq };
    if (refusals.has(id)) return refusals.get(id);
    let fields;
    try { ({ fields } = decodeSigned(bytes)); } catch (e) { return { status: 'refused', id, error: 'malformed', message: e.message }; }
    if (!verifyEntry(bytes)) return { status: 'refused', id, error: 'bad_signature', message: 'the signature does not verify' };
    if (fields.node !== nodeKey) return { status: 'refused', id, error: 'wrong_node', message: 'this entry was signed for another node' };
    if (fields.author !== requester) return { status: 'refused', id, error: 'not_permitted', message: 'the entry is not signed by the requesting key' };
    // As the real node: a claim only with its receipt kept here, and that refusal not remembered.
    const receipt = fields.kind === 'expense.claim' ? fields.body.receipt_digest : ZERO_KEY;
    if (receipt !== ZERO_KEY && !receipts.has(receipt)) {
      return { status: 'refused', id, error: 'not_found', message: `the receipt ${receipt.slice(0, 8)}... this claim names is not kept here: send the receipt before its claim` };
    }
    // As the real node (docs/api.md): hours like some already logged are a
    // question, not remembered, until the request names them in `again`.
    if (fields.kind === 'hours.log' && !again.includes(id)) {
      const b = fields.body;
      const same = [...movements.values()].find((m) => m.kind === 'hours' && m.status !== 'voided' && m.provider === fields.author &&
        m.recipient === b.recipient && m.minutes === b.minutes && m.date === isoFromDays(b.date_days));
      if (same) return { status: 'refused', id, error: 'possible_duplicate', message: `possible duplicate: ${alias(same.provider)} logged ${same.minutes} minutes for ${alias(same.recipient)} on ${same.date} (${same.status}); if this is more help, say so and send it again` };
    }
    const refused = apply(fields, id);
    if (refused) { refusals.set(id, refused); return refused; }
    seq += 1;
    entries.set(id, { seq, fields });
    return { status: 'stored', id, seq };
  }

  function statementOf(key) {
    const lines = [];
    let running = 0;
    const done = [...movements.values()].filter((m) => m.status === 'confirmed' && (m.provider === key || m.payer === key))
      .sort((a, b) => a.date.localeCompare(b.date) || a.seq - b.seq);
    for (const m of done) {
      const gave = m.provider === key;
      const change = gave ? m.minutes : -m.minutes;
      running += change;
      lines.push({ seq: m.seq, date: m.date, recorded: m.recorded, kind: m.kind, direction: gave ? 'gave' : 'received',
        other: alias(gave ? m.recipient : m.provider), minutes: m.minutes, category: m.category, change_minutes: change, balance_after_minutes: running });
    }
    const pending = [...movements.values()].filter((m) => m.status === 'pending' && (m.provider === key || m.recipient === key))
      .map((m) => ({ id: m.id, direction: m.provider === key ? 'gave' : 'received', other: alias(m.provider === key ? m.recipient : m.provider),
        minutes: m.minutes, category: m.category, date: m.date }));
    return { opening_minutes: 0, closing_minutes: running, lines, pending };
  }

  async function body(req, limit) {
    const chunks = [];
    let size = 0;
    for await (const c of req) {
      size += c.length;
      if (size > limit) throw Object.assign(new Error('too large'), { status: 413 });
      chunks.push(c);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }

  function authorise(req, raw) {
    const key = req.headers['x-cohours-key'];
    const time = Number(req.headers['x-cohours-time']);
    const sig = req.headers['x-cohours-signature'];
    if (!key || !sig || !Number.isInteger(time)) return 'missing signature headers';
    if (Math.abs(time - Math.floor(Date.now() / 1000)) > 120) return 'the time is more than 120 seconds from the node\'s clock';
    if (!members.has(key)) return 'unknown key';
    if (seen.has(sig)) return 'a signature seen before';
    let ok = false;
    try { ok = ed.verify(fromHex(sig, 64), new TextEncoder().encode(signingText(req.method, req.url, time, raw)), fromHex(key, 32)); } catch { ok = false; }
    if (!ok) return 'the signature does not verify';
    seen.add(sig);
    return null;
  }

  async function api(req, res, send) {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    if (path === '/v1/health') return send(200, { status: 'ok', node: name, node_key: nodeKey, currency: 'GBP', entry_format_version: 2 });
    const raw = await body(req, path === '/v1/receipts' ? 8 << 20 : 64 << 10);
    if (path === '/v1/enrol' && req.method === 'POST') {
      let b;
      try { b = JSON.parse(new TextDecoder().decode(raw)); } catch { return send(400, { error: 'bad_request', message: 'not JSON' }); }
      const invite = codes.get(b.code);
      if (!invite) return send(403, { error: 'bad_code', message: 'that code is unknown, used or expired' });
      if (members.has(b.public_key)) return send(409, { error: 'already_exists', message: 'this key is already a member' });
      codes.delete(b.code);
      addMember(invite.alias, invite.roles, b.public_key);
      return send(200, { alias: invite.alias, key: b.public_key, member_key: b.public_key, roles: invite.roles, node: name, node_key: nodeKey, currency: 'GBP' });
    }
    const problem = authorise(req, raw);
    if (problem) return send(401, { error: 'unauthorised', message: problem });
    const me = req.headers['x-cohours-key'];
    const who = members.get(me);
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /v1/me': {
        const st = statementOf(me);
        const pin = [...movements.values()].filter((m) => m.status === 'pending' && m.provider === me).reduce((n, m) => n + m.minutes, 0);
        const pout = [...movements.values()].filter((m) => m.status === 'pending' && m.payer === me).reduce((n, m) => n + m.minutes, 0);
        const toConfirm = [...movements.values()].filter((m) => m.status === 'pending' && m.recipient === me).length;
        return send(200, { alias: who.alias, key: me, member_key: me, roles: who.roles, node: name, node_key: nodeKey, currency: 'GBP',
          balance_minutes: bal(me), pending_in_minutes: pin, pending_out_minutes: pout, to_confirm: toConfirm,
          vetting: vetted.has(me) ? { kind: 'dbs-enhanced-barred', days_left: vetted.get(me),
            expires: isoFromDays(Math.floor(Date.now() / 86400000) + vetted.get(me)) } : null,
          vetting_needed_for: ['respite'], _statement: st.closing_minutes });
      }
      case 'GET /v1/members':
        return send(200, { members: [...members].map(([key, m]) => ({ alias: m.alias, key, roles: m.roles })), categories: cats, max_entry_minutes: 720 });
      case 'GET /v1/me/pending':
        return send(200, {
          to_confirm: [...movements.values()].filter((m) => m.status === 'pending' && m.recipient === me)
            .map((m) => ({ id: m.session ?? m.id, kind: m.kind, provider: alias(m.provider), minutes: m.minutes, category: m.category,
              date: m.date, group: m.group ?? null })),
          waiting: [...movements.values()].filter((m) => m.status === 'pending' && m.provider === me)
            .map((m) => ({ id: m.id, kind: m.kind, recipient: alias(m.recipient), minutes: m.minutes, category: m.category, date: m.date })),
        });
      case 'GET /v1/me/statement': return send(200, statementOf(me));
      case 'GET /v1/respite/open':
        return send(200, {
          open: [...requests.values()].filter((r) => r.status === 'open' && r.carer !== me).map((r) => ({ id: r.id, carer: alias(r.carer), minutes: r.minutes, date: r.date })),
          mine: [...requests.values()].filter((r) => r.carer === me).map((r) => ({ id: r.id, minutes: r.minutes, date: r.date, status: r.status, ...(r.volunteer ? { volunteer: alias(r.volunteer) } : {}) })),
        });
      // Offers and requests, simplified: same category fits; no days, districts or checks.
      case 'GET /v1/offers':
        return send(200, { listings: [...listings.values()].filter((l) => l.status === 'open').reverse().map(listingOut) });
      case 'GET /v1/me/offers':
        return send(200, { listings: [...listings.values()].filter((l) => l.owner === me).reverse().map(listingOut) });
      case 'POST /v1/me/offers': {
        let b;
        try { b = JSON.parse(new TextDecoder().decode(raw)); } catch { return send(400, { error: 'bad_request', message: 'the body is not JSON' }); }
        if (!['offer', 'request'].includes(b.kind) || !b.category || !b.text) return send(400, { error: 'bad_request', message: 'kind, category and text are needed' });
        if (b.district && /\d[A-Z]{2}$/i.test(b.district.replace(/\s/g, ''))) {
          return send(400, { error: 'bad_request', message: `'${b.district}' is a full postcode, which points at a home; give only the district` });
        }
        const id = toHex(blake2b256(new TextEncoder().encode(`${listings.size} ${me}`))).slice(0, 16);
        const l = { id, owner: me, kind: b.kind, category: b.category, text: b.text, days: b.date ? null : (!b.days || b.days === 'any' ? 'any day' : b.days),
          date: b.date ?? null, district: (b.district ?? '').toUpperCase(), status: 'open', created: new Date().toISOString().slice(0, 19) + 'Z', matched_with: '' };
        listings.set(id, l);
        return send(200, listingOut(l));
      }
      case 'POST /v1/me/offers/withdraw': {
        const b = JSON.parse(new TextDecoder().decode(raw));
        const l = listings.get(b.id);
        if (!l) return send(404, { error: 'not_found', message: `no listing ${b.id}` });
        if (l.owner !== me) return send(403, { error: 'forbidden', message: 'only its owner, a coordinator or an admin withdraws a listing' });
        l.status = 'withdrawn';
        return send(200, listingOut(l));
      }
      case 'GET /v1/me/matches': {
        const open = [...listings.values()].filter((l) => l.status === 'open');
        const matches = [];
        for (const o of open.filter((l) => l.owner === me && l.kind === 'offer')) {
          for (const r of open.filter((l) => l.kind === 'request' && l.owner !== me && l.category === o.category)) {
            matches.push({ what: 'request_fits', since: r.created, other: '', volunteers: [], listing: listingOut(r), respite: null });
          }
        }
        for (const r of open.filter((l) => l.owner === me && l.kind === 'request')) {
          const who = open.filter((l) => l.kind === 'offer' && l.owner !== me && l.category === r.category).map((l) => alias(l.owner));
          if (who.length) matches.push({ what: 'volunteers_fit', since: r.created, other: '', volunteers: who, listing: listingOut(r), respite: null });
        }
        return send(200, { member: alias(me), matches, alerts: alertsOut(me) });
      }
      case 'GET /v1/me/alerts': return send(200, alertsOut(me));
      case 'POST /v1/me/alerts': {
        const b = JSON.parse(new TextDecoder().decode(raw));
        const a = { ...(alertsOf.get(me) ?? { on: false, email: '' }) };
        if (typeof b.on === 'boolean') a.on = b.on;
        if (typeof b.email === 'string') a.email = b.email;
        alertsOf.set(me, a);
        return send(200, alertsOut(me));
      }
      case 'GET /v1/me/expenses':
        return send(200, { currency: 'GBP', claims: [...claims.values()].filter((c) => c.claimant === me).reverse()
          .map((c) => ({ id: c.id, date: c.date, category: c.category, pence: c.pence, miles: c.miles, status: c.status, receipt: c.receipt })) });
      case 'GET /v1/me/thanks': {
        const view = (t) => { const m = movements.get(t.entry);
          return { id: t.id, entry: t.entry, from: alias(t.sender), to: alias(t.volunteer), text: t.text, sent: t.sent,
            minutes: m.minutes, category: m.category, date: m.date }; };
        return send(200, { received: thanks.filter((t) => t.volunteer === me).map(view), sent: thanks.filter((t) => t.sender === me).map(view) });
      }
      case 'POST /v1/thanks': {
        let b;
        try { b = JSON.parse(new TextDecoder().decode(raw)); } catch { return send(400, { error: 'bad_request', message: 'not JSON' }); }
        const chars = [...(b.text ?? '')].length;
        if (chars < 1 || chars > 280) return send(400, { error: 'bad_request', message: 'text: 1 to 280 characters', field: 'text' });
        const m = movements.get(b.entry);
        if (!m) return send(404, { error: 'not_found', message: 'that entry is not hours of help' });
        if (m.recipient !== me && m.payer !== me) return send(403, { error: 'forbidden', message: 'only the member who received this help, or who pays for it, may thank for it' });
        if (thanks.some((t) => t.entry === b.entry && t.sender === me)) return send(409, { error: 'already_exists', message: 'you have thanked them for this help already' });
        const t = { id: toHex(blake2b256(new TextEncoder().encode(b.entry + me))).slice(0, 32), entry: b.entry, sender: me,
          volunteer: m.provider, text: b.text, sent: new Date().toISOString().slice(0, 19) + 'Z' };
        thanks.push(t);
        return send(200, { id: t.id, entry: t.entry, from: alias(me), to: alias(m.provider), text: t.text, sent: t.sent,
          minutes: m.minutes, category: m.category, date: m.date });
      }
      case 'POST /v1/receipts': {
        const given = req.headers['content-type'] ?? '';
        const type = given.split(';')[0].trim().toLowerCase();
        if (!['image/jpeg', 'image/png', 'image/webp', 'application/pdf'].includes(type)) {
          return send(415, { error: 'unsupported_media_type', message: `a receipt is sent as image/jpeg, image/png, image/webp or application/pdf, not ${given || 'without a Content-Type'}` });
        }
        if (raw.length === 0) return send(400, { error: 'bad_request', message: 'the receipt is empty' });
        const digest = toHex(blake2b256(raw));
        receipts.set(digest, { type, bytes: raw });
        return send(200, { digest });
      }
      case 'POST /v1/entries': {
        let b;
        try { b = JSON.parse(new TextDecoder().decode(raw)); } catch { return send(400, { error: 'bad_request', message: 'not JSON' }); }
        if (!Array.isArray(b.entries) || b.entries.length === 0 || b.entries.length > 100) return send(400, { error: 'bad_request', message: 'entries: 1 to 100', field: 'entries' });
        // A note must belong to an entry of this request (checked before any entry is judged).
        const carried = new Set();
        for (const hex of b.entries) {
          try {
            const { fields } = decodeSigned(fromHex(hex));
            for (const [k, v] of Object.entries(fields.body)) if (k.endsWith('_digest')) carried.add(v);
          } catch { /* judged below */ }
        }
        const given = new Map();
        for (const n of b.notes ?? []) {
          let d;
          try { d = noteDigest(fromHex(n.salt, 32), n.text); } catch { return send(400, { error: 'bad_request', message: 'notes: a salt is 64 hex digits', field: 'notes' }); }
          if (!carried.has(d)) return send(400, { error: 'bad_request', message: 'a note whose digest no entry of the request carries', field: 'notes' });
          given.set(d, n);
        }
        const results = b.entries.map((hex) => submit(hex, me, b.again ?? []));
        for (const r of results) {
          if (r.status === 'refused') continue;
          for (const v of Object.values(entries.get(r.id).fields.body)) if (given.has(v)) notes.set(v, given.get(v));
        }
        return send(200, { results });
      }
      default:
        return send(404, { error: 'not_found', message: 'no such path' });
    }
  }

  const server = createServer(async (req, res) => {
    const send = (status, obj, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', Date: new Date().toUTCString() });
      res.end(typeof obj === 'string' || obj instanceof Uint8Array ? obj : JSON.stringify(obj));
    };
    try {
      if (req.url.startsWith('/v1/')) return await api(req, res, send);
      let path = new URL(req.url, 'http://x').pathname;
      if (path === '/') path = '/index.html';
      const file = normalize(join(dist, path));
      if (!file.startsWith(normalize(dist))) return send(404, 'not found', 'text/plain');
      const data = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
      res.end(data);
    } catch (e) {
      if (e.code === 'ENOENT') return send(404, 'not found', 'text/plain');
      send(e.status ?? 500, { error: e.status === 413 ? 'too_large' : 'internal', message: e.message });
    }
  });

  return {
    server, nodeKey, invite, members, receipts, notes, movements, balances,
    async balanceMinutes(aliasName) {
      for (const [key, m] of members) if (m.alias === aliasName) return bal(key);
      return undefined;
    },
    async setCategories(list) { cats = [...list]; },
    // A member without a phone (a coordinator adds them).
    async addMember(aliasName, roles) { addMember(aliasName, roles, toHex(crypto.getRandomValues(new Uint8Array(32)))); },
    // A coordinator logs one volunteer's session for several members, each
    // paying an even share (the real node's rules: docs/decisions.md "Group sessions").
    async groupSession(volunteer, memberAliases, minutes, category) {
      const keyOf = (a) => [...members].find(([, m]) => m.alias === a)?.[0];
      const session = toHex(crypto.getRandomValues(new Uint8Array(32)));
      memberAliases.forEach((a, i) => {
        const key = keyOf(a);
        movements.set(`${session}-${i + 1}`, { id: `${session}-${i + 1}`, session, kind: 'hours', status: 'pending', provider: keyOf(volunteer),
          recipient: key, payer: hasRole(key, 'service-user') ? 'pool' : key, minutes: minutes / memberAliases.length, category,
          date: isoFromDays(Math.floor(Date.now() / 86400000)), group: { volunteers: 1, members: memberAliases.length, member_number: i + 1 } });
      });
    },
    // A coordinator records the volunteer's safeguarding check, running out in `daysLeft` days.
    async vet(aliasName, daysLeft = 730) {
      for (const [key, m] of members) if (m.alias === aliasName) vetted.set(key, daysLeft);
    },
    // Whether the node holds exactly these bytes under their digest.
    async receiptStored(digest, bytes) {
      const kept = receipts.get(digest)?.bytes;
      return Boolean(kept) && Buffer.compare(Buffer.from(kept), Buffer.from(bytes)) === 0;
    },
    async entriesOfKind(kind) { return [...entries.values()].filter((e) => e.fields.kind === kind).length; },
    listen(port = 0) {
      return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
    },
    close() { return new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }); },
  };
}

// Run on its own: node fake-node.mjs --dist DIR [--port N]
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const dist = args[args.indexOf('--dist') + 1];
  const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : 0;
  const node = makeFakeNode({ dist });
  const url = await node.listen(port);
  console.log(`listening on ${url}`);
  for (const [a, roles] of [['erin', ['volunteer']], ['carol', ['carer', 'volunteer']], ['bob', ['service-user']]]) {
    console.log(`${a} (${roles.join(', ')}): ${url}/#enrol=${node.invite(a, roles)}`);
  }
}
