/**
 * Slack's signature shape, which Zoom copied under its own names:
 * `<header>: v0=<hex>`, HMAC-SHA256 of `v0:<timestamp header's value>:<body>`
 * keyed by the secret as text.
 */
import { detectHeader, findHeader, literalKey, malformed, parsed, parseTimestamp, signDigest, verifyWith } from '../crypto.js';
import type { Scheme, SchemeId, Tolerance } from '../types.js';

/** One provider's names for the shape, and its time window (undefined: the default 300 s either way). */
export interface V0Spec {
  id: SchemeId;
  header: string;
  timestampHeader: string;
  tolerance?: Tolerance;
}

/** The scheme a spec describes. */
export function v0Scheme(spec: V0Spec): Scheme {
  const { header, timestampHeader } = spec;
  const expected = `${header}: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">, with ${timestampHeader}: <unix seconds>`;
  const scheme: Scheme = {
    id: spec.id,
    header,
    timed: true,
    detectsOn: [header.toLowerCase()],
    detect: (headers) => detectHeader(headers, header),
    parse(headers) {
      const h = findHeader(headers, header);
      if (!h) return malformed(header, `${header} is missing: expected ${expected}`);
      const ts = findHeader(headers, timestampHeader);
      if (!ts) return malformed(h.name, `${timestampHeader} is missing: expected ${expected}`);
      const timestamp = parseTimestamp(ts.value);
      if (timestamp === null) return malformed(h.name, `${ts.name} is not a unix time in seconds: expected ${expected}`);
      const value = h.value.trim();
      if (!value.startsWith('v0=')) return malformed(h.name, `${h.name} has no v0= label: expected ${expected}`);
      const signatures = [value.slice('v0='.length)];
      const prefix = `v0:${ts.value.trim()}:`;
      const tolerance = spec.tolerance === undefined ? {} : { tolerance: spec.tolerance };
      return parsed({ header: h.name, algorithm: 'sha256', encoding: 'hex', signatures, prefix, timestamp, ...tolerance }, expected);
    },
    key: literalKey,
    verify: (input, secret) => verifyWith(scheme, input, secret),
    sign(input) {
      const ts = String(Math.floor(input.now));
      return [
        [timestampHeader, ts],
        [header, `v0=${signDigest(scheme, 'sha256', input, `v0:${ts}:`).toString('hex')}`],
      ];
    },
  };
  return scheme;
}
