/**
 * Mailgun: the signature travels in the JSON body, `signature: {timestamp,
 * token, signature}`, where `signature` is the hex HMAC-SHA256 of timestamp
 * + token keyed by the HTTP webhook signing key. The body itself is not
 * signed. Mailgun suggests, but does not require, refusing old timestamps
 * and reused tokens; hookbin keeps it untimed, like Mailgun's own examples,
 * so a replayed test event still reads valid.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hmac, literalKey, malformed, parsed, verifyWith } from '../crypto.js';
import type { ParseResult, Scheme, SignInput, VerifyInput } from '../types.js';

/** Where the signature is, as verdicts name it. */
const WHERE = 'signature.signature';
const EXPECTED = 'a JSON body with "signature": {"timestamp", "token", "signature": <hex HMAC-SHA256 of timestamp + token>}';
/** Bodies larger than this are not parsed for a signature (Mailgun's events are a few KiB). */
const MAX_PARSED = 1024 * 1024;

type Fields = { timestamp: unknown; token: unknown; signature: unknown };

/** `"signature"` as bytes: a body without them has no such key (one written with escapes is not looked for). */
const KEY_BYTES = Buffer.from('"signature"', 'utf8');

/**
 * Whether the body can be a JSON object with a `"signature"` key, from its
 * bytes alone: JSON whitespace, then `{`, and the key's bytes somewhere.
 * Every body JSON.parse reads as such an object passes, so testing this
 * first changes no result; it spares decoding and parsing the rest.
 */
function mayCarrySignature(bytes: Buffer): boolean {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b && bytes.includes(KEY_BYTES, i);
}

/** The body's `signature` object, or null when the body is no JSON object carrying one. */
function signatureObject(body: Uint8Array): Fields | null {
  if (body.length === 0 || body.length > MAX_PARSED) return null;
  // Cheap tests first, on the bytes as they are (no copy): this runs on every capture.
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (!mayCarrySignature(bytes)) return null;
  const text = bytes.toString('utf8');
  try {
    const value = JSON.parse(text) as unknown;
    const sig = value !== null && typeof value === 'object' ? (value as Record<string, unknown>).signature : undefined;
    return sig !== null && typeof sig === 'object' && !Array.isArray(sig) ? (sig as Fields) : null;
  } catch {
    return null;
  }
}

function parseMailgun(request: VerifyInput | undefined): ParseResult {
  const sig = request ? signatureObject(request.body) : null;
  if (!sig) return malformed(WHERE, `there is no signature object in the body: expected ${EXPECTED}`);
  const { timestamp, token, signature } = sig;
  if (typeof timestamp !== 'string' && typeof timestamp !== 'number') return malformed(WHERE, `signature.timestamp is missing: expected ${EXPECTED}`);
  if (typeof token !== 'string') return malformed(WHERE, `signature.token is missing or not text: expected ${EXPECTED}`);
  if (typeof signature !== 'string') return malformed(WHERE, `signature.signature is missing or not text: expected ${EXPECTED}`);
  const result = parsed({ header: WHERE, algorithm: 'sha256', encoding: 'hex', signatures: [signature.trim()], prefix: `${timestamp}${token}`, timestamp: null }, EXPECTED);
  if (result.ok) result.parsed.signed = () => [Buffer.alloc(0)];
  return result;
}

/** The `mailgun` scheme (signature inside the JSON body, untimed). */
export const mailgun: Scheme = {
  id: 'mailgun',
  header: WHERE,
  timed: false,
  // The signature is in the body: always asked.
  detectsOn: null,
  detect: (_headers, request) => (request && signatureObject(request.body) ? WHERE : null),
  parse: (_headers, request) => parseMailgun(request),
  key: literalKey,
  verify: (input, secret) => verifyWith(mailgun, input, secret),
  // The signature is in the body (see signBody): no header to add.
  sign: () => [],
  signBody(input: SignInput) {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(input.body).toString('utf8'));
    } catch {
      throw new Error('mailgun: Mailgun signs inside a JSON body, and this body is not JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('mailgun: Mailgun signs inside a JSON object body');
    const obj = value as Record<string, unknown>;
    const old = obj.signature !== null && typeof obj.signature === 'object' ? (obj.signature as Record<string, unknown>) : {};
    const timestamp = typeof old.timestamp === 'string' || typeof old.timestamp === 'number' ? String(old.timestamp) : String(Math.floor(input.now));
    // Mailgun's tokens are 50 hex digits; one made from the delivery id stays the same across retries.
    const token = typeof old.token === 'string' ? old.token : input.id !== undefined ? createHash('sha256').update(input.id).digest('hex').slice(0, 50) : randomBytes(25).toString('hex');
    const signature = hmac('sha256', literalKey(input.secret), `${timestamp}${token}`, new Uint8Array()).toString('hex');
    obj.signature = { ...old, timestamp, token, signature };
    return Buffer.from(JSON.stringify(obj), 'utf8');
  },
};
