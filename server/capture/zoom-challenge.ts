/**
 * Zoom's URL validation: before it enables an endpoint (and every 72 hours
 * after), Zoom POSTs `{"event": "endpoint.url_validation", "payload":
 * {"plainToken": "…"}}`, signed like any of its events, and expects
 * `{"plainToken": …, "encryptedToken": hex HMAC-SHA256(secret, plainToken)}`
 * with a 200 within 3 s. A bin answers it itself when it knows a Zoom secret.
 *
 * A bin URL faces the internet and this answer is an HMAC of text the sender
 * chose, so it is given only when all of these hold, and is otherwise the
 * bin's usual answer:
 * - the bin has a secret whose `scheme` is `zoom` (global `--secret`s have
 *   no scheme, so they never qualify): unrestricted secrets are never used,
 *   so no other provider's secret can be made to sign anything;
 * - the request carries a valid, fresh Zoom signature made with that secret
 *   (Zoom's own sample checks it before answering);
 * - the body is a small JSON object naming that event, and `plainToken` is a
 *   short token of letters, digits, `-` and `_` (Zoom's are 22 base64url
 *   characters), so the answer can neither be a Zoom signature of a forged
 *   event (`v0:<ts>:<body>` has colons) nor carry markup.
 */
import { createHmac } from 'node:crypto';
import type { CaptureResponse, HeaderPair } from '../common/types.js';
import { schemeById, type SecretInput } from '../verify/index.js';

/** Validation bodies are under 200 bytes; anything larger is not one. */
export const MAX_CHALLENGE_BODY = 4096;
/** Zoom's plainToken syntax, bounded. */
export const PLAIN_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
/** The event name Zoom's validation request carries. */
export const URL_VALIDATION_EVENT = 'endpoint.url_validation';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The plainToken of a URL-validation body, or null when the body is not one. */
export function plainTokenOf(body: Uint8Array): string | null {
  if (body.length > MAX_CHALLENGE_BODY) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(UTF8.decode(body));
  } catch {
    return null;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const { event, payload } = doc as { event?: unknown; payload?: unknown };
  if (event !== URL_VALIDATION_EVENT || payload === null || typeof payload !== 'object') return null;
  const token = (payload as { plainToken?: unknown }).plainToken;
  return typeof token === 'string' && PLAIN_TOKEN.test(token) ? token : null;
}

/**
 * The answer to a Zoom URL-validation request, or null when this request is
 * not one the bin should answer (see the module comment for when it is).
 * `now` is unix seconds, as signatures are judged.
 */
export function zoomChallenge(method: string, headers: HeaderPair[], body: Uint8Array, now: number, secrets: readonly SecretInput[]): CaptureResponse | null {
  if (method !== 'POST') return null;
  const zoomSecrets = secrets.filter((s) => s.scheme === 'zoom');
  const zoom = schemeById('zoom')!;
  if (zoomSecrets.length === 0 || zoom.detect(headers) === null) return null;
  const plainToken = plainTokenOf(body);
  if (plainToken === null) return null;
  const secret = zoomSecrets.find((s) => zoom.verify({ headers, body, now }, s.value).status === 'valid');
  if (!secret) return null;
  const encryptedToken = createHmac('sha256', secret.value).update(plainToken, 'utf8').digest('hex');
  return {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: JSON.stringify({ plainToken, encryptedToken }),
    delayMs: 0,
    fault: null,
    reason: 'zoom url validation',
  };
}
