/**
 * Calendly: `Calendly-Webhook-Signature: t=<unix s>,v1=<hex>`, HMAC-SHA256
 * of `<t>.<body>` keyed by the webhook signing key as text. Calendly's
 * documented check refuses a `t` more than 3 minutes old and says nothing
 * of one ahead, which is accepted.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import { readParams } from './params.js';
import type { Scheme, Tolerance } from '../types.js';

const HEADER = 'Calendly-Webhook-Signature';
const EXPECTED = `${HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`;
const TOLERANCE: Tolerance = { past: 180, future: null };

/** The `calendly` scheme (timed: 180 s behind, any time ahead). */
export const calendly: Scheme = {
  id: 'calendly',
  header: HEADER,
  timed: true,
  detectsOn: [HEADER.toLowerCase()],
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const r = readParams(h, { separator: ',', timestamp: 't', signature: 'v1', expected: EXPECTED });
    if ('ok' in r) return r;
    const { t, timestamp, signatures } = r;
    return parsed(
      { header: h.name, algorithm: 'sha256', encoding: 'hex', signatures, prefix: `${t}.`, timestamp, tolerance: TOLERANCE },
      EXPECTED,
    );
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(calendly, input, secret),
  sign(input) {
    const t = String(Math.floor(input.now));
    return [[HEADER, `t=${t},v1=${signDigest(calendly, 'sha256', input, `${t}.`).toString('hex')}`]];
  },
};
