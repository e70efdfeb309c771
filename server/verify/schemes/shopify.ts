/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 of the raw body
 * with the app's client secret. The only body-only scheme written in base64.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { HeaderPair, Scheme } from '../types.js';

const HEADER = 'X-Shopify-Hmac-Sha256';
const EXPECTED = `${HEADER}: <base64 HMAC-SHA256 of the raw body>`;

/** The `shopify` scheme; `sign` also sends `X-Shopify-Webhook-Id` when given an id. */
export const shopify: Scheme = {
  id: 'shopify',
  header: HEADER,
  timed: false,
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const signatures = [h.value.trim()];
    return parsed({ header: h.name, algorithm: 'sha256', encoding: 'base64', signatures, prefix: '', timestamp: null }, EXPECTED);
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(shopify, input, secret),
  sign(input) {
    const headers: HeaderPair[] = [[HEADER, signDigest(shopify, 'sha256', input, '').toString('base64')]];
    if (input.id !== undefined) headers.push(['X-Shopify-Webhook-Id', input.id]);
    return headers;
  },
};
