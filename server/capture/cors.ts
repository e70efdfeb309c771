/**
 * CORS for bins that switch it on (`cors: true`), so a sender running in a
 * browser page (a webhook playground, a front-end SDK) can post to a bin and
 * read its answer. Off by default: providers are servers and need none of it.
 *
 * A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered
 * 204 at once, echoing what the browser asked for within bounds, and is not
 * captured: it is the browser asking leave, not a webhook, and capturing it
 * would count as an attempt of an event (and be failed by `failFirst`).
 * Every other answer of the bin (configured, failing, relayed, 413) gets
 * `Access-Control-Allow-Origin` and `Access-Control-Expose-Headers`.
 * Credentials are never allowed, so a page learns nothing a curl could not.
 *
 * Only bin URLs pass through here: the control plane (`/api`, the
 * inspector) never answers with CORS headers and keeps its own Host and
 * Origin checks.
 */
import { HTTP_TOKEN } from '../common/http-syntax.js';
import type { HeaderPair } from '../common/types.js';
import { headerValue } from './read.js';

/** How long a browser may reuse a preflight's answer, in seconds: short, so switching CORS off takes effect soon. */
export const CORS_MAX_AGE_S = 600;
/** The most request header names a preflight's answer allows (a browser asks for a few). */
export const MAX_CORS_HEADERS = 64;
/** The longest Origin echoed back; a longer one is answered with `*`. */
const MAX_ORIGIN = 2048;
/** A serialized origin (`scheme://host[:port]`) or the opaque `null`. */
const ORIGIN = /^(?:null|[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#,]+)$/;
/** What a preflight allows when the method asked for is not a token. */
const DEFAULT_METHODS = 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS';
/** Response headers a page can read without being told (CORS-safelisted), lower-case. */
const SAFELISTED = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);

/** Whether this request is a browser's CORS preflight. */
export function isPreflight(method: string, headers: readonly HeaderPair[]): boolean {
  return method.toUpperCase() === 'OPTIONS' && headerValue(headers, 'access-control-request-method') !== null;
}

/** The request's Origin when it is one to echo, else `*` (no Origin, or a malformed or oversized one). */
function allowOrigin(headers: readonly HeaderPair[]): string {
  const origin = headerValue(headers, 'origin')?.trim();
  return origin !== undefined && origin.length <= MAX_ORIGIN && ORIGIN.test(origin) ? origin : '*';
}

/** The request header names a preflight asked for that are HTTP tokens, lower-case, each once, at most `MAX_CORS_HEADERS`. */
function allowHeaders(asked: string | null): string | null {
  if (asked === null) return null;
  const names = new Set<string>();
  for (const part of asked.slice(0, 8192).split(',')) {
    const name = part.trim().toLowerCase();
    if (name.length > 0 && name.length <= 256 && HTTP_TOKEN.test(name)) names.add(name);
    if (names.size >= MAX_CORS_HEADERS) break;
  }
  return names.size === 0 ? null : [...names].join(', ');
}

/** The headers of the 204 that answers a preflight: what the browser asked for, within bounds. */
export function preflightHeaders(request: readonly HeaderPair[]): HeaderPair[] {
  const method = headerValue(request, 'access-control-request-method')?.trim() ?? '';
  const out: HeaderPair[] = [
    ['access-control-allow-origin', allowOrigin(request)],
    ['access-control-allow-methods', method.length <= 20 && HTTP_TOKEN.test(method) ? method.toUpperCase() : DEFAULT_METHODS],
  ];
  const headers = allowHeaders(headerValue(request, 'access-control-request-headers'));
  if (headers !== null) out.push(['access-control-allow-headers', headers]);
  out.push(['access-control-max-age', String(CORS_MAX_AGE_S)], ['vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers']);
  return out;
}

/**
 * An answer's headers with CORS added: `Access-Control-Allow-Origin` (the
 * request's Origin, `Vary: Origin` beside it) and `Access-Control-Expose-Headers`
 * naming hookbin's capture id and the answer's own headers that a page
 * cannot read otherwise. A header of these names that the answer already
 * has (the user set it, or a relayed app sent it) wins and is kept.
 */
export function withCors(answer: readonly HeaderPair[], request: readonly HeaderPair[]): HeaderPair[] {
  const out = answer.slice();
  const origin = allowOrigin(request);
  if (headerValue(answer, 'access-control-allow-origin') === null) {
    out.push(['access-control-allow-origin', origin]);
    if (origin !== '*' && headerValue(answer, 'vary') === null) out.push(['vary', 'Origin']);
  }
  if (headerValue(answer, 'access-control-expose-headers') === null) {
    const names = new Set(['x-hookbin-capture-id']);
    for (const [n] of answer) {
      const lower = n.toLowerCase();
      if (!SAFELISTED.has(lower) && !lower.startsWith('access-control-') && lower !== 'vary') names.add(lower);
    }
    out.push(['access-control-expose-headers', [...names].join(', ')]);
  }
  return out;
}
