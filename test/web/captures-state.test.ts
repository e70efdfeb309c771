/**
 * The captures list's pure rules in Node: live messages applied to the
 * bins and the list, pages merged with live captures, the filters.
 */
import { describe, expect, it } from 'vitest';
import type { Bin, CaptureSummary, ServerMessage } from '../../server/common/types.js';
import {
  applyMessage,
  compareCaptures,
  emptyList,
  filterCaptures,
  matchesFilter,
  mergeCaptures,
  moveSelection,
  type Snapshot,
} from '../../web/src/state/model.js';
import { bin, cap, ids, newestFirst } from '../support/web-fixtures.js';

function snap(items: CaptureSummary[], over: Partial<Snapshot['list']> = {}, bins: Bin[] = [bin('bin1', { captureCount: items.length })]): Snapshot {
  return { bins, list: { ...emptyList('bin1'), items, loaded: true, ...over } };
}

// ------------------------------------------------------------ live messages

describe('applyMessage', () => {
  it('prepends a created capture and counts it once', () => {
    const s0 = snap([cap(2), cap(1)]);
    const msg: ServerMessage = { type: 'capture.created', capture: cap(3), pruned: 0 };
    const s1 = applyMessage(s0, msg);
    expect(ids(s1.list.items)).toEqual(newestFirst(3, 2, 1));
    expect(s1.bins[0]!.captureCount).toBe(3);
    // The same event again (or after a resync fetched it): nothing changes.
    expect(applyMessage(s1, msg)).toBe(s1);
  });

  it('shows a relayed forward’s status in the row: what the provider was answered', () => {
    const s0 = snap([cap(2), cap(1)]);
    const forwarded = (id: string, binId: string, status: number | null): ServerMessage => ({
      type: 'capture.forwarded',
      binId,
      id,
      status,
      forward: { status, error: null, durationMs: 12, relayed: true },
    });
    const s1 = applyMessage(s0, forwarded(cap(1).id, 'bin1', 502));
    expect(s1.list.items.map((c) => c.status)).toEqual([200, 502]);
    expect(s1.list.items[0]).toBe(s0.list.items[0]);
    expect(s1.bins).toBe(s0.bins);
    // Unchanged status, another bin's capture, or one not in the list: nothing changes.
    expect(applyMessage(s1, forwarded(cap(1).id, 'bin1', 502))).toBe(s1);
    expect(applyMessage(s1, forwarded(cap(1).id, 'bin2', 201))).toBe(s1);
    expect(applyMessage(s1, forwarded('c999999', 'bin1', 201))).toBe(s1);
  });

  it('a relayed reply replaces a delayed or faulted answer on the row, not only its status', () => {
    const s0 = snap([cap(2, { status: null, fault: 'reset', delayMs: 0 }), cap(1, { status: 500, delayMs: 2000 })]);
    const relayed = (id: string, status: number): ServerMessage => ({ type: 'capture.forwarded', binId: 'bin1', id, status, forward: { status, error: null, durationMs: 5, relayed: true } });
    let s = applyMessage(s0, relayed(cap(2).id, 200));
    s = applyMessage(s, relayed(cap(1).id, 500));
    expect(s.list.items.map((c) => [c.status, c.fault, c.delayMs])).toEqual([
      [200, null, 0],
      [500, null, 0],
    ]);
    // A forward that was not relayed leaves what hookbin answered alone.
    const kept = applyMessage(s0, { type: 'capture.forwarded', binId: 'bin1', id: cap(2).id, status: null, forward: { status: 200, error: null, durationMs: 5, relayed: false } });
    expect(kept).toBe(s0);
  });

  it('sorts an out-of-order live capture into place', () => {
    const s = applyMessage(snap([cap(5), cap(1)]), { type: 'capture.created', capture: cap(3), pruned: 0 });
    expect(ids(s.list.items)).toEqual(newestFirst(5, 3, 1));
  });

  it('counts captures of another bin without touching the list', () => {
    const s0 = snap([cap(1)], {}, [bin('bin1', { captureCount: 1 }), bin('bin2', { captureCount: 4 })]);
    const s1 = applyMessage(s0, { type: 'capture.created', capture: cap(9, { binId: 'bin2' }), pruned: 0 });
    expect(s1.list).toBe(s0.list);
    expect(s1.bins.find((b) => b.id === 'bin2')!.captureCount).toBe(5);
  });

  it('accounts for retention: pruned count, and the oldest rows go when the whole bin is loaded', () => {
    const s0 = snap([cap(3), cap(2), cap(1)], { next: null });
    const s1 = applyMessage(s0, { type: 'capture.created', capture: cap(4), pruned: 1 });
    expect(ids(s1.list.items)).toEqual(newestFirst(4, 3, 2));
    expect(s1.bins[0]).toMatchObject({ captureCount: 3, prunedCount: 1 });
    // With older pages still on the server the pruned ones are not in the list: keep every row.
    const s2 = applyMessage(snap([cap(3), cap(2)], { next: '17' }), { type: 'capture.created', capture: cap(4), pruned: 1 });
    expect(ids(s2.list.items)).toEqual(newestFirst(4, 3, 2));
  });

  it('adds a live capture to a verdict-filtered list only when its verdict matches, and counts it either way', () => {
    const s0 = snap([cap(2, { verdict: 'invalid' })], { verdict: 'invalid', next: null });
    const s1 = applyMessage(s0, { type: 'capture.created', capture: cap(3, { verdict: 'valid' }), pruned: 0 });
    expect(s1.list).toBe(s0.list);
    expect(s1.bins[0]!.captureCount).toBe(2);
    const s2 = applyMessage(s1, { type: 'capture.created', capture: cap(4, { verdict: 'invalid' }), pruned: 0 });
    expect(ids(s2.list.items)).toEqual(newestFirst(4, 2));
    // A filtered list is never the whole bin: its length is not the count.
    expect(s2.bins[0]!.captureCount).toBe(3);
    const unsigned = snap([], { verdict: 'unsigned', next: null });
    expect(ids(applyMessage(unsigned, { type: 'capture.created', capture: cap(5), pruned: 0 }).list.items)).toEqual(newestFirst(5));
    expect(applyMessage(unsigned, { type: 'capture.created', capture: cap(6, { verdict: 'no-secret' }), pruned: 0 }).list.items).toEqual([]);
  });

  it('does not guess which rows retention pruned from a filtered list', () => {
    const s0 = snap([cap(3, { verdict: 'valid' }), cap(1, { verdict: 'valid' })], { verdict: 'valid', next: null });
    const s1 = applyMessage(s0, { type: 'capture.created', capture: cap(4, { verdict: 'valid' }), pruned: 1 });
    expect(ids(s1.list.items)).toEqual(newestFirst(4, 3, 1));
    expect(s1.bins[0]!.prunedCount).toBe(1);
  });

  it('keeps the verdict filter when the bin is cleared', () => {
    const s = applyMessage(snap([cap(1, { verdict: 'valid' })], { verdict: 'valid' }), { type: 'captures.cleared', binId: 'bin1' });
    expect(s.list).toMatchObject({ items: [], loaded: true, verdict: 'valid' });
  });

  it('leaves captures.reverified to the model (a refetch, not a pure change)', () => {
    const s = snap([cap(1)]);
    expect(applyMessage(s, { type: 'captures.reverified', binId: 'bin1' })).toBe(s);
  });

  it('removes a deleted capture once', () => {
    const s0 = snap([cap(3), cap(2), cap(1)]);
    const msg: ServerMessage = { type: 'capture.deleted', binId: 'bin1', id: cap(2).id };
    const s1 = applyMessage(s0, msg);
    expect(ids(s1.list.items)).toEqual(newestFirst(3, 1));
    expect(s1.bins[0]!.captureCount).toBe(2);
    expect(applyMessage(s1, msg)).toBe(s1);
  });

  it('clears a bin: empty, loaded, new epoch, count 0, pruned kept', () => {
    const s0 = snap([cap(2), cap(1)], { next: '5', epoch: 3 }, [bin('bin1', { captureCount: 9, prunedCount: 2 })]);
    const s1 = applyMessage(s0, { type: 'captures.cleared', binId: 'bin1' });
    expect(s1.list).toMatchObject({ items: [], next: null, loaded: true, epoch: 4, binId: 'bin1' });
    expect(s1.bins[0]).toMatchObject({ captureCount: 0, prunedCount: 2 });
  });

  it('adds, updates and deletes bins', () => {
    let s = snap([cap(1)]);
    s = applyMessage(s, { type: 'bin.created', bin: bin('a-new', { createdAt: '2026-11-23T09:30:00.000Z' }) });
    expect(s.bins.map((b) => b.id)).toEqual(['bin1', 'a-new']);
    s = applyMessage(s, { type: 'bin.created', bin: bin('a-new', { createdAt: '2026-11-23T09:30:00.000Z' }) });
    expect(s.bins).toHaveLength(2);
    s = applyMessage(s, { type: 'bin.updated', bin: bin('bin1', { name: 'Stripe', captureCount: 1 }) });
    expect(s.bins[0]!.name).toBe('Stripe');
    s = applyMessage(s, { type: 'bin.deleted', binId: 'a-new' });
    expect(s.bins.map((b) => b.id)).toEqual(['bin1']);
    expect(s.list.items).toHaveLength(1);
    // Deleting the shown bin empties the list.
    s = applyMessage(s, { type: 'bin.deleted', binId: 'bin1' });
    expect(s.bins).toEqual([]);
    expect(s.list).toMatchObject({ binId: null, items: [] });
  });

  it('ignores hello, heartbeats, pongs and errors', () => {
    const s = snap([cap(1)]);
    for (const msg of [
      { type: 'hello', version: '0.1.0', heartbeatMs: 15000 },
      { type: 'subscribed', bins: ['bin1'] },
      { type: 'pong' },
      { type: 'heartbeat' },
      { type: 'error', code: 'x', message: 'y' },
    ] as ServerMessage[])
      expect(applyMessage(s, msg)).toBe(s);
  });
});

// -------------------------------------------------------------------- merging

describe('mergeCaptures', () => {
  it('appends an older page and prepends newer captures', () => {
    expect(ids(mergeCaptures([cap(5), cap(4)], [cap(3), cap(2)]))).toEqual(newestFirst(5, 4, 3, 2));
    expect(ids(mergeCaptures([cap(5), cap(4)], [cap(7), cap(6)]))).toEqual(newestFirst(7, 6, 5, 4));
  });

  it('de-duplicates a page that overlaps live events, in any order', () => {
    const live = [cap(10), cap(9)];
    const page = [cap(10), cap(9), cap(8), cap(7)];
    const merged = mergeCaptures(live, page);
    expect(ids(merged)).toEqual(newestFirst(10, 9, 8, 7));
    expect(ids(mergeCaptures(merged, [cap(8), cap(12), cap(7), cap(11)]))).toEqual(newestFirst(12, 11, 10, 9, 8, 7));
  });

  it('interleaves a page into the middle (a gap filled after a blip)', () => {
    const merged = mergeCaptures([cap(20), cap(19), cap(3), cap(2)], [cap(10), cap(9), cap(8)]);
    expect(ids(merged)).toEqual(newestFirst(20, 19, 10, 9, 8, 3, 2));
  });

  it('lets the incoming copy win, removes only what it is told, skips tombstones', () => {
    const merged = mergeCaptures([cap(3), cap(2), cap(1)], [cap(2, { status: 500 }), cap(4)], {
      remove: new Set([cap(1).id]),
      tombstones: new Set([cap(4).id]),
    });
    expect(ids(merged)).toEqual(newestFirst(3, 2));
    expect(merged[1]!.status).toBe(500);
  });

  it('returns the same array when nothing changes', () => {
    const items = [cap(2), cap(1)];
    expect(mergeCaptures(items, [])).toBe(items);
  });

  it('orders by receivedAt then id, newest first', () => {
    const a = cap(1, { id: 'a' });
    const b = cap(1, { id: 'b' });
    expect([a, b, cap(0)].sort(compareCaptures).map((c) => c.id)).toEqual(['b', 'a', cap(0).id]);
  });

  it('stays linear enough for 100,000 rows', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => cap(100_000 - i));
    const t = performance.now();
    const merged = mergeCaptures(many, [cap(100_001), cap(50_000), cap(-1)]);
    expect(performance.now() - t).toBeLessThan(500);
    expect(merged).toHaveLength(100_002);
    expect(merged[0]!.id).toBe(cap(100_001).id);
    expect(merged.at(-1)!.id).toBe(cap(-1).id);
  });
});

// -------------------------------------------------------------------- filters

describe('filters', () => {
  const items = [
    cap(4, { method: 'GET', path: '/health', query: 'verbose=1', contentType: null }),
    cap(3, { method: 'POST', path: '/stripe', contentType: 'application/json' }),
    cap(2, { method: 'PUT', path: '/form', contentType: 'application/x-www-form-urlencoded' }),
    cap(1, { method: 'post', path: '/github', query: 'delivery=abc', contentType: 'application/json; charset=utf-8' }),
  ];

  it('filters by method (case-insensitive); the text is hookbin’s to search, not the list’s', () => {
    expect(ids(filterCaptures(items, { text: '', method: 'POST' }))).toEqual(newestFirst(3, 1));
    expect(ids(filterCaptures(items, { text: 'github', method: 'POST' }))).toEqual(newestFirst(3, 1));
    expect(filterCaptures(items, { text: '', method: 'DELETE' })).toEqual([]);
  });

  it('returns the list itself without a method filter', () => {
    expect(filterCaptures(items, { text: 'stripe', method: '' })).toBe(items);
    expect(matchesFilter(items[0]!, { text: '', method: '' })).toBe(true);
  });

  it('moves the selection with clamping', () => {
    expect(moveSelection(items, null, 1)).toBe(items[0]!.id);
    expect(moveSelection(items, items[0]!.id, 1)).toBe(items[1]!.id);
    expect(moveSelection(items, items[3]!.id, 1)).toBe(items[3]!.id);
    expect(moveSelection(items, items[0]!.id, -1)).toBe(items[0]!.id);
    expect(moveSelection([], null, 1)).toBeNull();
  });
});
