/**
 * The text a capture search reads for one capture: its request line, its
 * query decoded, its header pairs, and the first SEARCH_BODY_BYTES of its
 * body's text, decoded first when compressed (gzip, deflate, br). A body that
 * is not UTF-8 text (binary, or an encoding hookbin cannot undo) adds
 * nothing, so random bytes never match a search.
 */
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Transform } from 'node:stream';
import { inlineEnd } from '../common/body-inline.js';
import type { HeaderPair } from '../common/types.js';
import { utf8OrNull } from '../common/text.js';

/** How much of a body's text (decoded) is searchable, in bytes. */
export const SEARCH_BODY_BYTES = 64 * 1024;
/** How much of a compressed body is read to decode its searchable text. */
export const SEARCH_COMPRESSED_BYTES = 4 * 1024 * 1024;

// A Map, not an object: a sender names the encoding (`constructor` must be unknown).
const DECODERS = new Map<string, () => Transform>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

/** What the text is built from: a stored capture's request and the start of its stored body. */
export interface SearchSource {
  method: string;
  path: string;
  query: string;
  headers: readonly HeaderPair[];
  /** The stored body's first bytes: at least SEARCH_BODY_BYTES of it, up to SEARCH_COMPRESSED_BYTES when compressed. */
  body: Buffer;
}

/** The last value of header `name` (case-insensitive), or null. */
function header(headers: readonly HeaderPair[], name: string): string | null {
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i]![0].toLowerCase() === name) return headers[i]![1];
  return null;
}

/** The Content-Encoding tokens to undo, outermost last; null when one is unknown. */
function encodingsOf(value: string | null): string[] | null {
  if (!value) return [];
  const tokens = value
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '' && t !== 'identity');
  return tokens.every((t) => DECODERS.has(t)) ? tokens : null;
}

/**
 * Decodes `input` with one decoder up to `cap` output bytes. What decoded
 * before an error is kept (a body cut short by --max-body, or read only in
 * part, still gives its start); a body that decodes to nothing gives null.
 */
function inflatePrefix(input: Buffer, make: () => Transform, cap: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const stream = make();
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(size === 0 ? null : Buffer.concat(chunks, size).subarray(0, cap));
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= cap) {
        stream.destroy();
        done();
      }
    });
    stream.on('end', done);
    stream.on('error', done);
    stream.end(input);
  });
}

/** The body's first `cap` decoded bytes, or null when it does not decode. */
async function decodePrefix(body: Buffer, encodings: readonly string[], cap: number): Promise<Buffer | null> {
  let bytes: Buffer | null = body;
  // The last applied is undone first; an inner layer may need more than `cap` of its outer one.
  for (let i = encodings.length - 1; i >= 0 && bytes; i--) {
    const stepCap = i === 0 ? cap : SEARCH_COMPRESSED_BYTES;
    let out: Buffer | null = await inflatePrefix(bytes, DECODERS.get(encodings[i]!)!, stepCap);
    // "deflate" is often sent raw, without the zlib wrapper.
    if (out === null && encodings[i] === 'deflate') out = await inflatePrefix(bytes, createInflateRaw, stepCap);
    bytes = out;
  }
  return bytes;
}

/** The first SEARCH_BODY_BYTES of `bytes` as text, or null when they are not UTF-8 text. */
function textPrefix(bytes: Buffer): string | null {
  const head = bytes.subarray(0, inlineEnd(bytes, SEARCH_BODY_BYTES));
  const text = utf8OrNull(head);
  // Control characters (but tab, line breaks and form feed) are no part of text anyone
  // searches: such a body is binary that happens to decode as UTF-8.
  return text === null || /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? null : text;
}

/** `a=b&c=d` with its escapes undone, or null when it is not a form body. */
function formText(text: string): string | null {
  if (!/^[^\s=&]+=/.test(text)) return null;
  try {
    return [...new URLSearchParams(text)].map(([k, v]) => `${k}=${v}`).join('\n');
  } catch {
    return null;
  }
}

/** `s` with percent escapes (and `+` as a space) undone, or null when that changes nothing or fails. */
function unescaped(s: string): string | null {
  try {
    const out = decodeURIComponent(s.replace(/\+/g, ' '));
    return out === s ? null : out;
  } catch {
    return null;
  }
}

/** The body's searchable text, or '' when it has none (binary, undecodable, empty). */
async function bodyText(source: SearchSource): Promise<string> {
  if (source.body.length === 0) return '';
  const encodings = encodingsOf(header(source.headers, 'content-encoding'));
  if (encodings === null) return '';
  const bytes = encodings.length === 0 ? source.body : await decodePrefix(source.body, encodings, SEARCH_BODY_BYTES);
  const text = bytes && textPrefix(bytes);
  if (!text) return '';
  const type = header(source.headers, 'content-type')?.toLowerCase() ?? '';
  const form = type.startsWith('application/x-www-form-urlencoded') ? formText(text) : null;
  return form && form !== text ? `${text}\n${form}` : text;
}

/**
 * The text a search reads for one capture (see the module's comment). The
 * request line and headers come first, then the body's text.
 */
export async function searchText(source: SearchSource): Promise<string> {
  const target = source.query ? `${source.path}?${source.query}` : source.path;
  const lines = [`${source.method} ${target}`];
  const query = source.query && unescaped(source.query);
  if (query) lines.push(query);
  for (const [name, value] of source.headers) lines.push(`${name}: ${value}`);
  const body = await bodyText(source);
  if (body) lines.push('', body);
  return lines.join('\n');
}
