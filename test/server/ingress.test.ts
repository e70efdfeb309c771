import { brotliCompressSync, constants as zlibConstants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUNCATED_KEEP_BYTES } from '../../server/capture/read.js';
import { BIN_ANSWER_HEADERS } from '../../server/capture/answer-headers.js';
import { MAX_DECODED_BYTES } from '../../server/http/decode.js';
import { cleanupTempDirs, rawExchange, startServer, type TestServer } from '../support/helpers.js';

/** ISO-8601 in UTC with exactly three digits of milliseconds. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface ParsedResponse {
  status: number;
  /** Header pairs as sent, names lower-cased. */
  headers: [string, string][];
  header(name: string): string | undefined;
  /** The body bytes after de-chunking (exactly what was on the wire for fixed-length replies). */
  body: Buffer;
  /** The bytes after the header block, untouched. */
  rawBody: Buffer;
}

/** Parses one HTTP/1.1 response from raw bytes (as `rawExchange` returns them). */
function parseResponse(buf: Buffer): ParsedResponse {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no complete response head in ${JSON.stringify(buf.toString('latin1'))}`);
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers = lines.slice(1).map((l): [string, string] => {
    const i = l.indexOf(':');
    return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
  });
  const header = (name: string) => headers.find(([n]) => n === name.toLowerCase())?.[1];
  const rawBody = buf.subarray(end + 4);
  let body = rawBody;
  if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const lineEnd = rawBody.indexOf('\r\n', pos);
      const size = parseInt(rawBody.subarray(pos, lineEnd).toString('latin1'), 16);
      if (!size) break;
      parts.push(rawBody.subarray(lineEnd + 2, lineEnd + 2 + size));
      pos = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return { status, headers, header, body, rawBody };
}

/** A request head for `rawExchange`, closing the connection after the reply. */
function head(port: number, requestLine: string, extra: string[] = []): string {
  return [requestLine, `Host: 127.0.0.1:${port}`, ...extra, 'Connection: close', '', ''].join('\r\n');
}

/** Chunked transfer-coding of `body` in pieces of `size` bytes, with the final chunk. */
function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** `n` bytes of a non-repeating-looking pattern, so a wrong slice shows. */
function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8) * 7) & 0xff;
  return b;
}

async function newBin(server: TestServer, id?: string): Promise<string> {
  const res = await server.api('/api/bins', { method: 'POST', body: JSON.stringify(id ? { id } : {}) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

// Loosely typed on purpose: the test asserts the JSON, not the server's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function getCapture(server: TestServer, id: string): Promise<Json> {
  const res = await server.api(`/api/captures/${id}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function getBody(server: TestServer, id: string, query = ''): Promise<{ res: Response; bytes: Buffer }> {
  const res = await server.api(`/api/captures/${id}/body${query}`);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Sends to a bin with fetch; returns the reply, its text and the capture id. */
async function send(server: TestServer, binId: string, init: RequestInit = {}, suffix = '') {
  const res = await fetch(`${server.origin}/b/${binId}${suffix}`, { method: 'POST', ...init });
  const text = await res.text();
  const id = res.headers.get('x-hookbin-capture-id');
  return { res, text, id: id ?? '' };
}

afterAll(cleanupTempDirs);

describe('ingress', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('byte-exact bodies', () => {
    it('keeps a body of all 256 byte values exactly', async () => {
      const bin = await newBin(server);
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const { res, id } = await send(server, bin, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
      expect(res.status).toBe(200);
      expect(id).toMatch(/^[0-9a-z]{22}$/);

      const body = await getBody(server, id);
      expect(body.res.status).toBe(200);
      expect(body.bytes.equals(bytes)).toBe(true);
      expect(body.res.headers.get('content-type')).toBe('application/octet-stream');

      const cap = await getCapture(server, id);
      expect(cap.id).toBe(id);
      expect(cap.binId).toBe(bin);
      expect(cap.bodyBase64).toBe(bytes.toString('base64'));
      expect(cap.body).toBeNull();
      expect(cap.bodySize).toBe(256);
      expect(cap.storedSize).toBe(256);
      expect(cap.truncated).toBe(false);
      expect(cap.contentType).toBe('application/octet-stream');
    });

    it('keeps invalid UTF-8 exactly and reports body null', async () => {
      const bin = await newBin(server);
      // A lone continuation byte, an overlong form, a UTF-16 surrogate encoded in UTF-8, a truncated sequence.
      const bytes = Buffer.from([0x7b, 0x22, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff, 0xfe, 0xe2, 0x82, 0x22, 0x7d]);
      const { res, id } = await send(server, bin, { body: bytes, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
      const body = await getBody(server, id);
      expect([...body.bytes]).toEqual([...bytes]);
      const cap = await getCapture(server, id);
      expect(cap.bodyBase64).toBe(bytes.toString('base64'));
      expect(cap.body).toBeNull();
      expect(cap.bodySize).toBe(bytes.length);
    });

    it('gives UTF-8 bodies as text, byte for byte (CRLF, astral characters)', async () => {
      const bin = await newBin(server);
      const text = '{"name": "Zoë ✓ 😀",\r\n "n": 1.50}\n';
      const bytes = Buffer.from(text, 'utf8');
      const { res, id } = await send(server, bin, { body: bytes, headers: { 'content-type': 'application/json; charset=utf-8' } });
      expect(res.status).toBe(200);
      const cap = await getCapture(server, id);
      expect(cap.body).toBe(text);
      expect(cap.bodyBase64).toBe(bytes.toString('base64'));
      expect(cap.bodySize).toBe(bytes.length);
      const body = await getBody(server, id);
      expect(body.bytes.equals(bytes)).toBe(true);
    });

    it('keeps a leading UTF-8 byte order mark in the body text', async () => {
      const bin = await newBin(server);
      const text = '\ufeff{"a":1}';
      const bytes = Buffer.from(text, 'utf8');
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const { id } = await send(server, bin, { body: bytes, headers: { 'content-type': 'application/json' } });
      const cap = await getCapture(server, id);
      expect(cap.bodyBase64).toBe(bytes.toString('base64'));
      // `body` is the text of the stored bytes; dropping the BOM would change what a signature covers.
      expect(cap.body).toBe(text);
      expect(Buffer.from(cap.body as string, 'utf8').equals(bytes)).toBe(true);
    });

    it('records an empty body as size 0 and body ""', async () => {
      const bin = await newBin(server);
      const { res, id } = await send(server, bin, { method: 'POST' });
      expect(res.status).toBe(200);
      const cap = await getCapture(server, id);
      expect(cap.body).toBe('');
      expect(cap.bodyBase64).toBe('');
      expect(cap.bodySize).toBe(0);
      expect(cap.storedSize).toBe(0);
      expect(cap.truncated).toBe(false);
      const body = await getBody(server, id);
      expect(body.res.status).toBe(200);
      expect(body.bytes.length).toBe(0);
    });
  });

  describe('raw headers, query and path', () => {
    it('keeps duplicate and mixed-case headers in order, with case', async () => {
      const bin = await newBin(server);
      const reply = parseResponse(
        await rawExchange(
          server.port,
          head(server.port, `POST /b/${bin}/h HTTP/1.1`, [
            'X-Dup: 1',
            'x-dup: 2',
            'X-DUP: 3',
            'x-MiXeD-cAsE: Value With  Spaces',
            'Content-Type: text/plain',
            'Content-Length: 2',
          ]) + 'ok',
        ),
      );
      expect(reply.status).toBe(200);
      const id = reply.header('x-hookbin-capture-id')!;
      const cap = await getCapture(server, id);
      expect(cap.headers).toEqual([
        ['Host', `127.0.0.1:${server.port}`],
        ['X-Dup', '1'],
        ['x-dup', '2'],
        ['X-DUP', '3'],
        ['x-MiXeD-cAsE', 'Value With  Spaces'],
        ['Content-Type', 'text/plain'],
        ['Content-Length', '2'],
        ['Connection', 'close'],
      ]);
      expect(cap.body).toBe('ok');
      expect(cap.httpVersion).toBe('1.1');
    });

    it('round-trips a header value with Latin-1 bytes as the same latin1 string', async () => {
      const bin = await newBin(server);
      const request = Buffer.concat([
        Buffer.from(`POST /b/${bin} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Name: caf`, 'latin1'),
        Buffer.from([0xe9, 0x20, 0xa9, 0xff]),
        Buffer.from('\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1'),
      ]);
      const reply = parseResponse(await rawExchange(server.port, request));
      expect(reply.status).toBe(200);
      const cap = await getCapture(server, reply.header('x-hookbin-capture-id')!);
      const expected = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xa9, 0xff]).toString('latin1');
      expect(expected).toBe('caf\u00e9 \u00a9\u00ff');
      expect(cap.headers[1]).toEqual(['X-Name', expected]);
    });

    it('keeps the query string raw: repeated keys, percent-encoding, empty pieces', async () => {
      const bin = await newBin(server);
      const { id } = await send(server, bin, { method: 'GET' }, '?a=1&a=2&b=%20&%C3%A9=x');
      const cap = await getCapture(server, id);
      expect(cap.query).toBe('a=1&a=2&b=%20&%C3%A9=x');
      expect(cap.path).toBe('');

      // A target no fetch client would send as is: bad escapes, empty pairs, a `+`.
      const reply = parseResponse(await rawExchange(server.port, head(server.port, `GET /b/${bin}/q?x=%zz&&y=a+b&=&z HTTP/1.1`)));
      expect(reply.status).toBe(200);
      const raw = await getCapture(server, reply.header('x-hookbin-capture-id')!);
      expect(raw.query).toBe('x=%zz&&y=a+b&=&z');
      expect(raw.path).toBe('/q');
    });

    it('gives the path after the bin raw; "" for the bin itself, "/" for a trailing slash', async () => {
      const bin = await newBin(server);
      const cases: [string, string, string][] = [
        ['/a/b%2Fc', '/a/b%2Fc', ''],
        ['', '', ''],
        ['/', '/', ''],
        ['/deep/er/path.json?x=1', '/deep/er/path.json', 'x=1'],
        ['/%7Euser/%2e%2e/caf%C3%A9', '/%7Euser/%2e%2e/caf%C3%A9', ''],
      ];
      for (const [suffix, path, query] of cases) {
        const reply = parseResponse(await rawExchange(server.port, head(server.port, `GET /b/${bin}${suffix} HTTP/1.1`)));
        expect(reply.status, suffix).toBe(200);
        const cap = await getCapture(server, reply.header('x-hookbin-capture-id')!);
        expect(cap.path, suffix).toBe(path);
        expect(cap.query, suffix).toBe(query);
      }
    });

    it('handles an absolute-form request target (as a proxy would send it)', async () => {
      const bin = await newBin(server);
      const reply = parseResponse(
        await rawExchange(server.port, head(server.port, `GET http://127.0.0.1:${server.port}/b/${bin}/abs?k=v HTTP/1.1`)),
      );
      expect(reply.status).toBe(200);
      const cap = await getCapture(server, reply.header('x-hookbin-capture-id')!);
      expect(cap.path).toBe('/abs');
      expect(cap.query).toBe('k=v');
    });
  });

  describe('methods and the default reply', () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      it(`captures ${method} and answers 200 {"ok":true} with the capture id`, async () => {
        const bin = await newBin(server);
        const hasBody = method !== 'GET';
        const { res, text, id } = await send(server, bin, { method, body: hasBody ? `body of ${method}` : undefined }, '/m');
        expect(res.status).toBe(200);
        expect(text).toBe('{"ok":true}');
        expect(res.headers.get('content-type')).toBe('application/json');
        const cap = await getCapture(server, id);
        expect(cap.id).toBe(id);
        expect(cap.method).toBe(method);
        expect(cap.path).toBe('/m');
        expect(cap.body).toBe(hasBody ? `body of ${method}` : '');
        expect(cap.status).toBe(200);
        expect(cap.response).toEqual({
          status: 200,
          headers: [['content-type', 'application/json'], ...BIN_ANSWER_HEADERS],
          body: '{"ok":true}',
          delayMs: 0,
          fault: null,
          reason: 'default',
        });
      });
    }

    it('captures HEAD and answers it without a body', async () => {
      const bin = await newBin(server);
      const buf = await rawExchange(server.port, head(server.port, `HEAD /b/${bin}/h HTTP/1.1`));
      const reply = parseResponse(buf);
      expect(reply.status).toBe(200);
      expect(reply.rawBody.length).toBe(0);
      const id = reply.header('x-hookbin-capture-id')!;
      const cap = await getCapture(server, id);
      expect(cap.id).toBe(id);
      expect(cap.method).toBe('HEAD');
      expect(cap.path).toBe('/h');

      const viaFetch = await send(server, bin, { method: 'HEAD' });
      expect(viaFetch.res.status).toBe(200);
      expect(viaFetch.text).toBe('');
      expect((await getCapture(server, viaFetch.id)).method).toBe('HEAD');
    });

    it('captures a GET that carries a body', async () => {
      const bin = await newBin(server);
      const reply = parseResponse(
        await rawExchange(server.port, head(server.port, `GET /b/${bin} HTTP/1.1`, ['Content-Length: 12']) + '{"get":true}'),
      );
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe('{"ok":true}');
      const cap = await getCapture(server, reply.header('x-hookbin-capture-id')!);
      expect(cap.method).toBe('GET');
      expect(cap.body).toBe('{"get":true}');
      expect(cap.bodySize).toBe(12);
    });

    it('captures a method outside the common set (PURGE)', async () => {
      const bin = await newBin(server);
      const reply = parseResponse(await rawExchange(server.port, head(server.port, `PURGE /b/${bin}/x HTTP/1.1`)));
      expect(reply.status).toBe(200);
      const cap = await getCapture(server, reply.header('x-hookbin-capture-id')!);
      expect(cap.method).toBe('PURGE');
    });

    it('records remoteAddress 127.0.0.1 and receivedAt as ISO-8601 with ms', async () => {
      const bin = await newBin(server);
      const before = Date.now();
      const { id } = await send(server, bin, { body: 'x' });
      const after = Date.now();
      const cap = await getCapture(server, id);
      expect(cap.remoteAddress).toBe('127.0.0.1');
      expect(cap.receivedAt).toMatch(ISO_MS);
      const at = Date.parse(cap.receivedAt);
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(after);
    });

    it('takes receivedAt from the server clock, to the millisecond', async () => {
      const fixed = Date.UTC(2024, 1, 29, 23, 59, 58, 7);
      const clocked = await startServer({}, () => fixed);
      try {
        const { id } = await send(clocked, clocked.defaultBinId, { body: 'x' });
        const cap = await getCapture(clocked, id);
        expect(cap.receivedAt).toBe('2024-02-29T23:59:58.007Z');
        const list = (await (await clocked.api(`/api/bins/${clocked.defaultBinId}/captures`)).json()) as Json;
        expect(list.captures[0].receivedAt).toBe('2024-02-29T23:59:58.007Z');
      } finally {
        await clocked.close();
      }
    });
  });

  describe('unknown bins', () => {
    it('answers 404 JSON for a bin that does not exist, and captures nothing', async () => {
      const res = await fetch(`${server.origin}/b/no-such-bin/x?y=1`, { method: 'POST', body: 'x' });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-hookbin-capture-id')).toBeNull();
      const json = (await res.json()) as Json;
      expect(json.error.code).toBe('bin_not_found');
      expect(typeof json.error.message).toBe('string');
      expect(json.error.message.length).toBeGreaterThan(0);
      expect(Object.keys(json)).toEqual(['error']);
    });

    it('answers 404 JSON for bin ids with bad characters', async () => {
      const targets = [
        `/b/${server.defaultBinId.toUpperCase()}`,
        '/b/bad!id',
        '/b/bad%20id',
        '/b/caf%C3%A9',
        `/b/${'a'.repeat(65)}`,
        '/b/bin.json',
        '/b',
      ];
      for (const target of targets) {
        const reply = parseResponse(await rawExchange(server.port, head(server.port, `POST ${target} HTTP/1.1`, ['Content-Length: 0'])));
        expect(reply.status, target).toBe(404);
        expect(reply.header('content-type'), target).toMatch(/^application\/json/);
        const json = JSON.parse(reply.body.toString()) as Json;
        expect(json.error.code, target).toBe('bin_not_found');
        expect(typeof json.error.message, target).toBe('string');
      }
    });
    it('answers 404 JSON at /b/ (no bin id) for any method', async () => {
      for (const method of ['GET', 'POST']) {
        const reply = parseResponse(await rawExchange(server.port, head(server.port, `${method} /b/ HTTP/1.1`, ['Content-Length: 0'])));
        expect(reply.status, method).toBe(404);
        expect(reply.header('content-type'), method).toMatch(/^application\/json/);
        const json = JSON.parse(reply.body.toString()) as Json;
        expect(typeof json.error.code, method).toBe('string');
        expect(typeof json.error.message, method).toBe('string');
      }
    });

    it('routes on the raw target: dot segments after the bin stay in that bin', async () => {
      const binA = await newBin(server);
      const binB = await newBin(server);
      for (const rest of ['/../' + binB, '/%2e%2e/' + binB]) {
        const reply = parseResponse(await rawExchange(server.port, head(server.port, `POST /b/${binA}${rest} HTTP/1.1`, ['Content-Length: 0'])));
        expect(reply.status, rest).toBe(200);
        const cap = await getCapture(server, reply.header('x-hookbin-capture-id')!);
        expect(cap.binId, rest).toBe(binA);
        expect(cap.path, rest).toBe(rest);
      }
      const listB = (await (await server.api(`/api/bins/${binB}/captures`)).json()) as Json;
      expect(listB.captures).toEqual([]);

      // A bin id made of dots is not a bin: a JSON 404, never the inspector page.
      const dots = parseResponse(await rawExchange(server.port, head(server.port, 'GET /b/%2e%2e HTTP/1.1')));
      expect(dots.status).toBe(404);
      expect(dots.header('content-type')).toMatch(/^application\/json/);
    });
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
      expect(cap.response).toEqual({ status: 418, headers: [['x-a', 'b'], ...BIN_ANSWER_HEADERS], body: 'teapot', delayMs: 0, fault: null, reason: 'default' });

      const reset = await server.api(`/api/bins/${bin}`, { method: 'PATCH', body: JSON.stringify({ respond: null }) });
      expect(reset.status).toBe(200);
      expect(((await reset.json()) as Json).respond).toMatchObject({
        status: 200,
        headers: { 'content-type': 'application/json' },
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
