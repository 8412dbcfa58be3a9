// Plain words: who gave whom how long, money, dates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duration, balanceWords, movementSentence, parsePence, money, categoryName, refusalWords, vettingWords, groupWords } from '../../src/words.js';
import { daysFromIso, isoFromDays, spokenDate, addDaysIso } from '../../src/dates.js';

test('durations in hours and minutes', () => {
  assert.equal(duration(60), '1 hour');
  assert.equal(duration(120), '2 hours');
  assert.equal(duration(90), '1 hour 30 minutes');
  assert.equal(duration(1), '1 minute');
  assert.equal(duration(45), '45 minutes');
  assert.equal(duration(0), '0 minutes');
  assert.equal(balanceWords(0), 'No hours yet');
  assert.equal(balanceWords(-60), '1 hour below zero');
  assert.equal(balanceWords(150), '2 hours 30 minutes');
});

test('who gave whom: never "sent" or "received"', () => {
  assert.equal(movementSentence({ direction: 'gave', other: 'bob', minutes: 120, kind: 'hours', category: 'befriending' }), 'You gave bob 2 hours of befriending');
  assert.equal(movementSentence({ direction: 'received', other: 'erin', minutes: 60, kind: 'hours', category: 'help-online' }), 'erin gave you 1 hour of help online');
  assert.equal(movementSentence({ direction: 'received', other: 'alice', minutes: 180, kind: 'respite' }), 'alice gave you 3 hours of respite');
  assert.equal(movementSentence({ direction: 'gave', other: 'alice', minutes: 30, kind: 'transfer' }), 'You gave alice 30 minutes from your balance');
  assert.equal(movementSentence({ direction: 'received', other: 'balance brought over', minutes: 750, kind: 'opening' }),
    'You started here with 12 hours 30 minutes, brought over from the old time bank');
  assert.equal(movementSentence({ direction: 'gave', other: 'balance brought over', minutes: 135, kind: 'opening' }),
    'You started here owing 2 hours 15 minutes, brought over from the old time bank');
  // Across co-ops the node names the person, alias@node, and the phone shows it as given.
  assert.equal(movementSentence({ direction: 'received', other: 'dan@hilltop', minutes: 60, kind: 'transfer' }), 'dan@hilltop gave you 1 hour from their balance');
  assert.equal(movementSentence({ direction: 'gave', other: 'member-3f2a9c1e@riverside', minutes: 45, kind: 'transfer' }), 'You gave member-3f2a9c1e@riverside 45 minutes from your balance');
  for (const d of ['gave', 'received']) {
    for (const kind of ['hours', 'respite', 'transfer', 'reversal', 'opening']) {
      const s = movementSentence({ direction: d, other: 'x', minutes: 60, kind, category: 'shopping' });
      assert.doesNotMatch(s, /\b(sent|received)\b/i, s);
    }
  }
});

test('money', () => {
  assert.equal(parsePence('12.40'), 1240);
  assert.equal(parsePence('£12.4'), 1240);
  assert.equal(parsePence('7'), 700);
  assert.equal(parsePence('1,250.00'), 125000);
  assert.equal(parsePence('12.345'), null);
  assert.equal(parsePence('-3'), null);
  assert.equal(parsePence('abc'), null);
  assert.equal(money(1240, 'GBP'), '£12.40');
  assert.equal(categoryName('help-online'), 'Help online');
  assert.equal(refusalWords('floor_breached', ''), 'that would take the balance below what the co-op allows');
  // The node's sentence verbatim (engine/src/rules.cpp).
  const floor = 'the payer has 0 minutes; paying 60 would go under the floor of 0 minutes';
  assert.equal(refusalWords('floor_breached', floor), floor);
});

test('days since 1970-01-01, as in entries', () => {
  assert.equal(daysFromIso('2026-11-20'), 20777); // docs/data-format.md example
  assert.equal(daysFromIso('1970-01-01'), 0);
  assert.equal(isoFromDays(20777), '2026-11-20');
  assert.throws(() => daysFromIso('2026-02-30'));
  assert.equal(addDaysIso('2026-12-31', 1), '2027-01-01');
  assert.equal(spokenDate('2026-11-20'), 'Friday 20 November 2026');
  assert.equal(spokenDate('2026-11-30', '2026-11-30'), 'Today');
  assert.equal(spokenDate('2026-11-29', '2026-11-30'), 'Yesterday');
});

test('the safeguarding check on the home screen: missing, running out, or nothing to say', () => {
  const me = (vetting, needs = ['respite']) => ({ vetting, vetting_needed_for: needs });
  assert.match(vettingWords(me(null)), /no current safeguarding check .* respite needs one/);
  assert.equal(vettingWords(me(null, [])), null);
  assert.equal(vettingWords(me({ kind: 'dbs-enhanced', expires: '2029-01-04', days_left: 400 })), null);
  assert.match(vettingWords(me({ kind: 'dbs-enhanced', expires: '2026-12-20', days_left: 18 })),
    /runs out on Sunday 20 December 2026\. Ask your coordinator/);
  assert.match(vettingWords(me({ kind: 'dbs-enhanced', expires: '2026-12-02', days_left: 0 })), /runs out today/);
});

test('a group session says whose share it is', () => {
  assert.equal(groupWords(null), '');
  assert.equal(groupWords({ volunteers: 2, members: 6, member_number: 1 }),
    'Your share of a group session for 6 people with 2 volunteers');
  assert.equal(groupWords({ volunteers: 1, members: 6, member_number: 0 }),
    'A group session for 6 people with one volunteer');
  assert.equal(groupWords({ volunteers: 3, members: 0, member_number: 0 }),
    'A community group session with 3 volunteers');
});
