/**
 * Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1>` keyed by the auth token,
 * over the full URL Twilio was given followed by the POST parameters sorted
 * by name, each as name + value. JSON bodies are not in it: Twilio then adds
 * `bodySHA256=<hex SHA-256 of the body>` to the URL and signs the URL alone.
 * As twilio's own `validateRequest`, the URL with and without its default
 * port both count. Untimed. The URL is the public one (`--public-url`,
 * `--trust-proxy`) when known: behind a tunnel the URL received is not the
 * one signed.
 */
import { createHash } from 'node:crypto';
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { HeaderPair, ParsedSignature, Scheme, SecretInput, VerifyInput } from '../types.js';
import { signedElsewhere, urlHint } from './url-signed.js';

const HEADER = 'X-Twilio-Signature';
const EXPECTED = `${HEADER}: <base64 HMAC-SHA1 of the full URL followed by the POST parameters sorted by name, name + value>`;

/** The POST parameters of a form body, sorted by name as Twilio sorts them; duplicates once each, values sorted. */
function sortedParams(body: Uint8Array): string {
  const params = new URLSearchParams(Buffer.from(body).toString('utf8'));
  let out = '';
  for (const name of [...new Set(params.keys())].sort()) {
    for (const value of [...new Set(params.getAll(name))].sort()) out += name + value;
  }
  return out;
}

function isForm(headers: HeaderPair[]): boolean {
  return /application\/x-www-form-urlencoded/i.test(findHeader(headers, 'content-type')?.value ?? '');
}

/** The `bodySHA256` query parameter of a URL, or null. */
function bodyHash(url: string): string | null {
  try {
    return new URL(url).searchParams.get('bodySHA256');
  } catch {
    return null;
  }
}

const DEFAULT_PORT = /^(https?:\/\/[^/:?#]+)(:(?:80|443))?(?=[/?#]|$)/i;

/** The URL as given, and with its default port added or dropped (twilio's library accepts both). */
export function urlForms(url: string): string[] {
  const m = DEFAULT_PORT.exec(url);
  if (!m) return [url];
  const rest = url.slice(m[0].length);
  const port = url.toLowerCase().startsWith('https:') ? ':443' : ':80';
  return m[2] ? [url, m[1] + rest] : [url, m[1] + port + rest];
}

/**
 * What Twilio signs for a request at `url` with this body: the URL alone
 * when it carries `bodySHA256` (none when the body does not match it), else
 * the URL followed by the form's sorted parameters (none for other bodies).
 */
export function twilioSigned(url: string, form: boolean, body: Uint8Array): string[] {
  const hash = bodyHash(url);
  if (hash !== null) return createHash('sha256').update(body).digest('hex') === hash.toLowerCase() ? urlForms(url) : [];
  const params = form ? sortedParams(body) : '';
  return urlForms(url).map((u) => u + params);
}

/** The `twilio` scheme (untimed; needs the request's URL). */
export const twilio: Scheme = {
  id: 'twilio',
  header: HEADER,
  timed: false,
  detectsOn: [HEADER.toLowerCase()],
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers, request) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const url = request?.url;
    if (url === undefined) return malformed(h.name, `hookbin cannot tell the URL this request was made at (no Host header), and Twilio signs it: start hookbin with --public-url`);
    const form = isForm(headers);
    const fields = { header: h.name, algorithm: 'sha1' as const, encoding: 'base64' as const, signatures: [h.value.trim()], prefix: '', timestamp: null };
    const result = parsed(fields, EXPECTED);
    if (result.ok) result.parsed.signed = (body) => twilioSigned(url, form, body).map((s) => Buffer.from(s, 'utf8'));
    return result;
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(twilio, input, secret),
  sign(input) {
    if (input.url === undefined) throw new Error('twilio: signing needs the URL the request is sent to, which Twilio signs');
    const text = Buffer.from(input.body).toString('utf8');
    const json = /^\s*[[{]/.test(text);
    if (json && bodyHash(input.url) === null) {
      throw new Error('twilio: Twilio signs a JSON body through a bodySHA256 query parameter; add ?bodySHA256=<hex SHA-256 of the body> to the URL, or send a form body');
    }
    const signed = twilioSigned(input.url, !json, input.body)[0];
    if (signed === undefined) throw new Error("twilio: the URL's bodySHA256 is not the SHA-256 of this body");
    return [[HEADER, signDigest(twilio, 'sha1', { ...input, body: Buffer.from(signed, 'utf8') }, '').toString('base64')]];
  },
  explain: (p, request, secrets) => otherUrl(p, request, secrets),
  hint: (request) => urlHint('Twilio', request),
};

/** "signed for https://… but received at …": a matching signature over another URL this request plausibly had. */
function otherUrl(p: ParsedSignature, request: VerifyInput, secrets: readonly SecretInput[]): string | null {
  const form = isForm(request.headers);
  return signedElsewhere('Twilio', twilio, request, secrets, (url) => ({
    ...p,
    signed: (body: Uint8Array) => twilioSigned(url, form, body).map((s) => Buffer.from(s, 'utf8')),
  }));
}
