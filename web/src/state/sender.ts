/**
 * The sender in the inspector: the composer's draft, the outbox and the
 * resends of captures, in @preact/signals. The pure functions at the top
 * (turn a draft into a request, merge outbox updates, prefill from a
 * template or a capture) hold the rules and are unit-tested in Node;
 * `createSenderModel` wires them to a `SenderApi`. The live feed's
 * `outbox.updated` goes to `apply`.
 */
import { isHttpToken } from '../../../server/common/http-syntax.js';
import { batch, signal } from '@preact/signals';
import type { Bin, Capture, HeaderPair, OutboxDelivery, OutboxSummary, RetryPreset, SchemeId, ServerMessage, WebhookTemplate } from '../../../server/common/types.js';
import type { SenderApi } from '../api/http.js';
import { errorMessage, isAuthError } from '../api/http.js';
import { MAX_ATTEMPTS, MAX_WAIT_MS } from '../../../server/common/limits.js';

// ---------------------------------------------------------------- pure state

/** The time scales the composer offers (waits are divided by them). */
export const TIME_SCALES: readonly number[] = [1, 60, 600, 3600];

export interface HeaderRow {
  name: string;
  value: string;
}

/** What the composer holds. */
export interface Draft {
  /** Set for "Edit and resend": the capture it came from (sent with `/resend`, so the outbox links it). */
  captureId: string | null;
  /** Whose secrets a secret name is looked up in (before the `--secret` ones). */
  binId: string | null;
  url: string;
  method: string;
  headers: HeaderRow[];
  body: string;
  /** The template the body came from, or null. */
  template: string | null;
  /** '' for unsigned. */
  scheme: SchemeId | '';
  /** The secret's value, or the name of a configured secret. */
  secret: string;
  /** A retry preset id, CUSTOM_SCHEDULE for `schedule`, or '' for one attempt. */
  preset: string;
  /** With CUSTOM_SCHEDULE: the waits before each attempt, ms, comma-separated as typed (as `hookbin send --schedule`). */
  schedule: string;
  timeScale: number;
  /** Per attempt, ms, as typed; '' for the default (the preset's, else 10 s). */
  timeoutMs: string;
  /** Do not verify an https target's certificate (sent only for https URLs). */
  insecure: boolean;
}

export function emptyDraft(binId: string | null = null, url = ''): Draft {
  return { captureId: null, binId, url, method: 'POST', headers: [], body: '', template: null, scheme: '', secret: '', preset: '', schedule: '0,1000,5000', timeScale: 60, timeoutMs: '', insecure: false };
}

/** `Draft.preset` for a schedule of the user's own (a colon: never a preset id). */
export const CUSTOM_SCHEDULE = ':custom';
/** The API's limits on a schedule, shared with the server. */
export { MAX_ATTEMPTS, MAX_WAIT_MS };

/**
 * Reads a typed schedule, "0, 1000, 5000": the wait before each attempt in
 * ms, whole numbers from 0 to 7 days, 1 to 50 of them. The schedule, or the
 * first thing wrong with it in words.
 */
export function parseSchedule(text: string): { ok: true; schedule: number[] } | { ok: false; error: string } {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 1 && parts[0] === '') return { ok: false, error: 'A schedule needs at least one wait, like 0,1000,5000 (ms before each attempt).' };
  if (parts.length > MAX_ATTEMPTS) return { ok: false, error: `A schedule has at most ${MAX_ATTEMPTS} attempts.` };
  const schedule: number[] = [];
  for (const [i, p] of parts.entries()) {
    const ms = /^\d{1,10}$/.test(p) ? Number(p) : Number.NaN;
    if (!(ms <= MAX_WAIT_MS)) return { ok: false, error: `Schedule entry ${i + 1} ("${p}") is not a whole number of ms from 0 to ${MAX_WAIT_MS} (7 days).` };
    schedule.push(ms);
  }
  return { ok: true, schedule };
}

/**
 * The draft with a template's method, headers, body, scheme and preset
 * (the target, secret, time scale and timeout stay).
 */
export function applyTemplate(d: Draft, t: WebhookTemplate): Draft {
  return {
    ...d,
    captureId: null,
    template: t.id,
    method: t.method,
    headers: t.headers.map(([name, value]) => ({ name, value })),
    body: t.body,
    scheme: t.scheme,
    preset: t.preset ?? '',
  };
}

/** Headers the sender sets itself (or drops): prefilling them from a capture would send the bin's values to the app. */
const NOT_RESENT = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'via']);

/**
 * A draft prefilled from a capture for "Edit and resend": its method, its
 * headers (less the ones the sender sets itself), its body as text, and
 * re-signed with the first scheme whose signature matched a configured
 * secret (by the secret's name; hookbin looks it up in the capture's bin).
 */
export function draftFromCapture(c: Capture, url: string, prev: Draft): Draft {
  const signed = c.signatures.find((s) => (s.status === 'valid' || s.status === 'expired') && s.secret !== null);
  return {
    ...prev,
    captureId: c.id,
    binId: c.binId,
    url,
    method: c.method,
    headers: c.headers.filter(([n]) => !NOT_RESENT.has(n.toLowerCase()) && !n.toLowerCase().startsWith('proxy-')).map(([name, value]) => ({ name, value })),
    body: c.body ?? '',
    template: null,
    scheme: signed ? signed.scheme : '',
    secret: signed?.secret ?? '',
    preset: '',
  };
}

/** A composed request ready for the API, or the first thing wrong with the draft. */
export type Built = { ok: true; route: 'send' | 'resend'; captureId: string | null; body: Record<string, unknown> } | { ok: false; error: string };

/** Checks a draft and turns it into the body of `POST /api/send` (or `/resend` for an edited capture). */
export function buildRequest(d: Draft): Built {
  const url = d.url.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: 'The target must be a whole URL, like http://localhost:3000/webhook.' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, error: 'The target must be an http:// or https:// URL.' };
  const method = d.method.trim();
  if (!isHttpToken(method)) return { ok: false, error: 'The method must be one word, like POST.' };
  const headers: HeaderPair[] = [];
  for (const [i, h] of d.headers.entries()) {
    const name = h.name.trim();
    if (name === '' && h.value === '') continue;
    if (!isHttpToken(name)) return { ok: false, error: `Header ${i + 1}: "${name}" is not a header name (letters, digits and - only).` };
    if (/[\r\n\0]/.test(h.value)) return { ok: false, error: `Header ${i + 1} (${name}): a value cannot hold a line break.` };
    headers.push([name, h.value]);
  }
  const body: Record<string, unknown> = { url, method, headers, body: d.body };
  if (d.scheme !== '') {
    if (d.secret.trim() === '') return { ok: false, error: `Signing with ${d.scheme} needs a secret: its value, or the name of a configured secret.` };
    body[d.captureId === null ? 'sign' : 'resign'] = { scheme: d.scheme, secret: d.secret.trim(), ...(d.binId !== null ? { bin: d.binId } : {}) };
  } else if (d.captureId !== null) {
    body.resign = false;
  }
  const retry: Record<string, unknown> = {};
  if (d.preset === CUSTOM_SCHEDULE) {
    const s = parseSchedule(d.schedule);
    if (!s.ok) return { ok: false, error: s.error };
    retry.schedule = s.schedule;
    retry.timeScale = d.timeScale;
  } else if (d.preset !== '') {
    retry.preset = d.preset;
    retry.timeScale = d.timeScale;
  }
  if (d.timeoutMs.trim() !== '') {
    const t = Number(d.timeoutMs.trim());
    if (!Number.isInteger(t) || t < 1 || t > 120_000) return { ok: false, error: 'The timeout is a whole number of milliseconds, 1 to 120000.' };
    retry.timeoutMs = t;
  }
  if (Object.keys(retry).length > 0) body.retry = retry;
  if (d.insecure && parsed.protocol === 'https:') body.insecure = true;
  return { ok: true, route: d.captureId === null ? 'send' : 'resend', captureId: d.captureId, body };
}

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

// ------------------------------------------------------------------ the store

export type DeliveryDetail = { state: 'loading' } | { state: 'ok'; delivery: OutboxDelivery } | { state: 'error'; message: string };

export interface OutboxState {
  items: OutboxSummary[];
  next: string | null;
  loaded: boolean;
  error: string | null;
}

/** Deliveries per outbox page. */
export const OUTBOX_PAGE = 50;

export type SenderModel = ReturnType<typeof createSenderModel>;

export interface SenderHooks {
  /** A bin changed (its forward target): hand it to the main model. */
  onBin?: (bin: Bin) => void;
  /** The API wants the token. */
  onAuth?: () => void;
}

export function createSenderModel(api: SenderApi, hooks: SenderHooks = {}) {
  const draft = signal<Draft>(emptyDraft());
  const templates = signal<WebhookTemplate[]>([]);
  const presets = signal<RetryPreset[]>([]);
  const outbox = signal<OutboxState>({ items: [], next: null, loaded: false, error: null });
  /** Deliveries opened in the outbox (whole: attempts, requests, replies). */
  const details = signal<ReadonlyMap<string, DeliveryDetail>>(new Map());
  const open = signal<ReadonlySet<string>>(new Set());
  /** The resends of captures whose detail asked for them, newest first. */
  const resends = signal<ReadonlyMap<string, OutboxSummary[]>>(new Map());
  const sending = signal(false);
  const sendError = signal<string | null>(null);
  /** The delivery the composer sent last. */
  const lastSent = signal<string | null>(null);

  const auth = (err: unknown) => {
    if (isAuthError(err)) hooks.onAuth?.();
  };

  const setDetail = (id: string, d: DeliveryDetail | null) => {
    const m = new Map(details.value);
    if (d) m.set(id, d);
    else m.delete(id);
    details.value = m;
  };

  const refreshing = new Map<string, boolean>();
  /** Fetches an open delivery again; calls while one runs coalesce into one more. */
  async function refreshDelivery(id: string): Promise<void> {
    if (refreshing.has(id)) {
      refreshing.set(id, true);
      return;
    }
    refreshing.set(id, false);
    try {
      do {
        refreshing.set(id, false);
        try {
          const delivery = await api.getDelivery(id);
          setDetail(id, { state: 'ok', delivery });
          absorb([delivery]);
        } catch (err) {
          auth(err);
          if (details.value.get(id)?.state !== 'ok') setDetail(id, { state: 'error', message: errorMessage(err) });
        }
      } while (refreshing.get(id));
    } finally {
      refreshing.delete(id);
    }
  }

  /** Summaries into the outbox and the resends lists they belong to. */
  function absorb(summaries: readonly OutboxSummary[]) {
    batch(() => {
      const cur = outbox.value;
      const items = mergeDeliveries(cur.items, summaries);
      if (items !== cur.items) outbox.value = { ...cur, items };
      let map: Map<string, OutboxSummary[]> | null = null;
      for (const s of summaries) {
        if (s.sourceCaptureId === null) continue;
        const list = (map ?? resends.value).get(s.sourceCaptureId);
        if (!list) continue;
        const merged = mergeDeliveries(list, [s]);
        if (merged !== list) (map ??= new Map(resends.value)).set(s.sourceCaptureId, merged);
      }
      if (map) resends.value = map;
    });
  }

  /** Applies a live message: an outbox update moves the lists and refetches an open delivery. */
  function apply(msg: ServerMessage) {
    if (msg.type === 'outbox.updated') {
      absorb([msg.delivery]);
      if (details.value.has(msg.delivery.id)) void refreshDelivery(msg.delivery.id);
    } else if (msg.type === 'outbox.deleted') {
      batch(() => {
        outbox.value = { ...outbox.value, items: outbox.value.items.filter((d) => d.id !== msg.id) };
        setDetail(msg.id, null);
      });
    }
  }

  /** Reads the newest page of the outbox into the list. */
  async function loadOutboxPage(): Promise<void> {
    try {
      const page = await api.listOutbox({ limit: OUTBOX_PAGE });
      const cur = outbox.value;
      outbox.value = { items: mergeDeliveries(cur.loaded ? cur.items : [], page.deliveries), next: cur.loaded ? cur.next : page.next, loaded: true, error: null };
    } catch (err) {
      auth(err);
      outbox.value = { ...outbox.value, loaded: true, error: errorMessage(err) };
    }
  }

  /** On start and every reconnect: the newest page, and every open delivery and capture's resends, which may have moved meanwhile. */
  async function loadOutbox(): Promise<void> {
    await loadOutboxPage();
    for (const id of details.value.keys()) void refreshDelivery(id);
    for (const id of resends.value.keys()) void loadResends(id);
  }

  async function loadOlder(): Promise<void> {
    const cur = outbox.value;
    if (cur.next === null) return;
    try {
      const page = await api.listOutbox({ limit: OUTBOX_PAGE, before: cur.next });
      outbox.value = { ...outbox.value, items: mergeDeliveries(outbox.value.items, page.deliveries), next: page.next };
    } catch (err) {
      auth(err);
    }
  }

  /** Opens or closes a delivery in the outbox; opening fetches it whole. */
  function toggle(id: string, want?: boolean) {
    const s = new Set(open.value);
    const opening = want ?? !s.has(id);
    if (opening) s.add(id);
    else s.delete(id);
    open.value = s;
    if (opening) {
      if (!details.value.has(id)) setDetail(id, { state: 'loading' });
      void refreshDelivery(id);
    } else {
      setDetail(id, null);
    }
  }

  /** The resends of one capture (`GET /api/outbox?capture=`), kept live after. */
  async function loadResends(captureId: string): Promise<void> {
    try {
      const page = await api.listOutbox({ limit: OUTBOX_PAGE, capture: captureId });
      const mine = page.deliveries.filter((d) => d.sourceCaptureId === captureId);
      const m = new Map(resends.value);
      m.set(captureId, mergeDeliveries(m.get(captureId) ?? [], mine));
      while (m.size > 50) m.delete(m.keys().next().value!);
      resends.value = m;
    } catch (err) {
      auth(err);
    }
  }

  let presetsAsked = false;
  /** Presets and templates for the composer, read once. */
  async function loadChoices(): Promise<void> {
    if (presetsAsked) return;
    presetsAsked = true;
    try {
      const [t, p] = await Promise.all([api.listTemplates(), api.listRetryPresets()]);
      batch(() => {
        templates.value = t;
        presets.value = p;
      });
    } catch (err) {
      presetsAsked = false;
      auth(err);
      sendError.value = errorMessage(err);
    }
  }

  /** Puts a template in the composer, rendered now (fresh ids and timestamps every time). */
  async function pickTemplate(id: string): Promise<void> {
    if (id === '') {
      draft.value = { ...draft.value, template: null };
      return;
    }
    try {
      const fresh = await api.listTemplates();
      templates.value = fresh;
      const t = fresh.find((x) => x.id === id);
      if (t) draft.value = applyTemplate(draft.value, t);
    } catch (err) {
      auth(err);
      sendError.value = errorMessage(err);
    }
  }

  /** Sends the draft; the new delivery opens in the outbox. Resolves to its id, or null (the error is in `sendError`). */
  async function send(): Promise<string | null> {
    const built = buildRequest(draft.value);
    if (!built.ok) {
      sendError.value = built.error;
      return null;
    }
    batch(() => {
      sending.value = true;
      sendError.value = null;
    });
    try {
      const res = built.route === 'resend' && built.captureId !== null ? await api.resend(built.captureId, built.body) : await api.send(built.body);
      lastSent.value = res.id;
      toggle(res.id, true);
      if (built.captureId !== null) void loadResends(built.captureId);
      // The new delivery is fetched by opening it; the rest of the outbox has not changed.
      void loadOutboxPage();
      return res.id;
    } catch (err) {
      auth(err);
      sendError.value = errorMessage(err);
      return null;
    } finally {
      sending.value = false;
    }
  }

  /** One click: the capture exactly as captured, to `url` (or the bin's forward target). Resolves to an error sentence, or null. */
  async function resendCapture(captureId: string, url?: string): Promise<string | null> {
    try {
      const target = url?.trim();
      await api.resend(captureId, target ? { url: target } : {});
      await loadResends(captureId);
      return null;
    } catch (err) {
      auth(err);
      return errorMessage(err);
    }
  }

  /** Opens the composer on a capture ("Edit and resend"). */
  function editCapture(c: Capture, url: string) {
    batch(() => {
      draft.value = draftFromCapture(c, url, draft.value);
      sendError.value = null;
    });
    void loadChoices();
  }

  /** Starts a new draft for a bin (keeps the target URL typed last). */
  function newDraft(binId: string | null) {
    draft.value = { ...emptyDraft(binId, draft.value.url), timeScale: draft.value.timeScale };
    sendError.value = null;
  }

  async function cancel(id: string): Promise<string | null> {
    try {
      const d = await api.cancelDelivery(id);
      absorb([d]);
      if (details.value.has(id)) setDetail(id, { state: 'ok', delivery: d });
      return null;
    } catch (err) {
      auth(err);
      return errorMessage(err);
    }
  }

  /** Sets a bin's forward target (null stops forwarding), relay and certificate check. Resolves to an error sentence, or null. */
  async function saveForward(binId: string, forwardTo: string | null, relay: boolean, insecure = false): Promise<string | null> {
    try {
      const bin = await api.setForward(binId, { forwardTo, forward: { relay, insecure } });
      hooks.onBin?.(bin);
      return null;
    } catch (err) {
      auth(err);
      return errorMessage(err);
    }
  }

  return {
    draft,
    templates,
    presets,
    outbox,
    details,
    open,
    resends,
    sending,
    sendError,
    lastSent,
    apply,
    loadOutbox,
    loadOlder,
    toggle,
    loadResends,
    loadChoices,
    pickTemplate,
    send,
    resendCapture,
    editCapture,
    newDraft,
    cancel,
    saveForward,
  };
}
