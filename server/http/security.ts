import { createHash, timingSafeEqual } from 'node:crypto';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';

/** Decides whether a Host header names this server (DNS-rebinding defence). */
export type HostPolicy = (hostname: string) => boolean;

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/** True for `localhost`, `*.localhost`, `127.0.0.0/8` and `::1`. */
export function isLoopbackName(name: string): boolean {
  const h = name.toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    h === '[::1]' ||
    h === '::1'
  );
}

/**
 * The Host names `/api` accepts: loopback names and the bound host; when bound
 * to every interface, also this machine's name and interface addresses (the
 * ones a browser on the LAN would use).
 */
export function hostPolicy(boundHost: string): HostPolicy {
  const allowed = new Set<string>();
  // Stryker disable next-line Regex: equivalent, --host is validated as a host name or an address (brackets only around a whole one)
  const add = (name: string) => allowed.add(name.toLowerCase().replace(/^\[|\]$/g, ''));
  if (WILDCARD_HOSTS.has(boundHost)) {
    add(osHostname());
    // Stryker disable next-line ArrayDeclaration: equivalent, no interface list is ever undefined (the type allows it)
    for (const list of Object.values(networkInterfaces())) for (const ni of list ?? []) add(ni.address);
  } else {
    add(boundHost);
  }
  // Stryker disable next-line Regex: equivalent, names come through hostnameOf, which allows brackets only around a whole address
  return (name) => isLoopbackName(name) || allowed.has(name.toLowerCase().replace(/^\[|\]$/g, ''));
}

/** The hostname part of a Host header (`[::1]:80` → `[::1]`), or null when malformed. */
export function hostnameOf(host: string | undefined): string | null {
  if (!host) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(host);
  return m ? m[1]! : null;
}

/** Constant-time string comparison (both sides hashed, so lengths do not leak). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * The name of the token cookie that hookbin 0.1 set. It is no longer set nor
 * read (cookies ignore ports and paths leak them to bins); the inspector page
 * only expires it, so older browsers stop sending it.
 */
export function legacyTokenCookieName(requestUrl: string): string {
  const url = new URL(requestUrl);
  return `hookbin_token_${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** True when a request's Origin (or Sec-Fetch-Site) says it came from another site. */
export function isForeignOrigin(origin: string | undefined, fetchSite: string | undefined, host: string): boolean {
  if (origin !== undefined) {
    // `null` (an opaque origin: a sandboxed page, a file) is no URL, so it is foreign too.
    try {
      return new URL(origin).host.toLowerCase() !== host.toLowerCase();
    } catch {
      return true;
    }
  }
  return fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none';
}

/** Options of `apiGuard`. */
export interface GuardOptions {
  token: string;
  hosts: HostPolicy;
  /** Paths under the guard that need no token (only `/api/health`). */
  open: ReadonlySet<string>;
  /** Paths that also take the token as `?token=` (the WebSocket, for scripts). */
  queryToken: ReadonlySet<string>;
  /**
   * Paths whose route may authenticate in-band instead (the WebSocket's first
   * message): a WebSocket upgrade there that presents no token at all passes
   * with `tokenVerified` false; a wrong token is still refused.
   */
  inBandAuth: ReadonlySet<string>;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by `apiGuard`: true when the request presented the right token. */
    tokenVerified: boolean;
  }
}

/**
 * Guards the control plane, in this order: a Host that is not this server
 * (403 `forbidden_host`), a foreign Origin (403 `forbidden_origin`), a
 * missing or wrong token in `Authorization: Bearer`, or in `?token=` on the
 * paths that allow it (401). Cookies are never read: a browser would send
 * them to every port of the host and to the bins.
 */
export function apiGuard(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host');
    const name = hostnameOf(host);
    if (!host || !name || !options.hosts(name)) {
      throw new ApiError(403, 'forbidden_host', `the Host "${host ?? ''}" is not this hookbin; use localhost or 127.0.0.1`);
    }
    if (isForeignOrigin(c.req.header('origin'), c.req.header('sec-fetch-site'), host)) {
      throw new ApiError(403, 'forbidden_origin', 'cross-origin requests to the hookbin API are refused');
    }
    c.set('tokenVerified', false);
    if (options.open.has(c.req.path)) return next();
    const auth = c.req.header('authorization');
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    const presented = bearer ?? (options.queryToken.has(c.req.path) ? c.req.query('token') : undefined);
    const upgrade = c.req.header('upgrade')?.toLowerCase() === 'websocket';
    if (presented === undefined && upgrade && options.inBandAuth.has(c.req.path)) return next();
    if (presented === undefined) {
      throw new ApiError(401, 'unauthorized', 'a token is required: send "Authorization: Bearer <token>" (printed at startup)');
    }
    if (!safeEqual(presented, options.token)) throw new ApiError(401, 'unauthorized', 'the token is wrong');
    c.set('tokenVerified', true);
    return next();
  };
}
