/**
 * `X-Webhook-Signature: <hex>` — HMAC-SHA256 of the raw body (the generic webhook API). The
 * secret looks like a Standard Webhooks one (`whsec_…`) but the provider's
 * own examples key the HMAC with the whole string as text, prefix included.
 */
import { bodyHmacScheme } from './body-hmac.js';

/** The `x-webhook-signature` scheme (hex HMAC-SHA256 of the body; `whsec_…` secret used literally). */
export const xWebhookSignature = bodyHmacScheme('x-webhook-signature', {
  name: 'X-Webhook-Signature',
  algorithm: 'sha256',
  encoding: 'hex',
  label: '',
});
