/**
 * "Copy as cURL": a shell command that sends a captured request again, byte
 * for byte. The body travels as base64 through `base64 -d` so binary bodies
 * (and trailing newlines, NUL bytes, invalid UTF-8) arrive exact; every
 * captured string is single-quoted so nothing in it is ever run by the shell.
 */
import type { HeaderPair } from '../../server/types.js';

/** Headers curl computes itself or that describe the old connection. */
const SKIPPED = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/**
 * POSIX shell single quoting: `it's` → `'it'\''s'`. Safe for any string,
 * newlines and control characters included (bash, zsh, sh, fish ≥ 3).
 */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The URL a capture was sent to: the bin URL, the path after it, `?query`. */
export function captureUrl(binUrl: string, path: string, query: string): string {
  return binUrl + path + (query !== '' ? `?${query}` : '');
}

export interface CurlInput {
  method: string;
  /** The absolute URL (see `captureUrl`). */
  url: string;
  /** The captured header pairs, in order. */
  headers: readonly HeaderPair[];
  /** The stored body bytes, base64; "" when there is none. */
  bodyBase64: string;
}

/**
 * Builds the command. Headers keep their order, case and duplicates (Host,
 * Content-Length, Transfer-Encoding and Connection are left to curl); the
 * headers curl would add on its own (User-Agent, Accept, a form Content-Type,
 * Expect) are switched off when the capture did not carry them.
 */
export function buildCurl(input: CurlInput): string {
  const { method, url, headers, bodyBase64 } = input;
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  const hasBody = bodyBase64 !== '';
  // An empty body that was declared (`Content-Length: 0`) is sent as an empty body too.
  const emptyDeclared = !hasBody && headers.some(([n, v]) => n.toLowerCase() === 'content-length' && v.trim() === '0');
  const sendsData = hasBody || emptyDeclared;

  const args: string[] = ['curl'];
  if (method === 'HEAD') args.push('--head');
  else if (!(method === 'GET' && !sendsData) && !(method === 'POST' && sendsData)) args.push('-X', shellQuote(method));
  // Keep `[]{}` in the URL literal and `/../` segments as they are.
  if (/[[\]{}]/.test(url)) args.push('--globoff');
  if (/\/\.\.?(\/|\?|$)/.test(url)) args.push('--path-as-is');
  args.push(shellQuote(url));

  const lines: string[] = [];
  for (const [name, value] of headers) {
    if (SKIPPED.has(name.toLowerCase())) continue;
    // `-H 'X:'` would remove the header; `-H 'X;'` sends it with an empty value.
    lines.push(`-H ${shellQuote(value === '' ? `${name};` : `${name}: ${value}`)}`);
  }
  if (!has('user-agent')) lines.push(`-H ${shellQuote('User-Agent:')}`);
  if (!has('accept')) lines.push(`-H ${shellQuote('Accept:')}`);
  if (sendsData && !has('content-type')) lines.push(`-H ${shellQuote('Content-Type:')}`);
  if (sendsData && !has('expect')) lines.push(`-H ${shellQuote('Expect:')}`);
  if (hasBody) lines.push('--data-binary @-');
  else if (emptyDeclared) lines.push(`--data-binary ''`);

  const curl = [args.join(' '), ...lines].join(' \\\n  ');
  return hasBody ? `printf '%s' ${shellQuote(bodyBase64)} | base64 -d | ${curl}` : curl;
}

/** A first request to try against an empty bin. */
export function sampleCurl(binUrl: string): string {
  return `curl -X POST ${shellQuote(binUrl)} -H 'Content-Type: application/json' -d '{"hello":"world"}'`;
}
