// The client API (docs/api.md) from the phone: same origin as the app, JSON,
// every request but health and enrol signed with the member's key.

import { signRequest, bodyBytes } from './request.js';
import { blake2b256, toHex } from './codec.js';
import { TransportError } from './outbox.js';

// An answer from the node that is not a success: status, the stable `error`
// code, the node's `message` and the `field` it names.
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `the co-op answered ${status}`);
    this.status = status;
    this.error = body?.error ?? 'http_' + status;
    this.field = body?.field;
  }
}

export class Api {
  // seed: () => Uint8Array | null (the member's key, once enrolled)
  constructor({ base = '', seed = () => null, fetchImpl } = {}) {
    this.base = base;
    this.seed = seed;
    this.fetch = fetchImpl ?? ((...a) => globalThis.fetch(...a));
    // Seconds to add to this phone's clock to get the node's, learnt from
    // the Date header of its answers: a phone whose clock is minutes off
    // would otherwise have every signed request refused (±120 s window).
    this.skewSeconds = 0;
    // ed25519 signatures are deterministic: the same request signed in the
    // same second is the same signature, which the node refuses as a replay
    // (docs/api.md). So each (method, path, body) gets a later second than
    // the last time it was signed, and identical reads in flight are shared.
    this.lastSigned = new Map();
    this.inFlight = new Map();
  }

  // The time to sign a request with: now, or one second after the last
  // signing of the very same request.
  signingTime(key) {
    const last = this.lastSigned.get(key);
    const time = last !== undefined && last >= this.now() ? last + 1 : this.now();
    this.lastSigned.set(key, time);
    if (this.lastSigned.size > 200) this.lastSigned.delete(this.lastSigned.keys().next().value);
    return time;
  }

  now() {
    return Math.floor(Date.now() / 1000) + this.skewSeconds;
  }

  nowMs() {
    return Date.now() + this.skewSeconds * 1000;
  }

  learnClock(response) {
    const date = response.headers.get('date');
    if (!date) return false;
    const server = Math.floor(Date.parse(date) / 1000);
    if (!Number.isFinite(server)) return false;
    const skew = server - Math.floor(Date.now() / 1000);
    // The header has whole seconds: only a real difference is worth using.
    const next = Math.abs(skew) > 30 ? skew : 0;
    const changed = next !== this.skewSeconds;
    this.skewSeconds = next;
    return changed;
  }

  request(method, path, options = {}) {
    if (method !== 'GET') return this.send(method, path, options);
    const key = `${method} ${path}`;
    if (!this.inFlight.has(key)) {
      this.inFlight.set(key, this.send(method, path, options).finally(() => this.inFlight.delete(key)));
    }
    return this.inFlight.get(key);
  }

  async send(method, path, { body, contentType = 'application/json', signed = true, retried = false } = {}) {
    const headers = {};
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      headers['Content-Type'] = contentType;
    }
    if (signed) {
      const seed = this.seed();
      if (!seed) throw new ApiError(401, { error: 'unauthorised', message: 'This phone has not joined a co-op yet.' });
      const sameRequest = `${method} ${path} ${toHex(blake2b256(bodyBytes(payload)))}`;
      Object.assign(headers, signRequest(seed, method, path, this.signingTime(sameRequest), payload ?? ''));
    }
    let response;
    try {
      response = await this.fetch(this.base + path, { method, headers, body: payload, cache: 'no-store' });
    } catch {
      throw new TransportError('No connection to the co-op right now.', { offline: true });
    }
    const clockMoved = this.learnClock(response);
    let json = null;
    try { json = await response.json(); } catch { json = null; }
    if (response.ok) return json;
    // Signed again once, at a later second: the phone's clock was off (now
    // corrected), or this same request was signed in this same second by
    // the page before a reload, which the node refuses as a replay.
    if (response.status === 401 && signed && !retried) {
      return this.send(method, path, { body, contentType, signed, retried: true });
    }
    if ([429, 500, 502, 503, 504].includes(response.status)) {
      const after = Number(response.headers.get('retry-after'));
      throw new TransportError(response.status === 429 ? 'The co-op asked us to wait a moment.' : 'The co-op is busy; trying again soon.',
        { retryAfterMs: Number.isFinite(after) && after > 0 ? after * 1000 : undefined });
    }
    throw new ApiError(response.status, json);
  }

  health() { return this.request('GET', '/v1/health', { signed: false }); }
  enrol(code, publicKey) { return this.request('POST', '/v1/enrol', { body: { code, public_key: publicKey }, signed: false }); }
  me() { return this.request('GET', '/v1/me'); }
  members() { return this.request('GET', '/v1/members'); }
  pending() { return this.request('GET', '/v1/me/pending'); }
  statement() { return this.request('GET', '/v1/me/statement'); }
  respite() { return this.request('GET', '/v1/respite/open'); }
  expenses() { return this.request('GET', '/v1/me/expenses'); }
  offers() { return this.request('GET', '/v1/offers'); }
  myOffers() { return this.request('GET', '/v1/me/offers'); }
  postOffer(body) { return this.request('POST', '/v1/me/offers', { body }); }
  withdrawOffer(id) { return this.request('POST', '/v1/me/offers/withdraw', { body: { id } }); }
  matches() { return this.request('GET', '/v1/me/matches'); }
  alerts() { return this.request('GET', '/v1/me/alerts'); }
  setAlerts(body) { return this.request('POST', '/v1/me/alerts', { body }); }
  postEntries(body) { return this.request('POST', '/v1/entries', { body }); }
  // Thank-yous are kept off the signed log: a plain signed request, sent
  // while online (docs/phone.md "Thank-yous").
  thanks() { return this.request('GET', '/v1/me/thanks'); }
  sendThanks(entry, text) { return this.request('POST', '/v1/thanks', { body: { entry, text } }); }
  async postReceipt(blob, type) {
    const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(await blob.arrayBuffer());
    return this.request('POST', '/v1/receipts', { body: bytes, contentType: type });
  }
}
