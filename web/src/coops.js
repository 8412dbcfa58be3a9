// My co-ops (docs/phone.md "Several co-ops"): every co-op this phone's key
// belongs to with its balance there, joining another with a code, and
// moving hours to oneself at another co-op.

import { useState } from 'preact/hooks';
import { html, Screen, Choice, ErrorText, useAppState, useRemote, Freshness } from './ui.js';
import { apiFor, allMemberships, joinAnother, moveCredits, leaveMembership } from './state.js';
import { duration, balanceWords } from './words.js';

// One co-op's card: the node's own GET /v1/me, kept for when there is no signal.
function CoopCard({ membership }) {
  const me = useRemote('me@' + membership.node_key, () => apiFor(membership.base).me());
  const m = me.data;
  const h = 'coop-' + membership.node_key.slice(0, 8);
  return html`
    <section class="card" aria-labelledby=${h}>
      <h2 id=${h}>${membership.node}${membership.home ? ' (this app\u2019s co-op)' : ''}</h2>
      <p>You are ${membership.alias} there${membership.roles?.length ? `, ${membership.roles.join(' and ')}` : ''}.</p>
      ${m && html`<p class="big">${balanceWords(m.balance_minutes)}</p>`}
      <${Freshness} remote=${me} what=${`your hours at ${membership.node}`} />
      ${!membership.home && html`
        <button class="secondary" type="button" onClick=${() => leaveMembership(membership.node_key)}>
          Forget ${membership.node} on this phone</button>`}
    </section>`;
}

function JoinForm() {
  const [address, setAddress] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setError('');
    setDone('');
    setBusy(true);
    try {
      const joined = await joinAnother(address, code);
      setDone(`You joined ${joined.node} as ${joined.alias}, with the same key.`);
      setAddress('');
      setCode('');
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <form onSubmit=${submit} novalidate aria-labelledby="join-h">
      <h2 id="join-h">Join another co-op</h2>
      <p class="hint">Its coordinator gives you its address and a joining code. This phone joins with the key it already has.</p>
      <label class="field" for="join-address">The co-op's address</label>
      <input id="join-address" type="url" inputmode="url" autocomplete="off" placeholder="riverside.example.org"
             value=${address} onInput=${(e) => setAddress(e.target.value)} />
      <label class="field" for="join-code">Joining code</label>
      <input id="join-code" autocomplete="off" autocapitalize="characters" placeholder="ABCD-EFGH-JKLM"
             value=${code} onInput=${(e) => setCode(e.target.value)} />
      <${ErrorText} id="join-error" text=${error} />
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Joining…' : 'Join'}</button>
      ${done && html`<p class="state state-sent" role="status"><span aria-hidden="true">✓ </span>${done}</p>`}
    </form>`;
}

const MOVE_CHOICES = [30, 60, 120, 180];

function MoveForm({ coops }) {
  const [from, setFrom] = useState(coops[0].node_key);
  const [to, setTo] = useState(coops[1].node_key);
  const [minutes, setMinutes] = useState(60);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const options = coops.map((c) => ({ value: c.node_key, label: c.node }));
  const submit = async (e) => {
    e.preventDefault();
    setError('');
    setDone('');
    setBusy(true);
    try {
      const moved = await moveCredits(from, to, minutes);
      const names = (key) => coops.find((c) => c.node_key === key).node;
      setDone(moved.queued
        ? `${duration(minutes)} will move from ${names(from)} to ${names(to)} once it is sent.`
        : `${names(from)} took it: ${duration(minutes)} are on their way to you at ${names(to)}.`);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <form onSubmit=${submit} novalidate aria-labelledby="move-h">
      <h2 id="move-h">Move hours between your co-ops</h2>
      <${Choice} legend="From" name="move-from" options=${options} value=${from} onChange=${setFrom} />
      <${Choice} legend="To" name="move-to" options=${options} value=${to} onChange=${setTo} />
      <${Choice} legend="How much" name="move-minutes"
        options=${MOVE_CHOICES.map((m) => ({ value: String(m), label: duration(m) }))}
        value=${String(minutes)} onChange=${(v) => setMinutes(Number(v))} />
      <${ErrorText} id="move-error" text=${error} />
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Moving…' : 'Move hours'}</button>
      ${done && html`<p class="state state-sent" role="status"><span aria-hidden="true">✓ </span>${done}</p>`}
    </form>`;
}

export function Coops() {
  useAppState();
  const coops = allMemberships();
  return html`
    <${Screen} title="My co-ops">
      <p>Each co-op keeps its own count of your hours. You sign at each with this phone's one key.</p>
      ${coops.map((c) => html`<${CoopCard} key=${c.node_key} membership=${c} />`)}
      ${coops.length > 1 && html`<${MoveForm} coops=${coops} />`}
      <${JoinForm} />
    <//>`;
}
