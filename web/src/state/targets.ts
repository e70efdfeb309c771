/**
 * Where the sender sends by default, remembered per bin in this browser:
 * the composer's last target and the last URL a capture was resent to. The
 * rules are pure (what a memory holds, what may go in it, which default wins),
 * unit-tested in Node; `targetStore` keeps the memory in localStorage (per
 * scheme, host and port, as the token is) under one bounded key.
 *
 * A URL is remembered only when it carries no credentials: a user or password
 * in it, a query or fragment parameter named like a token or key, or a path
 * that is itself the secret (Slack's, Discord's, Teams' incoming webhooks). localStorage is readable by
 * anything on this origin and outlives the page, so no secret goes there;
 * such a URL leaves the earlier one remembered.
 */

import { targetUrlError } from './draft.js';
import { browserStorage, type KeyValueStorage } from './storage.js';

/** The localStorage key of the memory (one JSON object, by bin id). */
export const TARGETS_KEY = 'hookbin.targets';
/** The most bins remembered; the ones used longest ago go first. */
export const MAX_REMEMBERED_BINS = 100;

/** Which default: the composer's target, or the URL a capture is resent to. */
export type TargetKind = 'send' | 'resend';

/** One bin's remembered URLs, and when one was last set (ms since the epoch, for pruning). */
export interface BinTargets {
  send?: string;
  resend?: string;
  at: number;
}

/** Remembered URLs by bin id. */
export type TargetMemory = Readonly<Record<string, BinTargets>>;

/** Query parameter names that usually carry a credential (`?token=`, `api_key`, `sig`, `X-Amz-Signature`…). */
const SECRET_PARAM = /token|secret|key|pass|pwd|auth|sig|credential|session/i;

/**
 * Incoming-webhook URLs whose path is the credential: whoever has one can
 * post as its owner (Slack's `hooks.slack.com/services/…`, Discord's
 * `/api/webhooks/<id>/<token>`, Microsoft Teams' `*.webhook.office.com`).
 */
function isSecretPathUrl(u: URL): boolean {
  const host = u.hostname.toLowerCase();
  return (
    host === 'hooks.slack.com' ||
    host === 'hooks.slack-gov.com' ||
    ((host === 'discord.com' || host.endsWith('.discord.com') || host === 'discordapp.com' || host.endsWith('.discordapp.com')) && /^\/api\/(v\d+\/)?webhooks\//i.test(u.pathname)) ||
    host.endsWith('.webhook.office.com')
  );
}

/**
 * Whether a URL may be kept in the browser's storage: a target the API takes
 * (`targetUrlError`) with no user or password, no query or fragment parameter
 * named like a credential (`#access_token=` is where OAuth's implicit flow
 * puts one), and not an incoming-webhook URL whose path is its secret.
 */
export function isRememberable(url: string): boolean {
  if (targetUrlError(url) !== null) return false;
  const u = new URL(url);
  if (u.username !== '' || u.password !== '') return false;
  const names = [...u.searchParams.keys(), ...new URLSearchParams(u.hash.slice(1)).keys()];
  if (names.some((name) => SECRET_PARAM.test(name))) return false;
  return !isSecretPathUrl(u);
}

/** Reads a stored memory; anything malformed (another version, a hand edit) is dropped, entry by entry. */
export function parseTargets(text: string | null): TargetMemory {
  if (text === null) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: Record<string, BinTargets> = {};
  for (const [binId, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'object' || v === null) continue;
    const e = v as Record<string, unknown>;
    const entry: BinTargets = { at: typeof e.at === 'number' && Number.isFinite(e.at) ? e.at : 0 };
    if (typeof e.send === 'string' && isRememberable(e.send)) entry.send = e.send;
    if (typeof e.resend === 'string' && isRememberable(e.resend)) entry.resend = e.resend;
    if (entry.send !== undefined || entry.resend !== undefined) out[binId] = entry;
  }
  return prune(out);
}

/** At most MAX_REMEMBERED_BINS entries, the most recently set kept. */
function prune(m: Record<string, BinTargets>): Record<string, BinTargets> {
  const ids = Object.keys(m);
  if (ids.length <= MAX_REMEMBERED_BINS) return m;
  const keep = ids.sort((a, b) => m[b]!.at - m[a]!.at).slice(0, MAX_REMEMBERED_BINS);
  return Object.fromEntries(keep.map((id) => [id, m[id]!]));
}

/**
 * The memory after a `kind` URL was used for a bin: `url` becomes the bin's
 * default; null (a resend to the forward target) forgets it, so the forward
 * target is the default again. A URL with credentials changes nothing.
 * Returns `m` itself when nothing changed.
 */
export function rememberTarget(m: TargetMemory, binId: string, kind: TargetKind, url: string | null, now: number): TargetMemory {
  const had = m[binId];
  if (url !== null && !isRememberable(url)) return m;
  if ((had?.[kind] ?? null) === url) return m;
  const entry: BinTargets = { ...had, at: now };
  if (url === null) delete entry[kind];
  else entry[kind] = url;
  const next: Record<string, BinTargets> = { ...m };
  if (entry.send === undefined && entry.resend === undefined) delete next[binId];
  else next[binId] = entry;
  return prune(next);
}

/** The composer's target for a bin: the last one sent to from it, else the bin's own URL (send to this bin, and see it arrive). */
export function composerTarget(m: TargetMemory, bin: { id: string; url: string }): string {
  return m[bin.id]?.send ?? bin.url;
}

/** The URL a capture of a bin is resent to by default: the last one used, else '' (the bin's forward target, if any). */
export function resendTarget(m: TargetMemory, binId: string): string {
  return m[binId]?.resend ?? '';
}

/** Where the memory lives. */
export interface TargetStore {
  load(): TargetMemory;
  save(m: TargetMemory): void;
}

export type { KeyValueStorage };

/**
 * The memory in `storage` (default localStorage) under TARGETS_KEY. Without
 * usable storage (blocked, full) it lasts as long as the page.
 */
export function targetStore(storage?: KeyValueStorage): TargetStore {
  let fallback: TargetMemory = {};
  const s = storage ?? browserStorage();
  return {
    load() {
      try {
        return s ? parseTargets(s.getItem(TARGETS_KEY)) : fallback;
      } catch {
        return fallback;
      }
    },
    save(m) {
      fallback = m;
      try {
        s?.setItem(TARGETS_KEY, JSON.stringify(m));
      } catch {
        // storage refused the write (full, blocked): the page keeps it
      }
    },
  };
}
