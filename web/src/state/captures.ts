/**
 * The captures list of the selected bin, pure: its state, how pages and live
 * captures merge into it (newest first, unique, deleted ones kept out), the
 * method filter, and moving the selection. Unit-tested in Node;
 * capture-list.ts wires them to signals.
 */
import type { CaptureSummary } from '../../../server/common/types.js';
import type { VerdictFilter } from '../features/secrets/secrets.js';

/** The loaded captures of the selected bin. */
export interface ListState {
  binId: string | null;
  /** Newest first, unique by id. */
  items: CaptureSummary[];
  /** Cursor for the next older page, or null when the oldest capture is loaded. */
  next: string | null;
  /** True once the first page has arrived. */
  loaded: boolean;
  /** Bumped when the list is reset (bin switch, clear): answers to older requests are dropped. */
  epoch: number;
  /**
   * The verdict the list is filtered by, server-side (`?verdict=`), or null.
   * Server-side so every page is full of matches however rare they are; a
   * live capture is added when its verdict (judged on arrival) matches, and
   * `captures.reverified` refetches the list, since secrets changed verdicts.
   */
  verdict: VerdictFilter | null;
  /**
   * The search the list holds the results of, server-side (`?q=`), or ''.
   * A live capture is not added while searching: hookbin decides whether it
   * matches (the list asks again, see state/search.ts).
   */
  search: string;
  /** While hookbin indexes a database from an older version: how many captures the search could not read yet. */
  pending: number;
}

export function emptyList(binId: string | null, epoch = 0, verdict: VerdictFilter | null = null, search = ''): ListState {
  return { binId, items: [], next: null, loaded: false, epoch, verdict, search, pending: 0 };
}

/** Newest first: later `receivedAt` first, then the larger id (ids start with the time). */
export function compareCaptures(a: CaptureSummary, b: CaptureSummary): number {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt < b.receivedAt ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return 0;
}

export interface MergeOptions {
  /** Ids to drop from the existing items (deleted while we were away). */
  remove?: ReadonlySet<string>;
  /** Ids known to be deleted: never (re-)added from `incoming`. */
  tombstones?: ReadonlySet<string>;
}

/**
 * Merges captures (a page, a live event, a resync) into a newest-first list:
 * the result is sorted, unique by id (the incoming copy wins), and never
 * loses an existing item unless `remove` names it. Appending an older page
 * and prepending newer captures, the common cases, stay linear.
 */
export function mergeCaptures(items: readonly CaptureSummary[], incoming: readonly CaptureSummary[], opts: MergeOptions = {}): CaptureSummary[] {
  const { remove, tombstones } = opts;
  const fresh = new Map<string, CaptureSummary>();
  for (const c of incoming) if (!tombstones?.has(c.id)) fresh.set(c.id, c);
  const add = [...fresh.values()].sort(compareCaptures);
  const keep = items.filter((c) => !fresh.has(c.id) && !remove?.has(c.id));
  if (add.length === 0) return keep.length === items.length ? (items as CaptureSummary[]) : keep;
  if (keep.length === 0) return add;
  // Fast paths: entirely older, or entirely newer.
  if (compareCaptures(keep[keep.length - 1]!, add[0]!) <= 0) return keep.concat(add);
  if (compareCaptures(add[add.length - 1]!, keep[0]!) <= 0) return add.concat(keep);
  const out: CaptureSummary[] = new Array(keep.length + add.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < keep.length && j < add.length) out[o++] = compareCaptures(keep[i]!, add[j]!) <= 0 ? keep[i++]! : add[j++]!;
  while (i < keep.length) out[o++] = keep[i++]!;
  while (j < add.length) out[o++] = add[j++]!;
  return out;
}

/** The capture-list filters. */
export interface Filter {
  /** The search box's text as typed; hookbin searches it (state/search.ts), this list does not filter by it. */
  text: string;
  /** One method (`POST`), or "" for all. */
  method: string;
}

export const NO_FILTER: Filter = { text: '', method: '' };

/** True when the capture has the filter's method (any without one). The text is searched by hookbin, not here. */
export function matchesFilter(c: CaptureSummary, f: Filter): boolean {
  return f.method === '' || c.method.toUpperCase() === f.method.toUpperCase();
}

/** The captures that pass `f` (the same array when there is no method filter). */
export function filterCaptures(items: CaptureSummary[], f: Filter): CaptureSummary[] {
  if (f.method === '') return items;
  return items.filter((c) => matchesFilter(c, f));
}

/** The methods offered by the method filter: the common ones plus any seen. */
export function methodOptions(items: readonly CaptureSummary[]): string[] {
  const set = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
  for (let i = 0; i < items.length && i < 5000; i++) set.add(items[i]!.method.toUpperCase());
  return [...set];
}

/** The id `delta` rows away from `current` in `items`, clamped; the first row when none is selected. */
export function moveSelection(items: readonly CaptureSummary[], current: string | null, delta: number): string | null {
  if (items.length === 0) return null;
  const i = current === null ? -1 : items.findIndex((c) => c.id === current);
  if (i === -1) return items[0]!.id;
  return items[Math.min(items.length - 1, Math.max(0, i + delta))]!.id;
}

/** Captures per page when scrolling back, and per page when catching up. */
export const PAGE_SIZE = 200;
/** Pages a resync reads at most to close the gap before it gives up on the old items. */
export const MAX_GAP_PAGES = 50;
