/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 of the raw body
 * with the app's client secret. Shopify also sends its headers without the
 * `X-` (`shopify-hmac-sha256`, `shopify-topic`, `shopify-webhook-id`), read
 * the same; the `X-` name wins when both are present.
 */
import { detectHeader, findHeader, literalKey, verifyWith } from '../crypto.js';
import type { HeaderPair, Scheme } from '../types.js';
import { parseBodyHmac, signBodyHmac, type BodyHmacHeader } from './body-hmac.js';

const LEGACY: BodyHmacHeader = { name: 'X-Shopify-Hmac-Sha256', algorithm: 'sha256', encoding: 'base64', label: '' };
const CURRENT: BodyHmacHeader = { ...LEGACY, name: 'shopify-hmac-sha256' };

/** The `shopify` scheme; `sign` writes the `X-` names and `X-Shopify-Webhook-Id` when given an id. */
export const shopify: Scheme = {
  id: 'shopify',
  header: LEGACY.name,
  timed: false,
  idHeader: 'X-Shopify-Webhook-Id',
  detectsOn: [LEGACY.name.toLowerCase(), CURRENT.name.toLowerCase()],
  detect: (headers) => detectHeader(headers, LEGACY.name) ?? detectHeader(headers, CURRENT.name),
  parse: (headers) => parseBodyHmac(headers, findHeader(headers, LEGACY.name) || !findHeader(headers, CURRENT.name) ? LEGACY : CURRENT),
  key: literalKey,
  verify: (input, secret) => verifyWith(shopify, input, secret),
  sign(input) {
    const headers: HeaderPair[] = [signBodyHmac(shopify, LEGACY, input)];
    if (input.id !== undefined) headers.push([shopify.idHeader!, input.id]);
    return headers;
  },
};
