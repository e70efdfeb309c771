/**
 * `hookbin check` (and `POST /api/check`): hookbin plays a provider against
 * the user's own endpoint and reports, check by check, what a correct
 * receiver must do. These are the shapes both the server and the inspector's
 * "Check endpoint" panel use; the engine lives in server/outbound/check.ts.
 */
import type { HeaderPair } from './types.js';

/** Every check, in the order they are reported (and run, but for `replay`, sent right after `valid`). */
export const CHECK_IDS = ['valid', 'wrong-signature', 'missing-signature', 'tampered-body', 'stale-timestamp', 'replay', 'timeout', 'retry'] as const;

/** One check's name. */
export type CheckId = (typeof CHECK_IDS)[number];

/**
 * How a check came out: `pass` and `fail` are judged; `skip` did not apply
 * (a scheme without timestamps has no stale-timestamp check) or was not asked
 * for, and says why; `info` is reported, not judged (the retry check).
 */
export type CheckOutcome = 'pass' | 'fail' | 'skip' | 'info';

/**
 * Built-in schemes whose signature covers the URL the provider sent to: a
 * check behind a tunnel signs the public URL instead (`publicUrl`). A user's
 * own scheme does when its `signed` has `{url}`.
 */
export const URL_SIGNED_SCHEMES: readonly string[] = ['twilio', 'square', 'hubspot'];

/** Whether `scheme` (built in, or one of `own`) signs the URL, so a check needs the URL the provider is configured with. */
export function signsUrl(scheme: string, own: readonly { id: string; signed: string }[]): boolean {
  const mine = own.find((s) => s.id === scheme);
  return mine ? mine.signed.includes('{url}') : URL_SIGNED_SCHEMES.includes(scheme);
}

/** The longest body excerpt a reply keeps, in characters. */
export const CHECK_EXCERPT_CHARS = 2048;

/** What a check sent, as text. */
export interface CheckSent {
  method: string;
  url: string;
  headers: HeaderPair[];
  /** The body as UTF-8 text (webhook bodies are text: JSON or a form). */
  body: string;
}

/** What came back to one request. */
export interface CheckReply {
  /** The HTTP status; null when no answer came (timeout, refused, reset). */
  status: number | null;
  /** From sending the request to the end of the answer (or the failure), ms. */
  ms: number;
  /** The first CHECK_EXCERPT_CHARS characters of the answer's body, as text. */
  bodyExcerpt: string;
  /** Why no answer came, in one sentence; absent when one did. */
  error?: string;
}

/** One check's result. */
export interface CheckResult {
  check: CheckId;
  outcome: CheckOutcome;
  /** What happened, one sentence ("answered 200 in 12 ms to a delivery signed with another secret"). */
  summary: string;
  /** Why the check matters, one sentence ("an endpoint that accepts a wrong signature accepts forged events"). */
  why: string;
  /** The request the check sent; absent for a skipped check. */
  sent?: CheckSent;
  /** What came back; absent for a skipped check. */
  reply?: CheckReply;
}

/** A whole report: `passed` is true when no check failed. */
export interface CheckReport {
  /** The endpoint the requests went to (a password in it masked). */
  to: string;
  /**
   * For a URL-signed scheme given a public URL (a tunnel's): the URL that was
   * signed instead of `to`, as the provider would sign it. Absent otherwise.
   */
  signedUrl?: string;
  scheme: string;
  template: string;
  /** The provider's own timeout the answers were judged against, ms. */
  timeoutMs: number;
  passed: boolean;
  results: CheckResult[];
  /** When the first check started, ms since the epoch. */
  startedAt: number;
  /** The whole run, ms. */
  durationMs: number;
}
