import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanupTempDirs, connectLive, startServer, waitFor, type TestServer } from './helpers.js';

afterAll(cleanupTempDirs);

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

  it('refuses a missing or wrong token and a foreign Origin', async () => {
    expect((await connectLive(server, { token: null })).opened).toBe(401);
    expect((await connectLive(server, { token: 'wrong' })).opened).toBe(401);
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
});
