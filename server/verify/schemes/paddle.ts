/**
 * Paddle (Billing): `Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=<hex>…]`,
 * HMAC-SHA256 of `<ts>:<body>` keyed by the notification destination's
 * secret as text. Several h1 are sent while a secret is being rotated, so any
 * one may match. Paddle's SDK refuses a `ts` more than 5 s old and accepts
 * one ahead of its clock, so hookbin judges it the same way.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import { readParams } from './params.js';
import type { Scheme, Tolerance } from '../types.js';

const HEADER = 'Paddle-Signature';
const EXPECTED = `${HEADER}: ts=<unix seconds>;h1=<hex HMAC-SHA256 of "<ts>:<body>">`;
/** `WebhooksValidator.MAX_VALID_TIME_DIFFERENCE` in @paddle/paddle-node-sdk; no bound ahead. */
const TOLERANCE: Tolerance = { past: 5, future: null };

/** The `paddle` scheme (timed: 5 s behind, any time ahead; several h1 accepted). */
export const paddle: Scheme = {
  id: 'paddle',
  header: HEADER,
  timed: true,
  detectsOn: [HEADER.toLowerCase()],
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const r = readParams(h, { separator: ';', timestamp: 'ts', signature: 'h1', expected: EXPECTED });
    if ('ok' in r) return r;
    const { t: ts, timestamp, signatures } = r;
    return parsed(
      { header: h.name, algorithm: 'sha256', encoding: 'hex', signatures, prefix: `${ts}:`, timestamp, tolerance: TOLERANCE },
      EXPECTED,
    );
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(paddle, input, secret),
  sign(input) {
    const ts = String(Math.floor(input.now));
    return [[HEADER, `ts=${ts};h1=${signDigest(paddle, 'sha256', input, `${ts}:`).toString('hex')}`]];
  },
};
