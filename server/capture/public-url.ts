/**
 * The URL a bin request was made at, as the provider saw it. Behind a tunnel
 * hookbin receives `http://127.0.0.1:7777/b/…` while Twilio signed
 * `https://abc.tunnel.example/b/…`; URL-signed schemes can only be checked
 * against the latter, so the public base comes from `--public-url`, or with
 * `--trust-proxy` from the tunnel's `X-Forwarded-Proto`/`-Host`.
 */
import type { HeaderPair } from '../common/types.js';

/** How the public URL of bin requests is known. */
export interface PublicUrlPolicy {
  /** `--public-url`: scheme, host and optional path prefix, no trailing slash; null when not given. */
  publicUrl: string | null;
  /** `--trust-proxy`: believe `X-Forwarded-Proto`/`-Host` on bin requests when no public URL is set. */
  trustProxy: boolean;
}

/** No public URL, no proxy: the URL as received. */
export const AS_RECEIVED: PublicUrlPolicy = { publicUrl: null, trustProxy: false };

/**
 * Validates a `--public-url` value: an absolute http(s) URL without query,
 * fragment or credentials. Returns it without a trailing slash, or a
 * sentence saying what is wrong.
 */
export function parsePublicUrl(text: string): { ok: true; url: string } | { ok: false; message: string } {
  const t = text.trim();
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return { ok: false, message: `--public-url must be an absolute http:// or https:// URL, not "${t}"` };
  }
  // Checked first, as the other messages quote the value: a password is never echoed.
  if (u.username !== '' || u.password !== '') return { ok: false, message: '--public-url must not carry a user name or password' };
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, message: `--public-url must be an http:// or https:// URL, not "${t}"` };
  if (u.search !== '' || u.hash !== '' || t.includes('?') || t.includes('#')) {
    return { ok: false, message: `--public-url must have no query or fragment (hookbin appends /b/{bin} to it), not "${t}"` };
  }
  return { ok: true, url: `${u.origin}${u.pathname.replace(/\/+$/, '')}` };
}

function first(headers: readonly HeaderPair[], name: string): string | undefined {
  for (const [n, v] of headers) if (n.toLowerCase() === name) return v;
  return undefined;
}

// A forwarded value is only believed when it looks like what it claims to be.
const PROTO = /^https?$/i;
const HOST = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;

/**
 * The scheme and host (and path prefix) bin requests are made at: the
 * public URL when set; else with `trustProxy` the first
 * `X-Forwarded-Proto`/`X-Forwarded-Host` values (each falling back to
 * `http` and `Host` when absent or not a plausible value); else
 * `http://<Host>`. Null when nothing names a host.
 */
export function publicBase(policy: PublicUrlPolicy, headers: readonly HeaderPair[]): string | null {
  if (policy.publicUrl !== null) return policy.publicUrl;
  let proto = 'http';
  let host = first(headers, 'host')?.trim();
  if (policy.trustProxy) {
    const p = first(headers, 'x-forwarded-proto')?.split(',')[0]!.trim();
    const h = first(headers, 'x-forwarded-host')?.split(',')[0]!.trim();
    if (p !== undefined && PROTO.test(p)) proto = p.toLowerCase();
    if (h !== undefined && HOST.test(h)) host = h;
  }
  if (host === undefined || !HOST.test(host)) return null;
  return `${proto}://${host}`;
}

/**
 * The URL a provider signed for a bin request: `publicBase` followed by the
 * raw request target (`/b/{bin}/path?query`, exactly as received). Undefined
 * when no host is known.
 */
export function signedUrl(policy: PublicUrlPolicy, headers: readonly HeaderPair[], rawTarget: string): string | undefined {
  const base = publicBase(policy, headers);
  return base === null ? undefined : `${base}${rawTarget}`;
}

/** A bin request's raw target rebuilt from its stored parts. */
export function binTarget(binId: string, path: string, query: string): string {
  return `/b/${binId}${path}${query !== '' ? `?${query}` : ''}`;
}
