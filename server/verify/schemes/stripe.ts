/**
 * Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`,
 * HMAC-SHA256 of `<t>.<body>` keyed by the `whsec_…` secret as text. Stripe
 * sends several v1 while a secret is being rolled, so any one may match. v0
 * is Stripe's retired test-mode scheme: it is ignored, and a header with only
 * v0 is `malformed` (no secret could make it valid, and the message tells
 * the user why, where `invalid` would send them hunting for a wrong secret).
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, PAST_ONLY, signDigest, verifyWith } from '../crypto.js';
import { readParams } from './params.js';
import type { Scheme } from '../types.js';

const HEADER = 'Stripe-Signature';
const EXPECTED = `${HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`;

/** The `stripe` scheme (timed: 300 s behind, any time ahead as stripe-node accepts; several v1 accepted, v0 ignored). */
export const stripe: Scheme = {
  id: 'stripe',
  header: HEADER,
  timed: true,
  detectsOn: [HEADER.toLowerCase()],
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const r = readParams(h, { separator: ',', timestamp: 't', signature: 'v1', expected: EXPECTED }, (names) =>
      names.has('v0') ? 'has only v0 signatures, which Stripe retired and hookbin ignores' : 'has no v1= signature',
    );
    if ('ok' in r) return r;
    const { t, timestamp, signatures } = r;
    return parsed({ header: h.name, algorithm: 'sha256', encoding: 'hex', signatures, prefix: `${t}.`, timestamp, tolerance: PAST_ONLY }, EXPECTED);
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(stripe, input, secret),
  sign(input) {
    const t = String(Math.floor(input.now));
    return [[HEADER, `t=${t},v1=${signDigest(stripe, 'sha256', input, `${t}.`).toString('hex')}`]];
  },
};
