/**
 * `X-MakePlans-Signature: sha256=<hex>` — HMAC-SHA256 of the raw body with
 * the account secret (seed 002).
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { Scheme } from '../types.js';

const HEADER = 'X-MakePlans-Signature';
const EXPECTED = `${HEADER}: sha256=<hex HMAC-SHA256 of the raw body>`;

/** The `makeplans` scheme (`sha256=` + hex HMAC-SHA256 of the body). */
export const makeplans: Scheme = {
  id: 'makeplans',
  header: HEADER,
  timed: false,
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const value = h.value.trim();
    if (!value.startsWith('sha256=')) return malformed(h.name, `${h.name} has no sha256= label: expected ${EXPECTED}`);
    const signatures = [value.slice('sha256='.length)];
    return parsed({ header: h.name, algorithm: 'sha256', encoding: 'hex', signatures, prefix: '', timestamp: null }, EXPECTED);
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(makeplans, input, secret),
  sign: (input) => [[HEADER, `sha256=${signDigest(makeplans, 'sha256', input, '').toString('hex')}`]],
};
