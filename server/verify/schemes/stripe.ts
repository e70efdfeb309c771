/**
 * Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`,
 * HMAC-SHA256 of `<t>.<body>` keyed by the `whsec_…` secret as text. Stripe
 * sends several v1 while a secret is being rolled, so any one may match. v0
 * is Stripe's retired test-mode scheme: it is ignored, and a header with only
 * v0 is `malformed` (no secret could make it valid, and the message tells
 * the user why, where `invalid` would send them hunting for a wrong secret).
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, PAST_ONLY, parseTimestamp, signDigest, verifyWith } from '../crypto.js';
import type { Scheme } from '../types.js';

const HEADER = 'Stripe-Signature';
const EXPECTED = `${HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`;

/** The `stripe` scheme (timed: 300 s behind, any time ahead as stripe-node accepts; several v1 accepted, v0 ignored). */
export const stripe: Scheme = {
  id: 'stripe',
  header: HEADER,
  timed: true,
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    let t: string | null = null;
    let v0 = false;
    const signatures: string[] = [];
    for (const item of h.value.split(',')) {
      const eq = item.indexOf('=');
      if (eq === -1) continue;
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      if (key === 't' && t === null) t = value;
      else if (key === 'v1') signatures.push(value);
      else if (key === 'v0') v0 = true;
    }
    if (t === null) return malformed(h.name, `${h.name} has no t= timestamp: expected ${EXPECTED}`);
    const timestamp = parseTimestamp(t);
    if (timestamp === null) return malformed(h.name, `${h.name}'s t= is not a unix time in seconds: expected ${EXPECTED}`);
    if (signatures.length === 0) {
      const why = v0 ? 'has only v0 signatures, which Stripe retired and hookbin ignores' : 'has no v1= signature';
      return malformed(h.name, `${h.name} ${why}: expected ${EXPECTED}`);
    }
    return parsed({ header: h.name, algorithm: 'sha256', encoding: 'hex', signatures, prefix: `${t}.`, timestamp, tolerance: PAST_ONLY }, EXPECTED);
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(stripe, input, secret),
  sign(input) {
    const t = String(Math.floor(input.now));
    return [[HEADER, `t=${t},v1=${signDigest(stripe, 'sha256', input, `${t}.`).toString('hex')}`]];
  },
};
