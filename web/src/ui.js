// Shared pieces of every screen: one heading per screen that takes the focus
// when the screen opens (so a screen reader says where the member is), a way
// home in words, states in words and symbols (never colour alone), radio
// choices as large buttons.

import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { WAITING, SENT, REFUSED, QUESTION } from './outbox.js';
import { refusalWords } from './words.js';
import { state, remember, subscribe } from './state.js';
import { TransportError } from './outbox.js';

export const html = htm.bind(h);

export function go(path) {
  if (location.hash !== '#' + path) location.hash = path;
}

export function Screen({ title, back = true, children }) {
  const heading = useRef(null);
  useEffect(() => {
    document.title = `${title} – cohours`;
    heading.current?.focus();
  }, [title]);
  return html`
    ${back && html`<nav class="top" aria-label="Back"><a class="back" href="#/">‹ Back to home</a></nav>`}
    <main id="main">
      <h1 tabindex="-1" ref=${heading}>${title}</h1>
      ${children}
    </main>`;
}

export function ItemState({ item }) {
  if (!item) return null;
  if (item.state === SENT) return html`<p class="state state-sent"><span aria-hidden="true">✓ </span>Sent</p>`;
  if (item.state === QUESTION) {
    return html`<p class="state state-question"><span aria-hidden="true">? </span>Already logged? ${item.message}</p>`;
  }
  if (item.state === REFUSED) {
    return html`<p class="state state-refused"><span aria-hidden="true">✗ </span>Not accepted: ${refusalWords(item.error, item.message)}</p>`;
  }
  return html`<p class="state state-waiting"><span aria-hidden="true">◔ </span>Waiting to send</p>`;
}

export function Choice({ legend, name, options, value, onChange, hint }) {
  return html`
    <fieldset class="choice">
      <legend>${legend}</legend>
      ${hint && html`<p class="hint">${hint}</p>`}
      <div class="options">
        ${options.map((o) => html`
          <label class=${'option' + (o.value === value ? ' chosen' : '')}>
            <input type="radio" name=${name} value=${o.value} checked=${o.value === value}
                   onChange=${() => onChange(o.value)} />
            <span>${o.label}</span>
          </label>`)}
      </div>
    </fieldset>`;
}

export function ErrorText({ id, text }) {
  if (!text) return null;
  return html`<p id=${id} class="error" role="alert"><span aria-hidden="true">⚠ </span>${text}</p>`;
}

// Re-renders its user whenever the phone's state changes.
export function useAppState() {
  const [, setTick] = useState(0);
  useEffect(() => subscribe(() => setTick((t) => t + 1)), []);
  return state;
}

// An answer of the node, kept for when there is no signal: the last copy at
// once, then a fresh one. { data, at, error, offline, loading, reload }.
export function useRemote(name, fetcher) {
  useAppState();
  const [status, setStatus] = useState({ loading: true, error: '', offline: false });
  const run = async () => {
    setStatus((s) => ({ ...s, loading: true }));
    try {
      const data = await fetcher();
      await remember(name, data);
      setStatus({ loading: false, error: '', offline: false });
    } catch (e) {
      setStatus({ loading: false, error: e.message, offline: e instanceof TransportError });
    }
  };
  useEffect(() => { run(); }, [name]);
  const cached = state.cache[name];
  return { data: cached?.data, at: cached?.at, ...status, reload: run };
}

export function Freshness({ remote, what }) {
  if (remote.loading && !remote.data) return html`<p class="note" role="status">Loading ${what}…</p>`;
  if (remote.offline) {
    const when = remote.at ? new Date(remote.at).toLocaleString('en-GB', { weekday: 'long', hour: '2-digit', minute: '2-digit' }) : '';
    return html`<p class="note" role="status">No connection now.${when ? ` Showing ${what} as of ${when}.` : ` ${what[0].toUpperCase() + what.slice(1)} will show when you are back online.`}</p>`;
  }
  if (remote.error) return html`<p class="error" role="alert"><span aria-hidden="true">⚠ </span>Could not load ${what}: ${remote.error}</p>`;
  return null;
}

export function itemFor(items, predicate) {
  return items.filter(predicate).sort((a, b) => b.queued_ms - a.queued_ms)[0];
}

export function waitingCount(items) {
  return items.filter((i) => i.state === WAITING).length;
}

export function questionCount(items) {
  return items.filter((i) => i.state === QUESTION).length;
}
