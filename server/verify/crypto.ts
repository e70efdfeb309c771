/**
 * Helpers every scheme shares: header lookup, strict digest decoding, HMAC
 * over `prefix + body`, constant-time comparison and the timestamp window.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { HeaderPair, ParsedSignature, ParseResult, Scheme, SignatureAlgorithm, SignInput, Tolerance, VerifyInput, VerifyResult } from './types.js';

/** The HMAC hashes a scheme may use. */
export type HmacAlgorithm = Exclude<SignatureAlgorithm, 'ed25519' | 'ecdsa-p256'>;

/** How far (either way, seconds) a timed scheme's timestamp may be from `now`: Stripe's, Slack's and Standard Webhooks' value. */
export const TOLERANCE_SECONDS = 300;

/** The window of a parsed signature that names none: 300 s either way. */
export const DEFAULT_TOLERANCE: Tolerance = { past: TOLERANCE_SECONDS, future: TOLERANCE_SECONDS };

/** Stripe's and Slack's libraries only refuse a timestamp too far in the past; one ahead of the clock is accepted. */
export const PAST_ONLY: Tolerance = { past: TOLERANCE_SECONDS, future: null };

/** Digest (or signature) sizes in bytes, to tell a well-formed signature from noise; for ECDSA's DER, the largest. */
export const DIGEST_BYTES = { sha256: 32, sha1: 20, sha512: 64, ed25519: 64, 'ecdsa-p256': 72 } as const;

/** Whether bytes can be a DER ECDSA P-256 signature: SEQUENCE of two INTEGERs, 8 to 72 bytes, its length byte exact. */
function derSignature(bytes: Buffer): boolean {
  return bytes.length >= 8 && bytes.length <= 72 && bytes[0] === 0x30 && bytes[1] === bytes.length - 2 && bytes[2] === 0x02;
}

/** The first header named `name` (case-insensitive): its name as received and its value; null when absent. */
export function findHeader(headers: HeaderPair[], name: string): { name: string; value: string } | null {
  const lower = name.toLowerCase();
  // Lengths first, since most names differ in length: lower-casing keeps a string's length unless it holds
  // U+0130 (İ), whose lower case is two units ("i̇"); `lower` then holds U+0307 and lengths are not compared.
  const sameLength = !lower.includes('\u0307');
  for (const [n, v] of headers) if ((!sameLength || n.length === lower.length) && n.toLowerCase() === lower) return { name: n, value: v };
  return null;
}

/** `detect` for a scheme with one fixed header name. */
export function detectHeader(headers: HeaderPair[], name: string): string | null {
  return findHeader(headers, name)?.name ?? null;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
// Standard alphabet; padding optional because some senders strip it.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Strict hex (either case) → bytes; null for anything else, where Buffer.from would silently stop at the first bad digit. */
export function decodeHex(text: string): Buffer | null {
  return text.length > 0 && HEX.test(text) ? Buffer.from(text, 'hex') : null;
}

/** Strict standard base64 → bytes; null for anything else, where Buffer.from would silently skip bad characters. */
export function decodeBase64(text: string): Buffer | null {
  return text.length > 0 && BASE64.test(text) ? Buffer.from(text, 'base64') : null;
}

/** Decodes a digest in `encoding`, keeping it only when it has the algorithm's length. */
export function decodeDigest(text: string, encoding: 'hex' | 'base64', algorithm: SignatureAlgorithm): Buffer | null {
  const bytes = encoding === 'hex' ? decodeHex(text) : decodeBase64(text);
  if (bytes && algorithm === 'ecdsa-p256') return derSignature(bytes) ? bytes : null;
  return bytes && bytes.length === DIGEST_BYTES[algorithm] ? bytes : null;
}

/** HMAC of `prefix + body`, fed in two parts so the body is never copied. */
export function hmac(algorithm: HmacAlgorithm, key: Uint8Array, prefix: string, body: Uint8Array): Buffer {
  const mac = createHmac(algorithm, key);
  // Most schemes sign the body alone: an empty prefix adds nothing, and skipping it spares a call into C++.
  // Stryker disable next-line ConditionalExpression: equivalent, updating with "" changes no HMAC
  if (prefix !== '') mac.update(prefix, 'utf8');
  return mac.update(body).digest();
}

/** Constant-time equality; buffers of different lengths are simply not equal (timingSafeEqual would throw). */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key most providers use: the secret's UTF-8 bytes, exactly as configured. */
export function literalKey(secret: string): Buffer {
  return Buffer.from(secret, 'utf8');
}

/** Standard Webhooks' key: the base64 after an optional `whsec_`, decoded; null when that is not base64. */
export function base64Key(secret: string): Buffer | null {
  return decodeBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
}

/** Strict unix-seconds timestamp (digits only); null otherwise. */
export function parseTimestamp(text: string): number | null {
  const t = text.trim();
  return /^\d{1,15}$/.test(t) ? Number(t) : null;
}

/**
 * Builds a parse result from the digests a header offers. A header whose
 * offered digests are all unusable (not `encoding`, wrong length) is
 * malformed, since no secret could ever match it; in a list, the unusable
 * ones are just non-matching (Standard Webhooks lists may carry decoys).
 */
export function parsed(
  fields: Omit<ParsedSignature, 'digests'>,
  expected: string,
): ParseResult {
  const digests: Buffer[] = [];
  for (const s of fields.signatures) {
    const d = decodeDigest(s, fields.encoding, fields.algorithm);
    if (d) digests.push(d);
  }
  if (digests.length === 0) {
    const ecdsa = fields.algorithm === 'ecdsa-p256';
    const what = ecdsa
      ? `${fields.encoding} of a DER SEQUENCE of two integers, at most 72 bytes`
      : fields.encoding === 'hex' ? `${DIGEST_BYTES[fields.algorithm] * 2} hex digits` : `base64 of ${DIGEST_BYTES[fields.algorithm]} bytes`;
    const kind = fields.algorithm === 'ed25519' ? 'an Ed25519 signature' : ecdsa ? 'an ECDSA P-256 signature' : `a ${fields.algorithm.toUpperCase()} HMAC`;
    return {
      ok: false,
      header: fields.header,
      message: `${fields.header} is not ${kind} in ${fields.encoding} (${what}): expected ${expected}`,
      parts: fields,
    };
  }
  // Object.assign, not `{ ...fields, digests }`: V8 (Node 20) takes a slow path to add a key after a spread,
  // which cost more than the rest of the parse (about 0.7 µs of CPU a request).
  return { ok: true, parsed: Object.assign({}, fields, { digests }) };
}

/** A malformed parse result. */
export function malformed(header: string, message: string): ParseResult {
  return { ok: false, header, message };
}

/**
 * The check every scheme shares once its header is parsed and its key
 * derived: one HMAC, compared constant-time against every offered digest
 * (all of them, so timing does not reveal which one matched), then the
 * timestamp window. The HMAC is checked first so that a stale but genuine
 * request reads `expired`, not `invalid`.
 */
export function checkParsed(p: ParsedSignature, key: Uint8Array, body: Uint8Array, now: number): VerifyResult {
  const payloads = p.signed ? p.signed(body) : [body];
  let match = false;
  for (const payload of payloads) {
    if (p.algorithm === 'ed25519') {
      for (const d of p.digests) if (ed25519Verify(key, p.prefix, payload, d)) match = true;
    } else if (p.algorithm === 'ecdsa-p256') {
      for (const d of p.digests) if (ecdsaVerify(key, p.prefix, payload, d)) match = true;
    } else {
      const mac = hmac(p.algorithm, key, p.prefix, payload);
      for (const d of p.digests) if (safeEqual(mac, d)) match = true;
    }
  }
  if (!match) return { status: 'invalid', message: `no ${p.header} signature matches this secret and body` };
  if (p.refusal !== undefined) return { status: 'malformed', message: p.refusal };
  if (p.timestamp === null) return { status: 'valid' };
  const skewSeconds = now - p.timestamp;
  const tolerance = p.tolerance ?? DEFAULT_TOLERANCE;
  if (outside(skewSeconds, tolerance)) {
    return { status: 'expired', skewSeconds, message: describeSkew(skewSeconds, tolerance) };
  }
  return { status: 'valid', skewSeconds };
}

/** The DER prefix that makes a raw 32-byte Ed25519 public key an SPKI key node:crypto reads. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The 32-byte raw Ed25519 public key as a node:crypto key; null when the bytes cannot be one. */
export function ed25519PublicKey(raw: Uint8Array): ReturnType<typeof createPublicKey> | null {
  if (raw.length !== 32) return null;
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

/** Whether `signature` is an Ed25519 signature of `prefix + payload` by the raw public key `key`; false for a key that is none. */
export function ed25519Verify(key: Uint8Array, prefix: string, payload: Uint8Array, signature: Uint8Array): boolean {
  const pub = ed25519PublicKey(key);
  if (!pub) return false;
  try {
    return verifySignature(null, Buffer.concat([Buffer.from(prefix, 'utf8'), payload]), pub, signature);
  } catch {
    return false;
  }
}

/** The DER SPKI bytes as a P-256 public key; null when they are no such key (another curve, RSA, noise). */
export function p256PublicKey(spki: Uint8Array): KeyObject | null {
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : null;
  } catch {
    return null;
  }
}

/** Whether `signature` (DER) is an ECDSA P-256 / SHA-256 signature of `prefix + payload` by the SPKI key; false for a key that is none. */
export function ecdsaVerify(spki: Uint8Array, prefix: string, payload: Uint8Array, signature: Uint8Array): boolean {
  const pub = p256PublicKey(spki);
  if (!pub) return false;
  try {
    return verifySignature('sha256', Buffer.concat([Buffer.from(prefix, 'utf8'), payload]), { key: pub, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** Whether a skew (`now − timestamp`) falls outside the window. */
function outside(skewSeconds: number, t: Tolerance): boolean {
  if (skewSeconds >= 0) return skewSeconds > t.past;
  return t.future !== null && -skewSeconds > t.future;
}

/**
 * "signed N s ago, over the 300 s tolerance", or for a timestamp ahead of
 * the clock "ahead by N s, over the 300 s allowed ahead" — a clock running
 * fast, not a stale request, so it is never called expired in words.
 */
export function describeSkew(skewSeconds: number, tolerance: Tolerance = DEFAULT_TOLERANCE): string {
  if (skewSeconds >= 0) return `signed ${skewSeconds} s ago, over the ${tolerance.past} s tolerance`;
  const allowed = tolerance.future === null ? 'any time ahead is accepted' : `over the ${tolerance.future} s allowed ahead`;
  return `ahead by ${-skewSeconds} s, ${allowed}`;
}

/** `Scheme.verify` in terms of `parse` and `key`, which is all any scheme needs. */
export function verifyWith(
  scheme: Pick<Scheme, 'parse' | 'key'>,
  input: VerifyInput,
  secret: string,
  notAKey = 'the secret is not base64 (expected whsec_<base64>)',
): VerifyResult {
  const p = scheme.parse(input.headers, input);
  if (!p.ok) return { status: 'malformed', message: p.message };
  const key = scheme.key(secret);
  if (!key) return { status: 'invalid', message: notAKey };
  return checkParsed(p.parsed, key, input.body, input.now);
}

/** The digest a scheme's `sign` writes; throws without naming the secret when the scheme cannot use it as a key. */
export function signDigest(
  scheme: Pick<Scheme, 'id' | 'key'>,
  algorithm: HmacAlgorithm,
  input: SignInput,
  prefix: string,
): Buffer {
  const key = scheme.key(input.secret);
  if (!key) throw new Error(`${scheme.id}: the secret is not base64 (expected whsec_<base64>)`);
  return hmac(algorithm, key, prefix, input.body);
}
