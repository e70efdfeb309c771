/**
 * `GET /api/captures/{id}/body`: a capture's exact stored bytes, streamed
 * part by part from the store (a 25 MiB body is never built whole for it),
 * with single `Range: bytes=…` requests (206, 416), or its decoded view.
 * A range over an empty body is ignored (200, no bytes): an empty body has no
 * satisfiable range, yet a client reading "the first N bytes" of it should
 * get nothing rather than an error (RFC 9110 lets a server ignore `Range`).
 */
import { ApiError } from '../errors.js';
import { decodeBody, DecodeError, MAX_DECODED_BYTES, parseEncodings } from '../decode.js';
import { bodyFileName } from '../../common/body-inline.js';
import type { Bodies, BodyLayout, Captures } from '../../store/index.js';

/** The largest piece read from SQLite per step of a stream. */
const CHUNK_BYTES = 256 * 1024;

/** A byte range, `end` exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What a `Range: bytes=…` header asks, before the body's size is known. */
export type RangeSpec = { start: number; last: number | null } | { suffix: number };

/**
 * The one range a `Range` header asks: null to serve the whole body (no
 * header, another unit, or several ranges, which a server may ignore), or
 * `'invalid'` for bad syntax. `bytes=a-b` and `bytes=a-` give a start and the
 * last byte (null: to the end), `bytes=-n` the last n bytes. Positions of any
 * length are read (RFC 9110 §14.1.2): one past every size is still a
 * position, so `bytes=0-9223372036854775807` means "to the end".
 */
export function parseRangeSpec(header: string | undefined): RangeSpec | null | 'invalid' {
  if (header === undefined) return null;
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return null;
  if (m[1]!.includes(',')) return null;
  const r = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(m[1]!);
  if (!r || (r[1] === '' && r[2] === '')) return 'invalid';
  // A number past 2^53 is rounded (or Infinity): still past any body, which is all that matters.
  if (r[1] === '') return { suffix: Number(r[2]) };
  const start = Number(r[1]);
  const last = r[2] === '' ? null : Number(r[2]);
  return last !== null && last < start ? 'invalid' : { start, last };
}

/**
 * The bytes a range spec takes of a body of `size` bytes: a range clamped to
 * the body (a last position at or past the end means the end), or
 * `'unsatisfiable'` (a start past the end, an empty suffix).
 */
export function resolveRange(spec: RangeSpec, size: number): ByteRange | 'unsatisfiable' {
  if ('suffix' in spec) return spec.suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - spec.suffix), end: size };
  if (spec.start >= size) return 'unsatisfiable';
  return { start: spec.start, end: spec.last === null ? size : Math.min(size, spec.last + 1) };
}

/**
 * What to serve of a body of `size` bytes for a parsed `Range`: null for the
 * whole body, a range (206), or `'unsatisfiable'` (416, bad syntax too). A
 * 0-byte body is served whole (200, empty) whatever the range: no range of
 * it exists, and an empty 200 is what a client asking for "the start" wants.
 */
export function chooseRange(spec: RangeSpec | null | 'invalid', size: number): ByteRange | null | 'unsatisfiable' {
  if (spec === null || size === 0) return null;
  return spec === 'invalid' ? 'unsatisfiable' : resolveRange(spec, size);
}

/** {@link parseRangeSpec} and {@link chooseRange} in one: null for the whole body. */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  return chooseRange(parseRangeSpec(header), size);
}

/**
 * A 416 answer, with `Content-Range: bytes *` + `/size` when the size is
 * known; without one when it is not (a decoded view that stopped before its
 * end): `*` is not a complete length a 416 may give, and a guess would lie.
 */
function unsatisfiable(headers: Record<string, string>, size: number | null): Response {
  return new Response(null, { status: 416, headers: size === null ? headers : { ...headers, 'Content-Range': `bytes */${size}` } });
}

/**
 * The bytes `[start, end)` of a stored body, read a piece at a time as the
 * client takes them. When the capture is deleted meanwhile the stream fails,
 * so the client sees a short body (Content-Length says so), never wrong bytes.
 */
export function bodyStream(store: Pick<Bodies, 'readBodyPart'>, layout: BodyLayout, range: ByteRange): ReadableStream<Uint8Array> {
  let at = range.start;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= range.end) return controller.close();
        // Find the part holding `at` (a body has at most a few dozen parts).
        let part = 0;
        let partStart = 0;
        while (partStart + layout.parts[part]! <= at) partStart += layout.parts[part++]!;
        const offset = at - partStart;
        const length = Math.min(CHUNK_BYTES, layout.parts[part]! - offset, range.end - at);
        const bytes = store.readBodyPart(layout.seq, part, offset, length);
        if (!bytes || bytes.length !== length) return controller.error(new Error('the capture was deleted while its body was being sent'));
        at += length;
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The first `length` bytes of capture `id`'s stored body (fewer when it is shorter), or undefined when it is missing. */
export function bodyPrefix(store: Pick<Bodies, 'bodyLayout' | 'readBodyPart'>, id: string, length: number): Buffer | undefined {
  const layout = store.bodyLayout(id);
  if (!layout) return undefined;
  const chunks: Buffer[] = [];
  let got = 0;
  for (let part = 0; part < layout.parts.length && got < length; part++) {
    if (layout.parts[part] === 0) continue;
    const bytes = store.readBodyPart(layout.seq, part, 0, Math.min(layout.parts[part]!, length - got));
    if (!bytes) return undefined;
    chunks.push(bytes);
    got += bytes.length;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, got);
}

/** Headers of every body answer: captured content is hostile, never let it render or run on hookbin's origin. */
function baseHeaders(id: string, contentType: string | null): Record<string, string> {
  return {
    'Content-Type': contentType ?? 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${bodyFileName(id)}"`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "sandbox; default-src 'none'",
    'Cache-Control': 'no-store',
  };
}

/** The capture's record and stored-body layout, or throws 404. */
function found<T>(value: T | undefined, id: string): T {
  if (value === undefined) throw new ApiError(404, 'capture_not_found', `there is no capture "${id}"`);
  return value;
}

/**
 * The stored bytes of capture `id` (a range of them when `rangeHeader` asks),
 * streamed from the store, or throws 404. `extra` headers go on the answer
 * (the decoded view's, when it is the stored bytes).
 */
export function storedBody(store: Bodies, id: string, rangeHeader: string | undefined, extra: Record<string, string> = {}): Response {
  const layout = found(store.bodyLayout(id), id);
  const headers = { ...baseHeaders(id, layout.contentType), 'Accept-Ranges': 'bytes', ...extra };
  const range = parseRange(rangeHeader, layout.size);
  if (range === 'unsatisfiable') return unsatisfiable(headers, layout.size);
  const sent = range ?? { start: 0, end: layout.size };
  const length = sent.end - sent.start;
  const rangeHeaders: Record<string, string> = range === null ? {} : { 'Content-Range': `bytes ${sent.start}-${sent.end - 1}/${layout.size}` };
  return new Response(length === 0 ? null : bodyStream(store, layout, sent), {
    status: range === null ? 200 : 206,
    headers: { ...headers, ...rangeHeaders, 'Content-Length': String(length) },
  });
}

/**
 * The body of capture `id` with its Content-Encodings undone, up to
 * `MAX_DECODED_BYTES`, or throws 404 / 422. Without a Content-Encoding the
 * view is the stored bytes, streamed as `storedBody` does (a 4 KiB range of
 * 25 MiB reads 4 KiB). Otherwise a range is decoded only as far as it
 * reaches (the first 256 KiB of a 16 MiB view cost 256 KiB), and
 * `Content-Range` gives the total as `*` when decoding stopped before the
 * end. A view cut at `MAX_DECODED_BYTES` has no known end: a suffix range
 * (`bytes=-n`) of it is refused (416) rather than served from the cut.
 */
export async function decodedBody(store: Bodies & Pick<Captures, 'getCapture'>, id: string, rangeHeader: string | undefined): Promise<Response> {
  const record = found(store.getCapture(id), id);
  const encodingHeader = record.headers.find(([n]) => n.toLowerCase() === 'content-encoding')?.[1] ?? null;
  const encodings = parseEncodings(encodingHeader);
  if (!encodings) throw new ApiError(422, 'unknown_encoding', `hookbin cannot decode Content-Encoding "${encodingHeader}"`);
  if (encodings.length === 0) return storedBody(store, id, rangeHeader, { 'X-Hookbin-Decoded': 'identity', 'X-Hookbin-Decoded-Truncated': 'false' });
  const body = found(store.getBody(id), id);
  const spec = parseRangeSpec(rangeHeader);
  // One byte past the range tells whether more follows.
  const cap = spec !== null && spec !== 'invalid' && 'start' in spec && spec.last !== null ? Math.min(MAX_DECODED_BYTES, spec.last + 2) : MAX_DECODED_BYTES;
  let result: Awaited<ReturnType<typeof decodeBody>>;
  try {
    result = await decodeBody(body.data, encodings, cap);
  } catch (err) {
    if (err instanceof DecodeError) throw new ApiError(422, 'decode_failed', err.message);
    throw err;
  }
  // Stopped at the decoded view's cap (a range decoded only as far as it needs is not cut).
  const cut = result.truncated && cap === MAX_DECODED_BYTES;
  const headers: Record<string, string> = {
    ...baseHeaders(id, body.contentType),
    'Accept-Ranges': 'bytes',
    'X-Hookbin-Decoded': encodings.join(', '),
    'X-Hookbin-Decoded-Truncated': String(cut),
  };
  const decoded = result.bytes;
  const known = result.truncated ? null : decoded.length;
  const range = cut && spec !== null && spec !== 'invalid' && 'suffix' in spec ? 'unsatisfiable' : chooseRange(spec, decoded.length);
  if (range === 'unsatisfiable') return unsatisfiable(headers, known);
  const sent = range === null ? decoded : decoded.subarray(range.start, range.end);
  if (range !== null) headers['Content-Range'] = `bytes ${range.start}-${range.end - 1}/${known ?? '*'}`;
  // A Buffer is a Uint8Array over an ArrayBuffer: no copy.
  return new Response(sent as Uint8Array<ArrayBuffer>, { status: range === null ? 200 : 206, headers });
}
