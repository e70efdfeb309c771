/**
 * One outbound HTTP exchange, shared by the sender (send, resend, retries)
 * and live forwarding: the request is written exactly as given (header
 * order, case and duplicates kept), the reply is read up to a cap, and a
 * failure is named by kind (refused, reset, timeout, dns, tls).
 *
 * node:http rather than fetch: fetch normalizes header case, merges
 * duplicates and adds headers of its own, so a resend would not be the
 * request that was captured.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import type { ReplyRecord } from '../store/index.js';
import { HOP_BY_HOP, NO_BODY_STATUS } from '../common/http-syntax.js';
import type { HeaderPair, SendErrorKind } from '../common/types.js';
import { MAX_TARGET_URL_LENGTH } from '../common/limits.js';

/** The most reply bytes kept per attempt or forward; the rest is not read. */
export const MAX_REPLY_BYTES = 1024 * 1024;

export { MAX_TARGET_URL_LENGTH };

/** Methods Node sends without a body unless told otherwise; any other gets `Content-Length` even when empty. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** Whether `text` is an absolute http(s) URL hookbin can send to. */
export function isTargetUrl(text: string): boolean {
  if (text.length > MAX_TARGET_URL_LENGTH) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A target URL as the API accepts it: absolute http:// or https://, at most 4096 characters. */
export const targetUrlSchema = z
  .string()
  .max(MAX_TARGET_URL_LENGTH, `a URL is at most ${MAX_TARGET_URL_LENGTH} characters`)
  .refine(isTargetUrl, 'must be an absolute http:// or https:// URL');

/** A URL for display: a password in it masked (`https://user:***@host/`). */
export function displayUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password === '') return text;
    url.password = '***';
    return url.toString();
  } catch {
    return text;
  }
}

/** Where one request goes: the connection and the exact request target. */
export interface Target {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** The request target as written on the request line (path and query, raw). */
  path: string;
  /** The Host header value. */
  host: string;
  /** `user:password` from the URL, sent as Basic auth when the request has no Authorization header. */
  auth: string | null;
  /** The URL without credentials, as attempts record it. */
  url: string;
}

/**
 * A target from a URL and, for forwards, a raw captured path and query
 * appended to the URL's own path (`http://app/hooks` + `/github` →
 * `http://app/hooks/github`). The appended parts are used as received, not
 * normalized, so `/a/../b` reaches the app as it reached hookbin.
 */
export function targetOf(urlText: string, extra: { path: string; query: string } = { path: '', query: '' }): Target {
  const url = new URL(urlText);
  let base = url.pathname;
  if (extra.path !== '' && base.endsWith('/')) base = base.slice(0, -1);
  const query = [url.search.slice(1), extra.query].filter((q) => q !== '').join('&');
  const path = `${base}${extra.path}${query === '' ? '' : `?${query}`}`;
  const protocol = url.protocol as Target['protocol'];
  const auth = url.username === '' ? null : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return {
    protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(url.port),
    path: path === '' ? '/' : path,
    host: url.host,
    auth,
    url: `${url.protocol}//${url.host}${path === '' ? '/' : path}`,
  };
}

/**
 * The headers actually written for a body of `bodyLength` bytes: hop-by-hop
 * headers (and any the Connection header names) dropped; `Host` set to the
 * target's in its original place unless `keepHost`; `Content-Length` set to
 * the body's length in its original place (or appended when the method needs
 * one); `Authorization: Basic` appended for URL credentials when none is
 * given; `Connection: close` last, since each attempt uses its own
 * connection. Node adds nothing to this list, so it is exactly what is sent.
 */
export function outboundHeaders(
  base: readonly HeaderPair[],
  target: Target,
  method: string,
  bodyLength: number,
  opts: { keepHost?: boolean } = {},
): HeaderPair[] {
  const named = new Set<string>();
  for (const [n, v] of base) if (n.toLowerCase() === 'connection') for (const t of v.split(',')) named.add(t.trim().toLowerCase());
  const out: HeaderPair[] = [];
  let host = false;
  let length = false;
  for (const [name, value] of base) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    if (lower === 'host') {
      if (host) continue;
      host = true;
      out.push([name, opts.keepHost ? value : target.host]);
    } else if (lower === 'content-length') {
      if (length) continue;
      length = true;
      out.push([name, String(bodyLength)]);
    } else {
      out.push([name, value]);
    }
  }
  if (!host) out.unshift(['Host', target.host]);
  if (!length && (bodyLength > 0 || !BODYLESS_METHODS.has(method.toUpperCase()))) out.push(['Content-Length', String(bodyLength)]);
  if (target.auth !== null && !out.some(([n]) => n.toLowerCase() === 'authorization')) {
    out.push(['Authorization', `Basic ${Buffer.from(target.auth, 'utf8').toString('base64')}`]);
  }
  out.push(['Connection', 'close']);
  return out;
}

/** One request to make. */
export interface ExchangeInput {
  method: string;
  target: Target;
  /** Exactly the headers to write (see `outboundHeaders`). */
  headers: HeaderPair[];
  body: Uint8Array;
  /** The whole exchange (connect, reply, body) must finish within this, ms. */
  timeoutMs: number;
  /** Aborting drops the request; the result says `aborted`. */
  signal?: AbortSignal;
  /** The clock, ms since the epoch. */
  now?: () => number;
  /** https only: accept a certificate that does not verify (self-signed, another name). */
  insecure?: boolean;
  /** The most reply bytes read (default `MAX_REPLY_BYTES`); the connection is dropped after that. */
  maxReplyBytes?: number;
}

/** What came of one request. */
export interface ExchangeResult {
  /** ms since the epoch, when the request started. */
  at: number;
  durationMs: number;
  /** The request exactly as written. */
  request: { method: string; url: string; headers: HeaderPair[] };
  status: number | null;
  response: ReplyRecord | null;
  error: SendErrorKind | null;
  errorMessage: string | null;
  /** True when `signal` ended it: the result describes nothing the target did. */
  aborted: boolean;
}

class TimeoutError extends Error {
  readonly code = 'HOOKBIN_TIMEOUT';
}
class AbortedError extends Error {
  readonly code = 'HOOKBIN_ABORTED';
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** The kind of a request failure, from its Node error code. */
export function errorKind(err: unknown): SendErrorKind {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return 'other';
  if (code === 'HOOKBIN_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || code === 'HPE_INVALID_EOF_STATE') return 'reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME' || code === 'EAI_NODATA') return 'dns';
  if (TLS_CODES.test(code)) return 'tls';
  return 'other';
}

function describe(err: unknown, kind: SendErrorKind, timeoutMs: number): string {
  if (kind === 'timeout') return `no complete reply within ${timeoutMs} ms`;
  const message = err instanceof Error ? err.message : String(err);
  return message.slice(0, 500);
}

function pairs(res: IncomingMessage): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) out.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
  return out;
}

/**
 * Makes one request and reads the reply (its first `maxReplyBytes`; the
 * connection is dropped after that). Never rejects: a failure is a result
 * with `error` set, and a reply that arrived before the failure keeps its
 * status. Redirects are not followed (a provider does not follow them).
 */
export function exchange(input: ExchangeInput): Promise<ExchangeResult> {
  const now = input.now ?? Date.now;
  const at = now();
  const started = performance.now();
  const record = { method: input.method, url: input.target.url, headers: input.headers };
  const cap = input.maxReplyBytes ?? MAX_REPLY_BYTES;
  return new Promise((resolve) => {
    let status: number | null = null;
    let response: ReplyRecord | null = null;
    let settled = false;
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    let res: IncomingMessage | undefined;

    const finish = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', onAbort);
      if (status !== null && response === null) response = reply();
      const aborted = err instanceof AbortedError;
      const kind = err === null || aborted ? null : errorKind(err);
      resolve({
        at,
        durationMs: Math.round(performance.now() - started),
        request: record,
        status,
        response,
        error: kind,
        errorMessage: kind === null ? null : describe(err, kind, input.timeoutMs),
        aborted,
      });
    };

    const reply = (): ReplyRecord => {
      // A HEAD reply, or a 204/205/304, has no body whatever its Content-Length says
      // (for HEAD it is the length a GET would get): only bytes received count then.
      const bodyless = input.method.toUpperCase() === 'HEAD' || (status !== null && NO_BODY_STATUS.has(status));
      const declared = bodyless ? 0 : Number(res?.headers['content-length']) || 0;
      return {
        headers: res ? pairs(res) : [],
        body: Buffer.concat(chunks, kept),
        size: Math.max(received, declared),
        truncated: received > kept || declared > kept,
      };
    };

    const flat: string[] = [];
    for (const [n, v] of input.headers) flat.push(n, v);
    const make = input.target.protocol === 'https:' ? httpsRequest : httpRequest;
    let req: ReturnType<typeof httpRequest>;
    try {
      req = make({
        protocol: input.target.protocol,
        hostname: input.target.hostname,
        port: input.target.port,
        method: input.method,
        path: input.target.path,
        headers: flat,
        setHost: false,
        agent: false,
        // A developer's app in the making may answer with headers Node's strict
        // parser refuses; recording that reply beats failing with a parse error.
        // One request per connection, so there is nothing to smuggle into.
        insecureHTTPParser: true,
        ...(input.insecure ? { rejectUnauthorized: false } : {}),
      });
    } catch (err) {
      // Invalid characters in the path or a header: nothing was sent.
      resolve({ at, durationMs: 0, request: record, status: null, response: null, error: 'other', errorMessage: describe(err, 'other', 0), aborted: false });
      return;
    }

    // Every reply header pair is kept (Node keeps a fixed number by default and drops
    // the rest silently); the reply head stays bounded by Node's 16 KiB header limit.
    req.maxHeadersCount = 0;
    const timer = setTimeout(() => req.destroy(new TimeoutError('timeout')), input.timeoutMs);
    const onAbort = () => req.destroy(new AbortedError('aborted'));
    if (input.signal?.aborted) onAbort();
    else input.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('response', (r) => {
      res = r;
      status = r.statusCode ?? null;
      r.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (kept < cap) {
          const part = chunk.subarray(0, cap - kept);
          chunks.push(part);
          kept += part.length;
        }
        if (received > cap) {
          // Enough is kept; the rest is not worth the wait.
          response = reply();
          finish(null);
          req.destroy();
        }
      });
      r.on('end', () => {
        response = reply();
        finish(null);
      });
      r.on('error', (err) => finish(err));
      r.on('aborted', () => finish(Object.assign(new Error('the reply was cut off'), { code: 'ECONNRESET' })));
    });
    req.on('error', (err) => finish(err));
    // An app that answers 101 (no upgrade was asked for) or closes without a
    // complete reply gets no 'error' from Node, and a timeout's destroy then
    // raises none either: without this the exchange would never end.
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      finish(Object.assign(new Error(`the app answered ${status ?? 101} Switching Protocols, which ends HTTP`), { code: 'HOOKBIN_UPGRADE' }));
    });
    req.on('close', () => finish(Object.assign(new Error('the connection closed before the reply was complete'), { code: 'ECONNRESET' })));
    req.end(Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength));
  });
}
