/**
 * The events view: one bin's events (its captures grouped by event key), each
 * compared with a provider's retry schedule, refreshed as captures arrive.
 * `mergeEvents` is its pure rule; `createEvents` the slice.
 */
import { signal } from '@preact/signals';
import type { RetryPreset, WebhookEvent } from '../../../server/common/types.js';
import { errorMessage, isAuthError, isUnreachable } from '../api/http.js';
import type { Core } from './core.js';
import { browserStorage, type KeyValueStorage } from './storage.js';

/** The events view's data: one bin's events compared with one preset (null: as hookbin sent them, else the best match per event). */
export interface EventsState {
  binId: string | null;
  preset: string | null;
  /** The schedule is divided by this (1: real time); null: at the pace hookbin sent them at, else real time. */
  timeScale: number | null;
  /** Only events with more than one attempt. */
  retriedOnly: boolean;
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

/** The localStorage key of the "Retried only" filter, which outlives a reload as the view's own setting. */
export const RETRIED_ONLY_KEY = 'hookbin.events.retriedOnly';

/** The "Retried only" filter as kept in `store`: on only when it says so; off when unset, unreadable or blocked. */
export function readRetriedOnly(store: KeyValueStorage | null): boolean {
  try {
    return store?.getItem(RETRIED_ONLY_KEY) === '1';
  } catch {
    return false;
  }
}

/** Keeps the filter in `store`; blocked storage only means it lasts as long as the page. */
export function writeRetriedOnly(store: KeyValueStorage | null, on: boolean): void {
  try {
    store?.setItem(RETRIED_ONLY_KEY, on ? '1' : '0');
  } catch {
    // Storage refused (private mode, quota): the filter still applies to this page.
  }
}

/** Events of pages merged: unique by key, the first (newer) copy kept. */
export function mergeEvents(items: readonly WebhookEvent[], more: readonly WebhookEvent[]): WebhookEvent[] {
  const seen = new Set(items.map((e) => e.key));
  return items.concat(more.filter((e) => !seen.has(e.key) && (seen.add(e.key), true)));
}

/** The events slice over `core`. */
export function createEvents(core: Core) {
  const { api, selectedBinId, view, authRequired, fail } = core;
  const presets = signal<RetryPreset[]>([]);
  /** The preset the events are compared with; null = each event's best match. */
  const eventsPreset = signal<string | null>(null);
  const events = signal<EventsState>({ binId: null, preset: null, timeScale: null, retriedOnly: false, items: [], next: null, loaded: false, error: null });
  /** The time scale the deliveries were sent at, to compare them with the schedule divided by it; 1 = real time; null = as hookbin sent them. */
  const eventsTimeScale = signal<number | null>(null);
  /** Only events with more than one attempt (off by default: a first delivery shows up too, as one compact row). */
  const eventsRetriedOnly = signal<boolean>(readRetriedOnly(browserStorage()));
  const loadingOlderEvents = signal(false);

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
    const retriedOnly = eventsRetriedOnly.value;
    const token = ++eventsRequest;
    const cur = events.value;
    const same = cur.binId === binId && cur.preset === preset && cur.timeScale === timeScale && cur.retriedOnly === retriedOnly;
    if (!same) events.value = { binId, preset, timeScale, retriedOnly, items: [], next: null, loaded: false, error: null };
    const limit = Math.min(EVENTS_REFRESH_MAX, Math.max(EVENTS_PAGE, same ? cur.items.length : 0));
    try {
      const page = await api.listEvents(binId, { limit, preset, timeScale, retriedOnly });
      if (token !== eventsRequest) return;
      events.value = { binId, preset, timeScale, retriedOnly, items: page.events, next: page.next, loaded: true, error: null };
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
      const page = await api.listEvents(cur.binId, { limit: EVENTS_PAGE, before: cur.next, preset: cur.preset, timeScale: cur.timeScale, retriedOnly: cur.retriedOnly });
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

  /**
   * Compares the events with the schedule divided by `scale` (a whole number
   * from 1 to 10,000; others are ignored), or null: at the pace hookbin's own
   * sender sent each event, else real time.
   */
  function setEventsTimeScale(scale: number | null) {
    if (scale !== null && (!Number.isInteger(scale) || scale < 1 || scale > 10_000)) return;
    if (eventsTimeScale.value === scale) return;
    eventsTimeScale.value = scale;
    void loadEvents();
  }

  /** Shows only events with more than one attempt, or all; kept for the next visit. */
  function setEventsRetriedOnly(on: boolean) {
    writeRetriedOnly(browserStorage(), on);
    if (eventsRetriedOnly.value === on) return;
    eventsRetriedOnly.value = on;
    void loadEvents();
  }

  return {
    presets,
    eventsPreset,
    events,
    eventsTimeScale,
    eventsRetriedOnly,
    loadingOlderEvents,
    ensurePresets,
    loadEvents,
    loadOlderEvents,
    scheduleEventsRefresh,
    setEventsPreset,
    setEventsTimeScale,
    setEventsRetriedOnly,
  };
}
