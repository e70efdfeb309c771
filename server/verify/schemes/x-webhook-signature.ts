/**
 * `X-Webhook-Signature: <hex>` — HMAC-SHA256 of the raw body (seed 001). The
 * secret looks like a Standard Webhooks one (`whsec_…`) but the provider's
 * own examples key the HMAC with the whole string as text, prefix included.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { Scheme } from '../types.js';

const HEADER = 'X-Webhook-Signature';
const EXPECTED = `${HEADER}: <hex HMAC-SHA256 of the raw body>`;

/** The `x-webhook-signature` scheme (hex HMAC-SHA256 of the body; `whsec_…` secret used literally). */
export const xWebhookSignature: Scheme = {
  id: 'x-webhook-signature',
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
  verify: (input, secret) => verifyWith(xWebhookSignature, input, secret),
  sign: (input) => [[HEADER, signDigest(xWebhookSignature, 'sha256', input, '').toString('hex')]],
};
