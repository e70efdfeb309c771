/**
 * Schemes signed with a key pair over `<timestamp header's value><body>`:
 * Discord (Ed25519) and SendGrid (ECDSA P-256). The "secret" is the public
 * key the provider shows; a private key may be given instead, to sign too.
 * Both are untimed (neither provider documents a window, and neither's own
 * library checks one), so the timestamp is signed as sent, byte for byte.
 */
import type { KeyObject } from 'node:crypto';
import { detectHeader, findHeader, malformed, parsed, verifyWith } from '../crypto.js';
import type { Scheme, SchemeId, SecretInput } from '../types.js';

/** What distinguishes one key-pair scheme from another. */
export interface TimestampedKeySpec {
  id: SchemeId;
  header: string;
  timestampHeader: string;
  algorithm: 'ed25519' | 'ecdsa-p256';
  /** How the signature is written in its header. */
  encoding: 'hex' | 'base64';
  /** What a well-formed request carries, for `malformed` messages. */
  expected: string;
  /** The verdict's message for a secret that is no key of this kind. */
  notAKey: string;
  /** The refusal to sign with a secret that holds only the public key. */
  publicOnly: string;
  /** The verifying key a secret yields (`Scheme.key`), or null. */
  key(secret: string): Buffer | null;
  /** The private key a secret carries, or null when it carries only a public key or none. */
  privateKey(secret: string): KeyObject | null;
  /** The raw signature of `data`. */
  signBytes(data: Buffer, key: KeyObject): Buffer;
  /** The diagnosis for a secret of the wrong kind (an API key or client secret pasted instead), or null. */
  wrongKind(secrets: readonly SecretInput[]): string | null;
}

/** The scheme a spec describes: parse, verify, sign and explain shared by every key-pair scheme. */
export function timestampedKeyScheme(spec: TimestampedKeySpec): Scheme {
  const scheme: Scheme = {
    id: spec.id,
    header: spec.header,
    timed: false,
    detectsOn: [spec.header.toLowerCase()],
    detect: (headers) => detectHeader(headers, spec.header),
    parse(headers) {
      const h = findHeader(headers, spec.header);
      if (!h) return malformed(spec.header, `${spec.header} is missing: expected ${spec.expected}`);
      const ts = findHeader(headers, spec.timestampHeader);
      if (!ts) return malformed(h.name, `${spec.timestampHeader} is missing: expected ${spec.expected}`);
      return parsed(
        { header: h.name, algorithm: spec.algorithm, encoding: spec.encoding, signatures: [h.value.trim()], prefix: ts.value, timestamp: null },
        spec.expected,
      );
    },
    key: spec.key,
    verify: (input, secret) => verifyWith(scheme, input, secret, spec.notAKey),
    sign(input) {
      const key = spec.privateKey(input.secret);
      if (!key) throw new Error(`${spec.id}: ${spec.key(input.secret) ? spec.publicOnly : spec.notAKey}`);
      const ts = String(Math.floor(input.now));
      const signature = spec.signBytes(Buffer.concat([Buffer.from(ts, 'utf8'), input.body]), key);
      return [
        [spec.timestampHeader, ts],
        [spec.header, signature.toString(spec.encoding)],
      ];
    },
    explain: (_p, _request, secrets) => spec.wrongKind(secrets),
  };
  return scheme;
}
