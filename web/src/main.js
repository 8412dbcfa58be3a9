// The phone web app: reads the joining code from the address (#enrol=CODE,
// what the coordinator's QR code opens), loads the phone's state, routes by
// the address's #/path, and sends the outbox whenever it can.

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html, useAppState } from './ui.js';
import { loadState, startSender, state } from './state.js';
import * as S from './screens.js';
import * as O from './offers.js';
import { Coops } from './coops.js';

// #enrol=CODE: keep the code, take it out of the address and the history.
let enrolCode = null;
const m = /^#enrol=([A-Za-z0-9-]{1,64})$/.exec(location.hash);
if (m) {
  enrolCode = decodeURIComponent(m[1]).toUpperCase();
  history.replaceState(null, '', location.pathname + location.search + '#/');
}

function route() {
  return location.hash.replace(/^#/, '') || '/';
}

function Router() {
  const s = useAppState();
  const [path, setPath] = useState(route());
  useEffect(() => {
    const on = () => setPath(route());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  if (!s.identity) {
    if (path === '/restore') return html`<${S.Restore} />`;
    return html`<${S.Welcome} code=${enrolCode} />`;
  }
  const [, first, second, third] = path.split('/');
  switch (first) {
    case '': return html`<${S.Home} />`;
    case 'log': return html`<${S.LogHours} />`;
    case 'done': return html`<${S.Done} id=${second} />`;
    case 'sending': return html`<${S.Sending} />`;
    case 'confirm': return html`<${S.Confirm} />`;
    case 'dispute': return html`<${S.Dispute} id=${second} />`;
    case 'respite':
      if (second === 'ask') return html`<${S.RespiteAsk} />`;
      if (second === 'offer') return html`<${S.RespiteOffer} id=${third} />`;
      if (second === 'cancel') return html`<${S.RespiteCancel} id=${third} />`;
      return html`<${S.Respite} />`;
    case 'offers':
      if (second === 'add') return html`<${O.OfferAdd} />`;
      return html`<${O.Offers} />`;
    case 'history': return html`<${S.History} />`;
    case 'coops': return html`<${Coops} />`;
    case 'expense': return html`<${S.Expense} />`;
    case 'expenses': return html`<${S.Expenses} />`;
    case 'key': return html`<${S.Key} />`;
    case 'restore': return html`<${S.Restore} />`;
    default: return html`<${S.Home} />`;
  }
}

// Changes of what was sent, read out by screen readers wherever the member is.
function Announcer() {
  const s = useAppState();
  return html`<div class="visually-hidden" role="status" aria-live="polite">${s.announcement}</div>`;
}

function App() {
  return html`<a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.querySelector('h1')?.focus(); }}>Skip to content</a>
    <${Router} /><${Announcer} />`;
}

async function start() {
  await loadState();
  const root = document.getElementById('app');
  root.textContent = '';
  render(html`<${App} />`, root);
  startSender();
  if ('serviceWorker' in navigator && (location.protocol === 'https:' || location.hostname === 'localhost' || location.hostname === '127.0.0.1')) {
    navigator.serviceWorker.register('sw.js').catch(() => {});
  }
  document.documentElement.dataset.ready = 'true';
}

start().catch((e) => {
  document.getElementById('app').textContent = `The app could not start: ${e.message}`;
});
