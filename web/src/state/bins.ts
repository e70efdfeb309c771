/**
 * Bins and the live messages, pure: the bins in order, a bin patched or
 * replaced, its count kept true to a list that holds all of it, and
 * `applyMessage`, which turns one live message into the next bins and list.
 */
import type { Bin, ServerMessage } from '../../../server/common/types.js';
import { matchesVerdict } from '../features/secrets/secrets.js';
import { emptyList, mergeCaptures, type ListState } from './captures.js';

/** Everything the live messages change. */
export interface Snapshot {
  bins: Bin[];
  list: ListState;
}

/** Bins in the server's order: oldest first (then id). */
export function sortBins(bins: readonly Bin[]): Bin[] {
  return [...bins].sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function upsertBin(bins: readonly Bin[], bin: Bin): Bin[] {
  const i = bins.findIndex((b) => b.id === bin.id);
  if (i === -1) return sortBins([...bins, bin]);
  const out = bins.slice();
  out[i] = bin;
  return out;
}

function patchBin(bins: readonly Bin[], binId: string, f: (b: Bin) => Bin): Bin[] {
  const i = bins.findIndex((b) => b.id === binId);
  if (i === -1) return bins as Bin[];
  const out = bins.slice();
  out[i] = f(bins[i]!);
  return out;
}

/** True when `list` holds every capture of `binId` (unfiltered, every page): its length is then the true count. */
function wholeBin(list: ListState, binId: string): boolean {
  return list.binId === binId && list.verdict === null && list.search === '' && list.loaded && list.next === null;
}

/** The bins with the list's bin counted from the list when it holds the whole bin. */
export function reconcileCount(bins: Bin[], list: ListState): Bin[] {
  const id = list.binId;
  if (id === null || !wholeBin(list, id)) return bins;
  const b = bins.find((x) => x.id === id);
  return b && b.captureCount !== list.items.length ? patchBin(bins, id, (x) => ({ ...x, captureCount: list.items.length })) : bins;
}

/**
 * Applies one live message. Pure: returns the same snapshot when nothing
 * changed. A capture already in the list (a resync fetched it first) does not
 * count twice; the oldest captures go when retention pruned them and the
 * list holds the whole bin.
 */
export function applyMessage(s: Snapshot, msg: ServerMessage): Snapshot {
  switch (msg.type) {
    case 'capture.created': {
      const c = msg.capture;
      const pruned = Math.max(0, msg.pruned | 0);
      // While searching, hookbin decides whether it matches: the list asks again (state/search.ts).
      const inList = s.list.binId === c.binId && s.list.search === '' && matchesVerdict(c.verdict, s.list.verdict);
      if (inList && s.list.items.some((x) => x.id === c.id)) return s;
      let list = s.list;
      if (inList) {
        let items = mergeCaptures(list.items, [c]);
        // Retention pruned the oldest: drop them when the list holds the whole bin (a filtered list cannot tell which).
        if (pruned > 0 && wholeBin(list, c.binId)) items = items.slice(0, Math.max(1, items.length - pruned));
        list = { ...list, items };
      }
      const bins = patchBin(s.bins, c.binId, (b) => ({
        ...b,
        captureCount: wholeBin(list, c.binId) ? list.items.length : Math.max(0, b.captureCount + 1 - pruned),
        prunedCount: b.prunedCount + pruned,
      }));
      return { bins, list };
    }
    case 'capture.deleted': {
      if (s.list.binId !== msg.binId) return s;
      const items = s.list.items.filter((x) => x.id !== msg.id);
      if (items.length === s.list.items.length) return s;
      const list = { ...s.list, items };
      const bins = patchBin(s.bins, msg.binId, (b) => ({ ...b, captureCount: wholeBin(list, msg.binId) ? items.length : Math.max(0, b.captureCount - 1) }));
      return { bins, list };
    }
    case 'captures.cleared': {
      const bins = patchBin(s.bins, msg.binId, (b) => ({ ...b, captureCount: 0 }));
      const list = s.list.binId === msg.binId ? { ...emptyList(msg.binId, s.list.epoch + 1, s.list.verdict, s.list.search), loaded: true } : s.list;
      return { bins, list };
    }
    case 'capture.forwarded': {
      // A relaying bin answered with the app's reply: the row shows what the provider got.
      if (s.list.binId !== msg.binId) return s;
      const i = s.list.items.findIndex((x) => x.id === msg.id);
      const was = s.list.items[i];
      // A relayed reply replaces the bin's own answer, its fault and delay with it.
      const answer = msg.forward.relayed ? { status: msg.status, fault: null, delayMs: 0 } : { status: msg.status };
      if (!was || (was.status === answer.status && (!msg.forward.relayed || (was.fault === null && was.delayMs === 0)))) return s;
      const items = s.list.items.slice();
      items[i] = { ...was, ...answer };
      return { ...s, list: { ...s.list, items } };
    }
    case 'bin.created':
    case 'bin.updated':
      return { ...s, bins: upsertBin(s.bins, msg.bin) };
    case 'bin.deleted': {
      const bins = s.bins.filter((b) => b.id !== msg.binId);
      if (bins.length === s.bins.length && s.list.binId !== msg.binId) return s;
      const list = s.list.binId === msg.binId ? emptyList(null, s.list.epoch + 1) : s.list;
      return { bins, list };
    }
    default:
      return s;
  }
}
