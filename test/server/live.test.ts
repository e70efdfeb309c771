import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AUTH_TIMEOUT_MS, CLOSE_AUTH_TIMEOUT, CLOSE_GRACE_MS, CLOSE_UNAUTHORIZED } from '../../server/live/route.js';
import { cleanupTempDirs, connectLive, startServer, waitFor, type TestServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

/** A masked client text frame (RFC 6455 §5.2). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, mask, payload.map((b, i) => b ^ mask[i % 4]!)]);
}

/**
 * A WebSocket client on a raw socket that never answers a close frame (a
 * vanished or hostile peer): what the server wrote after its 101, and when
 * the server ended the connection.
 */
async function deafClient(server: TestServer) {
  const socket: Socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => {});
  let got = Buffer.alloc(0);
  socket.on('data', (chunk) => (got = Buffer.concat([got, chunk])));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(
    `GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await waitFor(() => got.includes('\r\n\r\n'), 5000, 'the 101');
  expect(got.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  const headEnd = got.indexOf('\r\n\r\n') + 4;
  return {
    socket,
    ended,
    /** The frames the server sent after its 101. */
    frames: () => got.subarray(headEnd),
  };
}

describe('GET /api/ws', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('greets, confirms the subscription and streams capture summaries of subscribed bins only', async () => {
    const other = (await (await server.api('/api/bins', { method: 'POST', body: '{"id":"other"}' })).json()) as { url: string };
    const live = await connectLive(server);
    expect(live.opened).toBe(101);
    await waitFor(() => live.of('hello').length === 1, 2000, 'hello');
    live.ws.send(JSON.stringify({ type: 'subscribe', bins: [server.defaultBinId] }));
    await waitFor(() => live.of('subscribed').length === 1, 2000, 'subscribed');

    const res = await fetch(`${server.binUrl}/x?y=1`, { method: 'POST', body: 'hello' });
    await fetch(other.url, { method: 'POST', body: 'elsewhere' });
    const created = await waitFor(() => live.of('capture.created')[0], 2000, 'capture.created');
    expect(created.capture.id).toBe(res.headers.get('x-hookbin-capture-id'));
    expect(created.capture).toMatchObject({ binId: server.defaultBinId, method: 'POST', path: '/x', query: 'y=1', bodySize: 5, status: 200 });
    // Summaries only: no headers, no body.
    expect(Object.keys(created.capture)).not.toContain('headers');
    expect(Object.keys(created.capture)).not.toContain('bodyBase64');
    await new Promise((r) => setTimeout(r, 100));
    expect(live.of('capture.created')).toHaveLength(1);
    live.ws.close();
  });

  it('"*" subscribes to every bin; bin, delete and clear events arrive', async () => {
    const live = await connectLive(server);
    live.ws.send(JSON.stringify({ type: 'subscribe', bins: ['*'] }));
    await waitFor(() => live.of('subscribed').length === 1, 2000, 'subscribed');
    await server.api('/api/bins', { method: 'POST', body: '{"id":"fresh","name":"Fresh"}' });
    await server.api('/api/bins/fresh', { method: 'PATCH', body: '{"name":"Renamed"}' });
    const r = await fetch(`${server.origin}/b/fresh`, { method: 'PUT', body: 'x' });
    const id = r.headers.get('x-hookbin-capture-id')!;
    await server.api(`/api/captures/${id}`, { method: 'DELETE' });
    await server.api('/api/bins/fresh/captures', { method: 'DELETE' });
    await server.api('/api/bins/fresh', { method: 'DELETE' });
    await waitFor(() => live.of('bin.deleted').length === 1, 2000, 'bin.deleted');
    expect(live.messages.map((m) => m.type).filter((t) => t !== 'hello' && t !== 'subscribed')).toEqual([
      'bin.created',
      'bin.updated',
      'capture.created',
      'capture.deleted',
      'captures.cleared',
      'bin.deleted',
    ]);
    expect(live.of('bin.updated')[0]!.bin.name).toBe('Renamed');
    expect(live.of('capture.deleted')[0]).toEqual({ type: 'capture.deleted', binId: 'fresh', id });
    live.ws.close();
  });

  it('answers ping, reports malformed messages without closing', async () => {
    const live = await connectLive(server);
    live.ws.send('not json');
    live.ws.send(JSON.stringify({ type: 'subscribe', bins: ['Bad Id'] }));
    live.ws.send(JSON.stringify({ type: 'ping' }));
    await waitFor(() => live.of('pong').length === 1, 2000, 'pong');
    expect(live.of('error')).toHaveLength(2);
    expect(live.of('error')[0]!.code).toBe('bad_message');
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
    live.ws.close();
  });

  it('closes a socket that sends an oversized message', async () => {
    const live = await connectLive(server);
    const code = await new Promise<number>((resolve) => {
      live.ws.on('close', (c) => resolve(c));
      live.ws.send('x'.repeat(200 * 1024));
    });
    expect(code).toBe(1009);
  });

  it('refuses a wrong token at the upgrade and a foreign Origin; a plain GET without a token gets 401', async () => {
    expect((await connectLive(server, { token: 'wrong' })).opened).toBe(401);
    expect((await fetch(`${server.origin}/api/ws`)).status).toBe(401);
    expect((await connectLive(server, { origin: 'http://evil.example' })).opened).toBe(403);
    expect((await connectLive(server, { origin: server.origin })).opened).toBe(101);
  });

  it('answers a plain GET with 426', async () => {
    const res = await server.api('/api/ws');
    expect(res.status).toBe(426);
  });

  it('close() ends live sockets and finishes', async () => {
    const live = await connectLive(server);
    const closed = new Promise((r) => live.ws.on('close', r));
    await server.close();
    await closed;
    expect(live.ws.readyState).toBe(WebSocket.CLOSED);
  });

  describe('token in the first message (the browser, whose WebSocket URL carries no token)', () => {
    /** A socket opened with no token at all, recording what it hears and how it ends. */
    async function bare(origin?: string) {
      const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api/ws`, { headers: origin ? { origin } : {} });
      const heard: string[] = [];
      ws.on('message', (d) => heard.push(String(d)));
      const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
      const opened = await new Promise<number>((resolve) => {
        ws.on('open', () => resolve(101));
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(0));
      });
      return { ws, heard, closed, opened };
    }

    it('{type:"auth", token} first: greeted, subscribed, live', async () => {
      const s = await bare(server.origin);
      expect(s.opened).toBe(101);
      s.ws.send(JSON.stringify({ type: 'auth', token: server.token }));
      s.ws.send(JSON.stringify({ type: 'subscribe', bins: [server.defaultBinId] }));
      await waitFor(() => s.heard.some((m) => m.includes('"subscribed"')), 2000, 'subscribed');
      expect(JSON.parse(s.heard[0]!)).toMatchObject({ type: 'hello' });
      const res = await fetch(server.binUrl, { method: 'POST', body: 'live' });
      const id = res.headers.get('x-hookbin-capture-id');
      await waitFor(() => s.heard.some((m) => m.includes('"capture.created"') && m.includes(id!)), 2000, 'capture.created');
      // A second auth is a mistake, reported, not a close.
      s.ws.send(JSON.stringify({ type: 'auth', token: server.token }));
      await waitFor(() => s.heard.some((m) => m.includes('"error"')), 2000, 'error');
      expect(s.ws.readyState).toBe(WebSocket.OPEN);
      s.ws.close();
    });

    it.each([
      ['a wrong token', JSON.stringify({ type: 'auth', token: 'wrong-token' })],
      ['the token with a suffix', 'SUFFIX'],
      ['a subscribe first', JSON.stringify({ type: 'subscribe', bins: ['*'] })],
      ['a ping first', JSON.stringify({ type: 'ping' })],
      ['not JSON', 'hello'],
      ['a token that is not a string', JSON.stringify({ type: 'auth', token: 42 })],
    ])('%s: closed with 4401, and nothing was sent to it', async (_label, first) => {
      const s = await bare();
      expect(s.opened).toBe(101);
      // Something happens on the server meanwhile: a socket not yet signed in must hear none of it.
      s.ws.send(first === 'SUFFIX' ? JSON.stringify({ type: 'auth', token: `${server.token}x` }) : first);
      s.ws.send(JSON.stringify({ type: 'subscribe', bins: ['*'] }));
      await fetch(server.binUrl, { method: 'POST', body: 'secret' });
      await server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: `b-${Math.random().toString(36).slice(2, 8)}` }) });
      const closed = await s.closed;
      expect(closed.code).toBe(CLOSE_UNAUTHORIZED);
      expect(closed.reason).toMatch(/^unauthorized: /);
      expect(s.heard).toEqual([]);
    });

    it(`no message within ${AUTH_TIMEOUT_MS} ms: closed with 4408, and nothing was sent to it`, async () => {
      const s = await bare(server.origin);
      expect(s.opened).toBe(101);
      await server.api('/api/bins', { method: 'POST', body: '{"id":"while-waiting"}' });
      await fetch(server.binUrl, { method: 'POST', body: 'secret' });
      const closed = await s.closed;
      expect(closed.code).toBe(CLOSE_AUTH_TIMEOUT);
      expect(closed.reason).toMatch(/^unauthorized: no \{"type":"auth"\} message/);
      expect(s.heard).toEqual([]);
    }, AUTH_TIMEOUT_MS + 10_000);

    it('the Host and Origin checks come before the socket is accepted', async () => {
      expect((await bare('http://evil.example')).opened).toBe(403);
      expect((await bare('http://127.0.0.1:1')).opened).toBe(403);
    });

    it('a right token in a frame after a refused one is not read: never joined, sent nothing but the close', async () => {
      const c = await deafClient(server);
      // Both frames reach the server together: the second arrives while the socket is closing.
      c.socket.write(Buffer.concat([textFrame(JSON.stringify({ type: 'auth', token: 'wrong' })), textFrame(JSON.stringify({ type: 'auth', token: server.token }))]));
      await waitFor(() => c.frames().length >= 4, 5000, 'the close frame');
      const frames = c.frames();
      expect([frames[0], frames.readUInt16BE(2)]).toEqual([0x88, CLOSE_UNAUTHORIZED]);
      // A request after both frames were read: by then a join would have happened.
      expect((await server.api('/api/health')).status).toBe(200);
      await fetch(server.binUrl, { method: 'POST', body: 'secret' });
      expect(server.hub.size).toBe(0);
      expect(c.frames().length).toBe(2 + frames[1]!);
    });

    it('a refused socket that never answers the close frame is dropped soon, and does not hold close()', async () => {
      const refused = await deafClient(server);
      let droppedAt = 0;
      void refused.ended.then(() => (droppedAt = Date.now()));
      refused.socket.write(textFrame('{"type":"ping"}'));
      await waitFor(() => refused.frames().length >= 4, 5000, 'the close frame');
      const closeFrameAt = Date.now();
      // ws alone would wait 30 s for the peer's close frame.
      await Promise.race([refused.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the socket was held')), 10_000))]);
      // Not at once either: the peer has its grace (CLOSE_GRACE_MS) to answer the close frame.
      expect(droppedAt - closeFrameAt).toBeGreaterThanOrEqual(CLOSE_GRACE_MS / 2);
      const another = await deafClient(server);
      another.socket.write(textFrame('{"type":"ping"}'));
      await waitFor(() => another.frames().length >= 4, 5000, 'the close frame');
      let closed = false;
      const closing = server.close().then(() => (closed = true));
      await waitFor(() => closed, 10_000, 'close() to finish');
      await closing;
      await another.ended;
    }, 30_000);

    it('close() drops a socket still waiting for its auth message', async () => {
      const s = await bare();
      expect(s.opened).toBe(101);
      await server.close();
      const closed = await s.closed;
      // Dropped by the shutdown, not left to its auth timer (which would hold close() open until then).
      expect(closed.code).not.toBe(CLOSE_AUTH_TIMEOUT);
      expect(s.ws.readyState).toBe(WebSocket.CLOSED);
      expect(s.heard).toEqual([]);
    });
  });
});

/**
 * A subscriber on a raw socket that reads its greeting and subscription and
 * then stops reading: its kernel buffers fill, then ws queues what the hub
 * sends, which the hub sees as the socket's `bufferedAmount`.
 */
async function stalledSubscriber(server: TestServer, binId: string) {
  const socket: Socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => {});
  let got = Buffer.alloc(0);
  const onData = (chunk: Buffer) => (got = Buffer.concat([got, chunk]));
  socket.on('data', onData);
  let ended = false;
  socket.on('close', () => (ended = true));
  socket.write(
    `GET /api/ws?token=${encodeURIComponent(server.token)} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await waitFor(() => got.includes('"type":"hello"'), 5000, 'the greeting');
  expect(got.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  socket.write(textFrame(JSON.stringify({ type: 'subscribe', bins: [binId] })));
  await waitFor(() => got.includes('"type":"subscribed"'), 5000, 'the subscription');
  // From here on nothing is read: Node stops reading once its own small buffer is full, then the kernel's fill.
  socket.off('data', onData);
  socket.pause();
  return { socket, ended: () => ended };
}

describe('a subscriber that stops reading, on a real socket', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('is dropped once its queue passes the hub limit; the others keep getting every capture', async () => {
    const bin = server.defaultBinId;
    const good = await connectLive(server);
    good.ws.send(JSON.stringify({ type: 'subscribe', bins: [bin] }));
    await waitFor(() => good.of('subscribed').length === 1, 5000, 'the reading client subscribed');
    const stalled = await stalledSubscriber(server, bin);
    expect(server.hub.size).toBe(2);

    // Captures whose summaries are ~7 KiB each (a long query string), published until the stalled one is
    // dropped; bounded at 64 MiB (far past any socket buffer) and 20 s, well before a heartbeat could drop it.
    const query = `pad=${'x'.repeat(7000)}`;
    const post = async () => {
      const res = await fetch(`${server.binUrl}/slow?${query}`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    };
    let sent = 0;
    const deadline = Date.now() + 20_000;
    while (server.hub.size === 2 && sent * query.length < 64 * 1024 * 1024 && Date.now() < deadline) {
      await Promise.all(Array.from({ length: 16 }, post));
      sent += 16;
    }
    expect(server.hub.size, `the stalled subscriber still connected after ${sent} captures (~${Math.round((sent * query.length) / 2 ** 20)} MiB)`).toBe(1);

    // The stalled one was closed by the server: once it reads again, it finds its connection ended.
    stalled.socket.resume();
    await waitFor(stalled.ended, 10_000, 'the stalled socket to be closed by the server');

    // The reading client is still served: it got every capture, and gets the next ones.
    for (let i = 0; i < 3; i++) await post();
    sent += 3;
    await waitFor(() => good.of('capture.created').length === sent, 10_000, `all ${sent} captures on the reading client`);
    expect(good.ws.readyState).toBe(WebSocket.OPEN);
    expect(server.hub.size).toBe(1);
    good.ws.close();
  }, 60_000);
});
