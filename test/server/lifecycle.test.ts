/**
 * Server lifecycle against anonymous senders, through the real server and raw
 * sockets: upgrade requests nobody takes, header floods, shutdown with sockets
 * open, sockets bounded in time, and the bins-only `--ingress-port` listener.
 */
import { connect, type Socket } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, start } from '../../server/main/start.js';
import { MAX_DELAY_MS } from '../../server/capture/settings.js';
import type { Timeouts } from '../../server/main/listener.js';
import { cleanupTempDirs, connectLive, expectJson, startServer, testConfig, TOKEN, waitFor, type TestServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

const servers: TestServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close(1000)));
});

async function serve(overrides: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const server = await startServer(overrides);
  servers.push(server);
  recordSockets(server);
  return server;
}

/** Open TCP connections of a server at the socket level: upgraded (detached) sockets count too. */
function connections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

const accepted = new WeakMap<Server, Map<number, Socket>>();

/** Starts recording the sockets `server` accepts, by the client's port. */
function recordSockets(server: TestServer): void {
  const byPort = new Map<number, Socket>();
  accepted.set(server.server, byPort);
  server.server.on('connection', (socket: Socket) => byPort.set(socket.remotePort!, socket));
}

/** The server's end of the client's connection `client` (other connections, e.g. fetch's keep-alive, are not counted). */
function serverSide(server: TestServer, client: Socket): Socket | undefined {
  return accepted.get(server.server)?.get(localPorts.get(client) ?? client.localPort!);
}

/** The local port of each raw connection, kept once connected (a closed socket forgets it). */
const localPorts = new WeakMap<Socket, number>();

/** A raw connection that collects what the server writes, and knows when the server closed it. */
function openRaw(port: number, allowHalfOpen = false): { socket: Socket; received: () => string; closed: Promise<void> } {
  // allowHalfOpen: the client keeps its side open after the server ends its own, as a hostile client would.
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen });
  socket.once('connect', () => localPorts.set(socket, socket.localPort!));
  sockets.push(socket);
  let data = '';
  socket.setEncoding('latin1').on('data', (d: string) => (data += d));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => data, closed };
}

/** Waits until `text` holds one whole response (head and Content-Length body); returns status, head and body. */
async function wholeResponse(received: () => string): Promise<{ status: number; head: string; body: string }> {
  return waitFor(
    () => {
      const text = received();
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return null;
      const head = text.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = text.slice(end + 4);
      if (Number.isNaN(length) || body.length < length) return null;
      return { status: Number(head.split(' ')[1]), head, body: body.slice(0, length) };
    },
    10_000,
    'a whole response',
  );
}

interface CaptureJson {
  id: string;
  method: string;
  path: string;
  body: string;
  headers: [string, string][];
}

describe('upgrade requests nobody takes (Upgrade: h2c …)', () => {
  it('to a bin URL: the bin captures it, body included, and answers as the bin would, with Connection: close; the socket goes', async () => {
    const server = await serve();
    const raw = openRaw(server.port);
    raw.socket.write(
      `POST /b/${server.defaultBinId}/h2c HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nContent-Length: 10\r\n\r\n01234`,
    );
    await new Promise((r) => setTimeout(r, 50));
    raw.socket.write('56789');
    const res = await wholeResponse(raw.received);
    expect(res.status).toBe(200);
    const id = /x-hookbin-capture-id: *(\S+)/i.exec(res.head)?.[1];
    expect(id, res.head).toBeTruthy();
    const capture = await expectJson<CaptureJson>(server.api(`/api/captures/${id}`));
    expect(capture).toMatchObject({ method: 'POST', path: '/h2c', body: '0123456789' });
    expect(capture.headers).toContainEqual(['Upgrade', 'h2c']);
    expect(capture.headers).toContainEqual(['Connection', 'Upgrade, HTTP2-Settings']);
    expect(res.head).toMatch(/\r\nconnection: close(\r\n|$)/i);

    // The server's side of the socket goes (no CLOSE-WAIT left behind).
    const mine = serverSide(server, raw.socket);
    expect(mine).toBeDefined();
    raw.socket.end();
    await waitFor(() => mine!.destroyed, 10_000, 'the server to let the socket go');
  });

  it('to a bin URL with a chunked body: captured whole', async () => {
    const server = await serve();
    const raw = openRaw(server.port);
    raw.socket.write(
      `POST /b/${server.defaultBinId} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n`,
    );
    const res = await wholeResponse(raw.received);
    expect(res.status).toBe(200);
    const id = /x-hookbin-capture-id: *(\S+)/i.exec(res.head)?.[1];
    expect((await expectJson<CaptureJson>(server.api(`/api/captures/${id}`))).body).toBe('abcdefg');
  });

  it.each([
    ['/api/health', 200],
    ['/api/bins', 401],
    ['/b/no-such-bin', 404],
    ['/api/ws', 401],
  ])('to %s: answered %i like any request, with Connection: close, and the socket goes', async (path, status) => {
    const server = await serve();
    const raw = openRaw(server.port);
    raw.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`);
    const res = await wholeResponse(raw.received);
    expect(res.status).toBe(status);
    expect(res.head).toMatch(/\r\nconnection: close(\r\n|$)/i);
    const mine = serverSide(server, raw.socket);
    expect(mine).toBeDefined();
    raw.socket.destroy();
    await waitFor(() => mine!.destroyed, 10_000, 'the server to let the socket go');
  });

  it('a WebSocket upgrade to a bin URL is captured and answered as the bin would', async () => {
    const server = await serve();
    const raw = openRaw(server.port);
    raw.socket.write(
      `GET /b/${server.defaultBinId}/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    const res = await wholeResponse(raw.received);
    expect(res.status).toBe(200);
    const id = /x-hookbin-capture-id: *(\S+)/i.exec(res.head)?.[1];
    expect((await expectJson<CaptureJson>(server.api(`/api/captures/${id}`))).path).toBe('/ws');
  });

  it('the live feed still upgrades at /api/ws', async () => {
    const server = await serve();
    const live = await connectLive(server);
    expect(live.opened).toBe(101);
    live.ws.close();
  });

  it('100 such sockets that leave leave nothing open', async () => {
    const server = await serve();
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const raw = openRaw(server.port);
        raw.socket.write(`GET /${i % 2 ? `b/${server.defaultBinId}` : 'x'} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`);
        await wholeResponse(raw.received);
        raw.socket.destroy();
      }),
    );
    await waitFor(async () => (await connections(server.server)) === 0, 10_000, 'every socket to be let go');
  });
});

describe('close(graceMs) ends in time whatever sockets are open', () => {
  it('with an upgrade request mid-body, an idle keep-alive socket and a live WebSocket', async () => {
    const server = await startServer();
    const midBody = openRaw(server.port);
    midBody.socket.write(`POST /b/${server.defaultBinId} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 100\r\n\r\n0123`);
    const idle = openRaw(server.port);
    idle.socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await wholeResponse(idle.received);
    recordSockets(server);
    const refused = openRaw(server.port, true);
    refused.socket.write('GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    // Refused (a foreign Origin): answered and closed by the server, even though the client keeps its side open.
    await waitFor(() => refused.received().startsWith('HTTP/1.1 403 ') && serverSide(server, refused.socket)?.destroyed, 5000, 'the refused handshake to be let go');
    const live = await connectLive(server);
    expect(live.opened).toBe(101);
    await waitFor(async () => (await connections(server.server)) === 3, 5000, 'three open sockets');

    await server.close(300);
    // Every socket was ended from the server's side.
    await Promise.all([midBody.closed, idle.closed]);
    expect(await connections(server.server)).toBe(0);
  });
});

describe('header pairs', () => {
  it('3,000 short headers (under the 16 KiB limit) are all kept, in order, Content-Length included', async () => {
    const server = await serve();
    const names = 'abcdefghijklmnopqrstuvwxyz';
    const sent: [string, string][] = [['Host', 'x']];
    for (let i = 0; i < 3000; i++) sent.push([names[i % 26]!, names[Math.floor(i / 26) % 26]!]);
    sent.push(['Content-Length', '4']);
    const head = `POST /b/${server.defaultBinId} HTTP/1.1\r\n${sent.map(([n, v]) => `${n}:${v}\r\n`).join('')}\r\n`;
    expect(head.length).toBeLessThan(16 * 1024);
    const raw = openRaw(server.port);
    raw.socket.write(`${head}body`);
    const res = await wholeResponse(raw.received);
    expect(res.status).toBe(200);
    const id = /x-hookbin-capture-id: *(\S+)/i.exec(res.head)?.[1];
    const capture = await expectJson<CaptureJson>(server.api(`/api/captures/${id}`));
    expect(capture.headers.length).toBe(sent.length);
    expect(capture.headers).toEqual(sent);
    expect(capture.body).toBe('body');
  });
});

describe('--ingress-port: bin URLs only', () => {
  it('a capture on the ingress port shows up live and in the API of the main port', async () => {
    const server = await serve({ ingressPort: 0 });
    expect(server.ingressPort).toBeGreaterThan(0);
    expect(server.ingressPort).not.toBe(server.port);
    expect(server.ingressOrigin).toBe(`http://127.0.0.1:${server.ingressPort}`);
    expect(server.ingressBinUrl).toBe(`${server.ingressOrigin}/b/${server.defaultBinId}`);
    const live = await connectLive(server);
    live.ws.send(JSON.stringify({ type: 'subscribe', bins: ['*'] }));
    await waitFor(() => live.of('subscribed').length > 0, 5000, 'subscribed');

    const res = await fetch(`${server.ingressBinUrl}/hook?x=1`, { method: 'POST', body: '{"via":"tunnel"}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-hookbin-capture-id');
    await waitFor(() => live.of('capture.created').some((m) => m.capture.id === id), 5000, 'the live capture');
    const capture = await expectJson<CaptureJson>(server.api(`/api/captures/${id}`));
    expect(capture).toMatchObject({ method: 'POST', path: '/hook', body: '{"via":"tunnel"}' });
    live.ws.close();
  });

  it('serves no inspector, no API and no live feed, even with the token', async () => {
    const server = await serve({ ingressPort: 0 });
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const path of ['/', '/api/health', '/api/bins', '/api/ws', `/?token=${TOKEN}`, '/assets/x.js', '/b']) {
      const res = await fetch(`${server.ingressOrigin}${path}`, { headers: auth });
      expect(res.status, path).toBe(404);
      // Everything the tunnel's port answers is sandboxed, as bin answers are.
      expect(res.headers.get('content-security-policy'), path).toBe('sandbox');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect((await res.json()) as unknown, path).toMatchObject({ error: { code: expect.any(String) } });
    }
    const ws = await connectLive({ ...server, origin: server.ingressOrigin! } as TestServer);
    expect(ws.opened).toBe(404);
    // The main port still serves all of them.
    expect((await server.api('/api/bins')).status).toBe(200);
  });

  it('close() closes both listeners', async () => {
    const server = await startServer({ ingressPort: 0 });
    await server.close();
    expect(server.server.listening).toBe(false);
    expect(server.ingressServer?.listening).toBe(false);
    await expect(fetch(`${server.ingressOrigin}/b/${server.defaultBinId}`)).rejects.toThrow();
  });
});

/** A real server with its own socket bounds (see `DEFAULT_TIMEOUTS`), closed after the test. */
async function serveWith(timeouts: Partial<Timeouts>, overrides: Parameters<typeof testConfig>[0] = {}): Promise<TestServer> {
  const running = await start(testConfig(overrides), { webRoot: null, timeouts });
  const server: TestServer = Object.assign(running, {
    defaultBinId: running.binUrl.split('/b/')[1]!,
    api: (path: string, init: RequestInit = {}) =>
      fetch(running.origin + path, { ...init, headers: { authorization: `Bearer ${running.token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } }),
    raw: (path: string, init?: RequestInit) => fetch(running.origin + path, init),
  });
  servers.push(server);
  recordSockets(server);
  return server;
}

async function setRespond(server: TestServer, respond: Record<string, unknown>): Promise<void> {
  await expectJson(server.api(`/api/bins/${server.defaultBinId}`, { method: 'PATCH', body: JSON.stringify({ respond }) }));
}

describe('sockets an anonymous sender holds are bounded', () => {
  it('a hang bin resets the connection once the hang bound has passed', async () => {
    const server = await serveWith({ hangMs: 300 });
    await setRespond(server, { fault: 'hang' });
    const raw = openRaw(server.port);
    let error: NodeJS.ErrnoException | undefined;
    raw.socket.on('error', (err) => (error = err));
    raw.socket.write(`POST /b/${server.defaultBinId} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`);
    // The client never gives up; the server ends it, as a reset fault does.
    await waitFor(() => raw.socket.destroyed, 10_000, 'the hang to end');
    await raw.closed;
    expect(error?.code).toBe('ECONNRESET');
    expect(raw.received()).toBe('');
    // The hang was captured as answered.
    const list = await expectJson<{ captures: { id: string }[] }>(server.api(`/api/bins/${server.defaultBinId}/captures`));
    expect(list.captures).toHaveLength(1);
  });

  it('a client that stops reading a 1 MiB answer is dropped after the idle bound', async () => {
    const server = await serveWith({ idleMs: 500 });
    await setRespond(server, { body: 'x'.repeat(1024 * 1024) });
    const raw = openRaw(server.port);
    raw.socket.pause();
    // Eight answers pipelined: more than the kernel's socket buffers take, so writes stall.
    raw.socket.write(`GET /b/${server.defaultBinId} HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(8));
    await waitFor(() => serverSide(server, raw.socket), 5000, 'the connection');
    const mine = serverSide(server, raw.socket)!;
    await waitFor(() => mine.destroyed, 10_000, 'the server to drop the stalled socket');
    await waitFor(async () => (await connections(server.server)) === 0, 10_000, 'no socket left');
  });

  it('an answer delayed within the idle bound is not cut by it', async () => {
    const server = await serveWith({ idleMs: 2000 });
    await setRespond(server, { delayMs: 300 });
    const raw = openRaw(server.port);
    raw.socket.write(`GET /b/${server.defaultBinId} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect((await wholeResponse(raw.received)).status).toBe(200);
  });

  it('by default the idle bound exceeds the longest delay a bin may answer with and the whole-request bound', () => {
    expect(DEFAULT_TIMEOUTS.hangMs).toBe(MAX_DELAY_MS);
    expect(DEFAULT_TIMEOUTS.idleMs).toBeGreaterThan(MAX_DELAY_MS);
    expect(DEFAULT_TIMEOUTS.idleMs).toBeGreaterThan(DEFAULT_TIMEOUTS.requestMs);
  });
});

describe('a request pipelined behind an upgrade request nobody takes', () => {
  it('the upgrade request is answered with Connection: close and the server closes the socket; a new connection works', async () => {
    const server = await serve();
    const raw = openRaw(server.port, true);
    raw.socket.write(
      `POST /b/${server.defaultBinId}/first HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nContent-Length: 1\r\n\r\na` +
        `POST /b/${server.defaultBinId}/second HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nb`,
    );
    const res = await wholeResponse(raw.received);
    expect(res.status).toBe(200);
    expect(res.head).toMatch(/\r\nconnection: close(\r\n|$)/i);
    // Nothing is left hanging: the server ends the connection (the client keeps its side open).
    const mine = serverSide(server, raw.socket);
    await waitFor(() => mine?.destroyed, 10_000, 'the server to close the socket');
    // The client resends the rest on a new connection.
    const again = openRaw(server.port);
    again.socket.write(`POST /b/${server.defaultBinId}/second HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nb`);
    expect((await wholeResponse(again.received)).status).toBe(200);
    const list = await expectJson<{ captures: { path: string }[] }>(server.api(`/api/bins/${server.defaultBinId}/captures`));
    expect(list.captures.map((c) => c.path).sort()).toEqual(['/first', '/second']);
  });
});
