/**
 * `X-Signature: <hex>` — HMAC-SHA256 of the raw body, keyed by the secret's
 * text (Movemint; the "Webhooks API Reference" v2.4).
 */
import { bodyHmacScheme } from './body-hmac.js';

/** The `x-signature` scheme (hex HMAC-SHA256 of the body; secret used as text). */
export const xSignature = bodyHmacScheme('x-signature', { name: 'X-Signature', algorithm: 'sha256', encoding: 'hex', label: '' });
