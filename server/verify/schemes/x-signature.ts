/**
 * `X-Signature: <hex>` — HMAC-SHA256 of the raw body, keyed by the secret's
 * text (seed 000, Movemint; seed 004, "Webhooks API Reference" v2.4).
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { Scheme } from '../types.js';

const HEADER = 'X-Signature';
const EXPECTED = `${HEADER}: <hex HMAC-SHA256 of the raw body>`;

/** The `x-signature` scheme (hex HMAC-SHA256 of the body; secret used as text). */
export const xSignature: Scheme = {
  id: 'x-signature',
  header: HEADER,
  timed: false,
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const signatures = [h.value.trim()];
    return parsed({ header: h.name, algorithm: 'sha256', encoding: 'hex', signatures, prefix: '', timestamp: null }, EXPECTED);
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(xSignature, input, secret),
  sign: (input) => [[HEADER, signDigest(xSignature, 'sha256', input, '').toString('hex')]],
};
