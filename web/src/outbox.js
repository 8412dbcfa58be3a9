// The outbox: entries signed on the phone wait here until the node has them.
//
// Each item holds the signed bytes exactly as signed (hex), the private notes
// that travel beside them ({salt, text}), an optional receipt file to upload
// first, and a summary for people ("You gave Bob 1 hour"). A retry sends the
// same bytes again: the node answers `duplicate` for bytes it already has, so
// a lost answer or a double tap never makes a second entry.
//
// States: 'waiting' (not yet accepted), 'sent' (stored or duplicate: the node
// has it, at `seq`), 'refused' (the ledger's rules said no: `message` says
// why, in the node's words), 'question' (hours like some already logged,
// `possible_duplicate`: the member answers with answer(); the node did not
// remember it, so the same bytes go again with their id in `again`). A refused item is never sent again: the node
// remembers its refusal, so to try again the member signs a new entry. The
// one exception is a claim refused `not_found` because the node does not
// hold its receipt (docs/api.md): that refusal is not remembered, so the
// photo goes up again, once, and then the same claim.
//
// Storage and transport are passed in, so the same logic runs in the browser
// (IndexedDB, fetch) and in node's tests (a Map, a fake node).

export const WAITING = 'waiting';
export const SENT = 'sent';
export const REFUSED = 'refused';
export const QUESTION = 'question';

const BATCH = 100; // docs/api.md: at most 100 entries per request
const BATCH_BYTES = 900 * 1024; // and 1 MiB of JSON: notes can be long
const MIN_DELAY_MS = 2000;
const MAX_DELAY_MS = 5 * 60 * 1000;

// Backoff before attempt n (1-based) after failures: 2 s, 4 s, 8 s ... 5 min,
// with up to a fifth added at random so phones of one co-op coming back on
// the same mast do not all knock at once.
export function backoffMs(failures, random = Math.random) {
  const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (1 + 0.2 * random()));
}

// A failure worth retrying (no signal, node busy) as opposed to an answer.
export class TransportError extends Error {
  // offline: no connection at all (as opposed to a busy or failing node)
  constructor(message, { retryAfterMs, offline = false } = {}) {
    super(message);
    this.retryAfterMs = retryAfterMs;
    this.offline = offline;
  }
}

// storage: { all(): Promise<item[]>, put(item): Promise, remove(id): Promise }
// transport: {
//   postEntries({entries: [hex], notes: [{salt, text}], again?: [id]}) -> {results: [...]}
//     throws TransportError to retry later, or any other Error with
//     .status 400 (a request the node will never take as it is)
//   postReceipt(blob, type) -> {digest}
// }
export class Outbox {
  constructor({ storage, transport, now = () => Date.now(), random = Math.random, onChange = () => {} }) {
    this.storage = storage;
    this.transport = transport;
    this.now = now;
    this.random = random;
    this.onChange = onChange;
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.lastProblem = '';
    this.lastOffline = false;
    this.running = null;
  }

  async items() {
    const all = await this.storage.all();
    return all.sort((a, b) => a.queued_ms - b.queued_ms || (a.order ?? 0) - (b.order ?? 0));
  }

  async waiting() {
    return (await this.items()).filter((i) => i.state === WAITING);
  }

  // Adds a signed entry. `item`: { id, hex, notes?, receipt?: {blob, type,
  // digest}, summary, kind }. Adding the same id again keeps the first.
  async add(item) {
    const existing = (await this.storage.all()).find((i) => i.id === item.id);
    if (existing) return existing;
    const stored = {
      notes: [], attempts: 0, ...item,
      state: WAITING, queued_ms: this.now(), order: this.now(), seq: null, error: '', message: '',
    };
    await this.storage.put(stored);
    this.onChange();
    return stored;
  }

  async get(id) {
    return (await this.storage.all()).find((i) => i.id === id);
  }

  // The member's answer to a question: `more` (this is more help, send it
  // again) or not (the same help logged twice: it is dropped, never sent).
  async answer(id, more) {
    const item = await this.get(id);
    if (!item || item.state !== QUESTION) return;
    if (more) {
      await this.storage.put({ ...item, state: WAITING, again: true, error: '', message: '' });
    } else {
      await this.storage.put({ ...item, state: REFUSED, error: 'dropped', message: 'you said this help was logged already', seen: true });
    }
    this.onChange();
  }

  // Sends every waiting item, oldest first. One run at a time: a second call
  // while one runs waits for it. Returns { sent, refused, waiting, problem }.
  flush() {
    if (!this.running) {
      this.running = this.flushOnce().finally(() => { this.running = null; });
    }
    return this.running;
  }

  async flushOnce() {
    const report = { sent: 0, refused: 0, waiting: 0, problem: '' };
    const pending = await this.waiting();
    try {
      for (const batch of batches(pending)) await this.sendBatch(batch, report);
      this.failures = 0;
      this.nextAttemptAt = 0;
      this.lastProblem = '';
      this.lastOffline = false;
    } catch (caught) {
      // Anything unexpected is treated as a failure to retry with backoff,
      // never as a reason to give up on a signed entry (or to spin).
      const e = caught instanceof TransportError ? caught : new TransportError(caught?.message || String(caught));
      this.failures += 1;
      const wait = Math.max(e.retryAfterMs ?? 0, backoffMs(this.failures, this.random));
      this.nextAttemptAt = this.now() + wait;
      this.lastProblem = e.message;
      this.lastOffline = e.offline;
      report.problem = e.message;
    }
    report.waiting = (await this.waiting()).length;
    this.onChange();
    return report;
  }

  async sendBatch(all, report) {
    const batch = [];
    for (const item of all) {
      if (item.receipt && !item.receipt_uploaded && !(await this.uploadReceipt(item, report))) continue;
      batch.push(item);
    }
    if (batch.length === 0) return;
    let answer;
    try {
      const again = batch.filter((i) => i.again).map((i) => i.id);
      answer = await this.transport.postEntries({
        entries: batch.map((i) => i.hex),
        notes: batch.flatMap((i) => i.notes ?? []),
        ...(again.length ? { again } : {}),
      });
    } catch (e) {
      if (e instanceof TransportError) throw e;
      // Not the entries' fault (a signature refused while the phone's clock
      // was wrong, say): keep them and try again later.
      if (e.status !== 400 && e.status !== 413) throw new TransportError(e.message || 'The co-op did not take the request.');
      // The node will never take this request as it is. Alone, the item is
      // what is wrong with it; in a batch, find which by sending one by one.
      if (batch.length > 1) {
        for (const item of batch) await this.sendBatch([item], report);
        return;
      }
      await this.settle(batch[0], { status: 'refused', error: e.error ?? 'bad_request', message: e.message }, report);
      return;
    }
    const results = answer?.results;
    if (!Array.isArray(results) || results.length !== batch.length)
      throw new TransportError('the co-op answered with something this app does not understand');
    for (let i = 0; i < batch.length; i++) await this.settle(batch[i], results[i], report);
  }

  // Uploads an item's receipt; false if the node refused the file itself
  // (then the item is settled as refused: its claim names that file).
  async uploadReceipt(item, report) {
    let digest;
    try {
      ({ digest } = await this.transport.postReceipt(item.receipt.blob, item.receipt.type));
    } catch (e) {
      if (e instanceof TransportError) throw e;
      // 400 empty, 413 too big, 415 not a photo or PDF: the file itself.
      if (e.status === 400 || e.status === 413 || e.status === 415) {
        const why = e.status === 413 ? 'the photo is too big (8 MB at most)' : e.message;
        await this.settle(item, { status: 'refused', error: e.error ?? 'bad_request', message: `The receipt photo was not accepted: ${why}` }, report);
        return false;
      }
      // 409 limit_reached: the node holds 20 of this member's photos that no
      // claim names yet. This claim waits, and the rest of the batch goes:
      // those claims are what frees the room (throwing would stop them too).
      if (e.status === 409 && e.error === 'limit_reached') {
        report.problem = `The co-op holds too many receipt photos without their claims; this one will be sent later (${e.message}).`;
        return false;
      }
      throw new TransportError(`The co-op did not take the receipt photo (${e.message}).`);
    }
    if (digest !== item.receipt.digest) {
      throw new TransportError('the receipt photo did not arrive whole; it will be sent again');
    }
    item.receipt_uploaded = true;
    await this.storage.put(item);
    return true;
  }

  async settle(item, result, report) {
    if (result.id && result.id !== item.id) {
      throw new TransportError('the co-op answered for another entry');
    }
    const next = { ...item, attempts: (item.attempts ?? 0) + 1 };
    if (result.status === 'refused' && result.error === 'not_found' && item.receipt?.blob && !item.receipt_resent) {
      // The node does not hold the photo this claim names: it goes again.
      await this.storage.put({ ...next, receipt_uploaded: false, receipt_resent: true });
      return;
    }
    if (result.status === 'stored' || result.status === 'duplicate') {
      next.state = SENT;
      next.seq = result.seq ?? null;
      next.sent_ms = this.now();
      report.sent += 1;
    } else if (result.status === 'refused' && result.error === 'possible_duplicate') {
      next.state = QUESTION;
      next.error = result.error;
      next.message = result.message ?? '';
    } else if (result.status === 'refused') {
      next.state = REFUSED;
      next.error = result.error ?? 'refused';
      next.message = result.message ?? '';
      report.refused += 1;
    } else {
      throw new TransportError(`the co-op answered '${result.status}'`);
    }
    // The photo is no longer needed on the phone once the entry is in.
    if (next.receipt && next.state !== WAITING) next.receipt = { ...next.receipt, blob: null };
    await this.storage.put(next);
  }

  // Forgets settled items older than `ageMs` (the statement holds them now).
  async prune(ageMs) {
    const cutoff = this.now() - ageMs;
    for (const item of await this.storage.all()) {
      if (item.state !== WAITING && (item.sent_ms ?? item.queued_ms) < cutoff) await this.storage.remove(item.id);
    }
  }
}

// Oldest first, at most BATCH entries and about BATCH_BYTES of JSON each.
function batches(items) {
  const out = [];
  let current = [];
  let bytes = 0;
  for (const item of items) {
    const size = item.hex.length + 4 + JSON.stringify(item.notes ?? []).length;
    if (current.length && (current.length === BATCH || bytes + size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

// A Map-backed storage for tests and for browsers without IndexedDB.
export function memoryStorage() {
  const map = new Map();
  return {
    map,
    async all() { return [...map.values()].map((v) => structuredClone(v)); },
    async put(item) { map.set(item.id, structuredClone(item)); },
    async remove(id) { map.delete(id); },
  };
}
