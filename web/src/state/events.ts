/**
 * The events view: one bin's events (its captures grouped by event key), each
 * compared with a provider's retry schedule, refreshed as captures arrive.
 * `mergeEvents` is its pure rule; `createEvents` the slice.
 */
import { signal } from '@preact/signals';
import type { RetryPreset, WebhookEvent } from '../../../server/common/types.js';
import { errorMessage, isAuthError, isUnreachable } from '../api/http.js';
import type { Core } from './core.js';

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

/** The events slice over `core`. */
export function createEvents(core: Core) {
  const { api, selectedBinId, view, authRequired, fail } = core;
  const presets = signal<RetryPreset[]>([]);
  /** The preset the events are compared with; null = each event's best match. */
  const eventsPreset = signal<string | null>(null);
  const events = signal<EventsState>({ binId: null, preset: null, timeScale: 1, items: [], next: null, loaded: false, error: null });
  /** The time scale the deliveries were sent at, to compare them with the schedule divided by it; 1 = real time. */
  const eventsTimeScale = signal<number>(1);
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

  return { presets, eventsPreset, events, eventsTimeScale, loadingOlderEvents, ensurePresets, loadEvents, loadOlderEvents, scheduleEventsRefresh, setEventsPreset, setEventsTimeScale };
}
