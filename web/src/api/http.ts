/**
 * The HTTP transport: a small typed wrapper over same-origin `fetch`. Every
 * call goes through `apiFetch`, which sends the token (see token.ts) as
 * `Authorization: Bearer` and no cookies.
 *
 * Why not hono's typed `hc` client: it type-checks the routes but infers
 * the query validators' *output* types (`limit: number`) as inputs, so calls
 * need casts, and it ties the inspector's type-check to the server's
 * internals. The response shapes come from server/common/types.ts (type
 * imports only: no server code reaches the bundle).
 */
import type { ApiErrorBody, Bin, Capture, CapturePage, EventPage, MaskedSecret, WebhookEvent } from '../../../server/common/types.js';
import type { RespondPatch } from '../features/answers/answers.js';
import type { SecretPatchEntry, VerdictFilter } from '../features/secrets/secrets.js';
import type { CustomSchemeDef } from '../../../server/common/custom-scheme.js';
import type { CheckReport } from '../../../server/common/check.js';
import type { OutboxDelivery, OutboxPage, OutboxState, RetryPreset, WebhookTemplate } from '../../../server/common/types.js';
import { currentToken, type TokenVerdict } from './token.js';

/** `PATCH /api/bins/{id}`: each key optional. */
export interface BinPatch {
  name?: string;
  /** Merged into the bin's answer; null resets it to 200 `{"ok":true}`. */
  respond?: RespondPatch | null;
  /** Replaces the bin's secrets; an entry without `value` keeps that name's stored value. */
  secrets?: SecretPatchEntry[];
  /** Replaces the bin's own signature schemes. */
  schemes?: CustomSchemeDef[];
  /** The bin's own event key (a header or a JSON pointer); null: the built-in keys only. */
  eventKey?: { header: string | null; pointer: string | null } | null;
  /** Answer CORS preflights and let pages read the bin's answers. */
  cors?: boolean;
}

/** `GET /api/info`. */
export interface ServerInfo {
  version: string;
  /** The `--secret` secrets, masked: tried on every bin after its own. */
  globalSecrets: MaskedSecret[];
  /** `--schemes FILE`: users' own schemes for every bin (absent from an older server). */
  globalSchemes?: CustomSchemeDef[];
  /** `--forward`: the target of bins without their own `forwardTo` (password masked), or null. */
  forward?: { url: string; relay: boolean; insecure?: boolean } | null;
}

/** A failed API call. `status` 0 means hookbin could not be reached. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** True when the API refused us for want of the right token. */
export function isAuthError(err: unknown): boolean {
  return err instanceof ApiRequestError && err.status === 401;
}

/** A readable sentence for any failure. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The message of every failure to reach hookbin at all (status 0). */
export const UNREACHABLE_MESSAGE = 'hookbin is not reachable; is it still running?';

/** True when hookbin could not be reached at all (stopped, restarting, network down). */
export function isUnreachable(err: unknown): boolean {
  return err instanceof ApiRequestError && err.status === 0;
}

/**
 * The one way the inspector calls hookbin over HTTP: `fetch` with the token
 * as `Authorization: Bearer` (unless `init` sets one) and without cookies.
 * Returns the response whatever its status; a network failure throws
 * `ApiRequestError` status 0, an abort (via `init.signal`) rethrows as is.
 */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = currentToken();
  if (token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
  try {
    return await fetch(path, { ...init, headers, credentials: 'omit' });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new ApiRequestError(0, 'unreachable', UNREACHABLE_MESSAGE);
  }
}

/**
 * Asks hookbin whether it accepts `token` (`GET /api/info` with it as
 * `Authorization: Bearer`), before the inspector stores a token a link carried.
 */
export async function checkToken(token: string): Promise<TokenVerdict> {
  try {
    const res = await apiFetch('/api/info', { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
    await res.body?.cancel();
    return res.ok ? 'accepted' : res.status === 401 ? 'refused' : 'unknown';
  } catch {
    return 'unknown';
  }
}

function send(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return apiFetch(path, {
    method,
    headers: { ...(body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' }), ...extraHeaders },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Throws the API's error (`ApiRequestError` with its code and message) for a response that is not 2xx. */
export async function fail(res: Response): Promise<never> {
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as Partial<ApiErrorBody>;
    if (body.error) {
      code = body.error.code;
      message = body.error.message;
    }
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiRequestError(res.status, code, message);
}

async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  if (!res.ok) return fail(res);
  return (await res.json()) as T;
}

async function empty(method: string, path: string): Promise<void> {
  const res = await send(method, path);
  if (!res.ok) return fail(res);
}

const seg = encodeURIComponent;

/** A body as bytes, with what the server did to it. */
export interface BodyBytes {
  bytes: Uint8Array;
  /** `X-Hookbin-Decoded`: the encodings undone, or null for the raw body. */
  decoded: string | null;
  /** True when the decoded view stopped at the server's cap. */
  truncated: boolean;
  /** The whole body's size when a range was asked for (from `Content-Range`). */
  size?: number;
}

/** Bytes `[start, end)` of a stored body (`end` exclusive). */
export interface BodyRange {
  start: number;
  end: number;
}

/** How a body is read: with `range`, only those bytes (a `Range` request); `signal` aborts the read. */
export interface BodyRequest {
  range?: BodyRange;
  signal?: AbortSignal;
}

/**
 * A body answer as bytes. When a range was asked for and the answer is the
 * whole body (200: a server may ignore `Range`, as hookbin does for an empty
 * body), only the range of it is kept, so a caller always gets what it asked.
 * Throws the API's error for a status that is not 2xx.
 */
export async function readBodyAnswer(res: Response, range?: BodyRange): Promise<BodyBytes> {
  if (!res.ok) return fail(res);
  const decoded = res.headers.get('x-hookbin-decoded');
  const truncated = res.headers.get('x-hookbin-decoded-truncated') === 'true';
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (range && res.status !== 206) {
    // The whole body came: its length is the size (unless the decoded view stopped at its cap).
    return { bytes: bytes.slice(range.start, range.end), decoded, truncated, ...(truncated ? {} : { size: bytes.length }) };
  }
  const size = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1];
  return { bytes, decoded, truncated, ...(size === undefined ? {} : { size: Number(size) }) };
}

/** What the model needs from the API (the tests pass a fake). */
export interface Api {
  listBins(): Promise<Bin[]>;
  createBin(input: { id?: string; name?: string }): Promise<Bin>;
  updateBin(binId: string, patch: BinPatch): Promise<Bin>;
  deleteBin(binId: string): Promise<void>;
  /**
   * With `verdict`, only the captures of that verdict; with `q`, only those
   * whose body, headers, path or query hold its words (both server-side, so
   * pages stay full). `signal` aborts the request (a newer search replaced it).
   */
  listCaptures(binId: string, opts: { limit: number; before?: string; verdict?: VerdictFilter | null; q?: string; signal?: AbortSignal }): Promise<CapturePage>;
  getCapture(id: string): Promise<Capture>;
  deleteCapture(id: string): Promise<void>;
  clearBin(binId: string): Promise<void>;
  /** The stored body (or with `decoded`, its decoded view); with `range`, only those bytes (a `Range` request). */
  getBody(id: string, decoded: boolean, req?: BodyRequest): Promise<BodyBytes>;
  getInfo(): Promise<ServerInfo>;
  listPresets(): Promise<RetryPreset[]>;
  /**
   * Events, the latest delivered first, compared with `preset` (else the
   * one hookbin's own sender used, else the best match) and with the
   * schedule divided by `timeScale` (else the pace hookbin sent it at, else
   * 1); with `retriedOnly`, only events with more than one attempt.
   */
  listEvents(binId: string, opts: { limit: number; before?: string; preset?: string | null; timeScale?: number | null; retriedOnly?: boolean }): Promise<EventPage>;
}

/** The API path of a capture's exact body bytes (served as an attachment); read it with `Api.getBody`. */
export function bodyUrl(id: string, decoded = false): string {
  return `/api/captures/${seg(id)}/body${decoded ? '?decoded=true' : ''}`;
}

export const api: Api = {
  listBins: async () => (await json<{ bins: Bin[] }>('GET', '/api/bins')).bins,
  createBin: (input) => json<Bin>('POST', '/api/bins', input),
  updateBin: (binId, patch) => json<Bin>('PATCH', `/api/bins/${seg(binId)}`, patch),
  deleteBin: (binId) => empty('DELETE', `/api/bins/${seg(binId)}`),
  listCaptures: async (binId, { limit, before, verdict, q, signal }) => {
    const params = new URLSearchParams({ limit: String(limit) });
    if (before !== undefined) params.set('before', before);
    if (verdict) params.set('verdict', verdict);
    if (q) params.set('q', q);
    const res = await apiFetch(`/api/bins/${seg(binId)}/captures?${params}`, { headers: { accept: 'application/json' }, signal });
    if (!res.ok) return fail(res);
    return (await res.json()) as CapturePage;
  },
  getCapture: (id) => json<Capture>('GET', `/api/captures/${seg(id)}`),
  deleteCapture: (id) => empty('DELETE', `/api/captures/${seg(id)}`),
  clearBin: (binId) => empty('DELETE', `/api/bins/${seg(binId)}/captures`),
  getBody: async (id, decoded, { range, signal } = {}) => {
    // Bytes, not JSON: an error still comes as JSON, which `fail` reads whatever was accepted.
    const headers: Record<string, string> = { accept: '*/*' };
    if (range) headers.range = `bytes=${range.start}-${range.end - 1}`;
    return readBodyAnswer(await apiFetch(bodyUrl(id, decoded), { headers, signal }), range);
  },
  getInfo: () => json<ServerInfo>('GET', '/api/info'),
  listPresets: async () => (await json<{ presets: RetryPreset[] }>('GET', '/api/presets')).presets,
  listEvents: (binId, { limit, before, preset, timeScale, retriedOnly }) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before !== undefined) q.set('before', before);
    if (preset) q.set('preset', preset);
    // 1 is sent too: real time chosen over the pace hookbin's own sender used.
    if (timeScale != null) q.set('timeScale', String(timeScale));
    if (retriedOnly) q.set('retried', 'true');
    return json<EventPage>('GET', `/api/bins/${seg(binId)}/events?${q}`);
  },
};

/** `GET /api/bins/{binId}/events/{key}`: one event with its attempts (the captures that delivered it). */
export function getEvent(binId: string, key: string): Promise<WebhookEvent> {
  return json<WebhookEvent>('GET', `/api/bins/${seg(binId)}/events/${seg(key)}`);
}

// ------------------------------------------------------------------ the sender

/** `POST /api/send` and `POST /api/captures/{id}/resend` answer this (202). */
export interface Accepted {
  id: string;
  state: OutboxState;
  url: string;
}

/** A bin's forwarding, as `PATCH /api/bins/{id}` takes it. */
export interface ForwardPatch {
  forwardTo: string | null;
  forward?: { relay?: boolean; insecure?: boolean };
}

/** What the sender's model needs from the API (the tests pass a fake). */
export interface SenderApi {
  listTemplates(): Promise<WebhookTemplate[]>;
  listRetryPresets(): Promise<RetryPreset[]>;
  send(body: unknown): Promise<Accepted>;
  resend(captureId: string, body: unknown): Promise<Accepted>;
  /** Newest first; with `capture`, only the resends of that capture. */
  listOutbox(opts: { limit: number; before?: string; capture?: string }): Promise<OutboxPage>;
  getDelivery(id: string): Promise<OutboxDelivery>;
  cancelDelivery(id: string): Promise<OutboxDelivery>;
  setForward(binId: string, patch: ForwardPatch): Promise<Bin>;
}

export const senderApi: SenderApi = {
  listTemplates: async () => (await json<{ templates: WebhookTemplate[] }>('GET', '/api/templates')).templates,
  listRetryPresets: () => api.listPresets(),
  send: (body) => json<Accepted>('POST', '/api/send', body),
  resend: (captureId, body) => json<Accepted>('POST', `/api/captures/${seg(captureId)}/resend`, body),
  listOutbox: ({ limit, before, capture }) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before !== undefined) q.set('before', before);
    if (capture !== undefined) q.set('capture', capture);
    return json<OutboxPage>('GET', `/api/outbox?${q}`);
  },
  getDelivery: (id) => json<OutboxDelivery>('GET', `/api/outbox/${seg(id)}`),
  cancelDelivery: (id) => json<OutboxDelivery>('POST', `/api/outbox/${seg(id)}/cancel`, {}),
  setForward: (binId, patch) => json<Bin>('PATCH', `/api/bins/${seg(binId)}`, patch),
};

// ------------------------------------------------------------------ the endpoint check

/** `POST /api/check`: play the provider against `to` (see server/common/check.ts). */
export interface CheckBody {
  to: string;
  scheme: string;
  /** A value, or the name of a secret `bin` or `--secret` holds. */
  secret: string;
  template?: string;
  bin?: string;
  timeoutMs?: number;
  /** The URL the provider is configured with (a tunnel's), which URL-signed schemes sign instead of `to`. */
  publicUrl?: string;
}

/** What the "Check endpoint" panel needs from the API (the tests pass a fake). */
export interface CheckApi {
  /** Runs every check; the report whatever its verdict, or the API's error (400 for bad input). */
  runCheck(body: CheckBody): Promise<CheckReport>;
}

export const checkApi: CheckApi = {
  runCheck: (body) => json<CheckReport>('POST', '/api/check', body),
};
