/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body.
 * GitHub still sends the legacy `X-Hub-Signature: sha1=<hex>` beside it; the
 * SHA-1 one is only checked when it is the only one present, so a request
 * carrying both is judged by the stronger digest.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { HeaderPair, Scheme } from '../types.js';

const HEADER = 'X-Hub-Signature-256';
const LEGACY = 'X-Hub-Signature';
const EXPECTED = `${HEADER}: sha256=<hex HMAC-SHA256 of the raw body>`;
const EXPECTED_LEGACY = `${LEGACY}: sha1=<hex HMAC-SHA1 of the raw body>`;

/** The `github` scheme; `sign` sends both headers as GitHub does, plus `X-GitHub-Delivery` when given an id. */
export const github: Scheme = {
  id: 'github',
  header: HEADER,
  timed: false,
  detect: (headers) => detectHeader(headers, HEADER) ?? detectHeader(headers, LEGACY),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (h) {
      const value = h.value.trim();
      if (!value.startsWith('sha256=')) return malformed(h.name, `${h.name} has no sha256= label: expected ${EXPECTED}`);
      const signatures = [value.slice('sha256='.length)];
      return parsed({ header: h.name, algorithm: 'sha256', encoding: 'hex', signatures, prefix: '', timestamp: null }, EXPECTED);
    }
    const legacy = findHeader(headers, LEGACY);
    if (!legacy) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const value = legacy.value.trim();
    if (!value.startsWith('sha1=')) return malformed(legacy.name, `${legacy.name} has no sha1= label: expected ${EXPECTED_LEGACY}`);
    const signatures = [value.slice('sha1='.length)];
    return parsed({ header: legacy.name, algorithm: 'sha1', encoding: 'hex', signatures, prefix: '', timestamp: null }, EXPECTED_LEGACY);
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(github, input, secret),
  sign(input) {
    const headers: HeaderPair[] = [
      [HEADER, `sha256=${signDigest(github, 'sha256', input, '').toString('hex')}`],
      [LEGACY, `sha1=${signDigest(github, 'sha1', input, '').toString('hex')}`],
    ];
    if (input.id !== undefined) headers.push(['X-GitHub-Delivery', input.id]);
    return headers;
  },
};
