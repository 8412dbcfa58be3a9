// One key, several co-ops (docs/phone.md "Several co-ops"): a person who
// volunteers at one co-op and is a carer at another signs at both with this
// phone's one key. The phone's home co-op is the node that served the app;
// the others are memberships, each a node's address and what its GET /v1/me
// said. Kept apart from storage and screens so it can be tested in node.

import { ZERO_KEY } from './codec.js';
import { enrolOrRecover } from './identity.js';

// Where another co-op's node answers, from what a person types: a web
// address ("https://riverside.example.org", "riverside.example.org") or a
// local one ("http://127.0.0.1:8081"). Only the origin is kept: the API
// lives under /v1/ there. Throws with a sentence for anything else.
export function nodeAddress(text) {
  const typed = String(text ?? '').trim();
  if (!typed) throw new Error('Type the address of the other co-op, as its coordinator gave it.');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `https://${typed}`;
  let url;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`"${typed}" is not a web address. It looks like riverside.example.org.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`"${typed}" is not a web address. It looks like riverside.example.org.`);
  }
  // Plain http only on this machine: anywhere else the key's requests and
  // the co-op's answers would cross the network unprotected.
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && !local) {
    throw new Error('The other co-op\'s address must start with https:// so nobody can read or change what is sent.');
  }
  return url.origin;
}

// A membership from the node's GET /v1/me (or enrol) answer.
export function membershipFrom(base, answer) {
  return {
    base, node: answer.node, node_key: answer.node_key, alias: answer.alias,
    roles: answer.roles ?? [], member_key: answer.member_key ?? answer.key, currency: answer.currency ?? 'GBP',
  };
}

// The list with `membership` in it: one per node (a second join with the
// same node replaces the first), never the home co-op's node.
export function withMembership(list, membership, homeNodeKey) {
  if (membership.node_key === homeNodeKey) {
    throw new Error('This phone is already a member of that co-op: it is the one this app came from.');
  }
  return [...(list ?? []).filter((m) => m.node_key !== membership.node_key), membership];
}

export function withoutMembership(list, nodeKey) {
  return (list ?? []).filter((m) => m.node_key !== nodeKey);
}

// Joins another co-op with this phone's key: POST /v1/enrol there with the
// joining code its coordinator gave, or, if that answer was lost and the
// code is spent, GET /v1/me there with this key. `api`: an Api whose base
// is the other node and whose seed is this phone's key. The answer must be
// about this key: a membership is never kept for another.
export async function joinWithKey(api, code, publicKey) {
  const answer = await enrolOrRecover({
    enrol: () => api.enrol(String(code ?? '').trim().toUpperCase(), publicKey),
    me: () => api.me(),
  });
  if ((answer.key ?? publicKey) !== publicKey) throw new Error('That co-op answered about another key.');
  return answer;
}

// What the phone signs to move credits from one of its co-ops to itself at
// another: a transfer.out in the log of the co-op the credits leave, to this
// member's key at the other (docs/decisions.md "One key, several co-ops").
// The node there records the transfer.in; each co-op's rules (floors, the
// trade limit between the two) apply as for any transfer.
export function moveCreditsFields({ from, to, minutes, author, createdMs, nonce }) {
  if (!from || !to) throw new Error('Choose the co-op the hours leave and the one they go to.');
  if (from.node_key === to.node_key) throw new Error('Choose two different co-ops.');
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    throw new Error('Move between 1 minute and 24 hours at a time.');
  }
  return {
    version: 2, kind: 'transfer.out', node: from.node_key, author, on_behalf: ZERO_KEY,
    created_ms: createdMs, nonce,
    body: { to: to.member_key, to_node: to.node_key, minutes, memo_digest: ZERO_KEY },
  };
}
