// Every screen of the app, one task each (docs/phone.md).

import { useEffect, useState } from 'preact/hooks';
import { html, go, Screen, ItemState, Choice, ErrorText, useAppState, useRemote, Freshness, itemFor, waitingCount, questionCount } from './ui.js';
import { state, api, enrol, restore, signAndQueue, sendSoon, getPref, setPref, outbox } from './state.js';
import { WAITING, QUESTION } from './outbox.js';
import { ZERO_KEY, EXPENSE_CATEGORIES } from './codec.js';
import { daysFromIso, localIso, addDaysIso } from './dates.js';
import { othersThan } from './identity.js';
import { duration, balanceWords, categoryName, money, parsePence, movementSentence, dateWords, requestStatusWords, expenseStatusWords, vettingWords, groupWords } from './words.js';
import { makeBackup, openBackup, passphraseProblem, BackupError } from './backup.js';
import { RECEIPT_MAX, receiptType } from './receipt.js';
import { MatchesCard } from './offers.js';

// Where sending stands, for people: no signal, the co-op not answering, or trying.
function sendingWords(s) {
  if (!s.online || s.noConnection) return 'It will go by itself when your phone has signal.';
  if (s.problem) return `${s.problem} It will try again by itself.`;
  return 'Sending now…';
}

const has = (role) => state.identity?.roles?.includes(role);
const today = () => localIso(new Date(api.nowMs()));

function DateChoice({ legend, value, onChange, name, future = false }) {
  const t = today();
  const near = future ? [[t, 'Today'], [addDaysIso(t, 1), 'Tomorrow']] : [[t, 'Today'], [addDaysIso(t, -1), 'Yesterday']];
  const isNear = near.some(([v]) => v === value);
  const [other, setOther] = useState(!isNear);
  return html`
    <${Choice} legend=${legend} name=${name}
      options=${[...near.map(([v, label]) => ({ value: v, label })), { value: 'other', label: 'Another day' }]}
      value=${other ? 'other' : value}
      onChange=${(v) => { if (v === 'other') { setOther(true); } else { setOther(false); onChange(v); } }} />
    ${other && html`
      <label class="field" for=${name + '-day'}>Which day?</label>
      <input id=${name + '-day'} type="date" value=${value} max=${future ? addDaysIso(t, 366) : t}
             min=${future ? t : undefined} onInput=${(e) => e.target.value && onChange(e.target.value)} />`}`;
}

const DURATIONS = [30, 60, 90, 120, 180];

function DurationChoice({ legend, value, onChange, name, choices = DURATIONS }) {
  const [other, setOther] = useState(!choices.includes(value));
  const hours = Math.floor(value / 60);
  const minutes = value % 60;
  return html`
    <${Choice} legend=${legend} name=${name}
      options=${[...choices.map((m) => ({ value: String(m), label: duration(m) })), { value: 'other', label: 'Other' }]}
      value=${other ? 'other' : String(value)}
      onChange=${(v) => { if (v === 'other') setOther(true); else { setOther(false); onChange(Number(v)); } }} />
    ${other && html`
      <div class="row">
        <div><label class="field" for=${name + '-h'}>Hours</label>
          <input id=${name + '-h'} type="number" inputmode="numeric" min="0" max="24" value=${hours}
                 onInput=${(e) => onChange((Number(e.target.value) || 0) * 60 + minutes)} /></div>
        <div><label class="field" for=${name + '-m'}>Minutes</label>
          <input id=${name + '-m'} type="number" inputmode="numeric" min="0" max="59" step="5" value=${minutes}
                 onInput=${(e) => onChange(hours * 60 + (Number(e.target.value) || 0))} /></div>
      </div>`}`;
}

function NoteField({ id, label, value, onInput }) {
  return html`
    <label class="field" for=${id}>${label} <span class="optional">(you can leave this empty)</span></label>
    <p class="hint" id=${id + '-hint'}>Only the co-op sees it. It is never in the shared record.</p>
    <textarea id=${id} rows="3" maxlength="1000" aria-describedby=${id + '-hint'} value=${value}
              onInput=${(e) => onInput(e.target.value)}></textarea>`;
}

// ---- welcome, joining, restoring ----

export function Welcome({ code: initial }) {
  const [code, setCode] = useState(initial ?? '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [coop, setCoop] = useState('');
  useEffect(() => { api.health().then((h) => setCoop(h.node)).catch(() => {}); }, []);
  const join = async (e) => {
    e.preventDefault();
    const clean = code.trim().toUpperCase().replace(/\s+/g, ' ');
    if (!clean) { setError('Type the joining code your coordinator gave you.'); return; }
    setBusy(true);
    setError('');
    try {
      await enrol(clean);
      go('/');
    } catch (err) {
      // An unknown, used or expired code, or one not shaped like a code at all.
      const badCode = err.error === 'bad_code' || (err.status === 400 && String(err.field ?? '').startsWith('code'));
      setError(badCode
        ? 'That code does not work. It may be mistyped, used already, or too old. Ask your coordinator for a new one.'
        : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <${Screen} title=${coop ? `Join ${coop}` : 'Join your co-op'} back=${false}>
      <p>With this app you can note the hours of help you give, confirm help you were given, ask for respite and claim expenses.</p>
      <form onSubmit=${join} novalidate>
        <label class="field" for="code">Joining code</label>
        <p class="hint" id="code-hint">Your coordinator gives you this code, on paper or as a picture to scan with your phone's camera.</p>
        <input id="code" name="code" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false"
               aria-describedby=${error ? 'code-hint code-error' : 'code-hint'} aria-invalid=${error ? 'true' : 'false'}
               value=${code} onInput=${(e) => setCode(e.target.value)} />
        <${ErrorText} id="code-error" text=${error} />
        <button class="primary" type="submit" disabled=${busy}>${busy ? 'Joining…' : 'Join'}</button>
      </form>
      <p><a class="button secondary" href="#/restore">I have a backup of my key</a></p>
    <//>`;
}

export function Restore() {
  const [file, setFile] = useState(null);
  const [pass, setPass] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setError('');
    if (!file) { setError('Choose your backup file first.'); return; }
    setBusy(true);
    try {
      const opened = await openBackup(await file.text(), pass);
      await restore(opened);
      go('/');
    } catch (err) {
      setError(err instanceof BackupError ? err.message : err.message || 'The backup could not be opened.');
    } finally {
      setBusy(false);
    }
  };
  return html`
    <${Screen} title="Restore my key" back=${!!state.identity}>
      <p>Use the backup file you saved from this app, and the passphrase you chose for it.</p>
      <form onSubmit=${submit} novalidate>
        <label class="field" for="backup-file">Backup file</label>
        <input id="backup-file" type="file" accept=".json,application/json" onChange=${(e) => setFile(e.target.files[0] ?? null)} />
        <label class="field" for="restore-pass">Passphrase</label>
        <input id="restore-pass" type="password" autocomplete="current-password" value=${pass}
               aria-describedby=${error ? 'restore-error' : undefined} onInput=${(e) => setPass(e.target.value)} />
        <${ErrorText} id="restore-error" text=${error} />
        <button class="primary" type="submit" disabled=${busy}>${busy ? 'Opening…' : 'Restore my key'}</button>
      </form>
      ${!state.identity && html`<p><a class="button secondary" href="#/">I have a joining code instead</a></p>`}
    <//>`;
}

// ---- home ----

export function Home() {
  const s = useAppState();
  const me = useRemote('me', () => api.me());
  const id = s.identity;
  const m = me.data;
  const waiting = waitingCount(s.items);
  const refused = s.items.filter((i) => i.state === 'refused' && !i.seen).length;
  const questions = questionCount(s.items);
  const gives = has('volunteer') || has('carer');
  return html`
    <${Screen} title=${`Hello, ${id.alias}`} back=${false}>
      <section class="card" aria-labelledby="balance-h">
        <h2 id="balance-h">Your hours</h2>
        ${m ? html`
          <p class="big">${balanceWords(m.balance_minutes)}</p>
          ${m.pending_in_minutes > 0 && html`<p>${duration(m.pending_in_minutes)} more when the people you helped confirm.</p>`}
          ${m.pending_out_minutes > 0 && html`<p>${duration(m.pending_out_minutes)} to others, waiting to be confirmed.</p>`}`
        : html`<${Freshness} remote=${me} what="your hours" />`}
        ${m && html`<${Freshness} remote=${me} what="your hours" />`}
      </section>
      ${has('volunteer') && vettingWords(m) && html`
        <section class="card notice" aria-labelledby="vetting-h">
          <h2 id="vetting-h">Safeguarding check</h2>
          <p>${vettingWords(m)}</p>
        </section>`}
      ${questions > 0 && html`
        <section class="card notice" aria-labelledby="question-h">
          <h2 id="question-h"><span aria-hidden="true">? </span>${questions === 1 ? 'Hours you logged look like some already logged' : `${questions} hours you logged look like some already logged`}</h2>
          <p>Tell us whether they are more help, so they are not counted twice.</p>
          <a class="button secondary" href="#/sending">Answer</a>
        </section>`}
      ${gives && html`<${ThanksCard} />`}
      ${(waiting > 0 || refused > 0) && html`
        <section class="card notice" aria-labelledby="outbox-h">
          <h2 id="outbox-h">${waiting > 0 ? html`<span aria-hidden="true">◔ </span>${waiting === 1 ? '1 thing' : `${waiting} things`} waiting to send` : html`<span aria-hidden="true">✗ </span>Not accepted`}</h2>
          ${waiting > 0 && html`<p>${sendingWords(s)}</p>`}
          <a class="button secondary" href="#/sending">${waiting > 0 ? 'See what is waiting' : 'See what was not accepted'}</a>
        </section>`}
      <${MatchesCard} />
      <nav aria-label="What would you like to do?" class="tasks">
        ${gives && html`<a class="button primary" href="#/log">Log hours I gave</a>`}
        <a class="button" href="#/confirm">Confirm help I was given${m?.to_confirm ? html` <span class="count">(${m.to_confirm} to confirm)</span>` : ''}</a>
        ${(has('carer') || has('volunteer')) && html`<a class="button" href="#/respite">Respite</a>`}
        <a class="button" href="#/offers">Offers and requests</a>
        <a class="button" href="#/history">My hours and history</a>
        ${gives && html`<a class="button" href="#/expense">Claim an expense</a>`}
        ${gives && html`<a class="button" href="#/expenses">My expense claims</a>`}
        <a class="button" href="#/coops">My co-ops${s.memberships.length ? html` <span class="count">(${s.memberships.length + 1})</span>` : ''}</a>
        <a class="button" href="#/key">Back up my key</a>
      </nav>
      <p class="small">${id.node}</p>
    <//>`;
}

// ---- log hours ----

function membersOf(data) {
  // By the member's own key, not the phone's: they differ after a rekey.
  return othersThan(data?.members, state.identity);
}

export function LogHours() {
  const members = useRemote('members', () => api.members());
  const people = membersOf(members.data);
  const categories = members.data?.categories ?? [];
  const [who, setWho] = useState(null);
  const [minutes, setMinutes] = useState(60);
  const [category, setCategory] = useState(null);
  const [day, setDay] = useState(today());
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [recent, setRecent] = useState([]);
  useEffect(() => {
    getPref('recent_people', []).then(setRecent);
    getPref('last_category', null).then((c) => setCategory((x) => x ?? c));
  }, []);
  // Defaults: the last person helped, the last kind of help.
  const sorted = [...people].sort((a, b) => {
    const ra = recent.indexOf(a.key), rb = recent.indexOf(b.key);
    if (ra !== rb) return (ra < 0 ? 99 : ra) - (rb < 0 ? 99 : rb);
    return a.alias.localeCompare(b.alias);
  });
  const chosen = who ?? (sorted[0]?.key ?? 'community');
  // The last kind of help; else befriending (loneliness is the main harm,
  // DOMAIN.md), else the first that is not respite (which has its own screen).
  const cat = category && categories.includes(category) ? category
    : categories.includes('befriending') ? 'befriending' : categories.find((c) => c !== 'respite') ?? categories[0] ?? '';
  const max = members.data?.max_entry_minutes ?? 720;

  const save = async (e) => {
    e.preventDefault();
    setError('');
    if (!chosen) { setError('Choose who you helped.'); return; }
    if (!(minutes > 0)) { setError('Say how long you helped.'); return; }
    if (minutes > max) { setError(`One entry can be at most ${duration(max)}. Log the rest as another entry.`); return; }
    if (day > today()) { setError('Hours are logged on or after the day you helped.'); return; }
    const community = chosen === 'community';
    const person = people.find((p) => p.key === chosen);
    const pool = community || person?.roles?.includes('service-user');
    const name = community ? 'the community' : person?.alias ?? 'someone';
    const summary = `You gave ${name} ${duration(minutes)} of ${categoryName(cat).toLowerCase()}, ${dateWords(day, today()).toLowerCase()}`;
    try {
      const item = await signAndQueue('hours.log', {
        recipient: community ? ZERO_KEY : chosen, payer: pool ? 'pool' : 'recipient', minutes, category: cat,
        date_days: daysFromIso(day),
      }, { summary, note, noteField: 'note_digest', meta: { to: name } });
      if (!community) await setPref('recent_people', [chosen, ...recent.filter((k) => k !== chosen)].slice(0, 8));
      await setPref('last_category', cat);
      go('/done/' + item.id);
    } catch (err) {
      setError(err.message);
    }
  };

  if (!members.data) {
    return html`<${Screen} title="Log hours I gave"><${Freshness} remote=${members} what="the list of members" /><//>`;
  }
  return html`
    <${Screen} title="Log hours I gave">
      <form onSubmit=${save} novalidate>
        <label class="field" for="who">Who did you help?</label>
        <select id="who" value=${chosen} onChange=${(e) => setWho(e.target.value)}>
          ${sorted.map((p) => html`<option value=${p.key}>${p.alias}</option>`)}
          <option value="community">The community (no one person)</option>
        </select>
        <${DurationChoice} legend="How long?" name="minutes" value=${minutes} onChange=${setMinutes} />
        <label class="field" for="category">What kind of help?</label>
        <select id="category" value=${cat} onChange=${(e) => setCategory(e.target.value)}>
          ${categories.map((c) => html`<option value=${c}>${categoryName(c)}</option>`)}
        </select>
        <${DateChoice} legend="When?" name="day" value=${day} onChange=${setDay} />
        <details>
          <summary>Add a private note</summary>
          <${NoteField} id="note" label="Note" value=${note} onInput=${setNote} />
        </details>
        <${ErrorText} id="log-error" text=${error} />
        <button class="primary" type="submit">Save ${duration(minutes)}</button>
      </form>
    <//>`;
}

// Hours like some already logged: the node asks whether they are more help
// (docs/api.md, possible duplicates); the member answers here.
function DuplicateQuestion({ item }) {
  if (item.state !== QUESTION) return null;
  return html`
    <div class="question" role="group" aria-labelledby=${`q-${item.id}`}>
      <p id=${`q-${item.id}`}>Is this more help, on another visit? Or the same help logged twice?</p>
      <button class="primary" type="button" onClick=${async () => { await outbox.answer(item.id, true); sendSoon(); }}>It is more help: send it</button>
      <button class="secondary" type="button" onClick=${() => outbox.answer(item.id, false)}>It is the same: do not send it</button>
    </div>`;
}

// What happened to one signed entry: its sentence and its state, live.
export function Done({ id }) {
  const s = useAppState();
  const item = s.items.find((i) => i.id === id);
  if (!item) return html`<${Screen} title="Not found"><p>This phone has no record of that.</p><a class="button" href="#/">Home</a><//>`;
  const after = {
    'hours.log': `${item.meta?.to && item.meta.to !== 'the community' ? item.meta.to : 'A coordinator'} will be asked to confirm. Your hours go up when they do.`,
    'hours.confirm': 'Thank you. The hours now count for the person who helped you.',
    'respite.request': 'Volunteers can now see your request and offer to help.',
    'respite.offer': 'Thank you. The carer confirms after the respite, and then the hours count for you.',
    'expense.claim': 'The co-op decides on your claim and pays it. You can follow it under "My expense claims".',
  }[item.kind];
  return html`
    <${Screen} title=${item.state === 'refused' ? 'Not accepted' : item.state === 'sent' ? 'Sent' : item.state === QUESTION ? 'Already logged?' : 'Saved on this phone'}>
      <p class="big-text">${item.summary}</p>
      <div aria-live="polite"><${ItemState} item=${item} /></div>
      <${DuplicateQuestion} item=${item} />
      ${item.state === WAITING && html`<p>It is safe on this phone. ${sendingWords(s)}</p>`}
      ${item.state === 'sent' && after && html`<p>${after}</p>`}
      ${item.state === 'refused' && html`<p>Nothing was changed, so this does not count. If you think this is wrong, talk to your coordinator.</p>`}
      <a class="button primary" href="#/">Back to home</a>
      ${item.kind === 'hours.log' && html`<a class="button" href="#/log">Log more hours</a>`}
    <//>`;
}

export function Sending() {
  const s = useAppState();
  const items = [...s.items].reverse();
  const waiting = waitingCount(items);
  useEffect(() => {
    // Looking at this screen counts as having seen the refusals.
    for (const i of s.items) if (i.state === 'refused' && !i.seen) outbox.storage.put({ ...i, seen: true });
  }, []);
  return html`
    <${Screen} title="Sending">
      ${waiting > 0 ? html`
        <p>These are safe on this phone. ${sendingWords(s)}</p>
        <button class="primary" type="button" onClick=${() => { outbox.nextAttemptAt = 0; sendSoon(); }}>Try again now</button>`
      : html`<p>Everything has been sent.</p>`}
      <ul class="list">
        ${items.map((i) => html`<li><p>${i.summary}</p><${ItemState} item=${i} /><${DuplicateQuestion} item=${i} /></li>`)}
      </ul>
    <//>`;
}

// ---- confirming help received ----

const THANKS_MAX = 280;

// After confirming: a short thank-you to the volunteer, sent at once (it
// is not a ledger entry, so it does not wait in the outbox).
function SayThanks({ entry, volunteer }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [sent, setSent] = useState(false);
  const id = 'thanks-' + entry.slice(0, 12);
  if (sent) return html`<p class="state state-sent" role="status"><span aria-hidden="true">✓ </span>Your thank-you was sent to ${volunteer}.</p>`;
  const left = THANKS_MAX - [...text].length;
  const send = async (e) => {
    e.preventDefault();
    if (!text.trim()) return setError('Write a few words first.');
    if (left < 0) return setError(`That is ${-left} characters too long.`);
    setBusy(true);
    setError('');
    try {
      await api.sendThanks(entry, text.trim());
      setSent(true);
    } catch (err) {
      setError(err.status === 409 ? 'You have thanked them for this already.' : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <form class="thanks" onSubmit=${send}>
      <label class="field" for=${id}>Say thank you to ${volunteer} <span class="optional">(you can leave this empty)</span></label>
      <p class="hint" id=${id + '-hint'}>Only ${volunteer} and you see it, and either of you can delete it. ${left} characters left.</p>
      <textarea id=${id} rows="2" maxlength=${THANKS_MAX * 2} aria-describedby=${id + '-hint'} value=${text}
                onInput=${(e) => setText(e.target.value)}></textarea>
      <${ErrorText} id=${id + '-error'} text=${error} />
      <button type="submit" disabled=${busy}>${busy ? 'Sending…' : 'Send thank you'}</button>
    </form>`;
}

// Thank-yous this volunteer received, newest first, on the home screen.
function ThanksCard() {
  const thanks = useRemote('thanks', () => api.thanks());
  const received = [...(thanks.data?.received ?? [])].reverse();
  if (!thanks.data && !thanks.error) return null;
  if (received.length === 0 && !thanks.error) return null;
  return html`
    <section class="card" aria-labelledby="thanks-h">
      <h2 id="thanks-h">Thank-yous</h2>
      <${Freshness} remote=${thanks} what="your thank-yous" />
      <ul class="list">
        ${received.slice(0, 5).map((t) => html`<li>
          <p class="big-text">“${t.text}”</p>
          <p>${t.from}, for ${duration(t.minutes)}. ${dateWords(t.date, today())}</p></li>`)}
      </ul>
    </section>`;
}

export function Confirm() {
  const s = useAppState();
  const pending = useRemote('pending', () => api.pending());
  const list = pending.data?.to_confirm ?? [];
  const confirm = async (p) => {
    const who = p.provider ?? 'someone';
    await signAndQueue('hours.confirm', { target: p.id }, {
      summary: `${who} gave you ${duration(p.minutes)}${p.kind === 'respite' ? ' of respite' : ` of ${categoryName(p.category).toLowerCase()}`}: you confirmed it`,
      meta: { target: p.id },
    });
  };
  return html`
    <${Screen} title="Confirm help I was given">
      <${Freshness} remote=${pending} what="the hours to confirm" />
      ${pending.data && list.length === 0 && html`<p>Nothing to confirm just now.</p>`}
      <ul class="list">
        ${list.map((p) => {
          const done = itemFor(s.items, (i) => i.meta?.target === p.id && (i.kind === 'hours.confirm' || i.kind === 'hours.void'));
          const sentence = movementSentence({ direction: 'received', other: p.provider, minutes: p.minutes, kind: p.kind, category: p.category });
          return html`<li>
            <p class="big-text">${sentence}</p>
            ${p.group && html`<p class="group">${groupWords(p.group)}</p>`}
            <p>${dateWords(p.date, today())}</p>
            ${done ? html`<p>${done.kind === 'hours.confirm' ? 'You confirmed this.' : 'You said this did not happen.'}</p><${ItemState} item=${done} />
                ${done.kind === 'hours.confirm' && html`<${SayThanks} entry=${p.id} volunteer=${p.provider ?? 'the volunteer'} />`}`
              : html`<div class="row-buttons">
                <button class="primary" type="button" onClick=${() => confirm(p)}
                        aria-label=${`Yes, confirm: ${sentence}`}>Yes, confirm</button>
                <a class="button" href=${'#/dispute/' + p.id} aria-label=${`No, this is wrong: ${sentence}`}>No, this is wrong</a>
              </div>`}
          </li>`;
        })}
      </ul>
    <//>`;
}

export function Dispute({ id }) {
  const pending = useRemote('pending', () => api.pending());
  const p = (pending.data?.to_confirm ?? []).find((x) => x.id === id);
  const [note, setNote] = useState('');
  if (!p) return html`<${Screen} title="Not found"><p>These hours are no longer waiting for you.</p><//>`;
  const sentence = movementSentence({ direction: 'received', other: p.provider, minutes: p.minutes, kind: p.kind, category: p.category });
  const submit = async (e) => {
    e.preventDefault();
    const item = await signAndQueue('hours.void', { target: p.id }, {
      summary: `You said this did not happen: ${sentence}`, note, noteField: 'reason_digest', meta: { target: p.id },
    });
    go('/done/' + item.id);
  };
  return html`
    <${Screen} title="This did not happen">
      <p class="big-text">${sentence}, ${dateWords(p.date, today()).toLowerCase()}.</p>
      <p>If this is wrong, you can cancel it. ${p.provider} will see that it was cancelled.</p>
      <form onSubmit=${submit}>
        <${NoteField} id="reason" label="What was wrong?" value=${note} onInput=${setNote} />
        <button class="primary" type="submit">Cancel these hours</button>
      </form>
      <a class="button" href="#/confirm">Go back without changing anything</a>
    <//>`;
}

// ---- respite ----

export function Respite() {
  const s = useAppState();
  const open = useRemote('respite', () => api.respite());
  const pending = useRemote('pending', () => api.pending());
  const others = (open.data?.open ?? []).filter((r) => r.carer !== s.identity.alias);
  const mine = open.data?.mine ?? [];
  const myOffers = (pending.data?.waiting ?? []).filter((w) => w.kind === 'respite');
  const queuedRequests = s.items.filter((i) => i.kind === 'respite.request' && i.state !== 'sent');
  return html`
    <${Screen} title="Respite">
      <${Freshness} remote=${open} what="respite requests" />
      ${has('carer') && html`
        <section aria-labelledby="mine-h">
          <h2 id="mine-h">My requests</h2>
          <a class="button primary" href="#/respite/ask">Ask for respite</a>
          ${mine.length === 0 && queuedRequests.length === 0 && html`<p>You have not asked for respite yet.</p>`}
          <ul class="list">
            ${queuedRequests.map((i) => html`<li><p>${i.summary}</p><${ItemState} item=${i} /></li>`)}
            ${mine.map((r) => {
              const cancel = itemFor(s.items, (i) => i.kind === 'respite.cancel' && i.meta?.request === r.id);
              return html`<li>
                <p class="big-text">${duration(r.minutes)}, ${dateWords(r.date, today())}</p>
                <p><span class="label">Now: </span>${requestStatusWords(r.status, r.volunteer)}</p>
                ${cancel ? html`<p>You cancelled this request.</p><${ItemState} item=${cancel} />`
                  : (r.status === 'open' || r.status === 'offered') && html`<a class="button" href=${'#/respite/cancel/' + r.id}
                      aria-label=${`Cancel my request for ${duration(r.minutes)}, ${dateWords(r.date, today())}`}>Cancel this request</a>`}
              </li>`;
            })}
          </ul>
        </section>`}
      ${has('volunteer') && html`
        <section aria-labelledby="open-h">
          <h2 id="open-h">Carers asking for respite</h2>
          ${open.data && others.length === 0 && html`<p>Nobody is waiting for respite just now.</p>`}
          <ul class="list">
            ${others.map((r) => {
              const offer = itemFor(s.items, (i) => i.kind === 'respite.offer' && i.meta?.request === r.id);
              return html`<li>
                <p class="big-text">${r.carer} asks for ${duration(r.minutes)}</p>
                <p>${dateWords(r.date, today())}</p>
                ${offer ? html`<p>You offered to help.</p><${ItemState} item=${offer} />`
                  : html`<a class="button primary" href=${'#/respite/offer/' + r.id}
                       aria-label=${`Offer to help ${r.carer}, ${duration(r.minutes)}, ${dateWords(r.date, today())}`}>Offer to help</a>`}
              </li>`;
            })}
          </ul>
          <h2>My offers</h2>
          ${myOffers.length === 0 ? html`<p>No offers waiting.</p>` : html`<ul class="list">
            ${myOffers.map((w) => html`<li><p>You offered ${w.recipient} ${duration(w.minutes)} of respite, ${dateWords(w.date, today())}.</p>
              <p>Waiting for ${w.recipient} to confirm afterwards.</p></li>`)}
          </ul>`}
        </section>`}
    <//>`;
}

export function RespiteAsk() {
  const [minutes, setMinutes] = useState(180);
  const [day, setDay] = useState(addDaysIso(today(), 1));
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    if (!(minutes > 0)) { setError('Say how long you need.'); return; }
    try {
      const item = await signAndQueue('respite.request', { minutes, date_days: daysFromIso(day) }, {
        summary: `You asked for ${duration(minutes)} of respite, ${dateWords(day, today()).toLowerCase()}`,
        note, noteField: 'note_digest',
      });
      go('/done/' + item.id);
    } catch (err) { setError(err.message); }
  };
  return html`
    <${Screen} title="Ask for respite">
      <p>A volunteer looks after things for you for a while. You pay them from your hours when it is done.</p>
      <form onSubmit=${submit} novalidate>
        <${DurationChoice} legend="For how long?" name="respite-minutes" value=${minutes} onChange=${setMinutes} choices=${[120, 180, 240]} />
        <${DateChoice} legend="On which day?" name="respite-day" value=${day} onChange=${setDay} future=${true} />
        <${NoteField} id="respite-note" label="Anything the co-op should know?" value=${note} onInput=${setNote} />
        <${ErrorText} id="respite-error" text=${error} />
        <button class="primary" type="submit">Ask for ${duration(minutes)}</button>
      </form>
    <//>`;
}

export function RespiteOffer({ id }) {
  const open = useRemote('respite', () => api.respite());
  const r = (open.data?.open ?? []).find((x) => x.id === id);
  if (!r) return html`<${Screen} title="Not found"><${Freshness} remote=${open} what="respite requests" /><p>This request is no longer open.</p><//>`;
  const offer = async () => {
    const item = await signAndQueue('respite.offer', { request: r.id }, {
      summary: `You offered ${r.carer} ${duration(r.minutes)} of respite, ${dateWords(r.date, today()).toLowerCase()}`,
      meta: { request: r.id },
    });
    go('/done/' + item.id);
  };
  return html`
    <${Screen} title="Offer respite">
      <p class="big-text">${r.carer} asks for ${duration(r.minutes)} of respite, ${dateWords(r.date, today()).toLowerCase()}.</p>
      <p>The co-op will put you in touch. ${r.carer} confirms afterwards, and then the hours count for you.</p>
      <button class="primary" type="button" onClick=${offer}>Yes, I will help</button>
      <a class="button" href="#/respite">Not now</a>
    <//>`;
}

export function RespiteCancel({ id }) {
  const open = useRemote('respite', () => api.respite());
  const r = (open.data?.mine ?? []).find((x) => x.id === id);
  if (!r) return html`<${Screen} title="Not found"><p>This request is not open.</p><//>`;
  const cancel = async () => {
    const item = await signAndQueue('respite.cancel', { request: r.id }, {
      summary: `You cancelled your request for ${duration(r.minutes)} of respite, ${dateWords(r.date, today()).toLowerCase()}`,
      meta: { request: r.id },
    });
    go('/done/' + item.id);
  };
  return html`
    <${Screen} title="Cancel a request">
      <p class="big-text">Your request: ${duration(r.minutes)} of respite, ${dateWords(r.date, today()).toLowerCase()}.</p>
      ${r.status === 'offered' && html`<p>${r.volunteer ?? 'A volunteer'} offered to help. They will see it was cancelled.</p>`}
      <button class="primary" type="button" onClick=${cancel}>Cancel this request</button>
      <a class="button" href="#/respite">Keep it</a>
    <//>`;
}

// ---- balance and history ----

export function History() {
  const s = useAppState();
  const me = useRemote('me', () => api.me());
  const statement = useRemote('statement', () => api.statement());
  const lines = [...(statement.data?.lines ?? [])].reverse();
  const pendingLines = statement.data?.pending ?? [];
  const waiting = s.items.filter((i) => i.state === WAITING);
  return html`
    <${Screen} title="My hours and history">
      <section class="card" aria-labelledby="bal-h">
        <h2 id="bal-h">Your hours now</h2>
        <p class="big">${me.data ? balanceWords(me.data.balance_minutes) : '…'}</p>
      </section>
      <${Freshness} remote=${statement} what="your history" />
      ${waiting.length > 0 && html`<section aria-labelledby="w-h"><h2 id="w-h">On this phone, not sent yet</h2>
        <ul class="list">${waiting.map((i) => html`<li><p>${i.summary}</p><${ItemState} item=${i} /></li>`)}</ul></section>`}
      ${pendingLines.length > 0 && html`<section aria-labelledby="p-h"><h2 id="p-h">Waiting to be confirmed</h2>
        <ul class="list">${pendingLines.map((p) => html`<li><p>${movementSentence(p)}</p><p>${dateWords(p.date, today())}</p></li>`)}</ul></section>`}
      <section aria-labelledby="h-h">
        <h2 id="h-h">Confirmed</h2>
        ${statement.data && lines.length === 0 && html`<p>Nothing yet.</p>`}
        <ul class="list">
          ${lines.map((l) => html`<li>
            <p class="big-text">${movementSentence(l)}</p>
            <p>${dateWords(l.date, today())}. ${l.change_minutes >= 0 ? 'Your hours went up by ' : 'Your hours went down by '}${duration(l.change_minutes)}.</p>
            <p class="small">Your hours after this: ${balanceWords(l.balance_after_minutes)}</p>
          </li>`)}
        </ul>
      </section>
    <//>`;
}

// ---- expenses ----

export function Expense() {
  const s = useAppState();
  const [category, setCategory] = useState('travel');
  const [amount, setAmount] = useState('');
  const [day, setDay] = useState(today());
  const [photo, setPhoto] = useState(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const currency = s.identity.currency ?? 'GBP';
  const submit = async (e) => {
    e.preventDefault();
    setError('');
    const pence = parsePence(amount);
    if (!pence) { setError('Type the amount you paid, like 12.40.'); return; }
    if (photo && photo.size > RECEIPT_MAX) { setError('That photo is too big (over 8 MB). Take it again a little further away, or at a lower quality.'); return; }
    if (photo && photo.size === 0) { setError('That photo is empty. Choose it again.'); return; }
    const type = photo ? await receiptType(photo) : '';
    if (photo && !type) { setError('The co-op keeps photos (JPEG, PNG or WebP) and PDFs. Choose one of those, or take the photo again with the camera.'); return; }
    try {
      const item = await signAndQueue('expense.claim', {
        pence, currency, category, date_days: daysFromIso(day), miles: 0, hours: ZERO_KEY, receipt_digest: ZERO_KEY,
      }, {
        summary: `You claimed ${money(pence, currency)} for ${category}, ${dateWords(day, today()).toLowerCase()}${photo ? ', with a receipt' : ''}`,
        note, noteField: 'note_digest',
        receipt: photo ? { blob: photo, type } : undefined,
      });
      go('/done/' + item.id);
    } catch (err) { setError(err.message); }
  };
  return html`
    <${Screen} title="Claim an expense">
      <p>Money you paid so you could help: the co-op pays it back in cash. It never changes your hours.</p>
      <form onSubmit=${submit} novalidate>
        <${Choice} legend="What was it for?" name="expense-category" value=${category} onChange=${setCategory}
          options=${EXPENSE_CATEGORIES.map((c) => ({ value: c, label: categoryName(c) }))} />
        <label class="field" for="amount">How much did you pay?</label>
        <p class="hint" id="amount-hint">${currency === 'GBP' ? 'In pounds and pence, like 12.40' : `In ${currency}, like 12.40`}</p>
        <input id="amount" inputmode="decimal" autocomplete="off" aria-describedby="amount-hint" value=${amount}
               onInput=${(e) => setAmount(e.target.value)} />
        <${DateChoice} legend="When did you pay?" name="expense-day" value=${day} onChange=${setDay} />
        <label class="field" for="photo">Photo of the receipt</label>
        <p class="hint" id="photo-hint">Take a photo, or choose one. A PDF works too.</p>
        <input id="photo" type="file" accept="image/*,application/pdf" aria-describedby="photo-hint"
               onChange=${(e) => setPhoto(e.target.files[0] ?? null)} />
        ${photo && html`<p>Chosen: ${photo.name}</p>`}
        <${NoteField} id="expense-note" label="Note" value=${note} onInput=${setNote} />
        <${ErrorText} id="expense-error" text=${error} />
        <button class="primary" type="submit">Claim ${parsePence(amount) ? money(parsePence(amount), currency) : ''}</button>
      </form>
    <//>`;
}

export function Expenses() {
  const s = useAppState();
  const claims = useRemote('expenses', () => api.expenses());
  const list = claims.data?.claims ?? [];
  const currency = claims.data?.currency ?? s.identity.currency;
  const waiting = s.items.filter((i) => i.kind === 'expense.claim' && i.state !== 'sent');
  return html`
    <${Screen} title="My expense claims">
      <${Freshness} remote=${claims} what="your claims" />
      <a class="button primary" href="#/expense">Claim an expense</a>
      ${claims.data && list.length === 0 && waiting.length === 0 && html`<p>No claims yet.</p>`}
      <ul class="list">
        ${waiting.map((i) => html`<li><p>${i.summary}</p><${ItemState} item=${i} /></li>`)}
        ${list.map((c) => html`<li>
          <p class="big-text">${money(c.pence, currency)} for ${c.category}</p>
          <p>${dateWords(c.date, today())}${c.receipt && c.receipt !== ZERO_KEY ? ', with a receipt' : ''}</p>
          <p><span class="label">Now: </span>${expenseStatusWords(c.status)}${c.status === 'paid' && c.paid ? `, ${dateWords(c.paid, today()).toLowerCase()}` : ''}</p>
        </li>`)}
      </ul>
    <//>`;
}

// ---- key backup ----

export function Key() {
  const s = useAppState();
  const [pass, setPass] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);
  const id = s.identity;
  const submit = async (e) => {
    e.preventDefault();
    setError('');
    const problem = passphraseProblem(pass, repeat);
    if (problem) { setError(problem); return; }
    setBusy(true);
    try {
      const file = await makeBackup(id, pass);
      const blob = new Blob([JSON.stringify(file, null, 2) + '\n'], { type: 'application/json' });
      const name = `cohours-key-${id.alias}.json`;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      await setPref('backed_up', Date.now());
      setSaved(name);
      setPass('');
      setRepeat('');
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const fingerprint = id.public_key.slice(0, 16).match(/.{4}/g).join(' ');
  return html`
    <${Screen} title="Back up my key">
      <p>Your key is what lets this phone sign for you. It never leaves this phone, so if you lose the phone, only a backup brings it back.</p>
      <p>The backup is a file, locked with a passphrase you choose. Keep the file somewhere safe (email it to yourself, or save it to a memory stick), and write the passphrase down somewhere else.</p>
      <form onSubmit=${submit} novalidate>
        <label class="field" for="pass">Choose a passphrase</label>
        <p class="hint" id="pass-hint">At least 10 letters or numbers. A few words you will remember work well.</p>
        <input id="pass" type="password" autocomplete="new-password" aria-describedby="pass-hint" value=${pass}
               onInput=${(e) => setPass(e.target.value)} />
        <label class="field" for="repeat">Type it again</label>
        <input id="repeat" type="password" autocomplete="new-password" value=${repeat}
               onInput=${(e) => setRepeat(e.target.value)} />
        <${ErrorText} id="key-error" text=${error} />
        <button class="primary" type="submit" disabled=${busy}>${busy ? 'Locking the file…' : 'Save my backup file'}</button>
      </form>
      ${saved && html`<p class="state state-sent" role="status"><span aria-hidden="true">✓ </span>Saved as ${saved}. Keep it safe.</p>`}
      <h2>My key</h2>
      <p>Member: ${id.alias}. Co-op: ${id.node}.</p>
      <p>Key starts: <span class="mono">${fingerprint}</span></p>
      <a class="button" href="#/restore">Restore a key from a backup</a>
    <//>`;
}
