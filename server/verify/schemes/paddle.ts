/**
 * Paddle (Billing): `Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=<hex>…]`,
 * HMAC-SHA256 of `<ts>:<body>` keyed by the notification destination's
 * secret as text. Several h1 are sent while a secret is being rotated, so any
 * one may match. Paddle's SDK refuses a `ts` more than 5 s old and accepts
 * one ahead of its clock, so hookbin judges it the same way.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, parseTimestamp, signDigest, verifyWith } from '../crypto.js';
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
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    let ts: string | null = null;
    const signatures: string[] = [];
    for (const item of h.value.split(';')) {
      const eq = item.indexOf('=');
      if (eq === -1) continue;
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      if (key === 'ts' && ts === null) ts = value;
      else if (key === 'h1') signatures.push(value);
    }
    if (ts === null) return malformed(h.name, `${h.name} has no ts= timestamp: expected ${EXPECTED}`);
    const timestamp = parseTimestamp(ts);
    if (timestamp === null) return malformed(h.name, `${h.name}'s ts= is not a unix time in seconds: expected ${EXPECTED}`);
    if (signatures.length === 0) return malformed(h.name, `${h.name} has no h1= signature: expected ${EXPECTED}`);
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
