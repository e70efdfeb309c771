/**
 * The captures list slice: catching up with the server after a (re)connect,
 * older pages, the verdict filter and the search (both server-side), the
 * method filter, and moving the selection. The rules are the pure functions of captures.ts.
 */
import { batch, computed, signal } from '@preact/signals';
import type { CapturePage, CaptureSummary } from '../../../server/common/types.js';
import { isUnreachable } from '../api/http.js';
import type { VerdictFilter } from '../features/secrets/secrets.js';
import { reconcileCount } from './bins.js';
import { emptyList, filterCaptures, MAX_GAP_PAGES, mergeCaptures, moveSelection, NO_FILTER, PAGE_SIZE, type Filter, type ListState } from './captures.js';
import type { Core } from './core.js';
import type { Details } from './details.js';

/** The captures list slice over `core`, opening captures through `detail`. */
export function createCaptureList(core: Core, detail: Details) {
  const { api, bins, list, selectedBinId, selectedCaptureId, pane, fail } = core;
  const { details, loadDetail, reloadDetail } = detail;
  const loadingOlder = signal(false);
  const filter = signal<Filter>(NO_FILTER);
  const filtered = computed(() => filterCaptures(list.value.items, filter.value));

  // Aborted when the list is reset for another search or verdict: its pages are of no use then.
  let reads = new AbortController();
  /** A page of the list as `start` filters it, or null when a newer search or verdict aborted the read. */
  async function readPage(binId: string, start: ListState, before: string | undefined): Promise<CapturePage | null> {
    const signal = reads.signal;
    try {
      return await api.listCaptures(binId, { limit: PAGE_SIZE, before, verdict: start.verdict, q: start.search || undefined, signal });
    } catch (err) {
      if (signal.aborted) return null;
      throw err;
    }
  }
  /** Resets the list to `next` (another search or verdict), aborting what the old one still reads. */
  function resetList(next: ListState): void {
    reads.abort();
    reads = new AbortController();
    list.value = next;
  }

  /** Ids deleted lately: a page fetched before the delete must not bring them back. */
  const tombstones = new Set<string>();
  const tomb = (id: string) => {
    tombstones.add(id);
    if (tombstones.size > 2000) tombstones.delete(tombstones.values().next().value!);
  };

  /**
   * Reads the newest captures of the selected bin until they meet what the
   * list already holds, then merges. Items the list held before that the
   * server no longer has are dropped only when the read covered the whole bin.
   */
  async function catchUp(): Promise<void> {
    const binId = selectedBinId.value;
    const start = list.value;
    if (binId === null || start.binId !== binId) return;
    const known = new Set(start.items.map((c) => c.id));
    const fetched: CaptureSummary[] = [];
    let before: string | undefined;
    let next: string | null = null;
    let met = known.size === 0;
    let pending = 0;
    for (let pages = 0; pages < MAX_GAP_PAGES; pages++) {
      const page = await readPage(binId, start, before);
      if (!page || list.value.epoch !== start.epoch || list.value.binId !== binId) return;
      if (pages === 0) pending = page.pending ?? 0;
      fetched.push(...page.captures);
      next = page.next;
      if (known.size === 0 || next === null || page.captures.some((c) => known.has(c.id))) {
        met = true;
        break;
      }
      before = next;
    }
    const cur = list.value;
    const complete = next === null;
    let items: CaptureSummary[];
    let cursor: string | null;
    if (!met) {
      // The gap is wider than we read: start over from what was fetched.
      items = mergeCaptures([], fetched, { tombstones });
      const fetchedIds = new Set(items.map((c) => c.id));
      items = mergeCaptures(items, cur.items.filter((c) => !known.has(c.id) && !fetchedIds.has(c.id)));
      cursor = next;
    } else {
      let remove: Set<string> | undefined;
      if (complete) {
        const fetchedIds = new Set(fetched.map((c) => c.id));
        remove = new Set([...known].filter((id) => !fetchedIds.has(id)));
      }
      items = mergeCaptures(cur.items, fetched, { remove, tombstones });
      cursor = !cur.loaded ? next : complete ? null : cur.next;
    }
    batch(() => {
      list.value = { ...cur, items, next: cursor, loaded: true, pending };
      bins.value = reconcileCount(bins.value, list.value);
    });
    // Gone from the whole bin: deleted or pruned while we were away. (A filtered list just does
    // not show it; one the list never held, opened by its address, says it is gone in the detail.)
    const sel = selectedCaptureId.value;
    if (sel !== null && complete && start.verdict === null && start.search === '' && known.has(sel) && !items.some((c) => c.id === sel)) {
      core.replacing(() => (selectedCaptureId.value = null));
    }
  }

  /**
   * Re-reads the loaded part of the list (as many pages as it holds) and
   * replaces it, keeping captures that arrived live meanwhile: after
   * `captures.reverified` every verdict may have changed, and with a verdict
   * filter, which captures belong.
   */
  async function refreshList(): Promise<void> {
    const binId = selectedBinId.value;
    const start = list.value;
    if (binId === null || start.binId !== binId || !start.loaded) return;
    const startIds = new Set(start.items.map((c) => c.id));
    const want = Math.max(1, start.items.length);
    const fetched: CaptureSummary[] = [];
    let before: string | undefined;
    let next: string | null = null;
    for (let pages = 0; pages < MAX_GAP_PAGES; pages++) {
      const page = await readPage(binId, start, before);
      if (!page || list.value.epoch !== start.epoch || list.value.binId !== binId) return;
      fetched.push(...page.captures);
      next = page.next;
      if (next === null || fetched.length >= want) break;
      before = next;
    }
    const cur = list.value;
    const fetchedIds = new Set(fetched.map((c) => c.id));
    const arrived = cur.items.filter((c) => !startIds.has(c.id) && !fetchedIds.has(c.id));
    batch(() => {
      list.value = { ...cur, items: mergeCaptures(mergeCaptures([], fetched, { tombstones }), arrived), next, loaded: true };
      bins.value = reconcileCount(bins.value, list.value);
    });
  }

  let verdictRun: Promise<void> | null = null;
  let verdictAgain = false;

  /**
   * After secrets changed (`captures.reverified`, or our own save): the
   * list's verdicts and the open capture's signatures are stale. Refetches
   * both when `binId` is the selected bin (null: every bin), and forgets the
   * cached details of that bin. Calls during a run coalesce into one more.
   */
  function refreshVerdicts(binId: string | null): Promise<void> {
    const m = new Map(details.value);
    let changed = false;
    for (const [id, d] of m) {
      if (d.state === 'ok' && (binId === null || d.capture.binId === binId) && id !== selectedCaptureId.value) {
        m.delete(id);
        changed = true;
      }
    }
    if (changed) details.value = m;
    if (binId !== null && binId !== selectedBinId.value) return Promise.resolve();
    if (verdictRun) {
      verdictAgain = true;
      return verdictRun;
    }
    verdictRun = (async () => {
      do {
        verdictAgain = false;
        const sel = selectedCaptureId.value;
        try {
          await Promise.all([refreshList(), sel !== null && details.value.get(sel)?.state === 'ok' ? reloadDetail(sel) : undefined]);
        } catch (err) {
          if (!isUnreachable(err)) fail(err);
        }
      } while (verdictAgain);
    })().finally(() => {
      verdictRun = null;
    });
    return verdictRun;
  }

  /** Shows only the captures of one verdict (null: all), read from the server page by page. */
  async function setVerdictFilter(verdict: VerdictFilter | null) {
    const binId = selectedBinId.value;
    if (binId === null || list.value.verdict === verdict) return;
    resetList(emptyList(binId, list.value.epoch + 1, verdict, list.value.search));
    try {
      await catchUp();
    } catch (err) {
      fail(err);
    }
  }

  /**
   * Shows only the captures hookbin finds for `search` (common/search.ts's
   * syntax; '' shows them all), read page by page with the verdict filter.
   * A read still running for the previous search is aborted.
   */
  async function setSearch(search: string) {
    const binId = selectedBinId.value;
    if (binId === null || list.value.search === search) return;
    resetList(emptyList(binId, list.value.epoch + 1, list.value.verdict, search));
    try {
      await catchUp();
    } catch (err) {
      fail(err);
    }
  }

  /** Reads the next older page (infinite scroll). */
  async function loadOlder() {
    const cur = list.value;
    if (!cur.loaded || cur.next === null || cur.binId === null || loadingOlder.value) return;
    loadingOlder.value = true;
    try {
      const page = await readPage(cur.binId, cur, cur.next);
      const now = list.value;
      if (!page || now.epoch !== cur.epoch || now.binId !== cur.binId || now.next !== cur.next) return;
      batch(() => {
        list.value = { ...now, items: mergeCaptures(now.items, page.captures, { tombstones }), next: page.next };
        bins.value = reconcileCount(bins.value, list.value);
      });
    } catch (err) {
      fail(err);
    } finally {
      loadingOlder.value = false;
    }
  }

  /** Selects a capture (null to close the detail) and fetches its detail once. */
  function selectCapture(id: string | null, opts: { open?: boolean } = {}) {
    batch(() => {
      selectedCaptureId.value = id;
      if (id !== null && opts.open) pane.value = 'detail';
    });
    if (id !== null) void loadDetail(id);
  }

  /**
   * Moves the selection through the filtered list (keyboard). Each step
   * replaces the address rather than adding to the history: Back after
   * walking through fifty captures goes to where the walk began.
   */
  function step(delta: number) {
    const id = moveSelection(filtered.value, selectedCaptureId.value, delta);
    if (id !== null && id !== selectedCaptureId.value) core.replacing(() => selectCapture(id));
  }

  return { loadingOlder, filter, filtered, tomb, catchUp, refreshVerdicts, setVerdictFilter, setSearch, loadOlder, selectCapture, step };
}
