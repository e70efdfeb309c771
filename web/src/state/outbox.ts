/** The outbox, pure: deliveries newest first, updates merged in, and their state, next attempt and schedule in words. */
import type { OutboxDelivery, OutboxSummary, RetryPreset } from '../../../server/common/types.js';

/** Newest first: later `createdAt`, then the larger id. */
export function compareDeliveries(a: OutboxSummary, b: OutboxSummary): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Merges deliveries into a newest-first list, unique by id. An incoming
 * copy replaces the one held unless it is older (`updatedAt`), so a late
 * page cannot undo a live update.
 */
export function mergeDeliveries(items: readonly OutboxSummary[], incoming: readonly OutboxSummary[]): OutboxSummary[] {
  const byId = new Map(items.map((d) => [d.id, d]));
  let changed = false;
  for (const d of incoming) {
    const had = byId.get(d.id);
    if (had && (had.updatedAt > d.updatedAt || (had.updatedAt === d.updatedAt && had.attemptCount > d.attemptCount))) continue;
    if (had && had.updatedAt === d.updatedAt && had.state === d.state && had.attemptCount === d.attemptCount) continue;
    byId.set(d.id, d);
    changed = true;
  }
  return changed ? [...byId.values()].sort(compareDeliveries) : (items as OutboxSummary[]);
}

/** A delivery's state in words, with the progress: "delivered on attempt 3 of 6", "retrying: attempt 2 of 6 got 500". */
export function deliveryStateText(d: OutboxSummary): string {
  const of = `of ${d.maxAttempts}`;
  const last = d.lastStatus !== null ? String(d.lastStatus) : d.lastError !== null ? d.lastError : null;
  switch (d.state) {
    case 'delivered':
      return `delivered on attempt ${d.attemptCount} ${of}`;
    case 'failed':
      return `failed: ${d.attemptCount} ${d.attemptCount === 1 ? 'attempt' : 'attempts'}${last ? `, the last ${last}` : ''}`;
    case 'cancelled':
      return `cancelled after ${d.attemptCount} ${of}`;
    default:
      return d.attemptCount === 0 ? `pending: attempt 1 ${of}` : `retrying: attempt ${d.attemptCount} ${of} got ${last ?? '?'}`;
  }
}

/** "in 4 s", "now": when the next attempt is due. */
export function nextAttemptText(d: OutboxSummary, now: number): string | null {
  if (d.state !== 'pending' || d.nextAttemptAt === null) return null;
  const ms = Date.parse(d.nextAttemptAt) - now;
  if (!(ms > 500)) return 'now';
  const s = Math.round(ms / 1000);
  if (s < 90) return `in ${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `in ${m} min` : `in ${Math.round(m / 60)} h`;
}

/** A preset's schedule in words at a time scale: "1 min, 2 min, 4 min → 1 s, 2 s, 4 s at 60×". */
export function scheduleText(p: RetryPreset, scale: number): string {
  return retriesText(p.delays, scale);
}

/** Retries after the first attempt in words at a time scale (see `scheduleText`); `delays` are the waits between attempts. */
export function retriesText(delays: readonly number[], scale: number): string {
  const fmt = (ms: number) => (ms >= 3_600_000 ? `${+(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${+(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
  const attempts = `${delays.length + 1} attempts`;
  if (delays.length === 0) return '1 attempt, no retries';
  const waits = delays.map(fmt).join(', ');
  return scale === 1 ? `${attempts}, waits ${waits}` : `${attempts}, waits ${waits} → ${delays.map((ms) => fmt(ms / scale)).join(', ')} at ${scale}×`;
}

export type DeliveryDetail = { state: 'loading' } | { state: 'ok'; delivery: OutboxDelivery } | { state: 'error'; message: string };

export interface OutboxState {
  items: OutboxSummary[];
  next: string | null;
  loaded: boolean;
  error: string | null;
}

/** Deliveries per outbox page. */
export const OUTBOX_PAGE = 50;
