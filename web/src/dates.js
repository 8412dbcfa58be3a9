// Days since 1970-01-01 (date_days in entries) and the member's local dates.

const MS_PER_DAY = 86400000;

// 'YYYY-MM-DD' -> days since the epoch; throws on a date that does not exist.
export function daysFromIso(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new Error(`not a date: ${iso}`);
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3])
    throw new Error(`not a real date: ${iso}`);
  return Math.round(ms / MS_PER_DAY);
}

export function isoFromDays(days) {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

// The member's own calendar day (their phone's time zone), as 'YYYY-MM-DD'.
export function localIso(date = new Date()) {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

export function addDaysIso(iso, n) {
  return isoFromDays(daysFromIso(iso) + n);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// 'Friday 20 November 2026', or 'Today' / 'Yesterday' / 'Tomorrow' relative to `today`.
export function spokenDate(iso, today) {
  if (today && iso === today) return 'Today';
  if (today && iso === addDaysIso(today, -1)) return 'Yesterday';
  if (today && iso === addDaysIso(today, 1)) return 'Tomorrow';
  const d = new Date(daysFromIso(iso) * MS_PER_DAY);
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
