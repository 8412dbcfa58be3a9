// The client API (docs/api.md) from the phone: same origin as the app, JSON,
// every request but health and enrol signed with the member's key.

import { signRequest } from './request.js';
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

  async request(method, path, { body, contentType = 'application/json', signed = true, retried = false } = {}) {
    const headers = {};
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      headers['Content-Type'] = contentType;
    }
    if (signed) {
      const seed = this.seed();
      if (!seed) throw new ApiError(401, { error: 'unauthorised', message: 'This phone has not joined a co-op yet.' });
      Object.assign(headers, signRequest(seed, method, path, this.now(), payload ?? ''));
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
    if (response.status === 401 && signed && clockMoved && !retried) {
      return this.request(method, path, { body, contentType, signed, retried: true });
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
  postEntries(body) { return this.request('POST', '/v1/entries', { body }); }
  async postReceipt(blob, type) {
    const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(await blob.arrayBuffer());
    return this.request('POST', '/v1/receipts', { body: bytes, contentType: type });
  }
}
