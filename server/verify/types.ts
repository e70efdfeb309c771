/**
 * Shapes shared by the signature schemes, the verifier on the capture path,
 * the on-demand diagnosis and (later) the sender. No runtime code here.
 */
import type { HeaderPair } from '../common/http-syntax.js';
import type { SchemeId, SignatureStatus, SignatureVerdict } from '../common/types.js';

export type { HeaderPair, SchemeId, SignatureStatus, SignatureVerdict };

/** What a scheme verifies: the request exactly as received. */
export interface VerifyInput {
  /** Header pairs as received (any case, duplicates kept; the first of a name counts). */
  headers: HeaderPair[];
  /** The raw body bytes; signatures are never checked on anything else. */
  body: Uint8Array;
  /** The clock to judge timestamps by, unix seconds. */
  now: number;
}

/** One scheme's verdict for one secret. */
export interface VerifyResult {
  status: Exclude<SignatureStatus, 'no-secret'>;
  /**
   * For timed schemes whose header parsed: `now − timestamp` in seconds
   * (positive = signed in the past). Present on `valid` and `expired`.
   */
  skewSeconds?: number;
  /** Why it is not valid, in words (never contains a secret). */
  message?: string;
}

/** What `sign` needs. */
export interface SignInput {
  body: Uint8Array;
  /** The secret as the provider shows it (e.g. `whsec_…`); each scheme derives its key the provider's way. */
  secret: string;
  /** The timestamp to sign with, unix seconds (ignored by untimed schemes). */
  now: number;
  /** A message/delivery id, for schemes that send one (Standard Webhooks makes one up when absent). */
  id?: string;
}

/**
 * A signature header taken apart, before any secret is involved. Every
 * scheme signs `prefix + body` with an HMAC, so one shape covers all.
 */
export interface ParsedSignature {
  /** The header name as received. */
  header: string;
  algorithm: 'sha256' | 'sha1';
  /** How the digest is written on the wire. */
  encoding: 'hex' | 'base64';
  /** The digests offered, as text (without `sha256=` / `v1=` style labels). */
  signatures: string[];
  /** The offered digests that decode in `encoding` to the algorithm's length. Never empty. */
  digests: Buffer[];
  /** What the provider puts before the body in the signed payload (`t.`, `id.ts.`, `v0:ts:`), "" for most. */
  prefix: string;
  /** The provider's timestamp, unix seconds, for timed schemes; else null. */
  timestamp: number | null;
}

/** `parse` either takes the header apart or says what was expected. */
export type ParseResult =
  | { ok: true; parsed: ParsedSignature }
  | {
      ok: false;
      header: string;
      /** What is wrong and what was expected (never quotes the header's value). */
      message: string;
      /** The header's parts when only its digests failed to decode, so a diagnosis can try other encodings. */
      parts?: Omit<ParsedSignature, 'digests'>;
    };

/**
 * One signature style. Each lives in its own file under `schemes/` and is
 * shared by the verifier (capture path), the diagnosis and the sender.
 */
export interface Scheme {
  id: SchemeId;
  /** The header's display name (the canonical spelling). */
  header: string;
  /** Whether the signature covers a timestamp checked against `TOLERANCE_SECONDS`. */
  timed: boolean;
  /**
   * The header carrying the delivery id that `sign` writes when given an id
   * (`webhook-id`, `X-GitHub-Delivery`…), or undefined when the scheme sends
   * none. A sender that finds it already set signs with that id.
   */
  idHeader?: string;
  /** The header name as received when this scheme's signature header is present (case-insensitive), else null. */
  detect(headers: HeaderPair[]): string | null;
  /**
   * Checks the request against one secret, constant-time, on the raw bytes.
   * `malformed` when the header does not parse (message says what was
   * expected); `expired` when the HMAC matches but the timestamp is outside
   * the tolerance; `invalid` otherwise when it does not match.
   */
  verify(input: VerifyInput, secret: string): VerifyResult;
  /**
   * The headers the provider would send for this body and secret (signature
   * header plus its timestamp/id companions). Throws when the secret cannot
   * be a key for this scheme (a Standard Webhooks secret that is not base64).
   */
  sign(input: SignInput): HeaderPair[];
  /** Takes this scheme's header apart; called once per request by the registry. */
  parse(headers: HeaderPair[]): ParseResult;
  /** The HMAC key bytes the provider derives from a secret, or null when it cannot be one. */
  key(secret: string): Buffer | null;
}

/** A configured secret: from the bin's settings or `--secret NAME=VALUE`. */
export interface SecretInput {
  /** Shown in verdicts and diagnoses instead of the value. */
  name: string;
  /** Never leaves the verifier: not in verdicts, messages or diagnoses. */
  value: string;
  /** When set, the secret is only tried for this scheme (a built-in id, or a user's own scheme's). */
  scheme?: string | null;
}

