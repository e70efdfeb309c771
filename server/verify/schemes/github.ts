/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body.
 * GitHub still sends the legacy `X-Hub-Signature: sha1=<hex>` beside it; the
 * SHA-1 one is only checked when it is the only one present, so a request
 * carrying both is judged by the stronger digest. A lone `X-Hub-Signature:
 * sha256=…` is Bitbucket's (schemes/bitbucket.ts) and not read here.
 */
import { detectHeader, findHeader, literalKey, verifyWith } from '../crypto.js';
import type { HeaderPair, Scheme } from '../types.js';
import { isBitbucketHubSignature } from './bitbucket.js';
import { parseBodyHmac, signBodyHmac, type BodyHmacHeader } from './body-hmac.js';

const SHA256: BodyHmacHeader = { name: 'X-Hub-Signature-256', algorithm: 'sha256', encoding: 'hex', label: 'sha256=' };
const LEGACY: BodyHmacHeader = { name: 'X-Hub-Signature', algorithm: 'sha1', encoding: 'hex', label: 'sha1=' };

/** The `github` scheme; `sign` sends both headers as GitHub does, plus `X-GitHub-Delivery` when given an id. */
export const github: Scheme = {
  id: 'github',
  header: SHA256.name,
  timed: false,
  idHeader: 'X-GitHub-Delivery',
  // A lone X-Hub-Signature: sha256=… is Bitbucket's, not a malformed GitHub sha1.
  detectsOn: [SHA256.name.toLowerCase(), LEGACY.name.toLowerCase()],
  detect: (headers) => detectHeader(headers, SHA256.name) ?? (isBitbucketHubSignature(headers) ? null : detectHeader(headers, LEGACY.name)),
  parse: (headers) => parseBodyHmac(headers, findHeader(headers, SHA256.name) || !findHeader(headers, LEGACY.name) ? SHA256 : LEGACY),
  key: literalKey,
  verify: (input, secret) => verifyWith(github, input, secret),
  sign(input) {
    const headers: HeaderPair[] = [signBodyHmac(github, SHA256, input), signBodyHmac(github, LEGACY, input)];
    if (input.id !== undefined) headers.push([github.idHeader!, input.id]);
    return headers;
  },
};
