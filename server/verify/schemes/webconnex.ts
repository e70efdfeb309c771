/**
 * `X-Webconnex-Signature: <hex>` — HMAC-SHA256 of the raw body with the
 * webhook's signing secret (seed 003). Webconnex resends keep the signature,
 * so a resent capture verifies like the original.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { HeaderPair, Scheme } from '../types.js';

const HEADER = 'X-Webconnex-Signature';
const EXPECTED = `${HEADER}: <hex HMAC-SHA256 of the raw body>`;

/** The `webconnex` scheme; `sign` also sends `X-Webconnex-Delivery` when given an id. */
export const webconnex: Scheme = {
  id: 'webconnex',
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
  verify: (input, secret) => verifyWith(webconnex, input, secret),
  sign(input) {
    const headers: HeaderPair[] = [[HEADER, signDigest(webconnex, 'sha256', input, '').toString('hex')]];
    if (input.id !== undefined) headers.push(['X-Webconnex-Delivery', input.id]);
    return headers;
  },
};
