/**
 * The shape most providers share: one header carrying an HMAC of the raw
 * body alone, keyed by the secret's text, optionally behind a label such as
 * `sha256=`. Each such scheme is still its own file; this builds its parts.
 */
import { type HmacAlgorithm, detectHeader, findHeader, literalKey, malformed, parsed, signDigest, verifyWith } from '../crypto.js';
import type { HeaderPair, ParseResult, Scheme, SchemeId } from '../types.js';

/** How one body-HMAC header is written. */
export interface BodyHmacHeader {
  /** Canonical header name. */
  name: string;
  algorithm: HmacAlgorithm;
  encoding: 'hex' | 'base64';
  /** Text before the digest, e.g. `sha256=`; "" for none. */
  label: string;
}

/** The "expected …" phrase of a header's parse errors. */
function expectedOf(h: BodyHmacHeader): string {
  return `${h.name}: ${h.label}<${h.encoding} HMAC-${h.algorithm.toUpperCase()} of the raw body>`;
}

/** Takes one body-HMAC header apart; malformed when it is missing, unlabelled or not a digest. */
export function parseBodyHmac(headers: HeaderPair[], h: BodyHmacHeader): ParseResult {
  const expected = expectedOf(h);
  const found = findHeader(headers, h.name);
  if (!found) return malformed(h.name, `${h.name} is missing: expected ${expected}`);
  const value = found.value.trim();
  if (!value.startsWith(h.label)) return malformed(found.name, `${found.name} has no ${h.label} label: expected ${expected}`);
  const signatures = [value.slice(h.label.length)];
  return parsed({ header: found.name, algorithm: h.algorithm, encoding: h.encoding, signatures, prefix: '', timestamp: null }, expected);
}

/** The header value `sign` writes for `h`. */
export function signBodyHmac(scheme: Pick<Scheme, 'id' | 'key'>, h: BodyHmacHeader, input: Parameters<Scheme['sign']>[0]): HeaderPair {
  return [h.name, `${h.label}${signDigest(scheme, h.algorithm, input, '').toString(h.encoding)}`];
}

/**
 * A complete scheme for one body-HMAC header. `idHeader` names the delivery
 * id header the provider sends beside the signature, which `sign` adds when
 * given an id.
 */
export function bodyHmacScheme(id: SchemeId, header: BodyHmacHeader, idHeader?: string): Scheme {
  const scheme: Scheme = {
    id,
    header: header.name,
    timed: false,
    idHeader,
    detectsOn: [header.name.toLowerCase()],
    detect: (headers) => detectHeader(headers, header.name),
    parse: (headers) => parseBodyHmac(headers, header),
    key: literalKey,
    verify: (input, secret) => verifyWith(scheme, input, secret),
    sign(input) {
      const headers = [signBodyHmac(scheme, header, input)];
      if (idHeader !== undefined && input.id !== undefined) headers.push([idHeader, input.id]);
      return headers;
    },
  };
  return scheme;
}
