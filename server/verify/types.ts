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
  /** The request method (`POST`); schemes that sign it need it. Absent when unknown. */
  method?: string;
  /**
   * The URL the provider signed: the public URL (`--public-url`, or the
   * tunnel's forwarded proto and host with `--trust-proxy`) followed by the
   * raw request target, else the URL as received. URL-signed schemes
   * (Twilio) need it; absent when unknown, and they then cannot match.
   */
  url?: string;
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
  /** The method the request is sent with, for schemes that sign it. */
  method?: string;
  /** The full URL the request is sent to, for URL-signed schemes (Twilio signs it); they throw without it. */
  url?: string;
}

/**
 * How a signature is made: an HMAC with a hash (the secret is the key), or
 * a public-key signature (`ed25519`, `ecdsa-p256` with SHA-256 and a DER
 * signature: the secret is the public key that verifies, and signing needs
 * the private key).
 */
export type SignatureAlgorithm = 'sha256' | 'sha1' | 'sha512' | 'ed25519' | 'ecdsa-p256';

/**
 * A signature taken apart, before any secret is involved. What is signed is
 * `prefix + body` for most schemes; schemes that sign something else (the
 * URL and form parameters, fields of the body) say so with `signed`.
 */
export interface ParsedSignature {
  /** The header name as received (for a signature inside the body, where it is: `signature.signature`). */
  header: string;
  algorithm: SignatureAlgorithm;
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
  /**
   * What may have been signed after `prefix`, given the body, when it is not
   * the body itself: the candidates any of which may match (Twilio's URL
   * with and without its default port), or none when the body cannot be the
   * one signed (Twilio's `bodySHA256` differs). Absent = the body. A
   * function of the body so the diagnosis can try the body's variants.
   */
  signed?: (body: Uint8Array) => Uint8Array[];
  /**
   * How far the timestamp may be from `now`, as the provider's own library
   * judges it: `past` seconds behind, `future` seconds ahead (null = any
   * time ahead is accepted, as Stripe's and Slack's libraries do). Absent =
   * 300 s either way (`TOLERANCE_SECONDS`).
   */
  tolerance?: Tolerance;
  /**
   * Why a delivery is refused even when its signature matches, as the
   * provider's own library refuses it (Linear's without `webhookTimestamp`
   * in its body): the verdict is then `malformed` with this message. Checked
   * after the signature, so a wrong secret still reads `invalid`.
   */
  refusal?: string;
}

/** A timed scheme's window around `now`, in seconds. */
export interface Tolerance {
  past: number;
  /** null = a timestamp ahead of `now` is never refused. */
  future: number | null;
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
  /** Whether the signature covers a timestamp, checked against its window (`ParsedSignature.tolerance`). */
  timed: boolean;
  /**
   * The header carrying the delivery id that `sign` writes when given an id
   * (`webhook-id`, `X-GitHub-Delivery`…), or undefined when the scheme sends
   * none. A sender that finds it already set signs with that id.
   */
  idHeader?: string;
  /**
   * The lower-case names of the headers `detect` looks for: it finds no
   * signature unless one of them is present, so the verifier skips the
   * scheme in O(1) when none is (see common/header-index.ts). null for a
   * scheme that `detect` finds by more than a header (Mailgun's signature is
   * in the body): it is always asked.
   */
  detectsOn: readonly string[] | null;
  /**
   * The header name as received when this scheme's signature header is
   * present (case-insensitive), else null. `request` is the whole request,
   * for schemes whose signature is not in a header (Mailgun's is in the
   * body); header-only schemes ignore it.
   */
  detect(headers: HeaderPair[], request?: VerifyInput): string | null;
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
  /**
   * Takes this scheme's signature apart; called once per request by the
   * registry. `request` is the whole request (method, URL, body), for
   * schemes that sign more than the body or read their timestamp from it
   * (Linear's `webhookTimestamp`); header-only schemes ignore it.
   */
  parse(headers: HeaderPair[], request?: VerifyInput): ParseResult;
  /**
   * The key bytes the provider derives from a secret, or null when it cannot
   * be one: the HMAC key, for `ed25519` the raw 32-byte public key, for
   * `ecdsa-p256` the public key as DER SPKI.
   */
  key(secret: string): Buffer | null;
  /**
   * The diagnosis sentence for a cause only this scheme knows (a URL signed
   * elsewhere, a key of the wrong kind), tried before the generic causes;
   * null when it finds none. `secrets` are those that apply to this scheme.
   */
  explain?(parsed: ParsedSignature, request: VerifyInput, secrets: readonly SecretInput[]): string | null;
  /** A clause added to the diagnosis when no cause is found (Twilio: where the URL it checked came from). */
  hint?(request: VerifyInput): string | null;
  /**
   * For schemes whose signature travels inside the body (Mailgun): the body
   * with the signature written in. The sender calls it before `sign`.
   * Throws when the body cannot carry one.
   */
  signBody?(input: SignInput): Uint8Array;
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

