import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_ANSWER_HEADERS } from '../../server/capture/answer-headers.js';
import { cleanupTempDirs, rawExchange, startServer, type TestServer } from '../support/helpers.js';
import { getBody, getCapture, head, ISO_MS, newBin, parseResponse, send, type Json } from '../support/ingress.js';

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

});
