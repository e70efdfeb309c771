/**
 * A relaying bin whose app answers with bytes no well-behaved server writes:
 * a raw-socket "app" replies with control characters in a header, thousands
 * of headers, a wrong Content-Length, an oversized body, odd statuses and
 * Transfer-Encoding games. Each time the provider gets a complete answer,
 * the capture records exactly that answer, and the server carries on.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Capture, CaptureSummary } from '../../server/common/types.js';
import { expectJson, rawExchange, useServer, waitFor } from '../support/helpers.js';

const server = useServer();

const apps: (Server & { dropAll: () => void })[] = [];
afterEach(async () => {
  await Promise.all(
    apps.splice(0).map((a) => {
      a.dropAll();
      return new Promise((r) => a.close(r));
    }),
  );
});

/** An app that reads one request (headers and Content-Length body), writes `reply` raw and closes. */
async function rawApp(reply: Buffer | string): Promise<string> {
  const sockets = new Set<Socket>();
  const app = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let got = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(got.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      if (got.length < end + 4 + length) return;
      socket.end(typeof reply === 'string' ? Buffer.from(reply, 'latin1') : reply);
    });
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  apps.push(Object.assign(app, { dropAll: () => sockets.forEach((s) => s.destroy()) }));
  return `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
}

/** A bin relaying to an app that answers `reply`; one POST (or `method`, bodiless) to it, and what hookbin answered and recorded. */
async function relayThrough(reply: Buffer | string, method = 'POST') {
  const origin = await rawApp(reply);
  const id = `r-${randomBytes(4).toString('hex')}`;
  await expectJson(server().api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) }), 201);
  await expectJson(server().api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify({ forwardTo: origin, forward: { relay: true, timeoutMs: 2000 } }) }));
  const request = method === 'POST' ? `POST /b/${id} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}` : `${method} /b/${id} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
  const wire = (await rawExchange(server().port, request, 10_000)).toString('latin1');
  const head = wire.slice(0, wire.indexOf('\r\n\r\n'));
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(wire)?.[1]);
  const headers = head
    .split('\r\n')
    .slice(1)
    .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]);
  const body = wire.slice(wire.indexOf('\r\n\r\n') + 4);
  const [summary] = (await expectJson<{ captures: CaptureSummary[] }>(server().api(`/api/bins/${id}/captures`))).captures;
  const capture = await waitFor(async () => {
    const c = await expectJson<Capture>(server().api(`/api/captures/${summary!.id}`));
    return c.forward ? c : null;
  });
  // Whatever the app did: a complete, sandboxed answer, recorded as sent.
  expect(wire).toMatch(/^HTTP\/1\.1 \d{3} /);
  expect(headers).toContainEqual(['content-security-policy', 'sandbox']);
  expect(headers).toContainEqual(['x-content-type-options', 'nosniff']);
  expect(capture.status).toBe(status);
  expect(capture.response.status).toBe(status);
  for (const [n, v] of capture.response.headers) expect(headers).toContainEqual([n.toLowerCase(), v]);
  return { status, headers, body, capture };
}

describe('relay of hostile app replies', () => {
  it('drops a header whose value holds \\x01, keeps the rest, and the capture says what was answered and dropped', async () => {
    const r = await relayThrough('HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\nX-Good: ok\r\nX-Latin: caf\xe9\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi');
    expect(r.status).toBe(200);
    expect(r.body).toBe('hi');
    expect(r.headers).toContainEqual(['x-good', 'ok']);
    // Latin-1 is sendable (obs-text): kept.
    expect(r.headers).toContainEqual(['x-latin', 'caf\xe9']);
    expect(r.headers.some(([n]) => n === 'x-bad')).toBe(false);
    expect(r.capture.response.headers.some(([n]) => n.toLowerCase() === 'x-bad')).toBe(false);
    expect(r.capture.response.reason).toMatch(/^relay; dropped 1 header that cannot be sent: X-Bad/);
    // The app's own reply is kept as it came, bad header included.
    expect(r.capture.forward!.response!.headers).toContainEqual(['X-Bad', 'a\x01b']);
  });

  it('passes on C1 bytes (obs-text) in a header value as they came, with a body, an empty one, or none (HEAD)', async () => {
    for (const [body, method] of [['ok', 'POST'], ['', 'POST'], ['', 'HEAD']] as const) {
      const r = await relayThrough(`HTTP/1.1 200 OK\r\nX-C1: a\x85\x9bb\r\nContent-Length: ${body.length}\r\n\r\n${body}`, method);
      expect([r.status, r.body], method).toEqual([200, body]);
      expect(r.headers, method).toContainEqual(['x-c1', 'a\x85\x9bb']);
    }
  });

  it("overrides the app's own Content-Security-Policy and X-Content-Type-Options", async () => {
    const r = await relayThrough(
      'HTTP/1.1 200 OK\r\nContent-Security-Policy: default-src *\r\nX-Content-Type-Options: none\r\nContent-Type: text/html\r\nContent-Length: 4\r\n\r\n<b/>',
    );
    expect(r.headers.filter(([n]) => n === 'content-security-policy')).toEqual([['content-security-policy', 'sandbox']]);
    expect(r.headers.filter(([n]) => n === 'x-content-type-options')).toEqual([['x-content-type-options', 'nosniff']]);
  });

  it('relays 1,500 headers, and answers 502 to more than the 16 KiB a reply head may hold', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `X-N${i}: 1\r\n`).join('');
    const ok = await relayThrough(`HTTP/1.1 200 OK\r\n${many(1500)}Content-Length: 0\r\n\r\n`);
    expect(ok.status).toBe(200);
    expect(ok.headers.filter(([n]) => n.startsWith('x-n'))).toHaveLength(1500);
    const over = await relayThrough(`HTTP/1.1 200 OK\r\n${many(3000)}Content-Length: 0\r\n\r\n`);
    expect(over.status).toBe(502);
    expect(JSON.parse(over.body)).toMatchObject({ error: { code: 'forward_failed' } });
  });

  it('a body shorter than its Content-Length is a 502; a longer one is cut at it', async () => {
    expect((await relayThrough('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..')).status).toBe(502);
    // The bytes past it are a broken next reply to Node's parser: either way the answer is recorded as sent.
    const long = await relayThrough('HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nhi and more');
    if (long.status === 201) expect([long.body, long.capture.response.body]).toEqual(['hi', 'hi']);
    else expect(long.status).toBe(502);
  });

  it('a body over the 1 MiB hookbin relays is a 502 saying so, not a cut-off 200', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const r = await relayThrough(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`);
    expect(r.status).toBe(502);
    expect(r.body).toMatch(/over the 1048576 bytes hookbin relays/);
    expect(r.capture.forward!.response!.truncated).toBe(true);
  });

  it("HEAD, and a 304 or 204, pass on the app's answer: their Content-Length describes no body hookbin could read", async () => {
    const head = await relayThrough('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1234\r\n\r\n', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.capture.response.reason).toBe('relay');
    expect(head.capture.forward).toMatchObject({ status: 200, error: null });
    expect(head.capture.forward!.response).toMatchObject({ size: 0, truncated: false });
    // Over the relay cap, too: a HEAD never reads a body.
    expect((await relayThrough('HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n', 'HEAD')).status).toBe(200);
    const notModified = await relayThrough('HTTP/1.1 304 Not Modified\r\nETag: "a"\r\nContent-Length: 1234\r\n\r\n');
    expect(notModified.status).toBe(304);
    expect(notModified.headers).toContainEqual(['etag', '"a"']);
    expect(notModified.capture.forward!.response!.truncated).toBe(false);
    expect((await relayThrough('HTTP/1.1 204 No Content\r\nContent-Length: 1234\r\n\r\n')).status).toBe(204);
  });

  it("drops Set-Cookie, Clear-Site-Data and the other headers that act on hookbin's origin, and says so", async () => {
    const r = await relayThrough(
      'HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\nClear-Site-Data: "storage"\r\nSet-Cookie2: c=3\r\n' +
        'Service-Worker-Allowed: /\r\nStrict-Transport-Security: max-age=1\r\nAlt-Svc: h2=":1"\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok');
    expect(r.headers).toContainEqual(['x-kept', 'yes']);
    const origin = ['set-cookie', 'set-cookie2', 'clear-site-data', 'service-worker-allowed', 'strict-transport-security', 'alt-svc'];
    expect(r.headers.filter(([n]) => origin.includes(n))).toEqual([]);
    expect(r.capture.response.headers.filter(([n]) => origin.includes(n.toLowerCase()))).toEqual([]);
    expect(r.capture.response.reason).toMatch(/^relay; dropped 7 headers that cannot be sent: Set-Cookie \(it would act on hookbin's own origin\)/);
    // The app's own reply is kept as it came.
    expect(r.capture.forward!.response!.headers).toContainEqual(['Clear-Site-Data', '"storage"']);
  });

  it('statuses outside 200-599 are a 502; informational ones before the final reply are skipped', async () => {
    expect((await relayThrough('HTTP/1.1 600 Beyond\r\nContent-Length: 0\r\n\r\n')).status).toBe(502);
    // No upgrade was asked for: a 101 ends HTTP, and must not hold the relay open.
    expect((await relayThrough('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n')).status).toBe(502);

    const early = await relayThrough('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok');
    expect([early.status, early.body]).toEqual([202, 'ok']);
  });

  it('Transfer-Encoding games: chunked with a Content-Length is decoded and re-framed; broken chunking is a 502', async () => {
    const both = await relayThrough('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    expect([both.status, both.capture.response.body]).toEqual([200, 'hello']);
    expect(both.headers.filter(([n]) => n === 'transfer-encoding' || n === 'content-length').length).toBeLessThanOrEqual(1);
    expect((await relayThrough('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n')).status).toBe(502);
    // Still serving.
    expect((await server().api('/api/health')).status).toBe(200);
  });
});
