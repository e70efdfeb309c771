/**
 * The inspector's body reads (web/src/api/http.ts getBody): what it asks for and
 * what it makes of the answer, with `fetch` replaced by one that records the
 * request and answers with a real `Response`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, readBodyAnswer } from '../../web/src/api/http.js';
import { downloadBody } from '../../web/src/api/download.js';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('readBodyAnswer', () => {
  it('keeps a 206 as it came, with the size from Content-Range', async () => {
    const res = new Response(bytes(10), { status: 206, headers: { 'content-range': 'bytes 0-9/100' } });
    const got = await readBodyAnswer(res, { start: 0, end: 10 });
    expect(got.bytes).toEqual(bytes(10));
    expect(got.size).toBe(100);
  });

  it('takes only the range asked for out of a 200 answer (the whole body: a server may ignore Range)', async () => {
    const whole = bytes(5000);
    const got = await readBodyAnswer(new Response(whole, { status: 200 }), { start: 4096, end: 8192 });
    expect(got.bytes).toEqual(whole.subarray(4096, 5000));
    expect(got.size).toBe(5000);
    const first = await readBodyAnswer(new Response(whole, { status: 200 }), { start: 0, end: 16 });
    expect(first.bytes).toEqual(whole.subarray(0, 16));
    // An empty body answered 200 to a range: nothing, not an error.
    const empty = await readBodyAnswer(new Response(null, { status: 200, headers: { 'x-hookbin-decoded': 'gzip' } }), { start: 0, end: 262_145 });
    expect(empty).toEqual({ bytes: new Uint8Array(), decoded: 'gzip', truncated: false, size: 0 });
  });

  it('throws the API error of a non-2xx answer', async () => {
    const res = new Response(JSON.stringify({ error: { code: 'capture_not_found', message: 'there is no capture "x"' } }), { status: 404 });
    await expect(readBodyAnswer(res)).rejects.toMatchObject({ status: 404, code: 'capture_not_found' });
  });
});

describe('api.getBody', () => {
  function fakeFetch(answer: () => Response) {
    const calls: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return answer();
    });
    return calls;
  }

  it('asks for bytes (Accept: */*), sends the range and the abort signal, and slices a 200 answer to the range', async () => {
    const whole = bytes(300);
    const calls = fakeFetch(() => new Response(whole, { status: 200 }));
    const ctl = new AbortController();
    const got = await api.getBody('cap1', false, { range: { start: 256, end: 512 }, signal: ctl.signal });
    expect(got.bytes).toEqual(whole.subarray(256, 300));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('/api/captures/cap1/body');
    const headers = new Headers(calls[0]!.init.headers);
    expect(headers.get('accept')).toBe('*/*');
    expect(headers.get('range')).toBe('bytes=256-511');
    expect(calls[0]!.init.signal).toBe(ctl.signal);
  });

  it('an aborted read rejects with the abort, not as "hookbin is not reachable"', async () => {
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
      return new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
    });
    const ctl = new AbortController();
    const read = api.getBody('cap1', true, { signal: ctl.signal });
    ctl.abort();
    await expect(read).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('Download body', () => {
  it('reads the bytes through the Api it is given (the one the tests fake)', async () => {
    const asked: unknown[] = [];
    const saved: { name: string }[] = [];
    // saveBlob needs a document: a minimal one that records the download link.
    vi.stubGlobal('document', {
      createElement: () => ({ click() {}, remove() {}, set download(v: string) { saved.push({ name: v }); } }),
      body: { append() {} },
    });
    vi.stubGlobal('URL', Object.assign(class extends URL {}, { createObjectURL: () => 'blob:x', revokeObjectURL() {} }));
    await downloadBody({ getBody: async (...args) => (asked.push(args), { bytes: bytes(7), decoded: null, truncated: false }) }, 'cap9', 'capture-cap9.bin');
    expect(asked).toEqual([['cap9', false]]);
    expect(saved.map((s) => s.name)).toEqual(['capture-cap9.bin']);
  });
});
