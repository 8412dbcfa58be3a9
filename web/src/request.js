// Signed requests of the client API (docs/api.md, "Signed requests"): the
// member's key signs
//   cohours-request-v1\nMETHOD\nPATH-WITH-QUERY\nTIME\nhex(BLAKE2b-256(body))
// and the three X-Cohours-* headers carry the key, the time and the signature.

import * as ed from '@noble/ed25519';
import { blake2b256, publicKeyFromSeed, toHex } from './codec.js';

const utf8 = new TextEncoder();

export function bodyBytes(body) {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return utf8.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('a request body is a string or bytes');
}

// The exact text signed for one request.
export function signingText(method, pathWithQuery, time, body) {
  if (!/^\/[^\s]*$/.test(pathWithQuery)) throw new Error(`not a path: ${pathWithQuery}`);
  if (!Number.isSafeInteger(time) || time < 0) throw new Error(`not a time in seconds: ${time}`);
  const digest = toHex(blake2b256(bodyBytes(body)));
  return `cohours-request-v1\n${method.toUpperCase()}\n${pathWithQuery}\n${time}\n${digest}`;
}

// The headers for one request signed with the 32-byte seed at `time`
// (whole seconds since the epoch).
export function signRequest(seed, method, pathWithQuery, time, body) {
  const text = signingText(method, pathWithQuery, time, body);
  const signature = ed.sign(utf8.encode(text), seed);
  return {
    'X-Cohours-Key': toHex(publicKeyFromSeed(seed)),
    'X-Cohours-Time': String(time),
    'X-Cohours-Signature': toHex(signature),
  };
}
