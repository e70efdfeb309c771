/**
 * Bitbucket Cloud: `X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 of the raw
 * body keyed by the webhook's secret as text. The header name is GitHub's
 * legacy one, which GitHub only ever fills with `sha1=`; so `sha256=` there
 * (or, for a value that is neither, Bitbucket's X-Event-Key / X-Request-UUID
 * beside it) is Bitbucket, and GitHub's scheme leaves such a request alone.
 */
import { findHeader, literalKey, verifyWith } from '../crypto.js';
import type { HeaderPair, Scheme } from '../types.js';
import { parseBodyHmac, signBodyHmac, type BodyHmacHeader } from './body-hmac.js';

const HEADER: BodyHmacHeader = { name: 'X-Hub-Signature', algorithm: 'sha256', encoding: 'hex', label: 'sha256=' };

/**
 * Whether the request's `X-Hub-Signature` is Bitbucket's: no GitHub
 * `X-Hub-Signature-256` beside it, and a `sha256=` value, or a value that
 * is not `sha1=` with a Bitbucket header present.
 */
export function isBitbucketHubSignature(headers: HeaderPair[]): boolean {
  const h = findHeader(headers, HEADER.name);
  if (!h || findHeader(headers, 'X-Hub-Signature-256')) return false;
  const value = h.value.trim().toLowerCase();
  if (value.startsWith('sha256=')) return true;
  if (value.startsWith('sha1=')) return false;
  return findHeader(headers, 'X-Event-Key') !== null || findHeader(headers, 'X-Request-UUID') !== null;
}

/** The `bitbucket` scheme (untimed); `sign` adds `X-Request-UUID` when given an id. */
export const bitbucket: Scheme = {
  id: 'bitbucket',
  header: HEADER.name,
  timed: false,
  idHeader: 'X-Request-UUID',
  detectsOn: [HEADER.name.toLowerCase()],
  detect: (headers) => (isBitbucketHubSignature(headers) ? findHeader(headers, HEADER.name)!.name : null),
  parse: (headers) => parseBodyHmac(headers, HEADER),
  key: literalKey,
  verify: (input, secret) => verifyWith(bitbucket, input, secret),
  sign(input) {
    const headers: HeaderPair[] = [signBodyHmac(bitbucket, HEADER, input)];
    if (input.id !== undefined) headers.push([bitbucket.idHeader!, input.id]);
    return headers;
  },
};
