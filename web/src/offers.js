// Offers and requests on the phone (docs/offers.md, docs/phone.md): the
// matches card on the home screen, my offers and requests with add and
// withdraw, and alerts on or off. Listings are not entries: they are sent
// at once as signed requests, so these screens need a connection.

import { useState } from 'preact/hooks';
import { html, go, Screen, Choice, ErrorText, useAppState, useRemote, Freshness } from './ui.js';
import { state, api } from './state.js';
import { categoryName, dateWords } from './words.js';
import { localIso } from './dates.js';

const today = () => localIso(new Date(api.nowMs()));
const isVolunteer = () => state.identity?.roles?.includes('volunteer');

function whenWords(l) {
  if (l.date) return dateWords(l.date, today());
  return l.days === 'any day' ? 'any day' : l.days.split(',').map((d) => d[0].toUpperCase() + d.slice(1)).join(', ');
}

function whereWords(l) {
  return l.district ? `around ${l.district}` : 'anywhere';
}

// One line a member reads for a match (api.md "Offers and requests").
export function matchWords(m) {
  const l = m.listing;
  if (m.what === 'request_fits') return `${l.owner} needs help: ${categoryName(l.category)}, ${whenWords(l)}, ${whereWords(l)}. “${l.text}”`;
  if (m.what === 'respite_fits') return `${m.respite.carer} asks for respite ${dateWords(m.respite.date, today())}. You can offer on the Respite screen.`;
  if (m.what === 'volunteers_fit') return `${m.volunteers.join(', ')} can help with your request: ${categoryName(l.category)}, ${whenWords(l)}.`;
  if (m.what === 'matched') {
    return l.owner === state.identity?.alias
      ? `Your coordinator found ${m.other} for your request: ${categoryName(l.category)}, ${whenWords(l)}.`
      : `Your coordinator put you with ${m.other}: ${categoryName(l.category)}, ${whenWords(l)}, ${whereWords(l)}.`;
  }
  if (m.what === 'respite_matched') return `Your coordinator matched you with ${m.other} for respite ${dateWords(m.respite.date, today())}.`;
  return 'There is news on your offers and requests.';
}

// The home screen's card: how many matches, the newest few.
export function MatchesCard() {
  const matches = useRemote('matches', () => api.matches());
  const list = matches.data?.matches ?? [];
  return html`
    <section class="card" aria-labelledby="matches-h">
      <h2 id="matches-h">Matches</h2>
      ${matches.data && (list.length === 0
        ? html`<p>No matches yet. Say what you can give or what you need.</p>`
        : html`<p>${list.length === 1 ? '1 match' : `${list.length} matches`} for your offers and requests.</p>
          <ul class="list">${list.slice(0, 3).map((m) => html`<li><p>${matchWords(m)}</p></li>`)}</ul>`)}
      <${Freshness} remote=${matches} what="your matches" />
      <a class="button secondary" href="#/offers">My offers and requests</a>
    </section>`;
}

const DAY_CHOICES = [
  { value: 'any', label: 'Any day' },
  { value: 'weekdays', label: 'Weekdays' },
  { value: 'weekends', label: 'Weekends' },
  { value: 'date', label: 'One date' },
];

export function OfferAdd() {
  const members = useRemote('members', () => api.members());
  const categories = members.data?.categories ?? [];
  const [kind, setKind] = useState(isVolunteer() ? 'offer' : 'request');
  const [category, setCategory] = useState('');
  const [text, setText] = useState('');
  const [when, setWhen] = useState('any');
  const [date, setDate] = useState(today());
  const [district, setDistrict] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    if (!category) { setError('Choose what kind of help.'); return; }
    if (!text.trim()) { setError('Say in a few words what you can do or need.'); return; }
    const body = { kind, category, text: text.trim() };
    if (when === 'date') body.date = date; else body.days = when;
    if (district.trim()) body.district = district.trim();
    setBusy(true);
    setError('');
    try {
      await api.postOffer(body);
      go('/offers');
    } catch (err) {
      setError(err.offline ? 'No connection now: try again when your phone has signal.' : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <${Screen} title=${kind === 'offer' ? 'Offer help' : 'Ask for help'}>
      <form onSubmit=${submit} novalidate>
        ${isVolunteer() && html`<${Choice} legend="Do you want to" name="kind" value=${kind} onChange=${setKind}
          options=${[{ value: 'offer', label: 'Offer help' }, { value: 'request', label: 'Ask for help' }]} />`}
        <${Choice} legend="What kind of help?" name="category" value=${category} onChange=${setCategory}
          options=${categories.map((c) => ({ value: c, label: categoryName(c) }))} />
        <${Freshness} remote=${members} what="the co-op's kinds of help" />
        <label class="field" for="offer-text">In a few words</label>
        <p class="hint" id="offer-text-hint">Members of the co-op see this. It is never in the shared record.</p>
        <textarea id="offer-text" rows="2" maxlength="240" aria-describedby="offer-text-hint" value=${text}
                  onInput=${(e) => setText(e.target.value)}></textarea>
        <${Choice} legend="When?" name="when" value=${when} onChange=${setWhen} options=${DAY_CHOICES} />
        ${when === 'date' && html`
          <label class="field" for="offer-date">Which day?</label>
          <input id="offer-date" type="date" value=${date} min=${today()} onInput=${(e) => e.target.value && setDate(e.target.value)} />`}
        <label class="field" for="offer-district">Roughly where <span class="optional">(you can leave this empty)</span></label>
        <p class="hint" id="offer-district-hint">The first part of the postcode only, such as LS6. Never your full address.</p>
        <input id="offer-district" autocapitalize="characters" maxlength="8" aria-describedby="offer-district-hint"
               value=${district} onInput=${(e) => setDistrict(e.target.value)} />
        <${ErrorText} id="offer-error" text=${error} />
        <button class="primary" type="submit" disabled=${busy}>${busy ? 'Sending…' : kind === 'offer' ? 'Offer' : 'Ask'}</button>
      </form>
    <//>`;
}

function AlertsSwitch() {
  const alerts = useRemote('alerts', () => api.alerts());
  const [error, setError] = useState('');
  const on = alerts.data?.on ?? false;
  const toggle = async () => {
    setError('');
    try {
      await api.setAlerts({ on: !on });
      alerts.reload();
    } catch (err) {
      setError(err.offline ? 'No connection now: try again later.' : err.message);
    }
  };
  return html`
    <section aria-labelledby="alerts-h">
      <h2 id="alerts-h">Alerts</h2>
      ${alerts.data && html`<p>${on
        ? `Alerts are on.${alerts.data.email ? ` A digest of new matches goes to ${alerts.data.email}.` : ' Ask your coordinator to add your email address for a digest.'}`
        : 'Alerts are off: no email digest is sent.'}</p>
        <button class="secondary" onClick=${toggle}>${on ? 'Turn alerts off' : 'Turn alerts on'}</button>`}
      <${Freshness} remote=${alerts} what="your alert settings" />
      <${ErrorText} id="alerts-error" text=${error} />
    </section>`;
}

export function Offers() {
  useAppState();
  const mine = useRemote('my-offers', () => api.myOffers());
  const matches = useRemote('matches', () => api.matches());
  const [error, setError] = useState('');
  const open = (mine.data?.listings ?? []).filter((l) => l.status === 'open');
  const withdraw = async (l) => {
    setError('');
    try {
      await api.withdrawOffer(l.id);
      mine.reload();
      matches.reload();
    } catch (err) {
      setError(err.offline ? 'No connection now: try again later.' : err.message);
    }
  };
  return html`
    <${Screen} title="Offers and requests">
      <a class="button primary" href="#/offers/add">${isVolunteer() ? 'Offer or ask for help' : 'Ask for help'}</a>
      <section aria-labelledby="mine-offers-h">
        <h2 id="mine-offers-h">Mine</h2>
        <${Freshness} remote=${mine} what="your offers and requests" />
        ${mine.data && open.length === 0 && html`<p>You have no open offers or requests.</p>`}
        <ul class="list">
          ${open.map((l) => html`<li>
            <p class="big-text">${l.kind === 'offer' ? 'I offer' : 'I need'}: ${categoryName(l.category)}</p>
            <p>${whenWords(l)}, ${whereWords(l)}. “${l.text}”</p>
            <button class="secondary" onClick=${() => withdraw(l)}
                    aria-label=${`Withdraw: ${l.kind === 'offer' ? 'I offer' : 'I need'} ${categoryName(l.category)}, ${whenWords(l)}`}>Withdraw</button>
          </li>`)}
        </ul>
        <${ErrorText} id="withdraw-error" text=${error} />
      </section>
      <section aria-labelledby="matches-list-h">
        <h2 id="matches-list-h">Matches</h2>
        <${Freshness} remote=${matches} what="your matches" />
        ${matches.data && (matches.data.matches.length === 0
          ? html`<p>No matches yet.</p>`
          : html`<ul class="list">${matches.data.matches.map((m) => html`<li><p>${matchWords(m)}</p></li>`)}</ul>`)}
      </section>
      <${AlertsSwitch} />
    <//>`;
}
