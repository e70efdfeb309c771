/**
 * A 25 MiB capture through the real server (real HTTP, a real SQLite file):
 * its JSON inlines a bounded part of the body and says so; `/body` serves
 * every byte, and single byte ranges (206 / 416), from the stored parts.
 */
import { createHash, createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { INLINE_BODY_BYTES } from '../../server/common/body-inline.js';
import type { Capture } from '../../server/common/types.js';
import { cleanupTempDirs, expectJson, startServer, type TestServer } from '../support/helpers.js';

const MiB = 1024 * 1024;
const SIZE = 25 * MiB;

let server: TestServer;
let body: Buffer;
let id: string;

/** 25 MiB of a repeating 0–255 ramp with a multi-byte UTF-8 prefix: every offset's byte is known. */
function bigBody(): Buffer {
  const b = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i++) b[i] = (i * 7 + (i >> 16)) & 0xff;
  return b;
}

async function capture(bytes: Buffer, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${server.binUrl}/big`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body: bytes as Uint8Array<ArrayBuffer> });
  expect(res.status).toBe(200);
  return res.headers.get('x-hookbin-capture-id')!;
}

beforeAll(async () => {
  server = await startServer({ secrets: [{ name: 'main', value: 'main-secret' }] });
  body = bigBody();
  // A signature that does not match: the capture's detail diagnoses it, which must stay bounded too.
  id = await capture(body, { 'x-signature': createHmac('sha256', 'other').update('x').digest('hex') });
});

afterAll(async () => {
  await server?.close();
  cleanupTempDirs();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

afterEach(() => {
  vi.restoreAllMocks();
});

/** Watches the server's store: whether a whole body was read, and how many body bytes were read part by part. */
function watchReads() {
  const whole = vi.spyOn(server.store, 'getBody');
  const parts = vi.spyOn(server.store, 'readBodyPart');
  return {
    whole,
    partBytes: () => parts.mock.results.reduce((n, r) => n + ((r.value as Buffer | undefined)?.length ?? 0), 0),
  };
}

describe('GET /api/captures/{id} of a 25 MiB capture', () => {
  it('is small, inlines the first bytes and says the body is cut and how big it is', async () => {
    const res = await server.api(`/api/captures/${id}`);
    const text = await res.text();
    expect(res.status).toBe(200);
    // base64 of the inline part plus headers and verdicts: far below the 33+ MB of a whole body.
    expect(text.length).toBeLessThan(Math.ceil(INLINE_BODY_BYTES / 3) * 4 + INLINE_BODY_BYTES * 6 + 64 * 1024);
    const c = JSON.parse(text) as Capture;
    expect(c).toMatchObject({ bodySize: SIZE, storedSize: SIZE, truncated: false, bodyInline: { truncated: true } });
    expect(c.bodyInline.bytes).toBeGreaterThan(INLINE_BODY_BYTES - 4);
    expect(c.bodyInline.bytes).toBeLessThanOrEqual(INLINE_BODY_BYTES);
    const inline = Buffer.from(c.bodyBase64, 'base64');
    expect(inline.length).toBe(c.bodyInline.bytes);
    expect(inline.equals(body.subarray(0, inline.length))).toBe(true);
    // Judged and diagnosed, without trying re-serialized copies of 25 MiB.
    expect(c.signatures[0]).toMatchObject({ scheme: 'x-signature', status: 'invalid' });
    expect(c.signatures[0]!.diagnosis).toMatch(/too large to try it re-serialized/);
  });

  it('cuts a UTF-8 body before a character, never inside one, so the inline text is still text', async () => {
    // "é" is 2 bytes: a leading ASCII byte puts a character across the cap.
    const text = `a${'é'.repeat(INLINE_BODY_BYTES)}`;
    const cid = await capture(Buffer.from(text, 'utf8'), { 'content-type': 'text/plain; charset=utf-8' });
    const c = await expectJson<Capture>(server.api(`/api/captures/${cid}`));
    expect(c.bodyInline).toEqual({ bytes: INLINE_BODY_BYTES - 1, truncated: true });
    expect(c.body).toBe(text.slice(0, (INLINE_BODY_BYTES - 2) / 2 + 1));
  });

  it('reads an empty body, and an unsigned one, without reading the whole', async () => {
    const res = await fetch(`${server.binUrl}/empty`);
    const empty = await expectJson<Capture>(server.api(`/api/captures/${res.headers.get('x-hookbin-capture-id')}`));
    expect(empty).toMatchObject({ body: '', bodyBase64: '', bodyInline: { bytes: 0, truncated: false }, signatures: [] });
    const cid = await capture(body);
    const reads = watchReads();
    const c = await expectJson<Capture>(server.api(`/api/captures/${cid}`));
    // Its inline part, read part by part; never the 25 MiB.
    expect(reads.whole).not.toHaveBeenCalled();
    expect(reads.partBytes()).toBe(INLINE_BODY_BYTES + 1);
    expect(c.signatures).toEqual([]);
    expect(Buffer.from(c.bodyBase64, 'base64').equals(body.subarray(0, c.bodyInline.bytes))).toBe(true);
    expect(c.bodyInline.truncated).toBe(true);
  });

  it('inlines a body up to the cap whole, and says it is not cut', async () => {
    const small = Buffer.alloc(INLINE_BODY_BYTES, 0x61);
    const cid = await capture(small);
    const c = await expectJson<Capture>(server.api(`/api/captures/${cid}`));
    expect(c.bodyInline).toEqual({ bytes: INLINE_BODY_BYTES, truncated: false });
    expect(c.body).toBe(small.toString());
  });
});

describe('GET /api/captures/{id}/body of a 25 MiB capture', () => {
  it('serves every byte exactly, as an attachment that cannot render, and says ranges work', async () => {
    const res = await server.api(`/api/captures/${id}/body`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(SIZE));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="capture-${id}.bin"`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox/);
    const got = new Uint8Array(await res.arrayBuffer());
    expect(got.length).toBe(SIZE);
    expect(sha(got)).toBe(sha(body));
  });

  const ranges: [string, number, number][] = [
    ['bytes=0-15', 0, 16],
    // Across the boundary of the first stored part (1 MiB) and the second.
    [`bytes=${MiB - 5}-${MiB + 4}`, MiB - 5, MiB + 5],
    [`bytes=${12 * MiB + 3}-${12 * MiB + 4098}`, 12 * MiB + 3, 12 * MiB + 4099],
    ['bytes=-10', SIZE - 10, SIZE],
    [`bytes=${SIZE - 3 * MiB - 7}-`, SIZE - 3 * MiB - 7, SIZE],
    // An end past the body is clamped to it.
    [`bytes=${SIZE - 2}-${SIZE + 100}`, SIZE - 2, SIZE],
  ];
  it.each(ranges)('%s answers 206 with exactly those bytes and their Content-Range', async (range, start, end) => {
    const res = await server.api(`/api/captures/${id}/body`, { headers: { range } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end - 1}/${SIZE}`);
    expect(res.headers.get('content-length')).toBe(String(end - start));
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox/);
    const got = Buffer.from(await res.arrayBuffer());
    expect(got.equals(body.subarray(start, end))).toBe(true);
  });

  it.each([`bytes=${SIZE}-`, `bytes=${SIZE + 10}-${SIZE + 20}`, 'bytes=-0', 'bytes=10-5', 'bytes=abc', 'bytes=-'])(
    '%s answers 416 with the size in Content-Range',
    async (range) => {
      const res = await server.api(`/api/captures/${id}/body`, { headers: { range } });
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${SIZE}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    },
  );

  it('reads a last position of any length as "to the end", and a first one past the body as 416', async () => {
    const huge = await server.api(`/api/captures/${id}/body`, { headers: { range: `bytes=${SIZE - 100}-9223372036854775807` } });
    expect(huge.status).toBe(206);
    expect(huge.headers.get('content-range')).toBe(`bytes ${SIZE - 100}-${SIZE - 1}/${SIZE}`);
    expect(Buffer.from(await huge.arrayBuffer()).equals(body.subarray(SIZE - 100))).toBe(true);
    const longer = await server.api(`/api/captures/${id}/body`, { headers: { range: `bytes=${SIZE - 1}-${'9'.repeat(400)}` } });
    expect([longer.status, longer.headers.get('content-range')]).toEqual([206, `bytes ${SIZE - 1}-${SIZE - 1}/${SIZE}`]);
    await longer.arrayBuffer();
    const past = await server.api(`/api/captures/${id}/body`, { headers: { range: 'bytes=9223372036854775807-' } });
    expect([past.status, past.headers.get('content-range')]).toEqual([416, `bytes */${SIZE}`]);
  });

  it('answers a range of an empty body (stored or decoded) 200 with the empty body', async () => {
    const res = await fetch(`${server.binUrl}/empty`, { method: 'POST' });
    const cid = res.headers.get('x-hookbin-capture-id')!;
    const gzipped = await capture(gzipSync(Buffer.alloc(0)), { 'content-encoding': 'gzip' });
    for (const [what, path] of [
      ['stored', `/api/captures/${cid}/body`],
      ['decoded', `/api/captures/${cid}/body?decoded=true`],
      ['decoded gzip of nothing', `/api/captures/${gzipped}/body?decoded=true`],
    ]) {
      for (const range of ['bytes=0-', 'bytes=0-99', 'bytes=-5']) {
        const r = await server.api(path!, { headers: { range } });
        expect([r.status, r.headers.get('content-range'), await r.text()], `${what} ${range}`).toEqual([200, null, '']);
      }
    }
  });

  it('serves the whole body for a Range in another unit', async () => {
    const res = await server.api(`/api/captures/${id}/body`, { headers: { range: 'items=0-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(SIZE));
    await res.body?.cancel();
  });

  it('serves ranges of a small body (stored in one part) too', async () => {
    const cid = await capture(Buffer.from('hello, world'));
    const res = await server.api(`/api/captures/${cid}/body`, { headers: { range: 'bytes=7-' } });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('world');
    const none = await server.api(`/api/captures/${cid}/body`, { headers: { range: 'bytes=12-' } });
    expect(none.status).toBe(416);
  });
});

describe('a range over an empty body', () => {
  it('is ignored for an empty stored body: 200 with no bytes, not 416', async () => {
    const cid = await capture(Buffer.alloc(0));
    const res = await server.api(`/api/captures/${cid}/body`, { headers: { range: `bytes=0-${INLINE_BODY_BYTES}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBeNull();
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('is ignored for an empty decoded body (gzip of nothing): 200 with no bytes, not 416', async () => {
    const cid = await capture(gzipSync(Buffer.alloc(0)), { 'content-encoding': 'gzip' });
    const res = await server.api(`/api/captures/${cid}/body?decoded=true`, { headers: { range: `bytes=0-${INLINE_BODY_BYTES}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hookbin-decoded')).toBe('gzip');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('GET /api/captures/{id}/body?decoded=true with a range', () => {
  /** Text that decodes to `size` bytes, each line numbered, so every offset is checked. */
  const decodedText = (size: number) => {
    const lines: string[] = [];
    let n = 0;
    for (let total = 0; total < size; n++) {
      const line = `line ${n}\n`;
      lines.push(line);
      total += line.length;
    }
    return Buffer.from(lines.join('')).subarray(0, size);
  };

  it('decodes only as far as the range reaches, saying the total is not known (*)', async () => {
    const plain = decodedText(20 * MiB);
    const cid = await capture(gzipSync(plain), { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
    const res = await server.api(`/api/captures/${cid}/body?decoded=true`, { headers: { range: `bytes=0-${INLINE_BODY_BYTES}` } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 0-${INLINE_BODY_BYTES}/*`);
    expect(res.headers.get('x-hookbin-decoded')).toBe('gzip');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(plain.subarray(0, INLINE_BODY_BYTES + 1))).toBe(true);
    // A middle range of the view, and past the 16 MiB cap nothing is served.
    const mid = await server.api(`/api/captures/${cid}/body?decoded=true`, { headers: { range: `bytes=${5 * MiB}-${5 * MiB + 99}` } });
    expect(mid.status).toBe(206);
    expect(Buffer.from(await mid.arrayBuffer()).equals(plain.subarray(5 * MiB, 5 * MiB + 100))).toBe(true);
    const past = await server.api(`/api/captures/${cid}/body?decoded=true`, { headers: { range: `bytes=${17 * MiB}-` } });
    expect(past.status).toBe(416);
    // The view's length is not known (decoding stopped at the cap): no Content-Range rather than an invalid "*/*".
    expect(past.headers.get('content-range')).toBeNull();
    expect(past.headers.get('x-hookbin-decoded-truncated')).toBe('true');
    // Nor is its end: the last bytes of the first 16 MiB are not "the last bytes".
    const suffix = await server.api(`/api/captures/${cid}/body?decoded=true`, { headers: { range: 'bytes=-10' } });
    expect([suffix.status, suffix.headers.get('content-range')]).toEqual([416, null]);
  });

  it('streams a range of a body without Content-Encoding from the stored parts, never reading the whole', async () => {
    const reads = watchReads();
    const res = await server.api(`/api/captures/${id}/body?decoded=true`, { headers: { range: `bytes=${12 * MiB}-${12 * MiB + 4095}` } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${12 * MiB}-${12 * MiB + 4095}/${SIZE}`);
    expect(res.headers.get('x-hookbin-decoded')).toBe('identity');
    expect(res.headers.get('x-hookbin-decoded-truncated')).toBe('false');
    expect(Buffer.from(await res.arrayBuffer()).equals(body.subarray(12 * MiB, 12 * MiB + 4096))).toBe(true);
    expect(reads.whole).not.toHaveBeenCalled();
    expect(reads.partBytes()).toBe(4096);
  });

  it('gives the total when the decoded view ends within what was decoded', async () => {
    const plain = decodedText(300_000);
    const cid = await capture(gzipSync(plain), { 'content-encoding': 'gzip' });
    const res = await server.api(`/api/captures/${cid}/body?decoded=true`, { headers: { range: 'bytes=0-999999' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 0-299999/300000`);
    expect(Buffer.from(await res.arrayBuffer()).equals(plain)).toBe(true);
    const tail = await server.api(`/api/captures/${cid}/body?decoded=true`, { headers: { range: 'bytes=-6' } });
    expect(tail.status).toBe(206);
    expect(await tail.text()).toBe(plain.subarray(-6).toString());
  });
});


describe('a capture deleted while its body is being sent', () => {
  it('ends the answer short (never with wrong bytes), and the server carries on', async () => {
    const cid = await capture(body);
    const res = await server.api(`/api/captures/${cid}/body`);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect((await server.api(`/api/captures/${cid}`, { method: 'DELETE' })).status).toBe(204);
    let got = first.value!.length;
    const prefix: Uint8Array[] = [first.value!];
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        got += value.length;
        prefix.push(value);
      }
    } catch {
      // The connection was cut: that is the expected end.
    }
    expect(got).toBeLessThan(SIZE);
    expect(Buffer.concat(prefix).equals(body.subarray(0, got))).toBe(true);
    expect((await server.api('/api/health')).status).toBe(200);
  });
});
