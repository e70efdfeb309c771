/**
 * Calendly: `Calendly-Webhook-Signature: t=<unix s>,v1=<hex>`, HMAC-SHA256
 * of `<t>.<body>` keyed by the webhook signing key as text. Calendly's
 * documented check refuses a `t` more than 3 minutes old and says nothing
 * of one ahead, which is accepted.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, parseTimestamp, signDigest, verifyWith } from '../crypto.js';
import type { Scheme, Tolerance } from '../types.js';

const HEADER = 'Calendly-Webhook-Signature';
const EXPECTED = `${HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`;
const TOLERANCE: Tolerance = { past: 180, future: null };

/** The `calendly` scheme (timed: 180 s behind, any time ahead). */
export const calendly: Scheme = {
  id: 'calendly',
  header: HEADER,
  timed: true,
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    let t: string | null = null;
    const signatures: string[] = [];
    for (const item of h.value.split(',')) {
      const eq = item.indexOf('=');
      if (eq === -1) continue;
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      if (key === 't' && t === null) t = value;
      else if (key === 'v1') signatures.push(value);
    }
    if (t === null) return malformed(h.name, `${h.name} has no t= timestamp: expected ${EXPECTED}`);
    const timestamp = parseTimestamp(t);
    if (timestamp === null) return malformed(h.name, `${h.name}'s t= is not a unix time in seconds: expected ${EXPECTED}`);
    if (signatures.length === 0) return malformed(h.name, `${h.name} has no v1= signature: expected ${EXPECTED}`);
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
