/**
 * The API's JSON, made from what the store keeps: one presenter per public
 * type (common/types.ts). Times become ISO-8601; bytes become text when they
 * are UTF-8, with base64 beside them; secrets and passwords in URLs are masked.
 */
import { normalizeSettings, maskSecrets } from '../capture/settings.js';
import { providerRef } from '../capture/provider.js';
import { INLINE_BODY_BYTES, inlineEnd } from '../common/body-inline.js';
import { iso, lossyUtf8, utf8OrNull } from '../common/text.js';
import type { Bin, Capture, CaptureForward, ComparisonBasis, CaptureSummary, OutboxAttempt, OutboxDelivery, OutboxSummary, RetryPreset, TargetReply, TimelineComparison as TimelineComparisonJson, WebhookEvent } from '../common/types.js';
import { displayUrl } from '../outbound/exchange.js';
import { bestPreset, compareTimeline, DEFAULT_TOLERANCE_MS, MIN_SCALED_TOLERANCE_MS, type TimelineComparison as Comparison } from '../retries/timeline.js';
import type { AttemptRecord, BinRecord, CaptureRecord, CaptureSummaryRecord, DeliveryRecord, EventRecord, ForwardRecord, ReplyRecord } from '../store/index.js';
import { maskSecret } from '../verify/index.js';

/** The public JSON of a bin; `origin` is the scheme and host the client used. */
export function binJson(bin: BinRecord, origin: string): Bin {
  const settings = normalizeSettings(bin.settings);
  return {
    id: bin.id,
    name: bin.name,
    url: `${origin}/b/${bin.id}`,
    createdAt: iso(bin.createdAt),
    captureCount: bin.captureCount,
    prunedCount: bin.prunedCount,
    respond: settings.respond,
    // Values never leave the server whole.
    secrets: maskSecrets(settings.secrets),
    eventKey: settings.eventKey,
    // A password in the URL is a secret too.
    forwardTo: settings.forwardTo === null ? null : displayUrl(settings.forwardTo),
    forward: settings.forward,
    cors: settings.cors,
    schemes: settings.schemes,
  };
}

/** The public summary of a capture (lists and live events). */
export function summaryJson(c: CaptureSummaryRecord): CaptureSummary {
  return {
    id: c.id,
    binId: c.binId,
    receivedAt: iso(c.receivedAt),
    method: c.method,
    path: c.path,
    query: c.query,
    contentType: c.contentType,
    bodySize: c.bodySize,
    truncated: c.truncated,
    remoteAddress: c.remoteAddress,
    status: c.status,
    fault: c.fault,
    delayMs: c.delayMs,
    verdict: c.verdict,
    event: c.event,
    provider: providerRef(c.provider),
  };
}

/** What one event is compared with: `preset` (chosen), else the best of `all`; each already divided by `scale`; and why (`basis`). */
export interface Schedules {
  preset: RetryPreset | undefined;
  all: readonly RetryPreset[];
  scale: number;
  basis: ComparisonBasis;
}

/** An event with its gaps, compared with the chosen schedule or the best-matching one, as of `now`. */
export function eventJson(e: EventRecord, schedules: Schedules, now: number): WebhookEvent {
  // At a compressed pace the absolute slack shrinks with the schedule, to no less than an attempt's own overhead.
  const options = { now, eventType: e.type, toleranceMs: Math.max(DEFAULT_TOLERANCE_MS / schedules.scale, MIN_SCALED_TOLERANCE_MS) };
  return {
    key: e.key,
    type: e.type,
    attempts: e.attempts.map((a, i) => ({
      captureId: a.captureId,
      receivedAt: iso(a.receivedAt),
      attempt: a.attempt,
      gapMs: i === 0 ? null : a.receivedAt - e.attempts[i - 1]!.receivedAt,
      status: a.status,
      fault: a.fault,
    })),
    comparison: comparisonJson(schedules.preset ? compareTimeline(e.attempts, schedules.preset, options) : bestPreset(e.attempts, schedules.all, options)),
    basis: schedules.basis,
  };
}

/** A timeline comparison as the API writes it: every time ISO-8601, as everywhere else. */
function comparisonJson(c: Comparison | null): TimelineComparisonJson | null {
  if (c === null) return null;
  const { attempts, nextDueAt, ...rest } = c;
  const json: TimelineComparisonJson = { ...rest, attempts: attempts.map((a) => ({ ...a, receivedAt: iso(a.receivedAt) })) };
  if (nextDueAt !== undefined) json.nextDueAt = nextDueAt === null ? null : iso(nextDueAt);
  return json;
}

/**
 * The capture's JSON: its body inline up to {@link INLINE_BODY_BYTES} (the
 * rest is read from `/body`). `body` is the stored body, or at least its
 * first `INLINE_BODY_BYTES + 1` bytes (the one past tells where a UTF-8
 * character ends).
 */
export function captureJson(record: CaptureRecord, body: Buffer, signatures: Capture['signatures']): Capture {
  const inline = body.subarray(0, inlineEnd(body, INLINE_BODY_BYTES));
  return {
    ...summaryJson(record),
    headers: record.headers,
    httpVersion: record.httpVersion,
    storedSize: record.storedSize,
    body: utf8OrNull(inline),
    bodyBase64: inline.toString('base64'),
    bodyInline: { bytes: inline.length, truncated: inline.length < record.storedSize },
    response: record.response as unknown as Capture['response'],
    signatures,
    event: record.event,
    forward: record.forward && forwardJson(record.forward),
  };
}

/** A capture's live forward: where, when, and what the app replied. */
function forwardJson(f: ForwardRecord): CaptureForward {
  return {
    url: displayUrl(f.url),
    at: iso(f.at),
    status: f.status,
    response: f.response && replyJson(f.response),
    durationMs: f.durationMs,
    error: f.error,
    errorMessage: f.errorMessage,
    relayed: f.relayed,
  };
}

/** A stored reply as the API shows it: text (and base64 only when the bytes are not UTF-8). */
export function replyJson(r: ReplyRecord): TargetReply {
  const text = utf8OrNull(r.body);
  const out: TargetReply = { headers: r.headers, body: text ?? lossyUtf8(r.body), size: r.size, truncated: r.truncated };
  if (text === null) out.bodyBase64 = r.body.toString('base64');
  return out;
}

/** A delivery in lists and on the live feed. */
export function outboxSummaryJson(d: DeliveryRecord): OutboxSummary {
  return {
    id: d.id,
    kind: d.kind,
    sourceCaptureId: d.sourceCaptureId,
    state: d.state,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    method: d.method,
    url: displayUrl(d.url),
    attemptCount: d.attemptCount,
    maxAttempts: d.retry.schedule.length,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: d.nextAt === null ? null : iso(d.nextAt),
    insecure: d.insecure,
  };
}

/** One attempt of a delivery, as sent and as answered. */
function attemptJson(a: AttemptRecord): OutboxAttempt {
  return {
    n: a.n,
    at: iso(a.at),
    status: a.status,
    error: a.error,
    errorMessage: a.errorMessage,
    durationMs: a.durationMs,
    request: a.request,
    response: a.response && replyJson(a.response),
  };
}

/** A whole delivery; secrets appear as their name and a masked value, never whole. */
export function deliveryJson(d: DeliveryRecord, body: Buffer, attempts: AttemptRecord[]): OutboxDelivery {
  return {
    ...outboxSummaryJson(d),
    headers: d.headers,
    bodySize: d.bodySize,
    body: utf8OrNull(body),
    bodyBase64: body.toString('base64'),
    sign: d.sign.map((s) => ({ scheme: s.scheme, secretName: s.secretName, secret: maskSecret(s.secret) })),
    retry: { ...d.retry },
    attempts: attempts.map(attemptJson),
  };
}
