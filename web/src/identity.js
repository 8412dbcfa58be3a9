// Who this phone is, kept apart from storage so it can be tested in node:
// the identity saved after joining, the member's own key (which differs
// from the phone's once `cohours member rekey` gave them a new phone), and
// joining when the first answer was lost.

// The identity the phone keeps, from an enrol or a GET /v1/me answer.
export function identityFrom(seed, publicKey, answer) {
  return {
    seed, public_key: publicKey, member_key: answer.member_key ?? publicKey,
    alias: answer.alias, roles: answer.roles ?? [],
    node: answer.node, node_key: answer.node_key, currency: answer.currency ?? 'GBP',
  };
}

// The member's identity: the key GET /v1/members lists them by. A phone
// that joined before the app kept it has only its own key, which is the
// member's unless they were rekeyed (GET /v1/me then fills it in).
export function memberKeyOf(identity) {
  return identity?.member_key ?? identity?.public_key;
}

// The other members, for "Who did you help?".
export function othersThan(members, identity) {
  const me = memberKeyOf(identity);
  return (members ?? []).filter((x) => x.key !== me);
}

// Enrols, or finds out that an earlier try did: a joining code works once,
// so when the answer to a successful enrol is lost, the retry with the same
// key and code gets 403 bad_code (or 409 already_exists if the code were
// somehow still good). Whatever the failure, a signed GET /v1/me with the
// joining key tells: a 200 means this key is a member already. Nothing
// about membership is told to a caller without the key.
//   enrol: () => the POST /v1/enrol answer
//   me: () => the signed GET /v1/me answer, with the joining key
export async function enrolOrRecover({ enrol, me }) {
  try {
    return await enrol();
  } catch (failure) {
    try {
      return await me();
    } catch {
      throw failure;
    }
  }
}
