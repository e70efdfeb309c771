/**
 * Typeform: `Typeform-Signature: sha256=<base64>`, HMAC-SHA256 of the raw
 * body keyed by the webhook's secret as text.
 */
import { bodyHmacScheme } from './body-hmac.js';

/** The `typeform` scheme (untimed). */
export const typeform = bodyHmacScheme('typeform', { name: 'Typeform-Signature', algorithm: 'sha256', encoding: 'base64', label: 'sha256=' });
