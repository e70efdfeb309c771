/**
 * The capture path's bodies after they are stored: read back through the
 * body route, decoded (gzip, deflate, brotli, with a cap), the bin's
 * configured answers, and bodies over --max-body.
 */
import { brotliCompressSync, constants as zlibConstants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUNCATED_KEEP_BYTES } from '../../server/capture/read.js';
import { BIN_ANSWER_HEADERS } from '../../server/capture/answer-headers.js';
import { MAX_DECODED_BYTES } from '../../server/http/decode.js';
import { cleanupTempDirs, rawExchange, startServer, type TestServer } from '../support/helpers.js';
import { chunked, getBody, getCapture, head, newBin, parseResponse, pattern, send, type Json, type ParsedResponse } from '../support/ingress.js';

afterAll(cleanupTempDirs);

describe('ingress: bodies read back, decoded, and the bin\'s configured answers', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('the body route', () => {
    it('serves the captured Content-Type as an attachment that cannot run', async () => {
      const bin = await newBin(server);
      const html = '<!doctype html><script>alert(document.cookie)</script>';
      const { id } = await send(server, bin, { body: html, headers: { 'content-type': 'text/html; charset=utf-8' } });
      const { res, bytes } = await getBody(server, id);
      expect(res.status).toBe(200);
      expect(bytes.toString()).toBe(html);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment\b/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp.split(';').map((d) => d.trim())).toContain('sandbox');
    });

    it('serves a body without a Content-Type as application/octet-stream', async () => {
      const bin = await newBin(server);
      const reply = parseResponse(
        await rawExchange(server.port, head(server.port, `POST /b/${bin} HTTP/1.1`, ['Content-Length: 4']) + 'abcd'),
      );
      const id = reply.header('x-hookbin-capture-id')!;
      expect((await getCapture(server, id)).contentType).toBeNull();
      const { res, bytes } = await getBody(server, id);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment\b/);
      expect(bytes.toString()).toBe('abcd');
    });

    it('answers 404 JSON for a capture that does not exist', async () => {
      for (const path of ['/api/captures/0000000000zzzzzzzzzzzz', '/api/captures/0000000000zzzzzzzzzzzz/body']) {
        const res = await server.api(path);
        expect(res.status, path).toBe(404);
        expect(((await res.json()) as Json).error.code, path).toBe('capture_not_found');
      }
    });
  });

  describe('compressed bodies', () => {
    const text = JSON.stringify({ id: 'evt_1', data: { items: Array.from({ length: 50 }, (_, i) => `item ${i} ✓`) } });
    const plain = Buffer.from(text, 'utf8');
    const cases: [string, string, Buffer][] = [
      ['gzip', 'gzip', gzipSync(plain)],
      ['x-gzip', 'x-gzip', gzipSync(plain)],
      ['deflate (zlib)', 'deflate', deflateSync(plain)],
      ['deflate (raw)', 'deflate', deflateRawSync(plain)],
      ['br', 'br', brotliCompressSync(plain)],
      ['deflate, gzip (two layers)', 'deflate, gzip', gzipSync(deflateSync(plain))],
    ];
    for (const [label, encoding, compressed] of cases) {
      it(`stores a ${label} body raw and decodes it on request`, async () => {
        const bin = await newBin(server);
        const { res, id } = await send(server, bin, {
          body: new Uint8Array(compressed),
          headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        });
        expect(res.status).toBe(200);
        const cap = await getCapture(server, id);
        expect(cap.bodyBase64).toBe(compressed.toString('base64'));
        expect(cap.bodySize).toBe(compressed.length);

        const raw = await getBody(server, id);
        expect(raw.bytes.equals(compressed)).toBe(true);
        expect(raw.res.headers.get('x-hookbin-decoded')).toBeNull();

        const decoded = await getBody(server, id, '?decoded=true');
        expect(decoded.res.status).toBe(200);
        expect(decoded.bytes.equals(plain)).toBe(true);
        expect(decoded.res.headers.get('x-hookbin-decoded')).toBe(encoding === 'deflate, gzip' ? 'deflate, gzip' : encoding);
        expect(decoded.res.headers.get('x-hookbin-decoded-truncated')).toBe('false');
        expect(decoded.res.headers.get('content-disposition')).toMatch(/^attachment\b/);
        expect(decoded.res.headers.get('x-content-type-options')).toBe('nosniff');
      });
    }

    it('decodes an unencoded body as identity', async () => {
      const bin = await newBin(server);
      const { id } = await send(server, bin, { body: plain });
      const decoded = await getBody(server, id, '?decoded=true');
      expect(decoded.res.status).toBe(200);
      expect(decoded.bytes.equals(plain)).toBe(true);
      expect(decoded.res.headers.get('x-hookbin-decoded')).toBe('identity');
    });

    it('caps a decompression bomb at MAX_DECODED_BYTES and says it is truncated', async () => {
      const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024));
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const bin = await newBin(server);
      const { res, id } = await send(server, bin, { body: bomb, headers: { 'content-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      const raw = await getBody(server, id);
      expect(raw.bytes.equals(bomb)).toBe(true);

      const decoded = await getBody(server, id, '?decoded=true');
      expect(decoded.res.status).toBe(200);
      expect(decoded.res.headers.get('x-hookbin-decoded')).toBe('gzip');
      expect(decoded.res.headers.get('x-hookbin-decoded-truncated')).toBe('true');
      expect(decoded.bytes.length).toBe(MAX_DECODED_BYTES);
      expect(decoded.bytes.every((b) => b === 0)).toBe(true);
    });

    it('stops decoding a bomb at the cap: a body that turns corrupt past it still decodes, whole view and range', async () => {
      // 20 MiB of zeros as gzip, flushed but left open, then bytes no inflater accepts: only a decoder that stops
      // at the cap (16 MiB for the view, the range's end for a range) never reaches them.
      const open = gzipSync(Buffer.alloc(MAX_DECODED_BYTES + 4 * 1024 * 1024), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      const body = Buffer.concat([open, Buffer.alloc(64, 0xff)]);
      const bin = await newBin(server);
      const { id } = await send(server, bin, { body: new Uint8Array(body), headers: { 'content-encoding': 'gzip' } });

      const view = await getBody(server, id, '?decoded=true');
      expect(view.res.status).toBe(200);
      expect(view.res.headers.get('x-hookbin-decoded-truncated')).toBe('true');
      expect(view.bytes.length).toBe(MAX_DECODED_BYTES);
      expect(view.bytes.every((b) => b === 0)).toBe(true);

      const range = await server.api(`/api/captures/${id}/body?decoded=true`, { headers: { range: 'bytes=0-1023' } });
      expect(range.status).toBe(206);
      expect(range.headers.get('content-range')).toBe('bytes 0-1023/*');
      expect(Buffer.from(await range.arrayBuffer()).equals(Buffer.alloc(1024))).toBe(true);
    });

    it('answers 422 for a corrupt or cut-off gzip body, and still serves the raw bytes', async () => {
      const bin = await newBin(server);
      const good = gzipSync(plain);
      for (const bad of [Buffer.from('this is not gzip at all'), good.subarray(0, Math.floor(good.length / 2))]) {
        const { res, id } = await send(server, bin, { body: bad, headers: { 'content-encoding': 'gzip' } });
        expect(res.status).toBe(200);
        const decoded = await server.api(`/api/captures/${id}/body?decoded=true`);
        expect(decoded.status).toBe(422);
        const json = (await decoded.json()) as Json;
        expect(json.error.code).toBe('decode_failed');
        expect(typeof json.error.message).toBe('string');
        const raw = await getBody(server, id);
        expect(raw.bytes.equals(bad)).toBe(true);
      }
    });

    // A sender names the encoding: names of Object.prototype's members are unknown encodings too, not a 500.
    it.each([['zstd'], ['constructor'], ['toString'], ['gzip, __proto__']])('answers 422 for an encoding hookbin does not know (%s)', async (encoding) => {
      const bin = await newBin(server);
      const { id } = await send(server, bin, { body: 'zzz', headers: { 'content-encoding': encoding } });
      const decoded = await server.api(`/api/captures/${id}/body?decoded=true`);
      expect(decoded.status).toBe(422);
      const json = (await decoded.json()) as Json;
      expect(json.error.code).toBe('unknown_encoding');
      expect(json.error.message).toContain(encoding);
    });
  });

  describe('configured responses', () => {
    it('answers with the bin response set by PATCH, records it, and resets with null', async () => {
      const bin = await newBin(server);
      const patch = await server.api(`/api/bins/${bin}`, {
        method: 'PATCH',
        body: JSON.stringify({ respond: { status: 418, headers: { 'x-a': 'b' }, body: 'teapot' } }),
      });
      expect(patch.status).toBe(200);
      expect(((await patch.json()) as Json).respond).toMatchObject({ status: 418, headers: { 'x-a': 'b' }, body: 'teapot', failFirst: null });

      const teapot = await send(server, bin, { body: 'x' });
      expect(teapot.res.status).toBe(418);
      expect(teapot.text).toBe('teapot');
      expect(teapot.res.headers.get('x-a')).toBe('b');
      const cap = await getCapture(server, teapot.id);
      expect(cap.status).toBe(418);
      expect(cap.response).toEqual({
        status: 418,
        headers: [['x-a', 'b'], ['content-type', 'text/plain; charset=utf-8'], ...BIN_ANSWER_HEADERS],
        body: 'teapot',
        delayMs: 0,
        fault: null,
        reason: 'default',
      });

      const reset = await server.api(`/api/bins/${bin}`, { method: 'PATCH', body: JSON.stringify({ respond: null }) });
      expect(reset.status).toBe(200);
      expect(((await reset.json()) as Json).respond).toMatchObject({
        status: 200,
        headers: {},
        body: '{"ok":true}',
        delayMs: 0,
        fault: null,
      });
      const ok = await send(server, bin, { body: 'x' });
      expect(ok.res.status).toBe(200);
      expect(ok.text).toBe('{"ok":true}');
      expect(ok.res.headers.get('x-a')).toBeNull();
      expect((await getCapture(server, ok.id)).response.status).toBe(200);
    });

    it('answers a configured 204 without a body', async () => {
      const bin = await newBin(server);
      const patch = await server.api(`/api/bins/${bin}`, {
        method: 'PATCH',
        body: JSON.stringify({ respond: { status: 204, body: 'should not be sent' } }),
      });
      expect(patch.status).toBe(200);
      const reply = parseResponse(await rawExchange(server.port, head(server.port, `POST /b/${bin} HTTP/1.1`, ['Content-Length: 1']) + 'x'));
      expect(reply.status).toBe(204);
      expect(reply.rawBody.length).toBe(0);
      expect(reply.header('transfer-encoding')).toBeUndefined();
      const id = reply.header('x-hookbin-capture-id')!;
      const cap = await getCapture(server, id);
      expect(cap.status).toBe(204);
      expect(cap.response.status).toBe(204);
      expect(cap.response.body).toBe('');
    });

    it('refuses an invalid respond patch with 400 and keeps the old response', async () => {
      const bin = await newBin(server);
      for (const respond of [{ status: 99 }, { status: 700 }, { headers: { 'content-length': '5' } }, { headers: { 'x-a': 'b\r\nx-b: c' } }]) {
        const res = await server.api(`/api/bins/${bin}`, { method: 'PATCH', body: JSON.stringify({ respond }) });
        expect(res.status, JSON.stringify(respond)).toBe(400);
        expect(((await res.json()) as Json).error.code).toBe('invalid_request');
      }
      const ok = await send(server, bin, { body: 'x' });
      expect(ok.res.status).toBe(200);
      expect(ok.text).toBe('{"ok":true}');
    });
  });
});

describe('oversized bodies', () => {
  const MAX = 1024;
  let small: TestServer;

  beforeAll(async () => {
    small = await startServer({ maxBody: MAX });
  });
  afterAll(async () => {
    await small?.close();
  });

  function expect413(reply: ParsedResponse): string {
    expect(reply.status).toBe(413);
    expect(reply.header('content-type')).toMatch(/^application\/json/);
    const json = JSON.parse(reply.body.toString()) as Json;
    expect(json.error.code).toBe('payload_too_large');
    expect(typeof json.error.message).toBe('string');
    const id = reply.header('x-hookbin-capture-id');
    expect(id).toMatch(/^[0-9a-z]{22}$/);
    return id!;
  }

  it('answers 413 to a Content-Length over the limit and records the first bytes', async () => {
    const body = pattern(3000);
    const reply = parseResponse(
      await rawExchange(
        small.port,
        Buffer.concat([Buffer.from(head(small.port, `POST /b/${small.defaultBinId}/big HTTP/1.1`, ['Content-Type: application/octet-stream', 'Content-Length: 3000'])), body]),
      ),
    );
    const id = expect413(reply);
    const keep = Math.min(TRUNCATED_KEEP_BYTES, MAX);
    const cap = await getCapture(small, id);
    expect(cap.truncated).toBe(true);
    expect(cap.bodySize).toBe(3000);
    expect(cap.storedSize).toBe(keep);
    expect(cap.status).toBe(413);
    expect(cap.response.status).toBe(413);
    expect(cap.path).toBe('/big');
    const stored = await getBody(small, id);
    expect(stored.bytes.equals(body.subarray(0, keep))).toBe(true);
  });

  it('records the declared size when the client has sent only part of a huge body', async () => {
    const declared = 50 * 1024 * 1024;
    const sent = pattern(4000);
    const reply = parseResponse(
      await rawExchange(
        small.port,
        Buffer.concat([Buffer.from(head(small.port, `POST /b/${small.defaultBinId} HTTP/1.1`, [`Content-Length: ${declared}`])), sent]),
      ),
    );
    const id = expect413(reply);
    const cap = await getCapture(small, id);
    expect(cap.truncated).toBe(true);
    expect(cap.bodySize).toBe(declared);
    expect(cap.storedSize).toBe(MAX);
    const stored = await getBody(small, id);
    expect(stored.bytes.equals(sent.subarray(0, MAX))).toBe(true);
  });

  it('answers 413 to a fetch client sending a body over the limit', async () => {
    const body = pattern(5000);
    const res = await fetch(`${small.origin}/b/${small.defaultBinId}`, { method: 'PUT', body: new Uint8Array(body) });
    expect(res.status).toBe(413);
    const json = (await res.json()) as Json;
    expect(json.error.code).toBe('payload_too_large');
    const id = res.headers.get('x-hookbin-capture-id')!;
    const cap = await getCapture(small, id);
    expect(cap.truncated).toBe(true);
    expect(cap.bodySize).toBe(5000);
    expect(cap.method).toBe('PUT');
    const stored = await getBody(small, id);
    expect(stored.bytes.equals(body.subarray(0, MAX))).toBe(true);
  });

  it('answers 413 to a chunked body over the limit and records the first bytes', async () => {
    const body = pattern(3000);
    const reply = parseResponse(
      await rawExchange(
        small.port,
        Buffer.concat([Buffer.from(head(small.port, `POST /b/${small.defaultBinId} HTTP/1.1`, ['Transfer-Encoding: chunked'])), chunked(body, 500)]),
      ),
    );
    const id = expect413(reply);
    const cap = await getCapture(small, id);
    expect(cap.truncated).toBe(true);
    // No declared size: what arrived before the cut, which is past the limit.
    expect(cap.bodySize).toBeGreaterThan(MAX);
    expect(cap.bodySize).toBeLessThanOrEqual(3000);
    expect(cap.storedSize).toBe(MAX);
    const stored = await getBody(small, id);
    expect(stored.bytes.equals(body.subarray(0, MAX))).toBe(true);
  });

  it('answers 413 to a streamed fetch body (no Content-Length) over the limit', async () => {
    const body = pattern(4096);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < body.length; i += 512) controller.enqueue(new Uint8Array(body.subarray(i, i + 512)));
        controller.close();
      },
    });
    const res = await fetch(`${small.origin}/b/${small.defaultBinId}`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    const id = res.headers.get('x-hookbin-capture-id')!;
    const cap = await getCapture(small, id);
    expect(cap.truncated).toBe(true);
    expect(cap.bodySize).toBeGreaterThan(MAX);
    const stored = await getBody(small, id);
    expect(stored.bytes.equals(body.subarray(0, MAX))).toBe(true);
  });

  it('stores a body exactly at the limit whole, with Content-Length and chunked', async () => {
    const body = pattern(MAX);
    const { res, text, id } = await send(small, small.defaultBinId, { body: new Uint8Array(body) });
    expect(res.status).toBe(200);
    expect(text).toBe('{"ok":true}');
    let cap = await getCapture(small, id);
    expect(cap.truncated).toBe(false);
    expect(cap.bodySize).toBe(MAX);
    expect(cap.bodyBase64).toBe(body.toString('base64'));

    const reply = parseResponse(
      await rawExchange(
        small.port,
        Buffer.concat([Buffer.from(head(small.port, `POST /b/${small.defaultBinId} HTTP/1.1`, ['Transfer-Encoding: chunked'])), chunked(body, 100)]),
      ),
    );
    expect(reply.status).toBe(200);
    cap = await getCapture(small, reply.header('x-hookbin-capture-id')!);
    expect(cap.truncated).toBe(false);
    expect(cap.bodySize).toBe(MAX);
    expect(cap.bodyBase64).toBe(body.toString('base64'));
  });

  it('answers 413 to one byte over the limit', async () => {
    const body = pattern(MAX + 1);
    const res = await fetch(`${small.origin}/b/${small.defaultBinId}`, { method: 'POST', body: new Uint8Array(body) });
    expect(res.status).toBe(413);
    const cap = await getCapture(small, res.headers.get('x-hookbin-capture-id')!);
    expect(cap.truncated).toBe(true);
    expect(cap.bodySize).toBe(MAX + 1);
    expect(cap.storedSize).toBe(MAX);
  });

  it('keeps at most TRUNCATED_KEEP_BYTES when the limit is larger', async () => {
    const limit = TRUNCATED_KEEP_BYTES + 10_000;
    const big = await startServer({ maxBody: limit });
    try {
      const size = limit + 50_000;
      const body = pattern(size);
      const reply = parseResponse(
        await rawExchange(
          big.port,
          Buffer.concat([Buffer.from(head(big.port, `POST /b/${big.defaultBinId} HTTP/1.1`, [`Content-Length: ${size}`])), body]),
        ),
      );
      const id = expect413(reply);
      const cap = await getCapture(big, id);
      expect(cap.truncated).toBe(true);
      expect(cap.bodySize).toBe(size);
      expect(cap.storedSize).toBe(TRUNCATED_KEEP_BYTES);
      const stored = await getBody(big, id);
      expect(stored.bytes.equals(body.subarray(0, TRUNCATED_KEEP_BYTES))).toBe(true);
    } finally {
      await big.close();
    }
  });
});
