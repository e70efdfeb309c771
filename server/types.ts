/**
 * The public JSON shapes of the control API (see design.md, "Public contract").
 * The inspector imports these types; nothing here has runtime code.
 */

import type { SchemeId, SignatureStatus, SignatureVerdict } from './verify/types.js';
import type { RetryPreset } from './presets.js';
import type { TimelineComparison } from './timeline.js';

export type { RetryPreset, SchemeId, SignatureStatus, SignatureVerdict, TimelineComparison };

/** A header as received or sent: `[name, value]`, name case preserved. */
export type HeaderPair = [name: string, value: string];

/** A signing secret as the API shows it: the value masked (`whsec_…c123`), never whole. */
export interface MaskedSecret {
  name: string;
  value: string;
  /** When set, the secret is only tried for this scheme. */
  scheme: SchemeId | null;
}

/** A capture's signature verdict in one word: the best of its `signatures`' statuses. */
export type Verdict = SignatureStatus;

/** A transport fault: `reset` closes the socket without a reply, `hang` never replies. */
export type Fault = 'reset' | 'hang';

/** What one attempt is answered with: an HTTP status (200–599) or a transport fault. */
export type Outcome = number | Fault;

/** Which requests a rule applies to; every given field must match. */
export interface RuleMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** Glob on the path after `/b/{binId}`: `*` within a segment, `**` across segments, `?` one character. */
  path?: string;
  /** Glob on the event type (`invoice.*`). */
  eventType?: string;
  /** A header (name case-insensitive) present, and when `value` is given, matching that glob. */
  header?: { name: string; value?: string };
}

/** A rule: when it matches, its answer overrides everything else of `respond`. */
export interface RespondRule {
  match: RuleMatch;
  respond: { status?: number; headers?: Record<string, string>; body?: string; delayMs?: number; fault?: Fault | null };
}

/** What a bin answers (design.md, "Bin settings"). */
export interface RespondSettings {
  /** HTTP status, 200–599. */
  status: number;
  /** Extra response headers, name → value. */
  headers: Record<string, string>;
  /** Response body text. */
  body: string;
  /** Wait this long before answering (0–600,000 ms); the capture is stored first. */
  delayMs: number;
  /** Answer every request with a transport fault instead of a reply. */
  fault: Fault | null;
  /** Fail the first `count` attempts of each event with `status`. */
  failFirst: { count: number; status: Outcome } | null;
  /** Attempt n of each event gets the n-th outcome; the last repeats. */
  sequence: Outcome[] | null;
  /** Fail a share of requests; with a `seed` the same event attempts fail on every run. */
  random: { rate: number; status: Outcome; seed: number | null } | null;
  /** Seconds for the `Retry-After` header sent with a 429 or 503, or null for none. */
  retryAfter: number | null;
  /** Checked in order; the first that matches decides the answer. */
  rules: RespondRule[];
}

/** A bin as the API returns it. */
export interface Bin {
  id: string;
  name: string;
  /** Absolute ingress URL, built from the Host the client used. */
  url: string;
  /** ISO-8601 with milliseconds. */
  createdAt: string;
  captureCount: number;
  /** How many captures retention removed from this bin. */
  prunedCount: number;
  respond: RespondSettings;
  /** The bin's own signing secrets, masked; tried before the global ones. */
  secrets: MaskedSecret[];
  /** A header or JSON pointer naming this bin's events, tried before the built-in keys; null for those only. */
  eventKey: { header: string | null; pointer: string | null } | null;
}

/** What hookbin answered to a captured request. */
export interface CaptureResponse {
  /** The status sent, or null for a fault. */
  status: number | null;
  headers: HeaderPair[];
  body: string;
  delayMs: number;
  fault: Fault | null;
  /** Which setting decided the answer, in words (`failFirst 1/2`, `rule 1`, `sequence 3`, `random`, `default`, `too large`). */
  reason: string;
}

/** How a capture belongs to a provider's event, for grouping retries. */
export interface CaptureEvent {
  /** What identifies the event across its attempts (a delivery header, a body id, or a body hash). */
  key: string;
  /** The event type, when the request names one. */
  type: string | null;
  /** 1 for the first delivery of the key in this bin, 2 for its first retry, … */
  attempt: number;
}

/** One capture in a list: no headers, no body. */
export interface CaptureSummary {
  id: string;
  binId: string;
  /** ISO-8601 with milliseconds. */
  receivedAt: string;
  method: string;
  /** The path after `/b/{binId}`, raw (percent-encoding kept); "" when none. */
  path: string;
  /** The raw query string without `?`; "" when none. */
  query: string;
  contentType: string | null;
  /** Declared (Content-Length) or received size in bytes. */
  bodySize: number;
  /** True when only the first bytes were kept (body over the size limit). */
  truncated: boolean;
  remoteAddress: string | null;
  /** The status hookbin answered. */
  status: number | null;
  /** The best signature status of the capture, or null when it carried no signature header. */
  verdict: Verdict | null;
  event: CaptureEvent;
}

/** The whole capture, as `GET /api/captures/{id}` returns it. */
export interface Capture extends CaptureSummary {
  /** Header pairs exactly as received: order, case and duplicates kept. */
  headers: HeaderPair[];
  httpVersion: string | null;
  /** Bytes stored (equals bodySize unless truncated). */
  storedSize: number;
  /** The body as text when it is valid UTF-8, else null (see bodyBase64). */
  body: string | null;
  /** The stored body bytes, base64. */
  bodyBase64: string;
  response: CaptureResponse;
  /**
   * One verdict per scheme whose header is present, judged now with the
   * current secrets as of the capture's arrival time; `diagnosis` says why
   * one is not valid when hookbin can tell.
   */
  signatures: SignatureVerdict[];
}

/** A page of captures, newest first; pass `next` as `before` for the next page. */
export interface CapturePage {
  captures: CaptureSummary[];
  next: string | null;
}

/** One attempt of an event on its timeline. */
export interface EventAttempt {
  captureId: string;
  /** ISO-8601 with milliseconds. */
  receivedAt: string;
  attempt: number;
  /** ms since the previous attempt; null for the first. */
  gapMs: number | null;
  /** What hookbin answered; null for a fault. */
  status: number | null;
  fault: Fault | null;
}

/** A provider event: the captures sharing an event key, and how their timing compares with a retry schedule. */
export interface WebhookEvent {
  key: string;
  type: string | null;
  /** Oldest first. */
  attempts: EventAttempt[];
  /** Against the preset asked for, or the best-matching one; null with fewer than 2 attempts and no preset asked for. */
  comparison: TimelineComparison | null;
}

/** A page of events, the latest delivered first; pass `next` as `before` for the next page. */
export interface EventPage {
  events: WebhookEvent[];
  next: string | null;
}

/** The JSON error body of every failed API call. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** Messages the inspector sends on `/api/ws`. */
export type ClientMessage =
  /** Replace the set of bins whose capture events this socket receives; `"*"` means every bin. */
  | { type: 'subscribe'; bins: string[] }
  /** Keep-alive from the client; answered with `pong`. */
  | { type: 'ping' };

/**
 * Messages the server sends on `/api/ws`: small summaries only; bodies and
 * headers travel over HTTP. Bin events go to every socket, capture events only
 * to sockets subscribed to that bin.
 */
export type ServerMessage =
  | { type: 'hello'; version: string; heartbeatMs: number }
  /** Sent every `heartbeatMs`; a client that hears nothing for twice that reconnects. */
  | { type: 'heartbeat' }
  | { type: 'subscribed'; bins: string[] }
  | { type: 'capture.created'; capture: CaptureSummary; pruned: number }
  | { type: 'capture.deleted'; binId: string; id: string }
  | { type: 'captures.cleared'; binId: string }
  | { type: 'bin.created'; bin: Bin }
  | { type: 'bin.updated'; bin: Bin }
  | { type: 'bin.deleted'; binId: string }
  /** Stored verdicts changed because secrets changed: refetch the list (`binId` null: every bin). */
  | { type: 'captures.reverified'; binId: string | null }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };
