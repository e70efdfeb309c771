/**
 * The composer's draft, pure: what the form holds, prefilled from a template
 * or a capture, and turned into the request \`/api/send\` or a resend takes
 * (or one sentence on what is wrong). Unit-tested in Node.
 */
import { isHttpToken } from '../../../server/common/http-syntax.js';
import { MAX_ATTEMPTS, MAX_TARGET_URL_LENGTH, MAX_WAIT_MS } from '../../../server/common/limits.js';
import type { Capture, HeaderPair, SchemeId, WebhookTemplate } from '../../../server/common/types.js';

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
  /** A built-in scheme id, one of the user's own, or '' for unsigned. */
  scheme: string;
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

/**
 * What is wrong with a target URL as the API would judge it (absolute
 * http:// or https:// with a host, at most MAX_TARGET_URL_LENGTH characters),
 * in one sentence; null when it will do. `text` is taken as typed (trim first).
 */
export function targetUrlError(text: string): string | null {
  if (text === '') return 'Give a target URL, like http://localhost:3000/webhook.';
  if (text.length > MAX_TARGET_URL_LENGTH) return `The target URL is at most ${MAX_TARGET_URL_LENGTH} characters.`;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return 'The target must be a whole URL, like http://localhost:3000/webhook.';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'The target must be an http:// or https:// URL.';
  if (parsed.hostname === '') return 'The target URL needs a host, like localhost:3000.';
  return null;
}

/** Checks a draft and turns it into the body of `POST /api/send` (or `/resend` for an edited capture). */
export function buildRequest(d: Draft): Built {
  const url = d.url.trim();
  const urlError = targetUrlError(url);
  if (urlError !== null) return { ok: false, error: urlError };
  const parsed = new URL(url);
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
