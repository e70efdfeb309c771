import type { IncomingMessage } from 'node:http';
import type { HeaderPair } from '../common/types.js';

/** How many leading bytes of an oversized body are kept (capped by the limit). */
export const TRUNCATED_KEEP_BYTES = 64 * 1024;

/** A request as it arrived on the wire, before anything interprets it. */
export interface RawRequest {
  method: string;
  /** Header pairs in order, name case and duplicates kept. */
  headers: HeaderPair[];
  remoteAddress: string | null;
  httpVersion: string | null;
}

/** A body read under the size limit. */
export interface ReadBody {
  bytes: Buffer;
  /** The declared Content-Length when there is one, else the bytes received. */
  size: number;
  /** True when the body passed the limit and only its first bytes were kept. */
  truncated: boolean;
}

/** The request as Node read it off the socket: method, header pairs in order, peer and HTTP version. */
export function nodeRequest(incoming: IncomingMessage): RawRequest {
  const pairs: HeaderPair[] = [];
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  // A request a server received always has a method (only responses lack one).
  return {
    method: incoming.method!,
    headers: pairs,
    remoteAddress: normalizeAddress(incoming.socket.remoteAddress),
    httpVersion: incoming.httpVersion ?? null,
  };
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; anything else as it is; null when the socket has gone. */
export function normalizeAddress(address: string | undefined): string | null {
  if (!address) return null;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Where a raw request target points inside the ingress. */
export interface IngressTarget {
  /** The segment after `/b/`, undecoded; "" for `/b` and `/b/`. */
  binId: string;
  /** The path after `/b/{binId}`, raw; "" when none. */
  path: string;
  /** The raw query string without `?`. */
  query: string;
}

/**
 * Reads a raw target (`/b/{bin}/rest?query`, or the absolute form
 * `http://host/b/…`) without normalizing it, so `/b/a/../b` stays in bin
 * `a`. Null when the target is not under `/b`.
 */
export function parseIngressTarget(target: string): IngressTarget | null {
  let t = target;
  if (!t.startsWith('/')) {
    const scheme = t.indexOf('://');
    if (scheme === -1) return null;
    // The authority ends at the path, the query, the fragment or the end: what follows is the
    // origin-form target, and one without a path (`?…`, `#…`, nothing) is not under /b.
    const authority = t.slice(scheme + 3);
    t = authority.slice(authority.search(/[/?#]|$/));
  }
  const q = t.indexOf('?');
  const pathname = q === -1 ? t : t.slice(0, q);
  const query = q === -1 ? '' : t.slice(q + 1);
  if (pathname !== '/b' && !pathname.startsWith('/b/')) return null;
  const rest = pathname.slice(3);
  const slash = rest.indexOf('/');
  return slash === -1 ? { binId: rest, path: '', query } : { binId: rest.slice(0, slash), path: rest.slice(slash), query };
}

/** The first value of a header, matched case-insensitively, or null. */
export function headerValue(headers: readonly HeaderPair[], name: string): string | null {
  const lower = name.toLowerCase();
  for (const [n, v] of headers) if (n.toLowerCase() === lower) return v;
  return null;
}

/**
 * Reads a body of at most `maxBody` bytes. A body that declares a larger
 * Content-Length is not read past its first `TRUNCATED_KEEP_BYTES`; one that
 * grows past the limit without declaring it is cut there. Either way only the
 * first bytes are kept, so memory stays bounded by the limit. The stream is
 * left paused, not destroyed, so that a 413 can still be answered on it.
 */
export async function readBody(
  body: NodeReadable | null,
  declaredLength: number | null,
  maxBody: number,
): Promise<ReadBody> {
  if (!body) return { bytes: Buffer.alloc(0), size: 0, truncated: false };
  const keep = Math.min(TRUNCATED_KEEP_BYTES, maxBody);
  const oversized = declaredLength !== null && declaredLength > maxBody;
  const sink = new BodySink(oversized ? null : declaredLength);
  await collect(body, sink, oversized ? keep : maxBody);
  if (!oversized && sink.received <= maxBody) {
    return { bytes: sink.bytes(), size: sink.received, truncated: false };
  }
  // A copy of the kept bytes, so the rest of what arrived can be freed.
  return { bytes: Buffer.from(sink.bytes().subarray(0, keep)), size: declaredLength ?? sink.received, truncated: true };
}

/**
 * Gathers body chunks with as few copies as possible: a body that arrives in
 * one chunk is kept as it is; one whose length was declared is copied into a
 * buffer of that length as it arrives (so a 50 MiB body is held once, not as
 * chunks plus a joined copy); anything else is joined once at the end.
 */
class BodySink {
  received = 0;
  private first: Buffer | null = null;
  private whole: Buffer | null = null;
  private chunks: Buffer[] | null = null;

  constructor(private readonly expected: number | null) {}

  push(chunk: Buffer): void {
    const at = this.received;
    this.received += chunk.byteLength;
    if (at === 0) {
      this.first = chunk;
      return;
    }
    if (this.whole === null && this.chunks === null) {
      // A second chunk: from here on the body is gathered.
      const first = this.first!;
      this.first = null;
      // Which way the chunks are gathered changes the memory a body costs, not its bytes
      // (`npm run bench -- --only detail` measures that): no test can tell the two ways apart.
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent in bytes, see above
      if (this.expected !== null && this.received <= this.expected) {
        this.whole = Buffer.allocUnsafe(this.expected);
        first.copy(this.whole, 0);
      } else {
        this.chunks = [first];
      }
    }
    if (this.whole !== null) {
      if (this.received <= this.whole.byteLength) {
        chunk.copy(this.whole, at);
        return;
      }
      // More than declared (Node's parser never lets that through; a stream of another kind might): fall back to a list.
      this.chunks = [this.whole.subarray(0, at)];
      this.whole = null;
    }
    this.chunks!.push(chunk);
  }

  /** The bytes received so far, contiguous. */
  bytes(): Buffer {
    if (this.whole !== null) return this.whole.subarray(0, this.received);
    if (this.chunks !== null) return Buffer.concat(this.chunks, this.received);
    return this.first ?? Buffer.alloc(0);
  }
}

/** A Node stream: the IncomingMessage of a request. */
type NodeReadable = NodeJS.ReadableStream & { readableEnded?: boolean };

/** Feeds the stream into `sink` until it ends or more than `limit` bytes arrived. */
function collect(stream: NodeReadable, sink: BodySink, limit: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      sink.push(chunk);
      if (sink.received > limit) {
        stream.pause();
        done();
      }
    };
    const onEnd = () => done();
    // A client that hangs up or breaks its framing mid-body ("aborted",
    // ECONNRESET) is gone the same way: nobody is left to answer.
    const onError = (err: NodeJS.ErrnoException) => done(err.code === 'ECONNRESET' ? new BodyAbortedError() : err);
    // A client that hangs up mid-body: keep what arrived, as a truncated record would.
    const onClose = () => done(new BodyAbortedError());
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    if (stream.readableEnded) done();
  });
}

/** The client closed the connection before its body was complete. */
export class BodyAbortedError extends Error {
  constructor() {
    super('the client closed the connection before the body was complete');
  }
}

/** Parses a Content-Length header value; null when absent or not a plain number. */
export function parseContentLength(value: string | null): number | null {
  if (value === null || !/^\d{1,15}$/.test(value.trim())) return null;
  return Number(value.trim());
}
