/**
 * What the store keeps, as the rest of hookbin reads and hands it: one type
 * per record, the limits of how it is kept, and the errors a write refuses
 * with. Nothing here imports from above the store; the public JSON shapes it
 * reuses come from common/.
 */
import type { CustomSchemeDef } from '../common/custom-scheme.js';
import type { CaptureEvent, CaptureResponse, Fault, ForwardOptions, HeaderPair, OutboxState, RespondSettings, SendErrorKind, SignatureVerdict, Verdict } from '../common/types.js';

/** A secret as a bin stores it. */
export interface StoredSecret {
  name: string;
  value: string;
  /** A built-in `SchemeId` or the id of a user's own scheme. */
  scheme: string | null;
}

/** A bin's own event key: a header or a JSON pointer tried before the built-in keys. */
export interface EventKeySettings {
  header: string | null;
  pointer: string | null;
}

/**
 * Settings stored per bin, as JSON. The store keeps them whole; what they
 * mean and how a change is checked is capture/settings.ts. Later
 * capabilities add keys beside these.
 */
export interface BinSettings {
  respond: RespondSettings;
  secrets: StoredSecret[];
  eventKey: EventKeySettings | null;
  /** Where captures are forwarded live; absent in rows written before forwarding existed. */
  forwardTo?: string | null;
  forward?: ForwardOptions;
  /** Whether the bin answers CORS preflights and lets pages read its answers; absent (off) in rows written before CORS existed. */
  cors?: boolean;
  /** The bin's own signature schemes (common/custom-scheme.ts); absent (none) in rows written before they existed. */
  schemes?: CustomSchemeDef[];
}

export type { Verdict };

/** A bin row as the store keeps it; the API turns it into the public `Bin`. */
export interface BinRecord {
  id: string;
  name: string;
  /** ms since the epoch */
  createdAt: number;
  settings: BinSettings;
  captureCount: number;
  prunedCount: number;
}

/** Everything the capture path hands to the store for one request. */
export interface NewCapture {
  id: string;
  binId: string;
  /** ms since the epoch */
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  headers: HeaderPair[];
  contentType: string | null;
  bodySize: number;
  truncated: boolean;
  body: Uint8Array;
  remoteAddress: string | null;
  httpVersion: string | null;
  /** The event this request delivers; the store numbers its attempt. */
  event: { key: string; type: string | null };
  /** Its `X-Hookbin-Retry` header as received (capture/event-identity.ts), or null; kept in the row's meta for the events view. */
  retryClaim?: string | null;
  /** The id of the provider its headers name (capture/provider.ts), or null; kept in the row's meta for lists and the events view. */
  provider?: string | null;
  /**
   * What hookbin answers, decided from the attempt number inside the write
   * (so two deliveries of one event racing each other get 1 and 2, never
   * both 1). Must not throw.
   */
  answer: (attempt: number) => CaptureResponse;
  signatures: SignatureVerdict[];
  verdict: Verdict | null;
}

/** The summary columns of a stored capture (what lists and live events carry). */
export interface CaptureSummaryRecord {
  seq: number;
  id: string;
  binId: string;
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  contentType: string | null;
  bodySize: number;
  truncated: boolean;
  remoteAddress: string | null;
  status: number | null;
  /** What hookbin answered besides the status (read from the stored answer). */
  fault: Fault | null;
  delayMs: number;
  verdict: Verdict | null;
  event: CaptureEvent;
  /** The id of the provider its headers named when it was stored, or null (also for captures stored before providers were recognised). */
  provider: string | null;
}

/** A stored capture without its body. */
export interface CaptureRecord extends CaptureSummaryRecord {
  signatures: SignatureVerdict[];
  headers: HeaderPair[];
  storedSize: number;
  httpVersion: string | null;
  response: CaptureResponse;
  /** The app's reply to the live forward, or null when the capture was not forwarded. */
  forward: ForwardRecord | null;
}

/** A reply from a target as stored: the first bytes of the body and how many arrived. */
export interface ReplyRecord {
  headers: HeaderPair[];
  /** At most the sender's cap (1 MiB). */
  body: Buffer;
  /** Bytes received before reading stopped, or the declared Content-Length when larger (not for a HEAD reply or a 204/205/304, which have no body). */
  size: number;
  /** Bytes were left unread: more arrived than the cap, or a body's Content-Length says more than was kept. */
  truncated: boolean;
}

/** The result of forwarding one capture to the developer's app. */
export interface ForwardRecord {
  url: string;
  /** ms since the epoch */
  at: number;
  status: number | null;
  response: ReplyRecord | null;
  durationMs: number;
  error: SendErrorKind | 'loop' | 'truncated' | null;
  errorMessage: string | null;
  relayed: boolean;
}

/** One signature an outbound delivery carries; `secret` is the value and never leaves the server. */
export interface SignSpec {
  /** A built-in `SchemeId`, or the id of `custom`. */
  scheme: string;
  secret: string;
  /** The configured secret's name when it was given by name, else null (a literal value). */
  secretName: string | null;
  /** A user's own scheme, kept whole so that later attempts sign as the first did whatever the bin's schemes become. */
  custom?: CustomSchemeDef;
}

/** When an outbound delivery is attempted. */
export interface RetrySpec {
  /** The preset the schedule came from, or null for an explicit one. */
  preset: string | null;
  /** The wait before each attempt, ms, before `timeScale`: the first usually 0. */
  schedule: number[];
  /** Waits are divided by this (60: 30 s become 0.5 s). */
  timeScale: number;
  /** How long one attempt may take, ms (not scaled). */
  timeoutMs: number;
}

/** An outbound delivery as the sender queues it. */
export interface NewDelivery {
  id: string;
  kind: 'send' | 'resend';
  sourceCaptureId: string | null;
  /** ms since the epoch */
  createdAt: number;
  method: string;
  url: string;
  /** Before signing. */
  headers: HeaderPair[];
  body: Uint8Array;
  sign: SignSpec[];
  /** The delivery id schemes that send one (webhook-id, X-GitHub-Delivery…) sign with, the same for every attempt. */
  signId: string;
  retry: RetrySpec;
  /** When the first attempt is due, ms since the epoch. */
  nextAt: number;
  /** Attempts skip verifying the target's TLS certificate (a self-signed local app). */
  insecure: boolean;
}

/** A stored outbound delivery without its body and attempts. */
export interface DeliveryRecord extends Omit<NewDelivery, 'body' | 'nextAt'> {
  seq: number;
  state: OutboxState;
  updatedAt: number;
  /** When the next attempt is due; null once finished. */
  nextAt: number | null;
  attemptCount: number;
  lastStatus: number | null;
  lastError: SendErrorKind | null;
  bodySize: number;
  /** The capture the latest attempt that named one made in a bin of hookbin (its reply's `x-hookbin-capture-id`), else null. */
  lastCaptureId: string | null;
}

/** One attempt of a delivery as stored. */
export interface AttemptRecord {
  n: number;
  /** ms since the epoch, when the request started */
  at: number;
  durationMs: number;
  status: number | null;
  error: SendErrorKind | null;
  errorMessage: string | null;
  /** Exactly as sent. */
  request: { method: string; url: string; headers: HeaderPair[] };
  response: ReplyRecord | null;
  /**
   * The capture this attempt made, when its target was a bin of this hookbin
   * (the reply's `x-hookbin-capture-id`); null otherwise. Absent reads as null.
   */
  captureId?: string | null;
}

/** The result of the one capture write path. */
export interface AddedCapture {
  capture: CaptureSummaryRecord;
  /** How many of the bin's oldest captures retention removed to make room. */
  pruned: number;
  /** What hookbin answers, as `answer` decided it. */
  response: CaptureResponse;
}

/** One attempt of an event, as the timeline reads it. */
export interface EventAttemptRecord {
  captureId: string;
  receivedAt: number;
  attempt: number;
  /** What hookbin answered; null for a fault. */
  status: number | null;
  fault: 'reset' | 'hang' | null;
  /** How long hookbin held its answer. */
  delayMs: number;
}

/** The outbox delivery of hookbin's own sender that made an event's captures, as the timeline uses it. */
export interface EventSender {
  /** The outbox delivery, or null for a run of `hookbin send` (whose outbox was its own, known by its retries' `X-Hookbin-Retry`). */
  deliveryId: string | null;
  /** The delivery's preset (null for an explicit schedule) and time scale. */
  retry: Pick<RetrySpec, 'preset' | 'timeScale'>;
}

/** An event of a bin: the captures that share an event key, oldest first. */
export interface EventRecord {
  key: string;
  /** The type named by its latest attempt. */
  type: string | null;
  attempts: EventAttemptRecord[];
  /** The seq of its latest attempt (the list's cursor). */
  lastSeq: number;
  /**
   * The delivery of hookbin's own sender whose attempts made the earliest of
   * these captures it made, by the outbox's record; null when none did (or
   * the delivery was pruned since).
   */
  sentBy: EventSender | null;
  /** The provider its latest attempt that names one was sent by (capture/provider.ts), or null. */
  provider: string | null;
}

/**
 * Bodies are stored in parts of this many bytes (the first in `bodies`, the
 * rest in `body_parts`), so that SQLite's own copies of what it writes stay
 * small next to a large body (migration 006).
 */
export const BODY_PART_BYTES = 1024 * 1024;

/** The most attempts of one event the store reads back; a flood of one key cannot make a list huge. */
export const MAX_EVENT_ATTEMPTS = 500;

/** Where a stored body lies: see `Store.bodyLayout`. */
export interface BodyLayout {
  /** The capture's row number, which `readBodyPart` reads by. */
  seq: number;
  /** Stored bytes, every part together (at most `--max-body`; less than the request's when truncated). */
  size: number;
  /** The request's Content-Type header, or null when it had none. */
  contentType: string | null;
  /** Bytes in each part, part 0 (`bodies.data`) first; they add up to `size`. */
  parts: number[];
}

/** Thrown by `createBin` when the id is taken. */
export class BinExistsError extends Error {
  constructor(readonly binId: string) {
    super(`bin "${binId}" already exists`);
  }
}

/** Thrown by `addCapture` when the bin was deleted before the row committed. */
export class BinGoneError extends Error {
  constructor(readonly binId: string) {
    super(`bin "${binId}" does not exist`);
  }
}
