/**
 * Vercel: `x-vercel-signature: <hex>`, HMAC-SHA1 of the raw body keyed by
 * the integration's client secret (or the webhook's secret) as text.
 */
import { bodyHmacScheme } from './body-hmac.js';

/** The `vercel` scheme (untimed, SHA-1). */
export const vercel = bodyHmacScheme('vercel', { name: 'x-vercel-signature', algorithm: 'sha1', encoding: 'hex', label: '' });
