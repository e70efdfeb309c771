/**
 * What the schemes that sign the URL share (Twilio, Square, HubSpot): the
 * other URLs a request plausibly had, and the diagnosis "signed for
 * https://… but received at …; start hookbin with --public-url".
 */
import { checkParsed, findHeader } from '../crypto.js';
import type { ParsedSignature, Scheme, SecretInput, VerifyInput } from '../types.js';

/** The URLs this request may have been made at, other than the one checked: as the tunnel's forwarded headers say, and as received. */
export function otherUrls(request: VerifyInput, target: string): string[] {
  const host = findHeader(request.headers, 'host')?.value.trim();
  const fHost = findHeader(request.headers, 'x-forwarded-host')?.value.split(',')[0]!.trim();
  const fProto = findHeader(request.headers, 'x-forwarded-proto')?.value.split(',')[0]!.trim().toLowerCase();
  const out = new Set<string>();
  for (const h of [fHost, host]) {
    if (!h || !/^[A-Za-z0-9.:[\]-]{1,260}$/.test(h)) continue;
    for (const proto of [fProto === 'http' || fProto === 'https' ? fProto : null, 'https', 'http']) if (proto) out.add(`${proto}://${h}${target}`);
  }
  out.delete(request.url ?? '');
  return [...out];
}

/**
 * "The signature matches secret … for another URL: <provider> signed for
 * https://… but it was received at …; start hookbin with --public-url …",
 * or null. `at(url)` is the parsed signature as if the request had been
 * made at `url` (what the scheme signs for that URL); the key is the
 * scheme's own.
 */
export function signedElsewhere(
  provider: string,
  scheme: Pick<Scheme, 'key'>,
  request: VerifyInput,
  secrets: readonly SecretInput[],
  at: (url: string) => ParsedSignature,
): string | null {
  if (request.url === undefined) return null;
  let target: string;
  try {
    const u = new URL(request.url);
    target = u.pathname + u.search;
  } catch {
    return null;
  }
  for (const url of otherUrls(request, target)) {
    const alt = at(url);
    for (const c of secrets) {
      const key = scheme.key(c.value);
      if (!key) continue;
      const r = checkParsed(alt, key, request.body, request.now);
      if (r.status === 'valid' || r.status === 'expired') {
        const base = url.slice(0, url.length - target.length);
        return `The signature matches secret "${c.name}" for another URL: ${provider} signed for ${url} but it was received at ${request.url}; start hookbin with --public-url ${base}.`;
      }
    }
  }
  return null;
}

/** The hint when no cause is found: which URL was checked and where it came from. */
export function urlHint(provider: string, request: VerifyInput): string {
  return `${provider} signs the exact URL it was given and hookbin checked ${request.url ?? 'no URL'}: if ${provider} posts to a tunnel, start hookbin with --public-url <the tunnel's URL> (or --trust-proxy behind a tunnel that sends X-Forwarded-Host)`;
}
