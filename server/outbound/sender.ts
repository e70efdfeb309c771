/**
 * The outbound engine: hookbin playing the provider. A delivery (composed,
 * or a resend of a capture) is queued in the outbox, attempted on its
 * schedule, signed afresh for every attempt, and finished as `delivered` on
 * the first 2xx or `failed` after the last attempt. Every attempt is stored
 * with the exact request and the reply or the error kind.
 *
 * The outbox is the source of truth: the engine only holds timers for the
 * pending deliveries in it, so a restart (`resume`) picks up where the last
 * process stopped. An attempt cut short by `close()` or a cancel is not
 * recorded; after a restart it is made again (at least once, as providers do).
 */
import { randomUUID } from 'node:crypto';
import { eventIdentity } from '../capture/event-identity.js';
import { newCaptureId } from '../store/ids.js';
import { exchange, outboundHeaders, targetOf, type ExchangeResult } from './exchange.js';
import { capturedAs, withRetryClaim } from './capture-link.js';
import { presetById, sendSchedule } from '../retries/presets.js';
import type { AttemptRecord, DeliveryRecord, Outbox, RetrySpec, SignSpec } from '../store/index.js';
import type { HeaderPair, SendErrorKind, TargetReply } from '../common/types.js';
import { lossyUtf8 } from '../common/text.js';
import { MAX_ATTEMPTS, MAX_WAIT_MS } from '../common/limits.js';
import { OutboxFullError, SendInputError } from './errors.js';
import { signBody, signHeaders } from './signing.js';

/** The outbox methods the engine uses: the server's SQLite store, or an in-memory one for `hookbin send`. */
export type OutboxStore = Pick<
  Outbox,
  'addDelivery' | 'getDelivery' | 'getDeliveryBody' | 'addAttempt' | 'cancelDelivery' | 'pendingDeliveries' | 'pendingLoad' | 'pruneDeliveries'
>;

/** How long one attempt may take when neither the request nor its preset says: 10 s. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** The longest one attempt may take: 10 minutes. */
export const MAX_TIMEOUT_MS = 600_000;
export { MAX_ATTEMPTS, MAX_WAIT_MS };
/** The most deliveries pending at once; more are refused until some finish. */
export const MAX_PENDING = 1000;
/** The most body bytes pending at once (resends of large captures add up). */
export const MAX_PENDING_BYTES = 256 * 1024 * 1024;
/** Finished deliveries kept; older ones are pruned (pending ones never are). */
export const KEEP_FINISHED = 1000;
/** Bytes of bodies and stored replies of finished deliveries kept, counted from the newest. */
export const KEEP_FINISHED_BYTES = 128 * 1024 * 1024;
/** setTimeout's limit; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export { OutboxFullError, SendInputError } from './errors.js';
export { resolveSecret, signBody, signHeaders } from './signing.js';

/** A delivery to queue, fully resolved: secrets are values, the schedule is explicit. */
export interface DeliveryRequest {
  kind: 'send' | 'resend';
  sourceCaptureId: string | null;
  method: string;
  url: string;
  /** Before signing. For a `send`, a Host header given here is kept; a resend's captured Host is the target's. */
  headers: HeaderPair[];
  body: Uint8Array;
  sign: SignSpec[];
  retry: RetrySpec;
  /** Skip verifying the target's TLS certificate; false when absent. */
  insecure?: boolean;
}

/**
 * Headers of a composed request: when none names a Content-Type and the body
 * is JSON, `Content-Type: application/json` is added, since most frameworks
 * ignore an unlabelled body.
 */
export function withContentType(headers: HeaderPair[], body: Uint8Array): HeaderPair[] {
  // An empty body is not JSON either: the parse below says so.
  if (headers.some(([n]) => n.toLowerCase() === 'content-type')) return headers;
  try {
    JSON.parse(lossyUtf8(body));
  } catch {
    return headers;
  }
  return [...headers, ['Content-Type', 'application/json']];
}

/** Retry options as the API and CLI take them, before resolution. */
export interface RetryInput {
  /** A preset id from presets.ts. */
  preset?: string;
  /** Waits before each attempt, ms (the first usually 0). */
  schedule?: number[];
  timeScale?: number;
  timeoutMs?: number;
  /** The event type for presets whose retry count depends on it; read from the body when absent. */
  eventType?: string;
}

/**
 * The retry spec of a delivery: a preset's schedule (`sendSchedule`, for the
 * event type given or found in the body) and timeout, or an explicit
 * schedule, or a single attempt. Throws `SendInputError` for an unknown preset.
 */
export function resolveRetry(input: RetryInput | undefined, message: { headers: HeaderPair[]; body: Uint8Array }): RetrySpec {
  const timeScale = input?.timeScale ?? 1;
  if (input?.preset !== undefined) {
    const preset = presetById(input.preset);
    if (!preset) throw new SendInputError(`there is no retry preset "${input.preset}"`);
    const eventType = input.eventType ?? eventIdentity(message.headers, message.body).type;
    return { preset: preset.id, schedule: sendSchedule(preset, eventType), timeScale, timeoutMs: input.timeoutMs ?? preset.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  }
  return { preset: null, schedule: input?.schedule ?? [0], timeScale, timeoutMs: input?.timeoutMs ?? DEFAULT_TIMEOUT_MS };
}

/** The wait before attempt `index` (0-based) of a spec, scaled. */
export function scaledWait(retry: RetrySpec, index: number): number {
  return Math.round((retry.schedule[index] ?? 0) / retry.timeScale);
}

/** What the engine reports after each change. */
export type SenderListener = (delivery: DeliveryRecord, attempt: AttemptRecord | null) => void;

/** Options of `createSender`. */
export interface SenderOptions {
  store: OutboxStore;
  /** The clock, ms since the epoch; signatures use it too. */
  now?: () => number;
  /** Called after every change is stored: queued (attempt null), attempted, cancelled. Must not throw. */
  onUpdate?: SenderListener;
  /** Pending deliveries allowed at once (default `MAX_PENDING`). */
  maxPending?: number;
  /** Pending body bytes allowed at once (default `MAX_PENDING_BYTES`). */
  maxPendingBytes?: number;
  /** Finished deliveries kept (default `KEEP_FINISHED`). */
  keepFinished?: number;
  /** Bytes of finished deliveries kept (default `KEEP_FINISHED_BYTES`). */
  keepFinishedBytes?: number;
}

/** The running engine. */
export interface Sender {
  /**
   * Validates (a trial signature), stores the delivery as pending and
   * schedules its first attempt. Throws `SendInputError` for a request it
   * cannot make, `OutboxFullError` when too many are pending, and after `close()`.
   */
  enqueue(request: DeliveryRequest): DeliveryRecord;
  /**
   * Cancels a pending delivery: no further attempt is made and one in flight
   * is dropped unrecorded. Returns the delivery as it is afterwards
   * (unchanged when already finished), or undefined when missing.
   */
  cancel(id: string): DeliveryRecord | undefined;
  /** Stops any timer or attempt of a delivery about to be deleted (the caller deletes it). */
  forget(id: string): void;
  /** Schedules every pending delivery of the store (after a restart); returns how many. */
  resume(): number;
  /** Resolves with the delivery once it is no longer pending (at once when it is not), or undefined when it is missing. */
  settled(id: string): Promise<DeliveryRecord | undefined>;
  /** Stops timers, drops attempts in flight (unrecorded, so they are made again after a restart) and resolves when all have let go. */
  close(): Promise<void>;
}

/** Creates the engine over an outbox store. Nothing is attempted until `enqueue` or `resume`. */
export function createSender(options: SenderOptions): Sender {
  const { store } = options;
  const now = options.now ?? Date.now;
  const maxPending = options.maxPending ?? MAX_PENDING;
  const maxPendingBytes = options.maxPendingBytes ?? MAX_PENDING_BYTES;
  const keep = options.keepFinished ?? KEEP_FINISHED;
  const keepBytes = options.keepFinishedBytes ?? KEEP_FINISHED_BYTES;
  const prune = () => store.pruneDeliveries(keep, keepBytes);
  const timers = new Map<string, NodeJS.Timeout>();
  const inflight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const waiters = new Map<string, ((d: DeliveryRecord | undefined) => void)[]>();
  let closed = false;

  const report = (d: DeliveryRecord, attempt: AttemptRecord | null) => {
    try {
      options.onUpdate?.(d, attempt);
    } catch (err) {
      console.error('hookbin: an outbox listener failed', err);
    }
    if (d.state !== 'pending') {
      for (const w of waiters.get(d.id) ?? []) w(d);
      waiters.delete(d.id);
    }
  };

  const stopTimer = (id: string) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
  };

  const schedule = (d: DeliveryRecord) => {
    // Only pending deliveries come here (enqueued, resumed, or still pending after an attempt); they have a nextAt.
    if (closed || d.nextAt === null) return;
    stopTimer(d.id);
    const due = d.nextAt;
    const arm = () => {
      const wait = due - now();
      if (wait > 0) {
        const t = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
        timers.set(d.id, t);
        return;
      }
      timers.delete(d.id);
      attempt(d.id).catch((err) => console.error(`hookbin: delivery ${d.id} failed unexpectedly`, err));
    };
    arm();
  };

  async function attempt(id: string): Promise<void> {
    if (closed || inflight.has(id)) return;
    const d = store.getDelivery(id);
    const body = store.getDeliveryBody(id);
    if (!d || !body || d.state !== 'pending') return;
    const controller = new AbortController();
    const run = async (): Promise<{ updated: DeliveryRecord; record: AttemptRecord } | undefined> => {
      const target = targetOf(d.url);
      let result: ExchangeResult;
      try {
        const nowSeconds = Math.floor(now() / 1000);
        const sent = signBody(d.sign, body, nowSeconds, d.signId);
        const signed = withRetryClaim(withProviderRetryHeaders(signHeaders(d.headers, d.sign, sent, nowSeconds, d.signId, { method: d.method, url: d.url }), d), d);
        const headers = outboundHeaders(signed, target, d.method, sent.length, { keepHost: d.kind === 'send' });
        result = await exchange({ method: d.method, target, headers, body: sent, timeoutMs: d.retry.timeoutMs, signal: controller.signal, now, insecure: d.insecure });
      } catch (err) {
        // Checked at enqueue, so only a changed scheme could get here: a failed attempt, not a delivery stuck pending.
        const message = `hookbin could not sign this attempt: ${(err as Error).message}`;
        result = { at: now(), durationMs: 0, request: { method: d.method, url: target.url, headers: d.headers }, status: null, response: null, error: 'other', errorMessage: message, aborted: false };
      }
      // Shutdown or cancel: nothing the target did, so not an attempt.
      if (result.aborted || closed) return undefined;
      const n = d.attemptCount + 1;
      const ok = result.error === null && result.status !== null && result.status >= 200 && result.status < 300;
      const next = ok
        ? { state: 'delivered' as const, nextAt: null }
        : n >= d.retry.schedule.length || stopsRetries(d.retry, result.response)
          ? { state: 'failed' as const, nextAt: null }
          : { state: 'pending' as const, nextAt: now() + scaledWait(d.retry, n) };
      const record: AttemptRecord = {
        n,
        at: result.at,
        durationMs: result.durationMs,
        status: result.status,
        error: result.error,
        errorMessage: result.errorMessage,
        request: result.request,
        response: result.response,
        captureId: capturedAs(result.response),
      };
      const updated = store.addAttempt(id, record, next);
      // Cancelled or deleted while the request was out: nothing was written.
      return updated && { updated, record };
    };
    const done = run()
      .finally(() => inflight.delete(id))
      // Out of `inflight` first: a next attempt due at once must not be taken for this one.
      .then((outcome) => {
        if (!outcome) return;
        report(outcome.updated, outcome.record);
        if (outcome.updated.state === 'pending') schedule(outcome.updated);
        else prune();
      });
    inflight.set(id, { controller, done });
    return done;
  }

  return {
    enqueue(request) {
      if (closed) throw new SendInputError('the sender is shut down');
      const signId = randomUUID();
      try {
        // A trial: whether each secret can key its scheme (the time signed does not matter).
        signHeaders(request.headers, request.sign, signBody(request.sign, request.body, 0, signId), 0, signId, { method: request.method, url: request.url });
      } catch (err) {
        throw err instanceof SendInputError ? err : new SendInputError((err as Error).message);
      }
      const load = store.pendingLoad();
      if (load.count >= maxPending) throw new OutboxFullError(`${maxPending} deliveries are already pending; wait for some to finish or cancel them`);
      if (load.bytes + request.body.length > maxPendingBytes) {
        throw new OutboxFullError(`pending deliveries would hold more than ${maxPendingBytes / 1024 / 1024} MiB of bodies; wait for some to finish or cancel them`);
      }
      const createdAt = now();
      const d = store.addDelivery({
        id: newCaptureId(createdAt),
        kind: request.kind,
        sourceCaptureId: request.sourceCaptureId,
        createdAt,
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.body,
        sign: request.sign,
        signId,
        retry: request.retry,
        nextAt: createdAt + scaledWait(request.retry, 0),
        insecure: request.insecure === true,
      });
      report(d, null);
      schedule(d);
      return d;
    },
    cancel(id) {
      const before = store.getDelivery(id);
      if (!before) return undefined;
      if (before.state !== 'pending') return before;
      stopTimer(id);
      inflight.get(id)?.controller.abort();
      // Nothing runs between the read above and this write: the delivery is still pending, so it is cancelled.
      const after = store.cancelDelivery(id, now())!;
      report(after, null);
      prune();
      return after;
    },
    forget(id) {
      stopTimer(id);
      inflight.get(id)?.controller.abort();
      for (const w of waiters.get(id) ?? []) w(undefined);
      waiters.delete(id);
    },
    resume() {
      const pending = store.pendingDeliveries();
      for (const d of pending) schedule(d);
      return pending.length;
    },
    settled(id) {
      const d = store.getDelivery(id);
      if (!d || d.state !== 'pending') return Promise.resolve(d);
      return new Promise((resolve) => {
        const list = waiters.get(id) ?? [];
        list.push(resolve);
        waiters.set(id, list);
      });
    },
    async close() {
      closed = true;
      for (const id of [...timers.keys()]) stopTimer(id);
      const running = [...inflight.values()];
      for (const r of running) r.controller.abort();
      await Promise.allSettled(running.map((r) => r.done));
    },
  };
}

/** Slack's words for why it retries (`X-Slack-Retry-Reason`), from how the previous attempt ended. */
function slackRetryReason(status: number | null, error: SendErrorKind | null): string {
  if (error === 'timeout') return 'http_timeout';
  if (error === 'refused' || error === 'reset' || error === 'dns') return 'connection_failed';
  if (error === 'tls') return 'ssl_error';
  if (error === null && status !== null) return 'http_error';
  return 'unknown_error';
}

/**
 * The headers a provider adds to its retries, for deliveries on its preset:
 * Slack numbers them (`X-Slack-Retry-Num: 1` on the first retry) and says
 * why (`X-Slack-Retry-Reason`). Headers the user set themselves win.
 */
export function withProviderRetryHeaders(headers: HeaderPair[], d: Pick<DeliveryRecord, 'retry' | 'attemptCount' | 'lastStatus' | 'lastError'>): HeaderPair[] {
  if (d.retry.preset !== 'slack' || d.attemptCount === 0) return headers;
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  const extra: HeaderPair[] = [];
  if (!has('x-slack-retry-num')) extra.push(['X-Slack-Retry-Num', String(d.attemptCount)]);
  if (!has('x-slack-retry-reason')) extra.push(['X-Slack-Retry-Reason', slackRetryReason(d.lastStatus, d.lastError)]);
  return [...headers, ...extra];
}

/** Whether the target's reply ends the retries early: on the Slack preset, `X-Slack-No-Retry: 1` does, as it does for Slack. */
export function stopsRetries(retry: Pick<RetrySpec, 'preset'>, reply: Pick<TargetReply, 'headers'> | null): boolean {
  if (retry.preset !== 'slack' || reply === null) return false;
  return reply.headers.some(([n, v]) => n.toLowerCase() === 'x-slack-no-retry' && v.trim() === '1');
}
