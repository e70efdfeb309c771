/**
 * HTTP syntax every input check shares: what a header name and a header value
 * may be. One definition, so the API, the CLI and bin settings agree.
 */

import { MAX_RESPOND_HEADER_VALUE } from './limits.js';

/** A header as received or sent: `[name, value]`, name case preserved. */
export type HeaderPair = [name: string, value: string];

/** Header names (and methods) are HTTP tokens (RFC 9110). */
export const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Header values: visible ASCII, Latin-1, space and tab; never CR, LF or NUL. */
export const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * What the control-plane token may be: 1 to 512 visible ASCII characters (it
 * travels in an `Authorization` header and a JSON string). `--token` is
 * checked against it, and the inspector ignores a stored or linked value that
 * does not match it.
 */
export const TOKEN_SYNTAX = /^[\x21-\x7e]{1,512}$/;

/** Whether `name` is an HTTP header name (an RFC 9110 token). */
export function isHttpToken(name: string): boolean {
  return HTTP_TOKEN.test(name);
}

/** A method hookbin sends: a token of at most 20 characters, and not CONNECT (a tunnel, not a webhook). */
export function isSendableMethod(method: string): boolean {
  return method.length <= 20 && HTTP_TOKEN.test(method) && method.toUpperCase() !== 'CONNECT';
}

/** What fetch's `Headers` does to a header value: leading and trailing whitespace go. */
export const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, plus the proxy ones): they describe
 * one connection, never the message, so a resend, forward or relay drops
 * them and writes its own framing.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** Statuses whose responses carry no body (RFC 9110 §6.4.1, §15.3.6): a Content-Length on them says nothing about bytes sent. */
export const NO_BODY_STATUS: ReadonlySet<number> = new Set([204, 205, 304]);

/**
 * Headers a bin answer (configured, or relayed from the app) never carries,
 * lower-case. Bins answer on hookbin's own origin, where the inspector and
 * its token live; the `sandbox` CSP gives the answer's page an opaque origin,
 * but these act on the origin (or the host) from the response itself, page
 * or not: cookies for the host (every port: a flood makes the inspector's
 * requests fail with 431), `Clear-Site-Data` (wipes the inspector's stored
 * token), a service worker scope, HSTS and alternative services (both bind
 * the whole host). Headers that act only on the page they come with
 * (`Refresh`, `Link`, `Permissions-Policy`, `Origin-Agent-Cluster`) stay:
 * that page is sandboxed.
 */
export const ORIGIN_HEADERS: ReadonlySet<string> = new Set([
  'set-cookie',
  'set-cookie2',
  'clear-site-data',
  'service-worker-allowed',
  'strict-transport-security',
  'alt-svc',
]);

/** Headers a bin's answer may not set: hookbin frames the answer itself, and a configured value would corrupt that. */
export const RESERVED_RESPONSE_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

/**
 * Why a bin's answer (or one rule's) may not set the header `name: value`,
 * in a few words, or null when it may: not an HTTP token, framed by hookbin
 * (`RESERVED_RESPONSE_HEADERS`), acting on hookbin's own origin, where the
 * inspector and its token live (`ORIGIN_HEADERS`), or a value a header
 * cannot carry. The API and the inspector's forms both check with it, so
 * they refuse exactly the same headers.
 */
export function answerHeaderProblem(name: string, value: string): string | null {
  const lower = name.toLowerCase();
  if (!HTTP_TOKEN.test(name)) return `"${name.slice(0, 40)}" is not a header name`;
  if (RESERVED_RESPONSE_HEADERS.has(lower)) return `hookbin sets ${name} itself`;
  if (ORIGIN_HEADERS.has(lower)) return `a bin answer cannot set ${name}: bins answer on hookbin's own origin, where it would act on the inspector (cookies, stored token)`;
  if (value.length > MAX_RESPOND_HEADER_VALUE) return `the value of ${name} is over ${MAX_RESPOND_HEADER_VALUE} characters`;
  if (!HEADER_VALUE.test(value)) return `the value of ${name} has characters a header cannot carry (CR, LF, NUL or past Latin-1)`;
  return null;
}

/**
 * The Content-Type hookbin gives an answer body that the bin's headers do
 * not type: `application/json` when the whole body parses as JSON (JSON is
 * always UTF-8, and RFC 8259 defines no charset for it), else
 * `text/plain; charset=utf-8` (the body is stored and sent as UTF-8 text);
 * null for an empty body, which needs no type.
 */
export function inferContentType(body: string): string | null {
  if (body === '') return null;
  return looksLikeJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
}

function looksLikeJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * RFC 6901: "" or a sequence of `/`-prefixed tokens in which `~` is only ever
 * `~0` or `~1`. Tokens exclude `/`, so the match is linear in the length.
 */
const JSON_POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

/** Whether `pointer` is a syntactically valid RFC 6901 JSON pointer (`""`, or `/`-prefixed tokens with only `~0`/`~1` escapes): a bin's event key pointer. */
export function isJsonPointer(pointer: string): boolean {
  return JSON_POINTER.test(pointer);
}
