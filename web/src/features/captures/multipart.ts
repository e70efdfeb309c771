/**
 * A `multipart/*` body split into its parts, for the Parts view: pure, over
 * the raw bytes, and built for hostile input. It never throws; what it could
 * not make sense of it says in `notes`; the parts and the bytes of each header
 * block are bounded; lines may end in CRLF or a bare LF; a part's bytes are a
 * view into the body, never a copy.
 */
import { lossyUtf8 } from '../../../../server/common/text.js';
import { headerValue } from '../../ui/format.js';

/** At most this many parts are read; the rest are counted in a note. */
export const MAX_PARTS = 1000;
/** A part's header block longer than this is not read as headers. */
export const MAX_PART_HEADER_BYTES = 16 * 1024;
/** At most this many header lines are kept per part. */
export const MAX_PART_HEADERS = 100;
/** RFC 2046 allows 70; a longer boundary is taken up to this, a longer one still is refused. */
export const MAX_BOUNDARY_LENGTH = 200;
/** At most this many notes are said one by one (a part each can add one); the rest are counted. */
export const MAX_NOTES = 20;

/** One part of a multipart body. */
export interface MultipartPart {
  /** 1 for the first part. */
  index: number;
  /** The part's header lines as `[name, value]`, decoded as UTF-8 (invalid bytes as U+FFFD). */
  headers: [string, string][];
  /** `name` of its Content-Disposition, or null. */
  name: string | null;
  /** `filename` (or `filename*`) of its Content-Disposition, or null. */
  filename: string | null;
  /** Its Content-Type header, or null. */
  contentType: string | null;
  /** Where its content starts and ends in the body. */
  start: number;
  end: number;
  /** Its content: a view into the body. */
  bytes: Uint8Array;
  /** True when no boundary followed it: the body ended inside it (cut short, or only its first part is at hand). */
  incomplete: boolean;
}

/** What the parser made of a body. */
export interface Multipart {
  parts: MultipartPart[];
  /** What was odd, in words (no closing boundary, parts left out, a header block too long, …). */
  notes: string[];
}

/** The boundary a Content-Type names, and what was odd about it. */
export interface BoundaryFound {
  boundary: string | null;
  notes: string[];
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

/** Whether a Content-Type is `multipart/*` (form-data, mixed, related, …). */
export function isMultipart(contentType: string | null): boolean {
  return contentType !== null && /^\s*multipart\/[!#$%&'*+.^_`|~0-9a-z-]+\s*(;|$)/i.test(contentType);
}

/**
 * The `boundary` parameter of a Content-Type, quoted or not. Given twice, the
 * first counts (with a note); empty, longer than {@link MAX_BOUNDARY_LENGTH}
 * or holding a line break, it is refused (null, with a note).
 */
export function multipartBoundary(contentType: string | null): BoundaryFound {
  const notes: string[] = [];
  if (contentType === null) return { boundary: null, notes: ['no Content-Type'] };
  const found = headerParams(contentType)
    .filter(([k]) => k === 'boundary')
    .map(([, v]) => v);
  if (found.length === 0) return { boundary: null, notes: ['the Content-Type names no boundary'] };
  if (found.length > 1 && found.some((b) => b !== found[0])) notes.push(`the Content-Type names ${found.length} boundaries; the first is used`);
  const b = found[0]!;
  if (b === '' || b.length > MAX_BOUNDARY_LENGTH || /[\r\n]/.test(b)) {
    return { boundary: null, notes: [...notes, b === '' ? 'the boundary is empty' : 'the boundary is not one a sender could use (too long, or a line break)'] };
  }
  return { boundary: b, notes };
}

/**
 * The boundary a body's first line shows (`--boundary`), for a multipart body
 * whose Content-Type lost it; null when the body does not start that way.
 */
export function sniffBoundary(body: Uint8Array): string | null {
  if (body.length < 3 || body[0] !== DASH || body[1] !== DASH) return null;
  const lf = body.indexOf(LF, 2);
  const stop = lf === -1 ? -1 : lf > 2 && body[lf - 1] === CR ? lf - 1 : lf;
  if (stop <= 2 || stop - 2 > MAX_BOUNDARY_LENGTH) return null;
  const b = lossyUtf8(body.subarray(2, stop)).replace(/[ \t]+$/, '');
  return b === '' || b.includes('\uFFFD') ? null : b;
}

/** The first index ≥ `from` where `needle` starts in `hay`, or -1: candidates by the native indexOf of its first byte. */
function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/**
 * The next delimiter line at or after `from`: `--boundary` at the body's very
 * start or after a line break. Returns where the part before it ends (the
 * line break is not its content) and where the delimiter starts.
 */
function nextDelimiter(body: Uint8Array, dashBoundary: Uint8Array, from: number): { contentEnd: number; at: number } | null {
  if (from === 0 && indexOfBytes(body.subarray(0, dashBoundary.length), dashBoundary, 0) === 0) return { contentEnd: 0, at: 0 };
  // `\n--boundary`: the search steps from line break to line break, each compare stopping at the first byte that differs.
  const needle = new Uint8Array(dashBoundary.length + 1);
  needle[0] = LF;
  needle.set(dashBoundary, 1);
  const i = indexOfBytes(body, needle, Math.max(0, from - 1));
  if (i === -1) return null;
  return { contentEnd: i > from - 1 && i > 0 && body[i - 1] === CR ? i - 1 : i, at: i + 1 };
}

/** The end of the line that starts at `from` (the index after its LF), or -1 when no LF follows. */
function lineEnd(body: Uint8Array, from: number): number {
  const lf = body.indexOf(LF, from);
  return lf === -1 ? -1 : lf + 1;
}

/** Where a part's header block ends (after its blank line), searching no further than `limit`; -1 when none. */
function headerBlockEnd(body: Uint8Array, from: number, limit: number): number {
  // A part without headers starts with its blank line straight away.
  if (body[from] === LF) return from + 1;
  if (body[from] === CR && body[from + 1] === LF) return from + 2;
  for (let lf = body.indexOf(LF, from); lf !== -1 && lf < limit; lf = body.indexOf(LF, lf + 1)) {
    if (body[lf + 1] === LF) return lf + 2;
    if (body[lf + 1] === CR && body[lf + 2] === LF) return lf + 3;
  }
  return -1;
}

/** Header lines (`Name: value`, folded lines joined), at most MAX_PART_HEADERS of them. */
function parseHeaderLines(text: string): { headers: [string, string][]; cut: boolean } {
  const headers: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (const line of lines) {
    if (line === '') continue;
    const last = headers[headers.length - 1];
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    if (headers.length >= MAX_PART_HEADERS) return { headers, cut: true };
    const colon = line.indexOf(':');
    headers.push(colon === -1 ? [line, ''] : [line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { headers, cut: false };
}

/**
 * The `; key=value` parameters after a header's first token, keys lower-cased,
 * values unquoted (`"a \\"b\\""` → `a "b"`), in one pass (a hostile value costs
 * its length, however many `;` and quotes it holds); at most 50.
 */
export function headerParams(value: string): [string, string][] {
  const out: [string, string][] = [];
  let i = value.indexOf(';');
  // The next `=` is looked for again only once passed, so a run of `;;;…=` costs its length once.
  let eq = -1;
  while (i !== -1 && i < value.length && out.length < 50) {
    i++; // past `;`
    if (eq < i) eq = value.indexOf('=', i);
    const semi = value.indexOf(';', i);
    if (eq === -1) break;
    if (semi !== -1 && semi < eq) {
      i = semi; // a parameter without `=`: skipped
      continue;
    }
    const key = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (value[j] === ' ' || value[j] === '\t') j++;
    let v = '';
    if (value[j] === '"') {
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < value.length) j++;
        v += value[j];
        j++;
      }
      i = value.indexOf(';', j);
    } else {
      const end = value.indexOf(';', j);
      v = value.slice(j, end === -1 ? value.length : end).trim();
      i = end;
    }
    if (key !== '') out.push([key, v]);
  }
  return out;
}

/**
 * `name` and `filename` of a Content-Disposition value. `filename*`
 * (RFC 5987: `UTF-8''%E2%82%AC.txt`) wins over `filename` when it decodes.
 */
export function dispositionParams(value: string | null): { name: string | null; filename: string | null } {
  if (value === null) return { name: null, filename: null };
  const params = new Map<string, string>();
  for (const [k, v] of headerParams(value)) if (!params.has(k)) params.set(k, v);
  let filename = params.get('filename') ?? null;
  const extended = params.get('filename*');
  if (extended !== undefined) {
    const m = /^([^']*)'[^']*'(.*)$/.exec(extended);
    if (m && /^utf-8$/i.test(m[1]!)) {
      try {
        filename = decodeURIComponent(m[2]!);
      } catch {
        // A malformed escape: keep the plain filename.
      }
    }
  }
  return { name: params.get('name') ?? null, filename };
}

/**
 * Splits `body` at `boundary` (RFC 2046: `--boundary` lines, `--boundary--`
 * to close; anything before the first and after the last is left out, and
 * said so when it is more than whitespace). At most {@link MAX_PARTS} parts.
 */
export function parseMultipart(body: Uint8Array, boundary: string): Multipart {
  const notes: string[] = [];
  const parts: MultipartPart[] = [];
  try {
    splitParts(body, new TextEncoder().encode(`--${boundary}`), parts, notes);
  } catch (err) {
    // Not expected; but a body view must never take the page down with it.
    notes.push(`the body could not be read to the end: ${err instanceof Error ? err.message : String(err)}`);
  }
  // A thousand malformed parts would otherwise bury the parts under a thousand lines of notes;
  // the last note is the one about how the body ended, so it stays.
  if (notes.length > MAX_NOTES) {
    const hidden = notes.length - (MAX_NOTES - 1);
    notes.splice(MAX_NOTES - 2, hidden, `and ${hidden} more notes like these`);
  }
  return { parts, notes };
}

/** The parser's loop: fills `parts` and `notes`. */
function splitParts(body: Uint8Array, dashBoundary: Uint8Array, parts: MultipartPart[], notes: string[]): void {
  let d = nextDelimiter(body, dashBoundary, 0);
  if (d === null) {
    notes.push('the boundary never appears in the body');
    return;
  }
  if (d.contentEnd > 0 && !isBlank(body.subarray(0, d.contentEnd))) notes.push(`${d.contentEnd} bytes before the first boundary are not shown as a part`);
  for (;;) {
    const afterDelimiter = d.at + dashBoundary.length;
    if (body[afterDelimiter] === DASH && body[afterDelimiter + 1] === DASH) {
      const rest = lineEnd(body, afterDelimiter + 2);
      if (rest !== -1 && rest < body.length && !isBlank(body.subarray(rest))) notes.push(`${body.length - rest} bytes after the closing boundary are not shown as a part`);
      return;
    }
    const start = lineEnd(body, afterDelimiter);
    if (start === -1) {
      notes.push('the body ends on a boundary line with no closing boundary');
      return;
    }
    if (parts.length >= MAX_PARTS) {
      notes.push(`more than ${MAX_PARTS} parts: only the first ${MAX_PARTS} are shown`);
      return;
    }
    const next = nextDelimiter(body, dashBoundary, start);
    const end = next === null ? body.length : next.contentEnd;
    parts.push(readPart(body, parts.length + 1, start, Math.max(start, end), next === null, notes));
    if (next === null) {
      notes.push('no closing boundary: the body ends inside the last part');
      return;
    }
    d = next;
  }
}

/** One part between `start` and `end`: its header block (bounded) and its content. */
function readPart(body: Uint8Array, index: number, start: number, end: number, incomplete: boolean, notes: string[]): MultipartPart {
  const blockEnd = headerBlockEnd(body, start, Math.min(end, start + MAX_PART_HEADER_BYTES));
  let headers: [string, string][] = [];
  let contentStart = start;
  if (blockEnd === -1 || blockEnd > end) {
    notes.push(
      end - start > MAX_PART_HEADER_BYTES
        ? `part ${index}: no end of its headers in the first ${MAX_PART_HEADER_BYTES / 1024} KiB; shown whole as content`
        : `part ${index}: no blank line after its headers; shown whole as content`,
    );
  } else {
    const parsed = parseHeaderLines(lossyUtf8(body.subarray(start, blockEnd)));
    headers = parsed.headers;
    if (parsed.cut) notes.push(`part ${index}: more than ${MAX_PART_HEADERS} header lines; the first ${MAX_PART_HEADERS} are shown`);
    contentStart = blockEnd;
  }
  const { name, filename } = dispositionParams(headerValue(headers, 'content-disposition'));
  return {
    index,
    headers,
    name,
    filename,
    contentType: headerValue(headers, 'content-type'),
    start: contentStart,
    end,
    bytes: body.subarray(contentStart, end),
    incomplete,
  };
}

/** Whether bytes are only spaces, tabs and line breaks. */
function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== CR && b !== LF) return false;
  return true;
}

/**
 * A safe name to save a part as: the sender's filename without any directory,
 * control characters (C0 and C1), format characters (bidi overrides, which
 * make `invoice\u202Efdp.exe` read as `invoiceexe.pdf`; zero-width ones),
 * characters file systems refuse, leading dots or trailing dots and spaces
 * (Windows drops those, changing the extension), at most 120 characters;
 * else `fallback`.
 */
export function partFileName(filename: string | null, fallback: string): string {
  if (filename === null) return fallback;
  const base = filename.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\p{Cc}\p{Cf}<>:"|?*\uFFFD]/gu, '_')
    .replace(/^[.\s]+/, '')
    .slice(0, 120)
    .replace(/[.\s]+$/, '');
  return clean === '' ? fallback : clean;
}
