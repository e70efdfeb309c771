/**
 * The inspector's state, in @preact/signals, composed of small slices: the
 * captures list (capture-list.ts), capture details (details.ts) and events
 * (events.ts) over the signals they share (core.ts). Their rules are pure
 * functions beside them (captures.ts, bins.ts), unit-tested in Node. This
 * module owns the bins and the live feed's side: `apply` takes each live
 * message, and `resync` runs on every (re)connect. Transports stay outside.
 */
import type { CustomSchemeDef } from '../../../server/common/custom-scheme.js';
import { batch, computed, signal } from '@preact/signals';
import { BIN_ID_PATTERN } from '../../../server/common/limits.js';
import type { Bin, ServerMessage } from '../../../server/common/types.js';
import type { RespondPatch } from '../features/answers/answers.js';
import type { Api, BinPatch, ServerInfo } from '../api/http.js';
import { ApiRequestError, errorMessage, getEvent, isAuthError, isUnreachable, UNREACHABLE_MESSAGE } from '../api/http.js';
import type { SecretPatchEntry } from '../features/secrets/secrets.js';
import { applyMessage, sortBins, type Snapshot } from './bins.js';
import { createCaptureList } from './capture-list.js';
import { createSearchBox } from './search.js';
import { emptyList, NO_FILTER, type ListState } from './captures.js';
import type { ConnStatus, Core, Pane, View } from './core.js';
import { createCompare } from './compare.js';
import { createDetails } from './details.js';
import { createEvents } from './events.js';

export * from './bins.js';
export * from './captures.js';
export * from './core.js';
export * from './events.js';

export type Model = ReturnType<typeof createModel>;

/** The app state and its actions over `api`. */
export function createModel(api: Api) {
  const bins = signal<Bin[]>([]);
  const binsLoaded = signal(false);
  const selectedBinId = signal<string | null>(null);
  const list = signal<ListState>(emptyList(null));
  const selectedCaptureId = signal<string | null>(null);
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
  const selectedBin = computed(() => bins.value.find((b) => b.id === selectedBinId.value) ?? null);

  const fail = (err: unknown) => {
    if (isAuthError(err)) authRequired.value = true;
    else error.value = errorMessage(err);
  };

  /** How many `replacing` calls are running: the address writer reads it (see Core.replacing). */
  let replaceDepth = 0;
  function replacing<T>(fn: () => T): T {
    replaceDepth++;
    try {
      return fn();
    } finally {
      replaceDepth--;
    }
  }
  /** True while an automatic change runs: its address replaces the history entry. */
  const isReplacing = () => replaceDepth > 0;

  const core: Core = { api, bins, selectedBinId, list, selectedCaptureId, pane, view, authRequired, error, fail, replacing };
  const detail = createDetails(core);
  const captures = createCaptureList(core, detail);
  const searchBox = createSearchBox(core, captures);
  const eventsSlice = createEvents(core);
  const compare = createCompare(core, detail.loadDetail, getEvent);
  const { details, setDetail, reloadDetail, loadDetail } = detail;
  const { filter, tomb, catchUp, refreshVerdicts, selectCapture } = captures;
  const { loadEvents, ensurePresets, scheduleEventsRefresh } = eventsSlice;

  const setSnapshot = (next: Snapshot) => {
    batch(() => {
      bins.value = next.bins;
      list.value = next.list;
    });
  };

  /** Applies a live message, then fixes the selection it may have removed. */
  function apply(msg: ServerMessage) {
    if (msg.type === 'captures.reverified') {
      void refreshVerdicts(msg.binId);
      return;
    }
    // Imported captures are the bin's newest rows: the list catches up as after a reconnect.
    if (msg.type === 'captures.imported') {
      if (msg.binId === selectedBinId.value) {
        scheduleEventsRefresh();
        void catchUpQuietly();
      }
      return;
    }
    // The app answered a forwarded capture: an open (or cached) detail shows the reply.
    if (msg.type === 'capture.forwarded' && details.value.get(msg.id)?.state === 'ok') void reloadDetail(msg.id);
    const touched =
      msg.type === 'capture.created' ? msg.capture.binId : msg.type === 'capture.deleted' || msg.type === 'captures.cleared' ? msg.binId : null;
    if (touched !== null && touched === selectedBinId.value) scheduleEventsRefresh();
    if (msg.type === 'capture.created') searchBox.captured(msg.capture.binId);
    const before = { bins: bins.value, list: list.value };
    const after = applyMessage(before, msg);
    if (msg.type === 'capture.deleted') {
      tomb(msg.id);
      compare.deleted(msg.id);
    }
    if (after === before) return;
    // What was shown is gone: the place it leaves for is not a step of the user's to go Back to.
    replacing(() => {
      batch(() => {
        setSnapshot(after);
        if (msg.type === 'capture.deleted' && selectedCaptureId.value === msg.id) selectedCaptureId.value = null;
        if (msg.type === 'captures.cleared' && after.list !== before.list) selectedCaptureId.value = null;
        if (msg.type === 'bin.deleted' && selectedBinId.value === msg.binId) {
          selectedBinId.value = null;
          selectedCaptureId.value = null;
        }
      });
      if (msg.type === 'bin.deleted' && selectedBinId.value === null && bins.value.length > 0) void selectBin(bins.value[0]!.id);
    });
    // The address named a bin that did not exist yet: now it does, so its captures can be read.
    if (msg.type === 'bin.created' && msg.bin.id === selectedBinId.value) void catchUpQuietly();
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
          if (sel === null) {
            if (fresh.length > 0) await replacing(() => selectBin(fresh[0]!.id, { keepPane: true }));
            else list.value = emptyList(null, list.value.epoch + 1);
          } else if (fresh.some((b) => b.id === sel)) {
            await catchUp();
          }
          // A selected bin that is not there (an address naming a deleted bin, or one not made
          // yet) stays selected: the page says so, and shows it once it is made.
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
        searchBox.reset();
      }
      selectedCaptureId.value = opts.captureId ?? null;
      if (!opts.keepPane) pane.value = 'list';
    });
    if (opts.captureId) void loadDetail(opts.captureId);
    // A bin hookbin does not have (a link to a deleted one), or an id no bin can have (a mistyped
    // link, asked before the bins are in): the page says so; nothing to read.
    if (!BIN_ID_PATTERN.test(binId) || (binsLoaded.value && !bins.value.some((b) => b.id === binId))) return;
    if (view.value === 'events') void loadEvents();
    await catchUpQuietly();
  }

  /** `catchUp`, telling failures except "no such bin", which the page already shows in place of the list. */
  async function catchUpQuietly() {
    try {
      await catchUp();
    } catch (err) {
      if (!(err instanceof ApiRequestError && err.status === 404)) fail(err);
    }
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
  function updateRespond(binId: string, patch: RespondPatch | null): Promise<string | null> {
    return updateBin(binId, { respond: patch });
  }

  /** Changes a bin's settings (its answer, event key, CORS) in one PATCH; resolves to an error sentence, or null. */
  async function updateBin(binId: string, patch: BinPatch): Promise<string | null> {
    try {
      apply({ type: 'bin.updated', bin: await api.updateBin(binId, patch) });
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

  /** Replaces a bin's own signature schemes; resolves to an error sentence, or null once saved. */
  async function saveSchemes(binId: string, schemes: CustomSchemeDef[]): Promise<string | null> {
    try {
      apply({ type: 'bin.updated', bin: await api.updateBin(binId, { schemes }) });
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
    loadingOlder: captures.loadingOlder,
    filtered: captures.filtered,
    filter,
    selectedCaptureId,
    selectedDetail: detail.selectedDetail,
    details,
    status,
    authRequired,
    linkRefused,
    error,
    pane,
    view,
    info,
    presets: eventsSlice.presets,
    events: eventsSlice.events,
    eventsPreset: eventsSlice.eventsPreset,
    eventsTimeScale: eventsSlice.eventsTimeScale,
    eventsRetriedOnly: eventsSlice.eventsRetriedOnly,
    loadingOlderEvents: eventsSlice.loadingOlderEvents,
    comparedWith: compare.comparedWith,
    // actions
    apply,
    resync,
    selectBin,
    loadOlder: captures.loadOlder,
    loadDetail,
    selectCapture,
    step: captures.step,
    deleteCapture,
    clearBin,
    createBin,
    renameBin,
    deleteBin,
    setVerdictFilter: captures.setVerdictFilter,
    /** The search box's hint (a word too short), or null. */
    searchHint: searchBox.hint,
    /** The search box's text changed: searched once typing pauses. */
    typeSearch(text: string) {
      filter.value = { ...filter.value, text };
      searchBox.typed(text);
    },
    /** Searches `text` at once (Enter), or shows every capture again (Escape with ''). */
    searchNow(text: string) {
      filter.value = { ...filter.value, text };
      searchBox.searchNow(text);
    },
    refreshVerdicts,
    updateRespond,
    updateBin,
    saveSecrets,
    saveSchemes,
    loadInfo,
    ensurePresets,
    loadEvents,
    loadOlderEvents: eventsSlice.loadOlderEvents,
    setEventsPreset: eventsSlice.setEventsPreset,
    setEventsTimeScale: eventsSlice.setEventsTimeScale,
    setEventsRetriedOnly: eventsSlice.setEventsRetriedOnly,
    setView,
    openCapture,
    compareWith: compare.compareWith,
    compareWithFirst: compare.compareWithFirst,
    replacing,
    isReplacing,
  };
}
