/**
 * `X-Webconnex-Signature: <hex>` — HMAC-SHA256 of the raw body with the
 * webhook's signing secret (Webconnex's docs). Webconnex resends keep the signature,
 * so a resent capture verifies like the original.
 */
import { bodyHmacScheme } from './body-hmac.js';

/** The `webconnex` scheme; `sign` also sends `X-Webconnex-Delivery` when given an id. */
export const webconnex = bodyHmacScheme(
  'webconnex',
  { name: 'X-Webconnex-Signature', algorithm: 'sha256', encoding: 'hex', label: '' },
  'X-Webconnex-Delivery',
);
