/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 of the raw body
 * with the app's client secret. The only body-only scheme written in base64.
 */
import { bodyHmacScheme } from './body-hmac.js';

/** The `shopify` scheme; `sign` also sends `X-Shopify-Webhook-Id` when given an id. */
export const shopify = bodyHmacScheme(
  'shopify',
  { name: 'X-Shopify-Hmac-Sha256', algorithm: 'sha256', encoding: 'base64', label: '' },
  'X-Shopify-Webhook-Id',
);
