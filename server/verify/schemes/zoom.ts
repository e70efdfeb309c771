/**
 * Zoom: `x-zm-signature: v0=<hex>`, HMAC-SHA256 of
 * `v0:<x-zm-request-timestamp>:<body>` keyed by the app's secret token as
 * text (Slack's shape under Zoom's names). Zoom publishes no library and no
 * tolerance, so hookbin keeps its 300 s either way. The URL-validation
 * challenge Zoom sends before enabling an endpoint is answered in
 * capture/zoom-challenge.ts.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, parseTimestamp, signDigest, verifyWith } from '../crypto.js';
import type { Scheme } from '../types.js';

const HEADER = 'x-zm-signature';
const TIMESTAMP = 'x-zm-request-timestamp';
const EXPECTED = `${HEADER}: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">, with ${TIMESTAMP}: <unix seconds>`;

/** The `zoom` scheme (timed, 300 s either way). */
export const zoom: Scheme = {
  id: 'zoom',
  header: HEADER,
  timed: true,
  detect: (headers) => detectHeader(headers, HEADER),
  parse(headers) {
    const h = findHeader(headers, HEADER);
    if (!h) return malformed(HEADER, `${HEADER} is missing: expected ${EXPECTED}`);
    const ts = findHeader(headers, TIMESTAMP);
    if (!ts) return malformed(h.name, `${TIMESTAMP} is missing: expected ${EXPECTED}`);
    const timestamp = parseTimestamp(ts.value);
    if (timestamp === null) return malformed(h.name, `${ts.name} is not a unix time in seconds: expected ${EXPECTED}`);
    const value = h.value.trim();
    if (!value.startsWith('v0=')) return malformed(h.name, `${h.name} has no v0= label: expected ${EXPECTED}`);
    const prefix = `v0:${ts.value.trim()}:`;
    return parsed({ header: h.name, algorithm: 'sha256', encoding: 'hex', signatures: [value.slice(3)], prefix, timestamp }, EXPECTED);
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(zoom, input, secret),
  sign(input) {
    const ts = String(Math.floor(input.now));
    return [
      [TIMESTAMP, ts],
      [HEADER, `v0=${signDigest(zoom, 'sha256', input, `v0:${ts}:`).toString('hex')}`],
    ];
  },
};
