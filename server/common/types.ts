/**
 * The public JSON shapes of the control API (README.md, "API").
 * The inspector imports these types; nothing here has runtime code.
 */

import type { HeaderPair } from './http-syntax.js';
import type { CustomSchemeDef } from './custom-scheme.js';
import type { AttemptComparison, AttemptOutcome, ComparisonBasis, EventAttempt, EventPage, Fault, RetryPreset, TimelineComparison, TimelineFlag, WebhookEvent } from './timeline-types.js';

export type { AttemptComparison, AttemptOutcome, ComparisonBasis, EventAttempt, EventPage, Fault, HeaderPair, RetryPreset, TimelineComparison, TimelineFlag, WebhookEvent };

/** The scheme ids, as used by `secrets[].scheme`, `sign.scheme` and `signatures[].scheme`. */
export type SchemeId =
  | 'x-signature'
  | 'x-webhook-signature'
  | 'makeplans'
  | 'webconnex'
  | 'github'
  | 'stripe'
  | 'standard-webhooks'
  | 'shopify'
  | 'slack'
  | 'paddle'
  | 'zoom'
  | 'linear'
  | 'typeform'
  | 'calendly'
  | 'vercel'
  | 'bitbucket'
  | 'twilio'
  | 'discord'
  | 'mailgun'
  | 'square'
  | 'hubspot'
  | 'sendgrid';

/** A capture's verdict for one scheme (`signatures[].status`). */
export type SignatureStatus = 'valid' | 'invalid' | 'expired' | 'malformed' | 'no-secret';

/** One entry of a capture's `signatures`. */
export interface SignatureVerdict {
  /** A built-in `SchemeId`, or the id of a user's own scheme. */
  scheme: string;
  /** The signature header's name as received. */
  header: string;
  status: SignatureStatus;
  /** The NAME of the secret whose HMAC matched (`valid` or `expired`), else null. */
  secret: string | null;
  /** Filled on demand by `diagnose`; null on the capture path. */
  diagnosis: string | null;
  /**
   * For a timed scheme whose HMAC matched: `now − timestamp` in seconds
   * (negative = the timestamp is ahead of hookbin's clock). Absent otherwise,
   * and on captures stored before it was recorded.
   */
  skewSeconds?: number;
}


/** A signing secret as the API shows it: the value masked (`whsec_…c123`), never whole. */
export interface MaskedSecret {
  name: string;
  value: string;
  /** When set, the secret is only tried for this scheme (a built-in `SchemeId` or a user's own scheme's id). */
  scheme: string | null;
}

/** A capture's signature verdict in one word: the best of its `signatures`' statuses. */
export type Verdict = SignatureStatus;

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

/** What a bin answers (its `respond` settings). */
export interface RespondSettings {
  /** HTTP status, 200–599. */
  status: number;
  /** Response headers the user sets, name → value; they win over hookbin's (a Content-Type inferred from the body, `Retry-After`, CORS). */
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
  /** The URL every capture is forwarded to live (the bin's own; `--forward` applies when null), or null; a password in it is masked. */
  forwardTo: string | null;
  /** How captures are forwarded. */
  forward: ForwardOptions;
  /** Whether the bin answers browsers' CORS preflights (204, not captured) and adds `Access-Control-Allow-Origin` to its answers. */
  cors: boolean;
  /** The bin's own signature schemes ("Your own scheme" in README.md); the global ones (`--schemes FILE`) are in `/api/info`. */
  schemes: CustomSchemeDef[];
}

/** How a bin forwards its captures (beside `forwardTo`). */
export interface ForwardOptions {
  /** Answer the provider with the app's reply instead of the bin's own answer. */
  relay: boolean;
  /** How long hookbin waits for the app, ms. */
  timeoutMs: number;
  /** https only: accept the app's certificate without verifying it (self-signed local app). */
  insecure: boolean;
}

/** What hookbin answered to a captured request. */
export interface CaptureResponse {
  /** The status sent, or null for a fault. */
  status: number | null;
  headers: HeaderPair[];
  body: string;
  delayMs: number;
  fault: Fault | null;
  /** Which setting decided the answer, in words (`failFirst 1/2`, `rule 1`, `sequence 3`, `random`, `default`, `too large`, `zoom url validation`). */
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

/**
 * The provider a capture's headers or User-Agent name (server/capture/provider.ts).
 * Anyone can send those headers: this is a label and picks a retry schedule, never trust.
 */
export interface ProviderRef {
  /** Stable id: `github`, `stripe`, `svix`, `shopify`, … */
  id: string;
  /** As people name it: `GitHub`. */
  name: string;
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
  /** The status hookbin answered; null when it answered with a fault. */
  status: number | null;
  /** The transport fault hookbin answered with instead of a status (`reset`, `hang`), or null. */
  fault: Fault | null;
  /** How long hookbin waited before its answer or fault, ms (0 for none). */
  delayMs: number;
  /** The best signature status of the capture, or null when it carried no signature header. */
  verdict: Verdict | null;
  event: CaptureEvent;
  /** Which provider sent it, by its headers and User-Agent; null when none is recognised (or it was captured before hookbin recognised providers). */
  provider: ProviderRef | null;
}

/** The whole capture, as `GET /api/captures/{id}` returns it. */
export interface Capture extends CaptureSummary {
  /** Header pairs exactly as received: order, case and duplicates kept. */
  headers: HeaderPair[];
  httpVersion: string | null;
  /** Bytes stored (equals bodySize unless truncated). */
  storedSize: number;
  /**
   * The inline part of the body (see `bodyInline`) as text when it is valid
   * UTF-8, else null (see bodyBase64).
   */
  body: string | null;
  /** The inline part of the stored body, base64. */
  bodyBase64: string;
  /**
   * How much of the stored body `body` and `bodyBase64` carry: all of it up
   * to `INLINE_BODY_BYTES` (256 KiB, server/common/body-inline.ts), else about that
   * many (a UTF-8 sequence is never split) with `truncated` true. The whole
   * body, `storedSize` bytes, is at `GET /api/captures/{id}/body` (ranges too).
   */
  bodyInline: { bytes: number; truncated: boolean };
  response: CaptureResponse;
  /**
   * One verdict per scheme whose header is present, judged now with the
   * current secrets as of the capture's arrival time; `diagnosis` says why
   * one is not valid when hookbin can tell.
   */
  signatures: SignatureVerdict[];
  /** The app's reply when the capture was forwarded live (`forwardTo`), else null. */
  forward: CaptureForward | null;
}

/** Why an outbound request got no complete reply. */
export type SendErrorKind = 'refused' | 'reset' | 'timeout' | 'dns' | 'tls' | 'other';

/** A reply from a target, as hookbin stored it: text or JSON only, never rendered. */
export interface TargetReply {
  headers: HeaderPair[];
  /** The body as text (invalid UTF-8 replaced); the first 1 MiB. */
  body: string;
  /** The stored bytes, base64, only when they are not valid UTF-8. */
  bodyBase64?: string;
  /** Bytes received before hookbin stopped reading, or the declared Content-Length when larger. */
  size: number;
  /** True when more than the stored 1 MiB arrived. */
  truncated: boolean;
}

/** What the developer's app answered to a forwarded capture. */
export interface CaptureForward {
  url: string;
  /** ISO-8601 with milliseconds: when the forward started. */
  at: string;
  /** The app's status, or null when no reply came. */
  status: number | null;
  /** The reply, or null with an error before any reply. */
  response: TargetReply | null;
  durationMs: number;
  error: SendErrorKind | 'loop' | 'truncated' | null;
  errorMessage: string | null;
  /** True when the app's reply was passed on to the provider (`forward.relay`). */
  relayed: boolean;
}

/** The life of an outbound delivery. */
export type OutboxState = 'pending' | 'delivered' | 'failed' | 'cancelled';

/** One attempt of an outbound delivery: the exact request sent and the reply or the error. */
export interface OutboxAttempt {
  /** 1 for the first attempt. */
  n: number;
  /** ISO-8601 with milliseconds: when the request started. */
  at: string;
  /** The target's status, or null when no reply came. */
  status: number | null;
  /** Why there was no complete reply, or null. */
  error: SendErrorKind | null;
  /** The error in words (the system's message), or null. */
  errorMessage: string | null;
  durationMs: number;
  /** The request exactly as written to the socket (its body is the delivery's body). */
  request: { method: string; url: string; headers: HeaderPair[] };
  /** The reply, or null when none came. */
  response: TargetReply | null;
}

/** A delivery in lists and live updates: no headers, bodies or attempts. */
export interface OutboxSummary {
  id: string;
  /** `send` (composed), `resend` (of a capture). */
  kind: 'send' | 'resend';
  /** The capture a resend came from. */
  sourceCaptureId: string | null;
  state: OutboxState;
  /** ISO-8601 with milliseconds. */
  createdAt: string;
  updatedAt: string;
  method: string;
  /** The target; a password in it is masked. */
  url: string;
  attemptCount: number;
  /** How many attempts the schedule allows. */
  maxAttempts: number;
  lastStatus: number | null;
  lastError: SendErrorKind | null;
  /** When the next attempt is due, or null once finished. */
  nextAttemptAt: string | null;
  /** The target's TLS certificate is not verified (asked for with `insecure`). */
  insecure: boolean;
}

/** A whole delivery, as `GET /api/outbox/{id}` returns it. */
export interface OutboxDelivery extends OutboxSummary {
  /** The headers before signing (signature headers are per attempt, in `attempts[].request`). */
  headers: HeaderPair[];
  bodySize: number;
  /** The body as text when it is valid UTF-8, else null. */
  body: string | null;
  bodyBase64: string;
  /** The signatures added to every attempt; the secret as its name or masked, never whole. */
  sign: { scheme: string; secretName: string | null; secret: string }[];
  retry: { preset: string | null; schedule: number[]; timeScale: number; timeoutMs: number };
  /** Oldest first. */
  attempts: OutboxAttempt[];
}

/** A page of deliveries, newest first; pass `next` as `before` for the next page. */
export interface OutboxPage {
  deliveries: OutboxSummary[];
  next: string | null;
}

/** A ready-made event in a provider's style (`GET /api/templates`), with fresh ids and timestamps. */
export interface WebhookTemplate {
  /** Stable id, as `template` and `--template` use it. */
  id: string;
  /** The provider, as a person would name it. */
  provider: string;
  /** The event type it carries. */
  event: string;
  /** The signature scheme the provider uses. */
  scheme: SchemeId;
  /** The retry preset that imitates the provider, or null when none is documented. */
  preset: string | null;
  /** Where the payload and headers come from. */
  source: string;
  method: string;
  /** The provider's headers, without the signature (added when sending with a secret). */
  headers: HeaderPair[];
  body: string;
}

/** A page of captures, newest first; pass `next` as `before` for the next page. */
export interface CapturePage {
  captures: CaptureSummary[];
  next: string | null;
  /**
   * A search only (`?q=`): how many of the bin's captures it could not read
   * yet, while hookbin indexes a database made by an older version. Absent
   * when the search covered every capture.
   */
  pending?: number;
}

/** The JSON error body of every failed API call. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/**
 * Messages the inspector sends on `/api/ws`. A socket opened without a token
 * (the browser's) must send `auth` first; until it does, it receives nothing.
 */
export type ClientMessage =
  /** The control-plane token, as the first message; a wrong one closes the socket (4401). */
  | { type: 'auth'; token: string }
  /** Replace the set of bins whose capture events this socket receives; `"*"` means every bin. */
  | { type: 'subscribe'; bins: string[] }
  /** Keep-alive from the client; answered with `pong`. */
  | { type: 'ping' };

/** `/api/ws` close code for a wrong token or a first message that is not `auth` (the inspector then asks for its link). */
export const CLOSE_UNAUTHORIZED = 4401;
/** `/api/ws` close code for a socket that sent no `auth` message in time. */
export const CLOSE_AUTH_TIMEOUT = 4408;

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
  /** Captures were imported into the bin (POST /api/bins/{id}/import): lists reload. */
  | { type: 'captures.imported'; binId: string; imported: number; pruned: number }
  /** An outbound delivery was queued, attempted, finished or cancelled; fetch `/api/outbox/{id}` for attempts and replies. Sent to every socket. */
  | { type: 'outbox.updated'; delivery: OutboxSummary }
  /** A delivery was deleted from the outbox. */
  | { type: 'outbox.deleted'; id: string }
  /** A capture's forward to the app finished; `status` is what hookbin answered (the app's own when relayed). */
  | { type: 'capture.forwarded'; binId: string; id: string; status: number | null; forward: { status: number | null; error: CaptureForward['error']; durationMs: number; relayed: boolean } }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };
