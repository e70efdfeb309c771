/**
 * Square: `x-square-hmacsha256-signature: <base64 HMAC-SHA256>` keyed by the
 * subscription's signature key, over the notification URL exactly as
 * configured in Square followed by the raw body. Older deliveries also carry
 * `x-square-signature` (base64 HMAC-SHA1 of the same): it is checked only
 * when the SHA-256 header is absent, and the verdict's header says which one
 * was. Untimed. The URL is the public one (`--public-url`, `--trust-proxy`)
 * when known: behind a tunnel the URL received is not the one signed.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { ParsedSignature, Scheme } from '../types.js';
import { signedElsewhere, urlHint } from './url-signed.js';

const HEADER = 'x-square-hmacsha256-signature';
const LEGACY = 'x-square-signature';
const EXPECTED = `${HEADER}: <base64 HMAC-SHA256 of the notification URL followed by the body> (or the older ${LEGACY}: <base64 HMAC-SHA1 of the same>)`;

/** The `square` scheme (untimed; signs the notification URL + body; SHA-1 header as a fallback). */
export const square: Scheme = {
  id: 'square',
  header: HEADER,
  timed: false,
  detectsOn: [HEADER.toLowerCase(), LEGACY.toLowerCase()],
  detect: (headers) => detectHeader(headers, HEADER) ?? detectHeader(headers, LEGACY),
  parse(headers, request) {
    const h = findHeader(headers, HEADER) ?? findHeader(headers, LEGACY);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const url = request?.url;
    if (url === undefined) return malformed(h.name, `hookbin cannot tell the URL this request was made at (no Host header), and Square signs it: start hookbin with --public-url`);
    const algorithm = h.name.toLowerCase() === HEADER ? 'sha256' : 'sha1';
    // The URL comes first in what is signed: it is the prefix, so the body's variants can still be tried.
    return parsed({ header: h.name, algorithm, encoding: 'base64', signatures: [h.value.trim()], prefix: url, timestamp: null }, EXPECTED);
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(square, input, secret),
  sign(input) {
    if (input.url === undefined) throw new Error('square: signing needs the notification URL the request is sent to, which Square signs');
    return [[HEADER, signDigest(square, 'sha256', input, input.url).toString('base64')]];
  },
  explain: (p, request, secrets) =>
    signedElsewhere('Square', square, request, secrets, (url): ParsedSignature => ({ ...p, prefix: url })),
  hint: (request) => urlHint('Square', request),
};
