import { z } from 'zod';
import type { RespondSettings } from './types.js';

/** Header names are HTTP tokens (RFC 9110). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header values: visible ASCII, Latin-1, space and tab; never CR, LF or NUL. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Headers hookbin computes itself; a configured value would corrupt framing. */
const RESERVED_RESPONSE_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

/** Response bodies a bin may be set to answer with. */
export const MAX_RESPOND_BODY = 1024 * 1024;

const headerMap = z
  .record(
    z.string().regex(HEADER_NAME, 'header names must be HTTP tokens'),
    z.string().max(8192).regex(HEADER_VALUE, 'header values must not contain CR, LF or NUL'),
  )
  .refine((h) => Object.keys(h).length <= 64, 'at most 64 headers')
  .refine(
    (h) => Object.keys(h).every((k) => !RESERVED_RESPONSE_HEADERS.has(k.toLowerCase())),
    `hookbin sets ${[...RESERVED_RESPONSE_HEADERS].join(', ')} itself`,
  );

/** `respond` as PATCH accepts it: every key optional, merged into the current one. */
export const respondPatchSchema = z
  .object({
    status: z.number().int().min(200).max(599),
    headers: headerMap,
    body: z.string().max(MAX_RESPOND_BODY),
  })
  .partial()
  .strict();

/** Settings stored per bin. Later capabilities add keys beside `respond`. */
export interface BinSettings {
  respond: RespondSettings;
}

/** What a new bin answers: 200 `{"ok":true}`. */
export function defaultRespond(): RespondSettings {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
}

/** Settings of a new bin. */
export function defaultSettings(): BinSettings {
  return { respond: defaultRespond() };
}

/**
 * Reads stored settings, filling what an older row lacks with defaults, so a
 * row written by an earlier version never breaks a newer one.
 */
export function normalizeSettings(stored: Partial<BinSettings> | undefined): BinSettings {
  return { respond: { ...defaultRespond(), ...(stored?.respond ?? {}) } };
}

/** Applies a validated `respond` patch: null resets to the default, keys merge. */
export function patchRespond(current: RespondSettings, patch: z.infer<typeof respondPatchSchema> | null): RespondSettings {
  if (patch === null) return defaultRespond();
  return { ...current, ...patch };
}
