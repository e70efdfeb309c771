/**
 * How an attempt of hookbin's sender links to the capture it made when its
 * target is a bin of hookbin: the bin's reply names the capture
 * (`x-hookbin-capture-id`), the outbox records it, and the next retry names
 * it in `X-Hookbin-Retry` (common/retry-claim.ts). The events view reads
 * either to judge the event at the preset and pace it was sent at.
 */
import type { HeaderPair, TargetReply } from '../common/types.js';
import { CAPTURE_ID_HEADER, CAPTURE_ID_PATTERN, formatRetryClaim, RETRY_CLAIM_HEADER } from '../common/retry-claim.js';
import type { DeliveryRecord } from '../store/index.js';

/**
 * The capture a reply says the attempt made: a bin of hookbin answers every
 * capture with `x-hookbin-capture-id`. Any target can send that header, so
 * the events view trusts the link only for a capture of its own store that
 * arrived while the attempt was out (store/events.ts).
 */
export function capturedAs(reply: Pick<TargetReply, 'headers'> | null): string | null {
  const value = reply?.headers.find(([n]) => n.toLowerCase() === CAPTURE_ID_HEADER)?.[1].trim();
  return value !== undefined && CAPTURE_ID_PATTERN.test(value) ? value : null;
}

/**
 * A retry into a bin of hookbin (the previous reply named its capture) says
 * what it is: `X-Hookbin-Retry: after=<that capture>; preset=…; time-scale=…`,
 * so the bin's events are judged at the pace they were sent at even when the
 * outbox is not the server's (`hookbin send`). Nothing is added for any
 * other target, or when the user set the header.
 */
export function withRetryClaim(headers: HeaderPair[], d: Pick<DeliveryRecord, 'retry' | 'lastCaptureId'>): HeaderPair[] {
  if (!d.lastCaptureId || headers.some(([n]) => n.toLowerCase() === RETRY_CLAIM_HEADER)) return headers;
  return [...headers, ['X-Hookbin-Retry', formatRetryClaim({ after: d.lastCaptureId, preset: d.retry.preset, timeScale: d.retry.timeScale })]];
}
