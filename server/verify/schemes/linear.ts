/**
 * Linear: `Linear-Signature: <hex>`, HMAC-SHA256 of the raw body keyed by
 * the webhook's signing secret as text. The timestamp travels in the body
 * (`webhookTimestamp`, milliseconds) and Linear's SDK refuses it more than a
 * minute off either way. Linear's SDK refuses a correctly signed body
 * without a numeric one ("Missing webhook timestamp"): hookbin calls it
 * malformed, after checking the signature as the SDK does.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { Scheme, Tolerance } from '../types.js';

const HEADER = 'Linear-Signature';
const EXPECTED = `${HEADER}: <hex HMAC-SHA256 of the raw body>`;
const MISSING_TIMESTAMP = 'the signature matches, but the body has no numeric webhookTimestamp (unix milliseconds), which Linear signs into every delivery and its SDK requires';
const TOLERANCE: Tolerance = { past: 60, future: 60 };
/** Bodies larger than this are not parsed for their timestamp (Linear's are a few KB). */
const MAX_PARSE_BYTES = 1024 * 1024;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `webhookTimestamp` of a JSON body, in whole seconds, or null when there is none to read. */
export function linearTimestamp(body: Uint8Array | undefined): number | null {
  if (!body || body.length > MAX_PARSE_BYTES) return null;
  try {
    const v = (JSON.parse(UTF8.decode(body)) as { webhookTimestamp?: unknown } | null)?.webhookTimestamp;
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v / 1000) : null;
  } catch {
    return null;
  }
}

/** The `linear` scheme (timed by the body's `webhookTimestamp`, 60 s either way; malformed without one). */
export const linear: Scheme = {
  id: 'linear',
  header: HEADER,
  timed: true,
  idHeader: 'Linear-Delivery',
  detectsOn: [HEADER.toLowerCase()],
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers, request) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const timestamp = linearTimestamp(request?.body);
    const fields = { header: h.name, algorithm: 'sha256' as const, encoding: 'hex' as const, signatures: [h.value.trim()], prefix: '' };
    const result = parsed(timestamp === null ? { ...fields, timestamp } : { ...fields, timestamp, tolerance: TOLERANCE }, EXPECTED);
    // Linear's SDK checks the signature first, then refuses a body without its timestamp.
    if (result.ok && timestamp === null) result.parsed.refusal = MISSING_TIMESTAMP;
    return result;
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(linear, input, secret),
  sign(input) {
    const headers: [string, string][] = [[HEADER, signDigest(linear, 'sha256', input, '').toString('hex')]];
    if (input.id !== undefined) headers.push(['Linear-Delivery', input.id]);
    return headers;
  },
};
