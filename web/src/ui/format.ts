/**
 * Small pure helpers for showing captures: sizes, times, query strings,
 * base64 and UTF-8. No DOM, no Preact: unit-tested in Node.
 */
import type { HeaderPair } from '../../../server/common/types.js';

/** `0 B`, `999 B`, `1.5 KiB`, `12 MiB`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** How long ago `iso` was, short: `now`, `42s`, `5m`, `3h`, `2d`, then the date. */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.floor((now - t) / 1000);
  if (s < 3) return 'now';
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ago`;
  const d = Math.floor(h / 24);
  if (d < 30) return `${d}d ago`;
  return iso.slice(0, 10);
}

/** A local, exact timestamp: `2026-11-23 10:59:41.257`. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** This browser's offset from UTC at `iso`, in minutes east (Berlin in winter: 60); 0 for a time that does not parse. */
export function localOffsetMinutes(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : -new Date(t).getTimezoneOffset();
}

/** An offset as people write a zone: `UTC`, `UTC+1`, `UTC+5:30`, `UTC−8` (a minus sign, not a hyphen). */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const a = Math.abs(minutes);
  const mm = a % 60;
  return `UTC${minutes < 0 ? '−' : '+'}${Math.floor(a / 60)}${mm === 0 ? '' : `:${String(mm).padStart(2, '0')}`}`;
}

/**
 * `iso` as ISO 8601 with an offset (`2026-11-23T11:59:41.257+01:00`), in
 * this browser's zone unless `offset` (minutes east) is given; `iso` as is
 * when it does not parse.
 */
export function isoWithOffset(iso: string, offset = localOffsetMinutes(iso)): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const a = Math.abs(offset);
  const p = (n: number) => String(n).padStart(2, '0');
  const suffix = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${p(Math.floor(a / 60))}:${p(a % 60)}`;
  return new Date(t + offset * 60_000).toISOString().slice(0, 23) + suffix;
}

/** The IANA name of this browser's zone (`Europe/Berlin`), or null when the browser does not say. */
export function zoneName(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

/** The hover text of a time: exact, with its offset and the zone's name (`2026-11-23T11:59:41.257+01:00, Europe/Berlin`). */
export function timeTitle(iso: string, zone: string | null = zoneName(), offset = localOffsetMinutes(iso)): string {
  const exact = isoWithOffset(iso, offset);
  return zone ? `${exact}, ${zone}` : exact;
}

/** `formatTimestamp` with its zone, so it reads right anywhere: `2026-11-23 10:59:41.257 UTC+1`. */
export function formatTimestampZoned(iso: string): string {
  return Number.isNaN(Date.parse(iso)) ? iso : `${formatTimestamp(iso)} ${formatOffset(localOffsetMinutes(iso))}`;
}

/** Control (C0, C1) and format characters: bidi overrides and isolates, zero-width ones, the BOM. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * `text` with each control or format character written out as `[U+202E]`.
 * For names a sender chose that are shown on one line (a part's filename):
 * a right-to-left override would otherwise make `invoice\u202Efdp.exe` read
 * as `invoiceexe.pdf`, and a zero-width character would hide a difference.
 */
export function revealInvisible(text: string): string {
  return text.replace(INVISIBLE, (ch) => `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

/**
 * Percent-decodes a query or form component (`+` is a space), tolerating
 * malformed escapes: a sequence that does not decode is kept as written.
 */
export function decodeComponent(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (seq) => {
      try {
        return decodeURIComponent(seq);
      } catch {
        return seq;
      }
    });
  }
}

/**
 * Parses a raw query string (or an `application/x-www-form-urlencoded` body)
 * into `[name, value]` pairs in order, duplicates kept. A leading `?` is
 * ignored; `a` (no `=`) gives `['a', '']`; empty segments (`a=1&&b=2`) are skipped.
 */
export function parseQuery(raw: string): [string, string][] {
  const s = raw.startsWith('?') ? raw.slice(1) : raw;
  const out: [string, string][] = [];
  if (s === '') return out;
  for (const part of s.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    out.push([decodeComponent(name), decodeComponent(value)]);
  }
  return out;
}

/** The first header named `name` (case-insensitive), or null. */
export function headerValue(headers: readonly HeaderPair[], name: string): string | null {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
  return null;
}

/** The `Content-Encoding`s that make a body need decoding (identity removed). */
export function contentEncodings(headers: readonly HeaderPair[]): string[] {
  const v = headerValue(headers, 'content-encoding');
  if (!v) return [];
  return v
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '' && t !== 'identity');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  t['-'.charCodeAt(0)] = 62;
  t['_'.charCodeAt(0)] = 63;
  return t;
})();

/** Decodes standard or URL-safe base64 (padding optional, whitespace ignored). */
export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/[\s=]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buf = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new Error('invalid base64');
    buf = (buf << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buf >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** Encodes bytes as standard padded base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + '=';
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as text when they are valid UTF-8, else null. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** `path?query` as it was requested (no `?` when the query is empty). */
export function pathWithQuery(path: string, query: string): string {
  return (path || '/') + (query !== '' ? `?${query}` : '');
}

/** A CSS class suffix for a status: `2xx`, `3xx`, `4xx`, `5xx` or `none`. */
export function statusClass(status: number | null): string {
  if (status === null || !Number.isFinite(status)) return 'none';
  const c = Math.floor(status / 100);
  return c >= 1 && c <= 5 ? `${c}xx` : 'none';
}
