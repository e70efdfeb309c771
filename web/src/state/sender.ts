/**
 * The sender in the inspector: the composer's draft, the outbox and the
 * resends of captures, in @preact/signals. The rules are pure functions
 * beside it (draft.ts: turn a draft into a request, prefill from a template
 * or a capture; outbox.ts: merge updates, say a delivery's state), unit-tested
 * in Node; \`createSenderModel\` wires them to a \`SenderApi\`. The live feed's
 * \`outbox.updated\` goes to \`apply\`. The targets used last are remembered
 * per bin (targets.ts) and become the defaults.
 */
import { batch, signal } from '@preact/signals';
import type { Bin, Capture, OutboxSummary, RetryPreset, ServerMessage, WebhookTemplate } from '../../../server/common/types.js';
import type { SenderApi } from '../api/http.js';
import { errorMessage, isAuthError } from '../api/http.js';
import { applyTemplate, buildRequest, draftFromCapture, emptyDraft, targetUrlError, type Draft } from './draft.js';
import { mergeDeliveries, OUTBOX_PAGE, type DeliveryDetail, type OutboxState } from './outbox.js';
import { composerTarget, rememberTarget, targetStore, type TargetKind, type TargetStore } from './targets.js';

export * from './draft.js';
export * from './outbox.js';
export * from './targets.js';

export type SenderModel = ReturnType<typeof createSenderModel>;

export interface SenderHooks {
  /** A bin changed (its forward target): hand it to the main model. */
  onBin?: (bin: Bin) => void;
  /** The API wants the token. */
  onAuth?: () => void;
}

/**
 * The sender's state over `api`. `targets` keeps the remembered targets
 * (default: this browser's localStorage).
 */
export function createSenderModel(api: SenderApi, hooks: SenderHooks = {}, targetsStore: TargetStore = targetStore()) {
  const draft = signal<Draft>(emptyDraft());
  /** The targets used last, by bin: the composer's and the resend field's defaults. */
  const targets = signal(targetsStore.load());
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

  /** Keeps `url` as the bin's `kind` default (null forgets it), in the signal and the store. */
  const remember = (binId: string | null, kind: TargetKind, url: string | null) => {
    if (binId === null) return;
    const next = rememberTarget(targets.value, binId, kind, url, Date.now());
    if (next === targets.value) return;
    targets.value = next;
    targetsStore.save(next);
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

  /**
   * Sends the draft (to `to` instead of its target when given); the new
   * delivery opens in the outbox. Resolves to its id, or null (the error is in `sendError`).
   */
  async function send(to?: string): Promise<string | null> {
    const sent = to === undefined ? draft.value : { ...draft.value, url: to };
    const built = buildRequest(sent);
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
      // A look at what arrives in the bin itself is no new target: the one typed stays the default.
      if (to === undefined) remember(sent.binId, built.route, built.body.url as string);
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

  /**
   * One click: the capture exactly as captured, to `url` (or the bin's forward
   * target). With the capture's `binId`, the URL becomes that bin's resend
   * default (none: the forward target again). Resolves to an error sentence, or null.
   */
  async function resendCapture(captureId: string, url?: string, binId?: string): Promise<string | null> {
    const target = url?.trim();
    if (target) {
      const wrong = targetUrlError(target);
      if (wrong !== null) return wrong;
    }
    try {
      await api.resend(captureId, target ? { url: target } : {});
      remember(binId ?? null, 'resend', target || null);
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

  /**
   * Points a new request's draft at `bin` when it was another bin's: the
   * target becomes the one last sent to from this bin, else the bin's own URL.
   * An "Edit and resend" draft, and a draft already of this bin, stay as they are.
   */
  function draftForBin(bin: { id: string; url: string }) {
    const d = draft.value;
    if (d.binId === bin.id || d.captureId !== null) return;
    draft.value = { ...d, binId: bin.id, url: composerTarget(targets.value, bin) };
  }

  /**
   * "Send to this bin": the draft as it is, to the bin's own URL, so it
   * arrives as a capture there. The target field, and the target remembered
   * for the bin, stay as they were: the next Send goes where it would have.
   */
  function sendToBin(binUrl: string): Promise<string | null> {
    return send(binUrl);
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
    targets,
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
    draftForBin,
    sendToBin,
    newDraft,
    cancel,
    saveForward,
  };
}
