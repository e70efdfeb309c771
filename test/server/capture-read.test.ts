/**
 * The capture path's reading, below the routes: request targets, the
 * Content-Length header, peer addresses, and bodies read under the limit from
 * real Node streams and real web streams (as `app.request()` gives them),
 * including how reading ends (the end, the limit, a client that leaves).
 */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BodyAbortedError, normalizeAddress, parseContentLength, parseIngressTarget, readBody, TRUNCATED_KEEP_BYTES } from '../../server/capture/read.js';

describe('parseIngressTarget', () => {
  it.each<[string, ReturnType<typeof parseIngressTarget>]>([
    ['/b/abc', { binId: 'abc', path: '', query: '' }],
    ['/b/abc/x/y?z=1&w', { binId: 'abc', path: '/x/y', query: 'z=1&w' }],
    ['/b/a/../b', { binId: 'a', path: '/../b', query: '' }],
    ['/b', { binId: '', path: '', query: '' }],
    ['/b/', { binId: '', path: '', query: '' }],
    ['/b?x', { binId: '', path: '', query: 'x' }],
    ['/bin/abc', null],
    ['/api/bins', null],
    ['/', null],
    // The absolute form a proxy sends.
    ['http://example.com/b/abc/hook?q=1', { binId: 'abc', path: '/hook', query: 'q=1' }],
    ['https://user@example.com:8443/b/abc', { binId: 'abc', path: '', query: '' }],
    ['http://example.com', null],
    ['http://example.com/', null],
    ['http://example.com?/b/abc', null],
    ['http://example.com#/b/abc', null],
    ['http://example.com/api/bins', null],
    // Neither origin form nor absolute form.
    ['example.com/b/abc', null],
    ['b/abc', null],
    ['*', null],
  ])('%s → %j', (target, expected) => expect(parseIngressTarget(target)).toEqual(expected));
});

describe('parseContentLength', () => {
  it.each<[string | null, number | null]>([
    [null, null],
    ['', null],
    ['0', 0],
    ['12', 12],
    [' 12\t', 12],
    ['999999999999999', 999999999999999],
    ['1000000000000000', null],
    ['12a', null],
    ['a12', null],
    ['1 2', null],
    ['-1', null],
    ['1e3', null],
    ['0x10', null],
    ['12, 12', null],
  ])('%j → %j', (value, expected) => expect(parseContentLength(value)).toBe(expected));
});

describe('normalizeAddress', () => {
  it.each<[string | undefined, string | null]>([
    [undefined, null],
    ['', null],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::1', '::1'],
    ['::ffff:abcd', '::ffff:abcd'],
    ['fe80::ffff:1.2.3.4', 'fe80::ffff:1.2.3.4'],
    ['192.0.2.7', '192.0.2.7'],
  ])('%j → %j', (address, expected) => expect(normalizeAddress(address)).toBe(expected));
});

/** A real Node stream fed as it is read (like a socket with a slow sender), and how many bytes a reader took from it. */
function counted(chunks: Buffer[]): { stream: PassThrough; taken: () => number } {
  const stream = new PassThrough({ highWaterMark: 1 });
  let written = 0;
  let i = 0;
  const feed = () => {
    while (i < chunks.length) {
      written += chunks[i]!.length;
      if (!stream.write(chunks[i++]!)) break;
    }
    if (i < chunks.length) stream.once('drain', feed);
    else stream.end();
  };
  feed();
  // What was written and is not still waiting in the stream's buffers.
  return { stream, taken: () => written - stream.readableLength - stream.writableLength };
}

const chunked = (total: number, size: number): Buffer[] =>
  Array.from({ length: Math.ceil(total / size) }, (_, i) => Buffer.alloc(Math.min(size, total - i * size), i % 251));

describe('readBody from a Node stream', () => {
  it('reads a body of many chunks whole, declared or not', async () => {
    for (const declared of [null, 10_000]) {
      const chunks = chunked(10_000, 1000);
      const { stream } = counted(chunks);
      const r = await readBody(stream, declared, 1 << 20);
      expect(r).toMatchObject({ size: 10_000, truncated: false });
      expect(r.bytes.equals(Buffer.concat(chunks))).toBe(true);
    }
  });

  it('a declared Content-Length over the limit is not read past the first bytes kept', async () => {
    const max = 1 << 20;
    const { stream, taken } = counted(chunked(4 * max, 16 * 1024));
    const r = await readBody(stream, 4 * max, max);
    expect(r).toMatchObject({ size: 4 * max, truncated: true });
    expect(r.bytes.length).toBe(TRUNCATED_KEEP_BYTES);
    // The kept bytes and one chunk past them: a reader going on to the limit would take 1 MiB.
    expect(taken()).toBeLessThanOrEqual(TRUNCATED_KEEP_BYTES + 16 * 1024);
  });

  it('a body over the limit without a declared length is cut at the limit, the first bytes kept', async () => {
    const max = 256 * 1024;
    const chunks = chunked(4 * max, 16 * 1024);
    const { stream, taken } = counted(chunks);
    const r = await readBody(stream, null, max);
    expect(r.truncated).toBe(true);
    expect(r.size).toBeGreaterThan(max);
    expect(r.bytes.equals(Buffer.concat(chunks).subarray(0, TRUNCATED_KEEP_BYTES))).toBe(true);
    expect(taken()).toBeLessThanOrEqual(max + 16 * 1024);
  });

  it('leaves the stream paused with none of its listeners: data read later is not gathered', async () => {
    const { stream } = counted(chunked(1 << 20, 16 * 1024));
    const before = ['data', 'end', 'error', 'close'].map((e) => stream.listenerCount(e));
    await readBody(stream, null, 64 * 1024);
    expect(stream.isPaused()).toBe(true);
    expect(['data', 'end', 'error', 'close'].map((e) => stream.listenerCount(e))).toEqual(before);
  });

  it('a client that hangs up mid-body rejects with BodyAbortedError', async () => {
    const stream = new PassThrough();
    stream.write(Buffer.alloc(100));
    const read = readBody(stream, 1000, 1 << 20);
    setImmediate(() => stream.destroy());
    await expect(read).rejects.toThrow(new BodyAbortedError().message);
    expect(new BodyAbortedError().message).toBe('the client closed the connection before the body was complete');
  });

  it('ECONNRESET is a client that left; any other stream error is passed on', async () => {
    const reset = new PassThrough();
    const a = readBody(reset, null, 1024);
    reset.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await expect(a).rejects.toBeInstanceOf(BodyAbortedError);
    const other = new PassThrough();
    const b = readBody(other, null, 1024);
    other.destroy(Object.assign(new Error('something else'), { code: 'EPROTO' }));
    await expect(b).rejects.toThrow('something else');
  });

  it('a stream that has already ended reads as what it held: nothing', async () => {
    const stream = Readable.from([Buffer.from('gone')]);
    stream.resume();
    await new Promise((resolve) => stream.once('end', resolve));
    expect(stream.readableEnded).toBe(true);
    const r = await readBody(stream, null, 1024);
    expect(r).toEqual({ bytes: Buffer.alloc(0), size: 0, truncated: false });
  });

  it('no body reads as empty', async () => {
    expect(await readBody(null, null, 1024)).toEqual({ bytes: Buffer.alloc(0), size: 0, truncated: false });
  });
});

describe('readBody from a stream longer than it said', () => {
  it('is read whole, not cut to the declaration', async () => {
    // The second chunk is within the declared 15 bytes, the third goes past them.
    const chunks = [Buffer.from('01234'), Buffer.from('56789'), Buffer.from('abcdefghij'), Buffer.from('KLMNOPQRST')];
    const r = await readBody(Readable.from(chunks), 15, 1024);
    expect(r.bytes.toString()).toBe('0123456789abcdefghijKLMNOPQRST');
    expect(r).toMatchObject({ size: 30, truncated: false });
  });
});
