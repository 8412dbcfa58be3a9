// Plain words for hours, money and who gave what to whom (DOMAIN.md: say
// "You gave Bob 2 hours" and "Bob gave you 2 hours", never "sent" or
// "received" for credits).

import { spokenDate } from './dates.js';

export function duration(minutes) {
  const m = Math.abs(Math.trunc(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  const parts = [];
  if (h) parts.push(`${h} ${h === 1 ? 'hour' : 'hours'}`);
  if (rest || !h) parts.push(`${rest} ${rest === 1 ? 'minute' : 'minutes'}`);
  return parts.join(' ');
}

// A balance for people: "2 hours 30 minutes", "nothing yet", "1 hour below zero".
export function balanceWords(minutes) {
  if (minutes === 0) return 'No hours yet';
  if (minutes < 0) return `${duration(minutes)} below zero`;
  return duration(minutes);
}

// What a volunteer is told about their safeguarding check on the home
// screen (docs/safeguarding.md), from GET /v1/me; null when nothing needs
// saying (a check with more than `soonDays` left, or nothing needs one).
export function vettingWords(me, soonDays = 60) {
  if (!me || !(me.vetting_needed_for ?? []).length) return null;
  const needs = me.vetting_needed_for.map((c) => categoryName(c).toLowerCase()).join(', ');
  if (!me.vetting)
    return `You have no current safeguarding check (DBS). Help with ${needs} needs one: ask your coordinator.`;
  if (me.vetting.days_left > soonDays) return null;
  const when = me.vetting.days_left === 0 ? 'today' : `on ${spokenDate(me.vetting.expires)}`;
  return `Your safeguarding check (DBS) runs out ${when}. Ask your coordinator to record your new one, or help with ${needs} will not be accepted after that.`;
}

export function categoryName(category) {
  if (!category) return '';
  const words = category.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function money(pence, currency = 'GBP') {
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(pence / 100);
  } catch {
    return `${(pence / 100).toFixed(2)} ${currency}`;
  }
}

// "12.40", "£12.40", "12" -> pence; null when it is not an amount of money.
export function parsePence(text) {
  const t = String(text).trim().replace(/^£\s*/, '').replace(/,/g, '');
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 100 + Number((frac + '00').slice(0, 2));
}

// One line of a statement or a pending movement, from this member's side.
// line: { direction: 'gave'|'received', other, minutes, kind?, category? }
export function movementSentence(line) {
  const other = line.other || 'the community';
  const time = duration(line.minutes);
  const what = line.kind === 'respite' || line.category === 'respite' ? ' of respite'
    : line.kind === 'transfer' ? ' from your balance'
      : line.category ? ` of ${categoryName(line.category).toLowerCase()}` : '';
  if (line.kind === 'reversal') {
    return line.direction === 'gave'
      ? `Corrected: ${time} went back from you to ${other}`
      : `Corrected: ${time} came back to you from ${other}`;
  }
  if (line.kind === 'opening') {
    return line.direction === 'gave' ? `You started here owing ${time}, brought over from the old time bank`
      : `You started here with ${time}, brought over from the old time bank`;
  }
  if (line.kind === 'transfer') {
    return line.direction === 'gave' ? `You gave ${other} ${time} from your balance` : `${other} gave you ${time} from their balance`;
  }
  return line.direction === 'gave' ? `You gave ${other} ${time}${what}` : `${other} gave you ${time}${what}`;
}

// A group session's item (GET /v1/me/pending `group`, docs/phone.md): one
// confirmation covers this member's own share of everyone's time.
export function groupWords(group) {
  if (!group) return '';
  const helpers = group.volunteers > 1 ? `${group.volunteers} volunteers` : 'one volunteer';
  if (group.members === 0) return `A community group session with ${helpers}`;
  if (group.member_number > 0)
    return `Your share of a group session for ${group.members} people with ${helpers}`;
  return `A group session for ${group.members} people with ${helpers}`;
}

export function dateWords(iso, today) {
  return iso ? spokenDate(iso, today) : '';
}

export function requestStatusWords(status, volunteer) {
  switch (status) {
    case 'open': return 'Waiting for a volunteer';
    case 'offered': return volunteer ? `${volunteer} offered to help` : 'A volunteer offered to help';
    case 'done': return 'Done';
    case 'cancelled': return 'Cancelled';
    default: return status;
  }
}

export function expenseStatusWords(status) {
  switch (status) {
    case 'claimed': return 'Waiting for the co-op to decide';
    case 'approved': return 'Approved, not paid yet';
    case 'rejected': return 'Not approved';
    case 'paid': return 'Paid';
    default: return status;
  }
}

// Why the node did not accept an entry, in plain words: its own message
// verbatim (it follows "Not accepted: ", and a name or a figure may start
// it, so it is not capitalised), or one for the code.
const REASONS = {
  floor_breached: 'that would take the balance below what the co-op allows',
  not_vetted: 'this needs a current safeguarding check (DBS); ask your coordinator',
  wrong_state: 'this was already done or cancelled',
  already_exists: 'this already exists',
  not_permitted: 'you are not allowed to do this',
  unknown_member: 'that person is not a member of this co-op',
  unknown_entry: 'the co-op does not know what this refers to',
  unknown_category: 'the co-op does not use that kind of help',
  bad_amount: 'the amount is not allowed',
  bad_date: 'the date is not allowed',
  wrong_node: 'this was signed for another co-op',
  malformed: 'something in it was not right',
  bad_request: 'something in it was not right',
};

export function refusalWords(error, message) {
  return (message || REASONS[error] || 'the co-op said no').trim();
}
