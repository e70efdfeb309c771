/**
 * Live forwarding through the real server: a bin's `forwardTo` (and
 * `--forward`) sends every capture on to a local node:http "app", the app's
 * reply is stored with the capture, and `relay` answers the provider with it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capture, CaptureSummary, EventPage } from '../../server/common/types.js';
import { cleanupTempDirs, connectLive, rawExchange, startServer, waitFor, expectJson, type TestServer } from '../support/helpers.js';
import { closedPort, useTargets, type Answer } from '../support/target.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  cleanupTempDirs();
});

const target = useTargets();

const json = expectJson;

let seq = 0;
async function bin(settings: Record<string, unknown>, s: TestServer = server): Promise<{ id: string; url: string }> {
  const id = `f${++seq}-${randomBytes(3).toString('hex')}`;
  await json(s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) }), 201);
  await json(s.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(settings) }));
  return { id, url: `${s.origin}/b/${id}` };
}

async function captures(binId: string, s: TestServer = server): Promise<CaptureSummary[]> {
  return (await json<{ captures: CaptureSummary[] }>(s.api(`/api/bins/${binId}/captures`))).captures;
}

/** The capture once its forward is stored. */
async function forwarded(id: string, s: TestServer = server): Promise<Capture> {
  return waitFor(
    async () => {
      const c = await json<Capture>(s.api(`/api/captures/${id}`));
      return c.forward ? c : null;
    },
    5000,
    `capture ${id} to be forwarded`,
  );
}

describe('forwardTo', () => {
  it("forwards each capture live to the app and stores the app's reply with the capture", async () => {
    const app = await target(() => ({ status: 201, headers: { 'X-App': 'yes', 'Content-Type': 'application/json' }, body: '{"handled":true}' }));
    const b = await bin({ forwardTo: `${app.origin}/webhook` });
    const live = await connectLive(server);
    live.ws.send(JSON.stringify({ type: 'subscribe', bins: [b.id] }));
    await waitFor(() => live.of('subscribed').length > 0);

    const body = Buffer.from('{"id":"evt_1","type":"invoice.paid"}');
    const head =
      `POST /b/${b.id}/hooks/pay?attempt=1 HTTP/1.1\r\nHost: tunnel.example\r\nX-Custom: a\r\nx-custom: b\r\n` +
      `Content-Type: application/json\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`;
    const reply = (await rawExchange(server.port, Buffer.concat([Buffer.from(head), body]))).toString('latin1');
    // The bin answered its own answer, not the app's.
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(reply).toContain('{"ok":true}');

    const [c] = await captures(b.id);
    const full = await forwarded(c!.id);
    expect(full.forward).toMatchObject({ url: `${app.origin}/webhook/hooks/pay?attempt=1`, status: 201, error: null, relayed: false });
    expect(full.forward!.response!.body).toBe('{"handled":true}');
    expect(full.forward!.response!.headers).toContainEqual(['X-App', 'yes']);
    expect(full.status).toBe(200);

    // The app got the captured request: path appended, headers in order and case, exact bytes, a Via entry.
    const [got] = app.requests;
    expect(got!.url).toBe('/webhook/hooks/pay?attempt=1');
    expect(got!.body).toEqual(body);
    expect(got!.headers.slice(0, 4)).toEqual([
      ['Host', `127.0.0.1:${app.port}`],
      ['X-Custom', 'a'],
      ['x-custom', 'b'],
      ['Content-Type', 'application/json'],
    ]);
    expect(got!.headers.find(([n]) => n === 'Via')?.[1]).toMatch(/^1\.1 hookbin-[0-9a-f]{8}$/);
    expect(got!.headers.filter(([n]) => n.toLowerCase() === 'connection')).toEqual([['Connection', 'close']]);

    const msg = await waitFor(() => live.of('capture.forwarded').find((m) => m.id === c!.id));
    expect(msg).toMatchObject({ binId: b.id, status: 200, forward: { status: 201, error: null, relayed: false } });
    live.ws.close();
  });

  it('an https app with a self-signed certificate is a tls error, until forward.insecure says not to verify it', async () => {
    const app = await target(() => ({ status: 202, body: 'yes' }), { tls: true });
    const b = await bin({ forwardTo: `${app.origin}/in` });
    const first = await fetch(b.url, { method: 'POST', body: 'one' });
    const strict = await forwarded(first.headers.get('x-hookbin-capture-id')!);
    expect(strict.forward).toMatchObject({ status: null, error: 'tls' });
    expect(app.requests).toHaveLength(0);

    const patched = await json<{ forward: { insecure: boolean } }>(server.api(`/api/bins/${b.id}`, { method: 'PATCH', body: JSON.stringify({ forward: { insecure: true } }) }));
    expect(patched.forward.insecure).toBe(true);
    const second = await fetch(b.url, { method: 'POST', body: 'two' });
    const loose = await forwarded(second.headers.get('x-hookbin-capture-id')!);
    expect(loose.forward).toMatchObject({ status: 202, error: null });
    expect(app.requests.map((r) => r.body.toString())).toEqual(['two']);
    await json(server.api(`/api/bins/${b.id}`, { method: 'PATCH', body: JSON.stringify({ forward: { insecure: 1 } }) }), 400);
  });

  it('records an app that is down without changing what the bin answers', async () => {
    const port = await closedPort();
    const b = await bin({ forwardTo: `http://127.0.0.1:${port}/` });
    const res = await fetch(b.url, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
    const [c] = await captures(b.id);
    const full = await forwarded(c!.id);
    expect(full.forward).toMatchObject({ status: null, response: null, error: 'refused', relayed: false });
  });

  it('relay answers the provider with the app\'s status, headers and body, and the timeline shows them', async () => {
    const app = await target((_req, n): Answer => (n === 1 ? { status: 503, headers: { 'Retry-After': '7' }, body: 'app down' } : { status: 418, headers: { 'X-Teapot': '1' }, body: 'short and stout' }));
    const b = await bin({ forwardTo: app.origin, forward: { relay: true }, respond: { status: 202 } });
    const first = await fetch(b.url, { method: 'POST', body: '{"id":"evt_relay"}' });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(await first.text()).toBe('app down');
    const second = await fetch(b.url, { method: 'POST', body: '{"id":"evt_relay"}' });
    expect(second.status).toBe(418);
    expect(second.headers.get('x-teapot')).toBe('1');
    expect(second.headers.get('x-hookbin-capture-id')).toBeTruthy();
    expect(await second.text()).toBe('short and stout');

    const [c2, c1] = await captures(b.id);
    expect([c1!.status, c2!.status]).toEqual([503, 418]);
    const full = await json<Capture>(server.api(`/api/captures/${c2!.id}`));
    expect(full.response).toMatchObject({ status: 418, body: 'short and stout', reason: 'relay' });
    expect(full.forward).toMatchObject({ status: 418, relayed: true });
    const events = await json<EventPage>(server.api(`/api/bins/${b.id}/events`));
    expect(events.events[0]!.attempts.map((a) => a.status)).toEqual([503, 418]);
  });

  it('relay answers 502 with a JSON error when the app cannot be reached', async () => {
    const port = await closedPort();
    const b = await bin({ forwardTo: `http://127.0.0.1:${port}/hook`, forward: { relay: true } });
    const res = await fetch(b.url, { method: 'POST', body: '{}' });
    expect(res.status).toBe(502);
    const err = (await res.json()) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('forward_failed');
    expect(err.error.message).toMatch(/refused/);
    const [c] = await captures(b.id);
    expect((await json<Capture>(server.api(`/api/captures/${c!.id}`))).forward).toMatchObject({ error: 'refused', relayed: true });
  });

  it('relay times out per the bin\'s forward.timeoutMs', async () => {
    const app = await target(() => 'hang');
    const b = await bin({ forwardTo: app.origin, forward: { relay: true, timeoutMs: 300 } });
    const started = Date.now();
    const res = await fetch(b.url, { method: 'POST', body: '{}' });
    expect(res.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(3000);
    const [c] = await captures(b.id);
    expect((await json<Capture>(server.api(`/api/captures/${c!.id}`))).forward).toMatchObject({ error: 'timeout', relayed: true });
  });

  it('a bin forwarding to itself forwards once, not forever', async () => {
    const id = `loop-${randomBytes(3).toString('hex')}`;
    await json(server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) }), 201);
    await json(server.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify({ forwardTo: `${server.origin}/b/${id}` }) }));
    await fetch(`${server.origin}/b/${id}`, { method: 'POST', body: 'round and round' });
    const both = await waitFor(async () => {
      const list = await captures(id);
      return list.length >= 2 ? list : null;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await captures(id)).toHaveLength(2);
    const echo = await forwarded(both[0]!.id);
    expect(echo.forward).toMatchObject({ error: 'loop', status: null });
    expect((await forwarded(both[1]!.id)).forward).toMatchObject({ status: 200, error: null });
  });

  it('does not forward a truncated capture', async () => {
    const app = await target();
    const small = await startServer({ maxBody: 16 });
    try {
      const b = await bin({ forwardTo: app.origin }, small);
      const res = await fetch(b.url, { method: 'POST', body: 'x'.repeat(100) });
      expect(res.status).toBe(413);
      const [c] = await captures(b.id, small);
      expect((await forwarded(c!.id, small)).forward).toMatchObject({ error: 'truncated' });
      expect(app.requests).toHaveLength(0);
    } finally {
      await small.close();
    }
  });
});

describe('--forward', () => {
  it('forwards every bin without its own forwardTo, relays with --forward-relay, and is the default resend target', async () => {
    const app = await target(() => ({ status: 409, body: 'dup' }));
    const own = await target(() => ({ status: 200, body: 'own' }));
    const s = await startServer({ forward: `${app.origin}/in`, forwardRelay: true });
    try {
      const info = await json<{ forward: unknown }>(s.api('/api/info'));
      expect(info.forward).toEqual({ url: `${app.origin}/in`, relay: true, insecure: false });
      expect((await json<{ forward: unknown }>(server.api('/api/info'))).forward).toBeNull();
      const res = await fetch(`${s.binUrl}/x`, { method: 'POST', body: 'a' });
      expect(res.status).toBe(409);
      expect(app.requests[0]!.url).toBe('/in/x');
      // A bin's own forwardTo wins, and its own relay setting (off) applies.
      const b = await bin({ forwardTo: own.origin }, s);
      expect((await fetch(b.url, { method: 'POST', body: 'b' })).status).toBe(200);
      await waitFor(() => own.requests.length === 1);

      const [c] = await captures(s.defaultBinId, s);
      const accepted = await json<{ id: string }>(s.api(`/api/captures/${c!.id}/resend`, { method: 'POST', body: '{}' }), 202);
      await waitFor(() => app.requests.length === 2);
      expect(app.requests[1]!.url).toBe('/in/x');
      expect(accepted.id).toBeTruthy();
    } finally {
      await s.close();
    }
  });

  it('--forward-insecure reaches a self-signed https app, and resends to it do too', async () => {
    const app = await target(() => ({ status: 201, body: 'made' }), { tls: true });
    const s = await startServer({ forward: app.origin, forwardInsecure: true });
    try {
      expect((await json<{ forward: unknown }>(s.api('/api/info'))).forward).toEqual({ url: app.origin, relay: false, insecure: true });
      const res = await fetch(`${s.binUrl}/x`, { method: 'POST', body: 'a' });
      const c = await forwarded(res.headers.get('x-hookbin-capture-id')!, s);
      expect(c.forward).toMatchObject({ status: 201, error: null });
      await json(s.api(`/api/captures/${c.id}/resend`, { method: 'POST', body: '{}' }), 202);
      await waitFor(() => app.requests.length === 2 || null, 5000, 'the resend');
    } finally {
      await s.close();
    }
  });
});
