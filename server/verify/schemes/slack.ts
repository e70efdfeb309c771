/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 of `v0:<ts>:<body>` with
 * the signing secret, where `<ts>` is `X-Slack-Request-Timestamp`; Slack asks
 * receivers to refuse timestamps more than 5 minutes old (its SDKs accept
 * one ahead of the clock).
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, PAST_ONLY, parseTimestamp, signDigest, verifyWith } from '../crypto.js';
import type { Scheme } from '../types.js';

const HEADER = 'X-Slack-Signature';
const TIMESTAMP = 'X-Slack-Request-Timestamp';
const EXPECTED = `${HEADER}: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">, with ${TIMESTAMP}: <unix seconds>`;

/** The `slack` scheme (timed: 300 s behind, any time ahead as Slack's SDKs accept). */
export const slack: Scheme = {
  id: 'slack',
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
    const signatures = [value.slice('v0='.length)];
    const prefix = `v0:${ts.value.trim()}:`;
    return parsed({ header: h.name, algorithm: 'sha256', encoding: 'hex', signatures, prefix, timestamp, tolerance: PAST_ONLY }, EXPECTED);
  },
  key: literalKey,
  verify: (input, secret) => verifyWith(slack, input, secret),
  sign(input) {
    const ts = String(Math.floor(input.now));
    return [
      [TIMESTAMP, ts],
      [HEADER, `v0=${signDigest(slack, 'sha256', input, `v0:${ts}:`).toString('hex')}`],
    ];
  },
};
