/**
 * The inspector's state, in @preact/signals. The pure functions at the top
 * (apply a live message, merge a page, filter) hold the rules and are
 * unit-tested in Node; `createModel` wires them to an `Api` and owns the
 * signals. Transports stay outside: the WebSocket feeds `apply`, and calls
 * `resync` on every (re)connect.
 */
import { batch, computed, signal } from '@preact/signals';
import type { Bin, Capture, CaptureSummary, RetryPreset, ServerMessage, WebhookEvent } from '../../../server/common/types.js';
import type { RespondPatch } from '../features/answers/answers.js';
import type { Api, ServerInfo } from '../api/http.js';
import { errorMessage, isAuthError, isUnreachable, UNREACHABLE_MESSAGE } from '../api/http.js';
import { matchesVerdict, type SecretPatchEntry, type VerdictFilter } from '../features/secrets/secrets.js';

// ---------------------------------------------------------------- pure state

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
}

/** Everything the live messages change. */
export interface Snapshot {
  bins: Bin[];
  list: ListState;
}

export function emptyList(binId: string | null, epoch = 0, verdict: VerdictFilter | null = null): ListState {
  return { binId, items: [], next: null, loaded: false, epoch, verdict };
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
  return list.binId === binId && list.verdict === null && list.loaded && list.next === null;
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
      const inList = s.list.binId === c.binId && matchesVerdict(c.verdict, s.list.verdict);
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
      const list = s.list.binId === msg.binId ? { ...emptyList(msg.binId, s.list.epoch + 1, s.list.verdict), loaded: true } : s.list;
      return { bins, list };
    }
    case 'capture.forwarded': {
      // A relaying bin answered with the app's reply: the row shows what the provider got.
      if (s.list.binId !== msg.binId) return s;
      const i = s.list.items.findIndex((x) => x.id === msg.id);
      if (i < 0 || s.list.items[i]!.status === msg.status) return s;
      const items = s.list.items.slice();
      items[i] = { ...items[i]!, status: msg.status };
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

/** The capture-list filters. */
export interface Filter {
  /** Free text, matched case-insensitively against method, path, query and content type. */
  text: string;
  /** One method (`POST`), or "" for all. */
  method: string;
}

export const NO_FILTER: Filter = { text: '', method: '' };

export function matchesFilter(c: CaptureSummary, f: Filter): boolean {
  if (f.method !== '' && c.method.toUpperCase() !== f.method.toUpperCase()) return false;
  const t = f.text.trim().toLowerCase();
  if (t === '') return true;
  const words = t.split(/\s+/);
  const hay = `${c.method} ${c.path}${c.query ? `?${c.query}` : ''} ${c.contentType ?? ''} ${c.status ?? ''}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** The captures that pass `f` (the same array when there is no filter). */
export function filterCaptures(items: CaptureSummary[], f: Filter): CaptureSummary[] {
  if (f.method === '' && f.text.trim() === '') return items;
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

// ------------------------------------------------------------------ the store

export type ConnStatus = 'connecting' | 'live' | 'reconnecting';
/** Which pane a narrow window shows. */
export type Pane = 'bins' | 'list' | 'detail';

export type DetailState = { state: 'loading' } | { state: 'ok'; capture: Capture } | { state: 'error'; message: string; gone: boolean };

/** What the bin's main area shows: its captures (list and detail), its events, what it answers, its secrets, or the sender (composer, outbox, forward). */
export type View = 'captures' | 'events' | 'answers' | 'secrets' | 'send';
export const VIEWS: readonly View[] = ['captures', 'events', 'answers', 'secrets', 'send'];

/** The events view's data: one bin's events compared with one preset (null: the best match per event). */
export interface EventsState {
  binId: string | null;
  preset: string | null;
  /** The schedule is divided by this (1: real time). */
  timeScale: number;
  /** The latest delivered first. */
  items: WebhookEvent[];
  next: string | null;
  loaded: boolean;
  error: string | null;
}

/** Events per page, and the most a refresh re-reads. */
export const EVENTS_PAGE = 50;
export const EVENTS_REFRESH_MAX = 500;
/** Live captures are batched into one events refresh per this many ms. */
export const EVENTS_REFRESH_DELAY_MS = 250;

/** Events of pages merged: unique by key, the first (newer) copy kept. */
export function mergeEvents(items: readonly WebhookEvent[], more: readonly WebhookEvent[]): WebhookEvent[] {
  const seen = new Set(items.map((e) => e.key));
  return items.concat(more.filter((e) => !seen.has(e.key) && (seen.add(e.key), true)));
}

/** Captures per page when scrolling back, and per page when catching up. */
export const PAGE_SIZE = 200;
/** Pages a resync reads at most to close the gap before it gives up on the old items. */
export const MAX_GAP_PAGES = 50;
const DETAIL_CACHE = 100;

export type Model = ReturnType<typeof createModel>;

/** The app state and its actions over `api`. */
export function createModel(api: Api) {
  const bins = signal<Bin[]>([]);
  const binsLoaded = signal(false);
  const selectedBinId = signal<string | null>(null);
  const list = signal<ListState>(emptyList(null));
  const loadingOlder = signal(false);
  const selectedCaptureId = signal<string | null>(null);
  const details = signal<ReadonlyMap<string, DetailState>>(new Map());
  const filter = signal<Filter>(NO_FILTER);
  const status = signal<ConnStatus>('connecting');
  const authRequired = signal(false);
  /** The address's `?token=` was refused by hookbin (the stored token, if any, was kept). */
  const linkRefused = signal(false);
  /** The last failure worth telling the user, or null. */
  const error = signal<string | null>(null);
  const pane = signal<Pane>('list');
  const view = signal<View>('captures');
  /** `/api/info`: the global secrets, masked. */
  const info = signal<ServerInfo | null>(null);
  const presets = signal<RetryPreset[]>([]);
  /** The preset the events are compared with; null = each event's best match. */
  const eventsPreset = signal<string | null>(null);
  const events = signal<EventsState>({ binId: null, preset: null, timeScale: 1, items: [], next: null, loaded: false, error: null });
  /** The time scale the deliveries were sent at, to compare them with the schedule divided by it; 1 = real time. */
  const eventsTimeScale = signal<number>(1);
  const loadingOlderEvents = signal(false);

  const filtered = computed(() => filterCaptures(list.value.items, filter.value));
  const selectedBin = computed(() => bins.value.find((b) => b.id === selectedBinId.value) ?? null);
  const selectedDetail = computed(() => (selectedCaptureId.value ? (details.value.get(selectedCaptureId.value) ?? null) : null));

  /** Ids deleted lately: a page fetched before the delete must not bring them back. */
  const tombstones = new Set<string>();
  const tomb = (id: string) => {
    tombstones.add(id);
    if (tombstones.size > 2000) tombstones.delete(tombstones.values().next().value!);
  };

  const fail = (err: unknown) => {
    if (isAuthError(err)) authRequired.value = true;
    else error.value = errorMessage(err);
  };

  const setSnapshot = (next: Snapshot) => {
    batch(() => {
      bins.value = next.bins;
      list.value = next.list;
    });
  };

  const setDetail = (id: string, d: DetailState | null) => {
    const m = new Map(details.value);
    m.delete(id);
    if (d) m.set(id, d);
    while (m.size > DETAIL_CACHE) m.delete(m.keys().next().value!);
    details.value = m;
  };

  /** Applies a live message, then fixes the selection it may have removed. */
  function apply(msg: ServerMessage) {
    if (msg.type === 'captures.reverified') {
      void refreshVerdicts(msg.binId);
      return;
    }
    // The app answered a forwarded capture: an open (or cached) detail shows the reply.
    if (msg.type === 'capture.forwarded' && details.value.get(msg.id)?.state === 'ok') void reloadDetail(msg.id);
    const touched =
      msg.type === 'capture.created' ? msg.capture.binId : msg.type === 'capture.deleted' || msg.type === 'captures.cleared' ? msg.binId : null;
    if (touched !== null && touched === selectedBinId.value) scheduleEventsRefresh();
    const before = { bins: bins.value, list: list.value };
    const after = applyMessage(before, msg);
    if (msg.type === 'capture.deleted') tomb(msg.id);
    if (after === before) return;
    batch(() => {
      setSnapshot(after);
      if (msg.type === 'capture.deleted' && selectedCaptureId.value === msg.id) selectedCaptureId.value = null;
      if (msg.type === 'captures.cleared' && after.list !== before.list) selectedCaptureId.value = null;
      if (msg.type === 'bin.deleted' && selectedBinId.value === msg.binId) {
        selectedBinId.value = null;
        selectedCaptureId.value = null;
      }
    });
    if (msg.type === 'bin.deleted' && selectedBinId.value === null && bins.value.length > 0) selectBin(bins.value[0]!.id);
  }

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
    for (let pages = 0; pages < MAX_GAP_PAGES; pages++) {
      const page = await api.listCaptures(binId, { limit: PAGE_SIZE, before, verdict: start.verdict });
      if (list.value.epoch !== start.epoch || list.value.binId !== binId) return;
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
      list.value = { ...cur, items, next: cursor, loaded: true };
      bins.value = reconcileCount(bins.value, list.value);
    });
    // Gone from the whole bin: deleted or pruned. (A filtered list just does not show it.)
    const sel = selectedCaptureId.value;
    if (sel !== null && complete && start.verdict === null && !items.some((c) => c.id === sel)) selectedCaptureId.value = null;
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
      const page = await api.listCaptures(binId, { limit: PAGE_SIZE, before, verdict: start.verdict });
      if (list.value.epoch !== start.epoch || list.value.binId !== binId) return;
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

  /** Fetches a capture again and swaps it in without a "Loading…" in between; a failure keeps what is shown. */
  async function reloadDetail(id: string) {
    try {
      const capture = await api.getCapture(id);
      setDetail(id, { state: 'ok', capture });
    } catch (err) {
      if (err instanceof Error && 'status' in err && (err as { status: number }).status === 404) setDetail(id, { state: 'error', message: errorMessage(err), gone: true });
    }
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
    list.value = emptyList(binId, list.value.epoch + 1, verdict);
    try {
      await catchUp();
    } catch (err) {
      fail(err);
    }
  }

  let resyncing: Promise<void> | null = null;
  let resyncAgain = false;

  /**
   * Refetches the bins and catches up on the selected bin. Called on every
   * (re)connect of the live feed; concurrent calls coalesce into one more run.
   */
  function resync(): Promise<void> {
    if (resyncing) {
      resyncAgain = true;
      return resyncing;
    }
    resyncing = (async () => {
      do {
        resyncAgain = false;
        try {
          const fresh = sortBins(await api.listBins());
          authRequired.value = false;
          // hookbin is back: an old "not reachable" toast is no longer true.
          if (error.value === UNREACHABLE_MESSAGE) error.value = null;
          batch(() => {
            bins.value = fresh;
            binsLoaded.value = true;
          });
          const sel = selectedBinId.value;
          if (sel === null || !fresh.some((b) => b.id === sel)) {
            if (fresh.length > 0) await selectBin(fresh[0]!.id, { keepPane: true });
            else {
              selectedBinId.value = null;
              list.value = emptyList(null, list.value.epoch + 1);
            }
          } else {
            await catchUp();
          }
          const current = selectedCaptureId.value;
          if (current && details.value.get(current)?.state === 'error') void loadDetail(current);
          void loadInfo();
          if (view.value === 'events') void loadEvents();
        } catch (err) {
          // A background refresh that cannot reach hookbin is what the status badge already
          // says ("Reconnecting…"); a toast for it would only linger after the server is back.
          if (!isUnreachable(err)) fail(err);
        }
      } while (resyncAgain);
    })().finally(() => {
      resyncing = null;
    });
    return resyncing;
  }

  /** Shows a bin: resets the list and reads its newest page. */
  async function selectBin(binId: string, opts: { keepPane?: boolean; captureId?: string | null } = {}) {
    batch(() => {
      if (selectedBinId.value !== binId || list.value.binId !== binId) {
        selectedBinId.value = binId;
        list.value = emptyList(binId, list.value.epoch + 1);
        filter.value = NO_FILTER;
      }
      selectedCaptureId.value = opts.captureId ?? null;
      if (!opts.keepPane) pane.value = 'list';
    });
    if (opts.captureId) void loadDetail(opts.captureId);
    if (view.value === 'events') void loadEvents();
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
      const page = await api.listCaptures(cur.binId, { limit: PAGE_SIZE, before: cur.next, verdict: cur.verdict });
      const now = list.value;
      if (now.epoch !== cur.epoch || now.binId !== cur.binId || now.next !== cur.next) return;
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

  async function loadDetail(id: string) {
    const have = details.value.get(id);
    if (have?.state === 'ok' || have?.state === 'loading') return;
    setDetail(id, { state: 'loading' });
    try {
      setDetail(id, { state: 'ok', capture: await api.getCapture(id) });
    } catch (err) {
      if (isAuthError(err)) authRequired.value = true;
      const gone = err instanceof Error && 'status' in err && (err as { status: number }).status === 404;
      setDetail(id, { state: 'error', message: errorMessage(err), gone });
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

  /** Moves the selection through the filtered list (keyboard). */
  function step(delta: number) {
    const id = moveSelection(filtered.value, selectedCaptureId.value, delta);
    if (id !== null && id !== selectedCaptureId.value) selectCapture(id);
  }

  async function deleteCapture(id: string) {
    const binId = list.value.binId;
    try {
      await api.deleteCapture(id);
    } catch (err) {
      if (!(err instanceof Error && 'status' in err && (err as { status: number }).status === 404)) return fail(err);
    }
    if (binId !== null) apply({ type: 'capture.deleted', binId, id });
    setDetail(id, null);
    if (pane.value === 'detail') pane.value = 'list';
  }

  async function clearBin(binId: string) {
    try {
      await api.clearBin(binId);
      apply({ type: 'captures.cleared', binId });
    } catch (err) {
      fail(err);
    }
  }

  /** Creates a bin and shows it; resolves to an error sentence, or null on success. */
  async function createBin(input: { id?: string; name?: string }): Promise<string | null> {
    try {
      const bin = await api.createBin(input);
      apply({ type: 'bin.created', bin });
      await selectBin(bin.id);
      return null;
    } catch (err) {
      if (isAuthError(err)) authRequired.value = true;
      return errorMessage(err);
    }
  }

  /** Changes what a bin answers (null: back to 200 `{"ok":true}`); resolves to an error sentence, or null. */
  async function updateRespond(binId: string, patch: RespondPatch | null): Promise<string | null> {
    try {
      apply({ type: 'bin.updated', bin: await api.updateBin(binId, { respond: patch }) });
      return null;
    } catch (err) {
      if (isAuthError(err)) authRequired.value = true;
      return errorMessage(err);
    }
  }

  /**
   * Replaces a bin's secrets (entries without `value` keep theirs). The
   * server answers once stored captures are re-judged; the verdicts shown
   * are refetched then (and again on the live `captures.reverified`).
   */
  async function saveSecrets(binId: string, secrets: SecretPatchEntry[]): Promise<string | null> {
    try {
      apply({ type: 'bin.updated', bin: await api.updateBin(binId, { secrets }) });
    } catch (err) {
      if (isAuthError(err)) authRequired.value = true;
      return errorMessage(err);
    }
    void refreshVerdicts(binId);
    return null;
  }

  /** `/api/info` (global secrets), refreshed on every resync: a restart may have changed them. */
  async function loadInfo() {
    try {
      info.value = await api.getInfo();
    } catch {
      // the secrets editor says it could not read them
    }
  }

  let presetsLoading = false;
  async function ensurePresets() {
    if (presets.value.length > 0 || presetsLoading) return;
    presetsLoading = true;
    try {
      presets.value = await api.listPresets();
    } catch (err) {
      if (!isUnreachable(err)) fail(err);
    } finally {
      presetsLoading = false;
    }
  }

  let eventsRequest = 0;

  /**
   * (Re)reads the selected bin's events with the chosen preset: as many as
   * are shown (at least a page), so a refresh does not shrink the view.
   * Answers to an older request, or for another bin or preset, are dropped.
   */
  async function loadEvents(): Promise<void> {
    const binId = selectedBinId.value;
    if (binId === null) return;
    const preset = eventsPreset.value;
    const timeScale = eventsTimeScale.value;
    const token = ++eventsRequest;
    const cur = events.value;
    const same = cur.binId === binId && cur.preset === preset && cur.timeScale === timeScale;
    if (!same) events.value = { binId, preset, timeScale, items: [], next: null, loaded: false, error: null };
    const limit = Math.min(EVENTS_REFRESH_MAX, Math.max(EVENTS_PAGE, same ? cur.items.length : 0));
    try {
      const page = await api.listEvents(binId, { limit, preset, timeScale });
      if (token !== eventsRequest) return;
      events.value = { binId, preset, timeScale, items: page.events, next: page.next, loaded: true, error: null };
    } catch (err) {
      if (token !== eventsRequest) return;
      if (isAuthError(err)) authRequired.value = true;
      events.value = { ...events.value, loaded: true, error: errorMessage(err) };
    }
  }

  async function loadOlderEvents() {
    const cur = events.value;
    if (cur.binId === null || cur.next === null || loadingOlderEvents.value) return;
    loadingOlderEvents.value = true;
    const token = eventsRequest;
    try {
      const page = await api.listEvents(cur.binId, { limit: EVENTS_PAGE, before: cur.next, preset: cur.preset, timeScale: cur.timeScale });
      if (token !== eventsRequest) return;
      events.value = { ...events.value, items: mergeEvents(events.value.items, page.events), next: page.next };
    } catch (err) {
      fail(err);
    } finally {
      loadingOlderEvents.value = false;
    }
  }

  let eventsTimer: ReturnType<typeof setTimeout> | undefined;
  /** A capture came or went: refresh the events view soon, once for a burst. */
  function scheduleEventsRefresh() {
    if (view.value !== 'events' || eventsTimer !== undefined) return;
    eventsTimer = setTimeout(() => {
      eventsTimer = undefined;
      void loadEvents();
    }, EVENTS_REFRESH_DELAY_MS);
  }

  function setEventsPreset(id: string | null) {
    if (eventsPreset.value === id) return;
    eventsPreset.value = id;
    void loadEvents();
  }

  /** Compares the events with the schedule divided by `scale` (a whole number from 1 to 10,000; others are ignored). */
  function setEventsTimeScale(scale: number) {
    if (!Number.isInteger(scale) || scale < 1 || scale > 10_000 || eventsTimeScale.value === scale) return;
    eventsTimeScale.value = scale;
    void loadEvents();
  }

  /** Switches the bin's view; a narrow window shows it in place of the list. */
  function setView(v: View) {
    batch(() => {
      view.value = v;
      if (pane.value === 'detail') pane.value = 'list';
    });
    if (v === 'events') {
      void ensurePresets();
      void loadEvents();
    }
  }

  /** From an event's dot: the capture of that attempt, in the captures view. */
  function openCapture(id: string) {
    batch(() => {
      view.value = 'captures';
      selectCapture(id, { open: true });
    });
  }

  async function renameBin(binId: string, name: string): Promise<string | null> {
    try {
      apply({ type: 'bin.updated', bin: await api.updateBin(binId, { name }) });
      return null;
    } catch (err) {
      if (isAuthError(err)) authRequired.value = true;
      return errorMessage(err);
    }
  }

  async function deleteBin(binId: string) {
    try {
      await api.deleteBin(binId);
    } catch (err) {
      if (!(err instanceof Error && 'status' in err && (err as { status: number }).status === 404)) return fail(err);
    }
    apply({ type: 'bin.deleted', binId });
    if (bins.value.length === 0) pane.value = 'bins';
  }

  return {
    // state
    bins,
    binsLoaded,
    selectedBinId,
    selectedBin,
    list,
    loadingOlder,
    filtered,
    filter,
    selectedCaptureId,
    selectedDetail,
    details,
    status,
    authRequired,
    linkRefused,
    error,
    pane,
    view,
    info,
    presets,
    events,
    eventsPreset,
    eventsTimeScale,
    loadingOlderEvents,
    // actions
    apply,
    resync,
    selectBin,
    loadOlder,
    loadDetail,
    selectCapture,
    step,
    deleteCapture,
    clearBin,
    createBin,
    renameBin,
    deleteBin,
    setVerdictFilter,
    refreshVerdicts,
    updateRespond,
    saveSecrets,
    loadInfo,
    ensurePresets,
    loadEvents,
    loadOlderEvents,
    setEventsPreset,
    setEventsTimeScale,
    setView,
    openCapture,
  };
}
