/**
 * `GET /api/captures/{id}/body`: a capture's exact stored bytes, streamed
 * part by part from the store (a 25 MiB body is never built whole for it),
 * with single `Range: bytes=…` requests (206, 416), or its decoded view.
 */
import { ApiError } from './errors.js';
import { decodeBody, DecodeError, parseEncodings } from './decode.js';
import type { BodyLayout, Store } from './store.js';

/** The largest piece read from SQLite per step of a stream. */
const CHUNK_BYTES = 256 * 1024;

/** A byte range, `end` exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The range a `Range` header asks of a body of `size` bytes: null to serve
 * the whole body (no header, another unit, or several ranges, which a server
 * may ignore), a range, or `'unsatisfiable'` (bad syntax, start past the end,
 * an empty suffix). `bytes=a-b` is clamped to the body, `bytes=a-` runs to
 * its end, `bytes=-n` is its last n bytes.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return null;
  if (m[1]!.includes(',')) return null;
  const r = /^\s*(\d{0,15})\s*-\s*(\d{0,15})\s*$/.exec(m[1]!);
  if (!r || (r[1] === '' && r[2] === '')) return 'unsatisfiable';
  if (r[1] === '') {
    const n = Number(r[2]);
    return n === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size };
  }
  const start = Number(r[1]);
  const last = r[2] === '' ? size - 1 : Number(r[2]);
  if (last < start || start >= size) return 'unsatisfiable';
  return { start, end: Math.min(size, last + 1) };
}

/**
 * The bytes `[start, end)` of a stored body, read a piece at a time as the
 * client takes them. When the capture is deleted meanwhile the stream fails,
 * so the client sees a short body (Content-Length says so), never wrong bytes.
 */
export function bodyStream(store: Store, layout: BodyLayout, range: ByteRange): ReadableStream<Uint8Array> {
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

/** Headers of every body answer: captured content is hostile, never let it render or run on hookbin's origin. */
function baseHeaders(id: string, contentType: string | null): Record<string, string> {
  return {
    'Content-Type': contentType ?? 'application/octet-stream',
    'Content-Disposition': `attachment; filename="capture-${id}.bin"`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "sandbox; default-src 'none'",
    'Cache-Control': 'no-store',
  };
}

/** The stored bytes of capture `id` (a range of them when `rangeHeader` asks), or throws 404. */
export function storedBody(store: Store, id: string, rangeHeader: string | undefined): Response {
  const layout = store.bodyLayout(id);
  if (!layout) throw new ApiError(404, 'capture_not_found', `there is no capture "${id}"`);
  const headers = { ...baseHeaders(id, layout.contentType), 'Accept-Ranges': 'bytes' };
  const range = parseRange(rangeHeader, layout.size);
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${layout.size}` } });
  }
  const whole = { start: 0, end: layout.size };
  const sent = range ?? whole;
  const length = sent.end - sent.start;
  const status = range === null ? 200 : 206;
  const rangeHeaders: Record<string, string> = range === null ? {} : { 'Content-Range': `bytes ${sent.start}-${sent.end - 1}/${layout.size}` };
  return new Response(length === 0 ? null : bodyStream(store, layout, sent), {
    status,
    headers: { ...headers, ...rangeHeaders, 'Content-Length': String(length) },
  });
}

/** The body of capture `id` with its Content-Encodings undone (up to the decode cap), or throws 404 / 422. */
export async function decodedBody(store: Store, id: string): Promise<Response> {
  const record = store.getCapture(id);
  const body = store.getBody(id);
  if (!record || !body) throw new ApiError(404, 'capture_not_found', `there is no capture "${id}"`);
  const encodingHeader = record.headers.find(([n]) => n.toLowerCase() === 'content-encoding')?.[1] ?? null;
  const encodings = parseEncodings(encodingHeader);
  if (!encodings) throw new ApiError(422, 'unknown_encoding', `hookbin cannot decode Content-Encoding "${encodingHeader}"`);
  try {
    const result = await decodeBody(body.data, encodings);
    // A Buffer is a Uint8Array over an ArrayBuffer: no copy.
    return new Response(result.bytes as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: {
        ...baseHeaders(id, body.contentType),
        'X-Hookbin-Decoded': encodings.join(', ') || 'identity',
        'X-Hookbin-Decoded-Truncated': String(result.truncated),
      },
    });
  } catch (err) {
    if (err instanceof DecodeError) throw new ApiError(422, 'decode_failed', err.message);
    throw err;
  }
}
