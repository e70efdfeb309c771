/**
 * Standard Webhooks (and Svix, which it grew from): `webhook-id`,
 * `webhook-timestamp` and `webhook-signature: v1,<base64> [v1,<base64>…]`
 * (or the same under `svix-`), HMAC-SHA256 of `<id>.<timestamp>.<body>`. The
 * key is the base64 after `whsec_`, decoded — unlike Stripe and the generic API's X-Webhook-Signature,
 * whose `whsec_` secrets are used as text. Entries of other versions (`v1a`,
 * asymmetric) are skipped; any one v1 may match, so keys can be rotated.
 */
import { randomBytes } from 'node:crypto';
import { base64Key, findHeader, malformed, parsed, parseTimestamp, signDigest, verifyWith } from '../crypto.js';
import type { HeaderPair, Scheme } from '../types.js';

const EXPECTED = 'webhook-id, webhook-timestamp: <unix seconds> and webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">';

/** The header family in use: the standard names win over Svix's when both are sent. */
function family(headers: HeaderPair[]): 'webhook' | 'svix' | null {
  if (findHeader(headers, 'webhook-signature')) return 'webhook';
  if (findHeader(headers, 'svix-signature')) return 'svix';
  return null;
}

/** The `standard-webhooks` scheme (timed, 300 s either way as its libraries refuse; `whsec_<base64>` secrets decoded). */
export const standardWebhooks: Scheme = {
  id: 'standard-webhooks',
  header: 'webhook-signature',
  timed: true,
  idHeader: 'webhook-id',
  detectsOn: ['webhook-signature', 'svix-signature'],
  detect(headers) {
    const f = family(headers);
    return f && findHeader(headers, `${f}-signature`)!.name;
  },
  parse(headers) {
    const f = family(headers);
    if (!f) return malformed('webhook-signature', `webhook-signature is missing: expected ${EXPECTED}`);
    const h = findHeader(headers, `${f}-signature`)!;
    const id = findHeader(headers, `${f}-id`);
    if (!id) return malformed(h.name, `${f}-id is missing: expected ${EXPECTED}`);
    const ts = findHeader(headers, `${f}-timestamp`);
    if (!ts) return malformed(h.name, `${f}-timestamp is missing: expected ${EXPECTED}`);
    const timestamp = parseTimestamp(ts.value);
    if (timestamp === null) return malformed(h.name, `${ts.name} is not a unix time in seconds: expected ${EXPECTED}`);
    const signatures: string[] = [];
    for (const entry of h.value.split(' ')) {
      if (entry.startsWith('v1,')) signatures.push(entry.slice(3));
    }
    if (signatures.length === 0) return malformed(h.name, `${h.name} has no v1,<base64> entry: expected ${EXPECTED}`);
    const prefix = `${id.value.trim()}.${ts.value.trim()}.`;
    return parsed({ header: h.name, algorithm: 'sha256', encoding: 'base64', signatures, prefix, timestamp }, EXPECTED);
  },
  key: base64Key,
  verify: (input, secret) => verifyWith(standardWebhooks, input, secret),
  sign(input) {
    const id = input.id ?? `msg_${randomBytes(18).toString('base64url')}`;
    const ts = String(Math.floor(input.now));
    const digest = signDigest(standardWebhooks, 'sha256', input, `${id}.${ts}.`);
    return [
      ['webhook-id', id],
      ['webhook-timestamp', ts],
      ['webhook-signature', `v1,${digest.toString('base64')}`],
    ];
  },
};
