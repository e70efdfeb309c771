/**
 * The sender's outbox through the real server: resending captures, listing,
 * cancelling and deleting deliveries, pending deliveries across a restart,
 * and input checks on the control plane only.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxDelivery, OutboxPage, ServerMessage } from '../../server/common/types.js';
import { cleanupTempDirs, connectLive, rawExchange, startServer, tempDir, waitFor, expectJson, type TestServer } from '../support/helpers.js';
import { useTargets } from '../support/target.js';
import { senderHelpers } from '../support/sender.js';

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
const { post, bin, send, settled, captures, capture, secretFor } = senderHelpers(() => server);

describe('resend', () => {
  it('resends a capture byte for byte: same method, header pairs and bytes, hop-by-hop dropped, Host the target', async () => {
    const b = await bin();
    const body = Buffer.concat([Buffer.from('{"é":"'), randomBytes(64), Buffer.from('"}\r\n')]);
    const head =
      `POST /b/${b.id}/hooks/pay?x=1&y=%20 HTTP/1.1\r\nHost: tunnel.example\r\nX-Custom: a\r\nx-custom: b\r\nX-UPPER: Q  \r\n` +
      `Content-Type: application/octet-stream\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: ${body.length}\r\n\r\n`;
    await rawExchange(server.port, Buffer.concat([Buffer.from(head, 'latin1'), body]), 1000);
    const [c] = await captures(b.id);
    const captured = await capture(c!.id);

    const t = await target();
    const accepted = await json<{ id: string }>(post(server, `/api/captures/${c!.id}/resend`, { url: `${t.origin}/app/webhook` }), 202);
    const d = await settled(accepted.id);
    expect(d).toMatchObject({ kind: 'resend', sourceCaptureId: c!.id, state: 'delivered', method: 'POST' });
    const [got] = t.requests;
    expect(got!.body).toEqual(body);
    expect(got!.url).toBe('/app/webhook');
    const expected = captured.headers
      .filter(([n]) => !['connection', 'keep-alive'].includes(n.toLowerCase()))
      .map(([n, v]) => [n, n.toLowerCase() === 'host' ? `127.0.0.1:${t.port}` : v]);
    expect(got!.headers).toEqual([...expected, ['Connection', 'close']]);
    expect(d.attempts[0]!.request.headers).toEqual(got!.headers);

    // And into another bin: the stored bytes are identical.
    const other = await bin();
    await settled((await json<{ id: string }>(post(server, `/api/captures/${c!.id}/resend`, { url: other.url }), 202)).id);
    const [again] = await captures(other.id);
    const bytes = Buffer.from(await (await server.api(`/api/captures/${again!.id}/body`)).arrayBuffer());
    expect(bytes).toEqual(body);
  });

  it("defaults to the bin's forwardTo with the captured sub-path and query, and says so when there is none", async () => {
    const t = await target();
    const b = await bin();
    await fetch(`${b.url}/hooks/github?delivery=7`, { method: 'POST', body: 'hi' });
    const [c] = await captures(b.id);
    const none = await post(server, `/api/captures/${c!.id}/resend`, {});
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('no_target');
    await json(server.api(`/api/bins/${b.id}`, { method: 'PATCH', body: JSON.stringify({ forwardTo: `${t.origin}/app/` }) }));
    await settled((await json<{ id: string }>(post(server, `/api/captures/${c!.id}/resend`, {}), 202)).id);
    expect(t.requests[0]!.url).toBe('/app/hooks/github?delivery=7');
  });

  it('an edited resend re-signed with the matching secret verifies valid; edited without re-signing does not', async () => {
    const secret = secretFor('github');
    const src = await bin({ secrets: [{ name: 'gh', value: secret }] });
    const dst = await bin({ secrets: [{ name: 'gh2', value: secret }] });
    await settled(await send({ url: src.url, body: '{"action":"opened"}', sign: { scheme: 'github', secret: 'gh', bin: src.id } }));
    const [c] = await captures(src.id);
    expect(c!.verdict).toBe('valid');

    const resigned = await settled((await json<{ id: string }>(post(server, `/api/captures/${c!.id}/resend`, { url: dst.url, body: '{"action":"closed"}', resign: true }), 202)).id);
    expect(resigned.sign).toEqual([{ scheme: 'github', secretName: 'gh', secret: '…' + secret.slice(-4) }]);
    await settled((await json<{ id: string }>(post(server, `/api/captures/${c!.id}/resend`, { url: dst.url, body: '{"action":"edited"}' }), 202)).id);
    const [stale, fresh] = await captures(dst.id);
    expect((await capture(fresh!.id)).body).toBe('{"action":"closed"}');
    expect(fresh!.verdict).toBe('valid');
    expect(stale!.verdict).toBe('invalid');

    // Explicit scheme and secret too; resign: true without a matching secret says why.
    // The resends of a capture, for showing them beside it.
    const mine = await json<OutboxPage>(server.api(`/api/outbox?capture=${c!.id}`));
    expect(mine.deliveries.map((x) => x.id)).toEqual(expect.arrayContaining([resigned.id]));
    expect(mine.deliveries).toHaveLength(2);
    expect(mine.deliveries.every((x) => x.kind === 'resend' && x.sourceCaptureId === c!.id)).toBe(true);
    expect((await json<OutboxPage>(server.api(`/api/outbox?capture=${c!.id}&state=failed`))).deliveries).toHaveLength(0);

    const explicit = await settled((await json<{ id: string }>(post(server, `/api/captures/${c!.id}/resend`, { url: dst.url, resign: { scheme: 'shopify', secret } }), 202)).id);
    expect(explicit.attempts[0]!.request.headers.map(([n]) => n)).toContain('X-Shopify-Hmac-Sha256');
    const unsigned = await bin();
    await fetch(unsigned.url, { method: 'POST', body: '{}' });
    const [plain] = await captures(unsigned.id);
    const res = await post(server, `/api/captures/${plain!.id}/resend`, { url: dst.url, resign: true });
    expect(res.status).toBe(422);
  });

  it('refuses a truncated capture unless the body is edited, and an unknown capture', async () => {
    const small = await startServer({ maxBody: 16 });
    try {
      const b = await bin({}, small);
      await fetch(b.url, { method: 'POST', body: 'x'.repeat(100) });
      const [c] = await captures(b.id, small);
      expect(c!.truncated).toBe(true);
      const res = await post(small, `/api/captures/${c!.id}/resend`, { url: b.url });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('capture_truncated');
      await json(post(small, `/api/captures/${c!.id}/resend`, { url: b.url, body: 'short' }), 202);
      expect((await post(small, '/api/captures/nope/resend', { url: b.url })).status).toBe(404);
    } finally {
      await small.close();
    }
  });
});

describe('the outbox', () => {
  it('lists deliveries newest first, pages and filters them, and streams outbox.updated', async () => {
    const live = await connectLive(server);
    live.ws.send(JSON.stringify({ type: 'subscribe', bins: [] }));
    const b = await bin();
    const first = await send({ url: b.url, body: '1' });
    const second = await send({ url: b.url, body: '2' });
    await settled(first);
    await settled(second);
    const page = await json<OutboxPage>(server.api('/api/outbox?limit=1'));
    expect(page.deliveries.map((d) => d.id)).toEqual([second]);
    const next = await json<OutboxPage>(server.api(`/api/outbox?limit=1&before=${page.next}`));
    expect(next.deliveries.map((d) => d.id)).toEqual([first]);
    const delivered = await json<OutboxPage>(server.api('/api/outbox?state=delivered&limit=1000'));
    expect(delivered.deliveries.every((d) => d.state === 'delivered')).toBe(true);
    expect((await server.api('/api/outbox?state=lost')).status).toBe(400);

    const updates = await waitFor(() => {
      const mine = live.of('outbox.updated').filter((m) => m.delivery.id === second);
      return mine.some((m) => m.delivery.state === 'delivered') ? mine : null;
    });
    expect(updates[0]!.delivery).toMatchObject({ id: second, state: 'pending', attemptCount: 0 });
    expect(updates.at(-1)!.delivery).toMatchObject({ state: 'delivered', attemptCount: 1, lastStatus: 200 });
    // Small summaries only: no bodies or headers on the socket.
    expect(JSON.stringify(updates)).not.toContain('headers');
    live.ws.close();
  });

  it('cancels a pending delivery (no further attempt), refuses to cancel a finished one, and deletes', async () => {
    const t = await target(() => ({ status: 500 }));
    const id = await send({ url: t.origin, body: '{}', retry: { schedule: [0, 60_000] } });
    await waitFor(async () => (await json<OutboxDelivery>(server.api(`/api/outbox/${id}`))).attemptCount === 1);
    const cancelled = await json<OutboxDelivery>(post(server, `/api/outbox/${id}/cancel`, {}));
    expect(cancelled).toMatchObject({ state: 'cancelled', nextAttemptAt: null, attemptCount: 1 });
    expect((await post(server, `/api/outbox/${id}/cancel`, {})).status).toBe(409);
    expect(t.requests).toHaveLength(1);

    // Cancelling an attempt in flight drops it unrecorded.
    const hang = await target(() => 'hang');
    const inFlight = await send({ url: hang.origin, body: '{}', retry: { timeoutMs: 60_000 } });
    await waitFor(() => hang.requests.length === 1);
    const c = await json<OutboxDelivery>(post(server, `/api/outbox/${inFlight}/cancel`, {}));
    expect(c).toMatchObject({ state: 'cancelled', attemptCount: 0 });

    expect((await server.api(`/api/outbox/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await server.api(`/api/outbox/${id}`)).status).toBe(404);
    expect((await server.api(`/api/outbox/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('serves the body bytes as an attachment', async () => {
    const t = await target();
    const id = await send({ url: t.origin, headers: { 'Content-Type': 'text/html' }, body: '<script>alert(1)</script>' });
    await settled(id);
    const res = await server.api(`/api/outbox/${id}/body`);
    expect(await res.text()).toBe('<script>alert(1)</script>');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
  });
});

describe('restart', () => {
  it('a pending delivery resumes after a restart, on its schedule', async () => {
    const dataDir = tempDir();
    const t = await target((_req, n) => (n === 1 ? { status: 503 } : { status: 200 }));
    let s = await startServer({ dataDir });
    const id = await send({ url: `${t.origin}/resume`, body: '{"id":"evt_resume"}', retry: { schedule: [0, 1500] } }, s);
    await waitFor(async () => (await json<OutboxDelivery>(s.api(`/api/outbox/${id}`))).attemptCount === 1);
    const closing = Date.now();
    await s.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    expect(t.requests).toHaveLength(1);

    s = await startServer({ dataDir });
    try {
      expect(s.resumed).toBe(1);
      const d = await settled(id, s);
      expect(d.state).toBe('delivered');
      expect(d.attempts.map((a) => a.status)).toEqual([503, 200]);
      const first = d.attempts[0]!;
      const wait = Date.parse(d.attempts[1]!.at) - (Date.parse(first.at) + first.durationMs);
      expect(wait).toBeGreaterThanOrEqual(1495);
      expect(t.requests).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it('close() is prompt with an attempt in flight, which is made again after the restart', async () => {
    const dataDir = tempDir();
    const t = await target((_req, n) => (n === 1 ? 'hang' : { status: 202 }));
    let s = await startServer({ dataDir });
    const id = await send({ url: t.origin, body: '{}', retry: { timeoutMs: 60_000 } }, s);
    await waitFor(() => t.requests.length === 1);
    const closing = Date.now();
    await s.close();
    expect(Date.now() - closing).toBeLessThan(1000);

    s = await startServer({ dataDir });
    try {
      const d = await settled(id, s);
      expect(d.attempts.map((a) => a.status)).toEqual([202]);
      expect(t.requests).toHaveLength(2);
    } finally {
      await s.close();
    }
  });
});

describe('control plane only, with validated input', () => {
  it('needs the token and refuses cross-site requests', async () => {
    const t = await target();
    expect((await server.raw('/api/send', { method: 'POST', body: JSON.stringify({ url: t.origin }) })).status).toBe(401);
    expect((await server.raw('/api/outbox')).status).toBe(401);
    expect((await server.raw('/api/templates')).status).toBe(401);
    const foreign = await server.api('/api/send', { method: 'POST', headers: { origin: 'https://evil.example' }, body: JSON.stringify({ url: t.origin }) });
    expect(foreign.status).toBe(403);
    expect(t.requests).toHaveLength(0);
  });

  it('is not reachable from a bin URL: a request there is only captured', async () => {
    const t = await target();
    const b = await bin();
    for (const path of ['/api/send', '/api/captures/x/resend']) {
      const res = await fetch(`${b.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: t.origin }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-hookbin-capture-id')).toBeTruthy();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(t.requests).toHaveLength(0);
    expect((await captures(b.id)).map((c) => c.path).sort()).toEqual(['/api/captures/x/resend', '/api/send']);
  });

  it.each([
    ['a missing url', {}],
    ['an ftp url', { url: 'ftp://example.com/x' }],
    ['a relative url', { url: '/b/x' }],
    ['a javascript url', { url: 'javascript:alert(1)' }],
    ['a header name with a space', { url: 'http://127.0.0.1:9/', headers: [['Bad Name', 'x']] }],
    ['a header value with CRLF', { url: 'http://127.0.0.1:9/', headers: { 'X-A': 'a\r\nX-Injected: 1' } }],
    // JSON.parse makes `__proto__` an own key, as a raw request body would.
    ['a "__proto__" header key', { url: 'http://127.0.0.1:9/', headers: JSON.parse('{"__proto__":"x","a":"b"}') as unknown }],
    ['a method with a space', { url: 'http://127.0.0.1:9/', method: 'GE T' }],
    ['CONNECT', { url: 'http://127.0.0.1:9/', method: 'CONNECT' }],
    ['both body and bodyBase64', { url: 'http://127.0.0.1:9/', body: 'a', bodyBase64: 'YQ==' }],
    ['bad base64', { url: 'http://127.0.0.1:9/', bodyBase64: '!!!' }],
    ['an unknown scheme', { url: 'http://127.0.0.1:9/', sign: { scheme: 'rot13', secret: 'x' } }],
    ['an empty secret', { url: 'http://127.0.0.1:9/', sign: { scheme: 'github', secret: '' } }],
    ['an unknown preset', { url: 'http://127.0.0.1:9/', retry: { preset: 'pigeon' } }],
    ['a preset and a schedule', { url: 'http://127.0.0.1:9/', retry: { preset: 'slack', schedule: [0] } }],
    ['an empty schedule', { url: 'http://127.0.0.1:9/', retry: { schedule: [] } }],
    ['a negative wait', { url: 'http://127.0.0.1:9/', retry: { schedule: [0, -1] } }],
    ['51 attempts', { url: 'http://127.0.0.1:9/', retry: { schedule: Array(51).fill(0) } }],
    ['a zero timeScale', { url: 'http://127.0.0.1:9/', retry: { timeScale: 0 } }],
    ['a huge timeout', { url: 'http://127.0.0.1:9/', retry: { timeoutMs: 3_600_000 } }],
    ['an unknown template', { url: 'http://127.0.0.1:9/', template: 'acme' }],
    ['an unknown key', { url: 'http://127.0.0.1:9/', target: 'x' }],
  ])('rejects %s with a 400 and a message', async (_what, body) => {
    const res = await post(server, '/api/send', body);
    const text = await res.text();
    expect(res.status, text).toBe(400);
    const err = JSON.parse(text) as { error: { code: string; message: string } };
    expect(err.error.message.length).toBeGreaterThan(5);
  });

  it('says why a secret cannot key its scheme, without the secret', async () => {
    const res = await post(server, '/api/send', { url: 'http://127.0.0.1:9/', sign: { scheme: 'standard-webhooks', secret: 'whsec_not base64!' } });
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text).toMatch(/base64/);
    expect(text).not.toContain('not base64!');
  });

  it('PATCH validates forwardTo and forward', async () => {
    const b = await bin();
    for (const patch of [{ forwardTo: 'ftp://x' }, { forwardTo: 'not a url' }, { forward: { relay: 'yes' } }, { forward: { timeoutMs: 10 } }, { forward: { other: 1 } }]) {
      const res = await server.api(`/api/bins/${b.id}`, { method: 'PATCH', body: JSON.stringify(patch) });
      expect(res.status, JSON.stringify(patch)).toBe(400);
    }
    const ok = await json<{ forwardTo: string | null; forward: { relay: boolean; timeoutMs: number } }>(
      server.api(`/api/bins/${b.id}`, { method: 'PATCH', body: JSON.stringify({ forwardTo: 'http://localhost:3000/webhook', forward: { relay: true } }) }),
    );
    expect(ok.forwardTo).toBe('http://localhost:3000/webhook');
    expect(ok.forward).toEqual({ relay: true, timeoutMs: 10_000, insecure: false });
    const withPassword = await json<{ forwardTo: string | null }>(
      server.api(`/api/bins/${b.id}`, { method: 'PATCH', body: JSON.stringify({ forwardTo: 'https://hook:s3cret-pass@app.example/in' }) }),
    );
    expect(withPassword.forwardTo).toBe('https://hook:***@app.example/in');
    expect(await (await server.api(`/api/bins/${b.id}`)).text()).not.toContain('s3cret-pass');
    const cleared = await json<{ forwardTo: string | null }>(server.api(`/api/bins/${b.id}`, { method: 'PATCH', body: '{"forwardTo":null}' }));
    expect(cleared.forwardTo).toBeNull();
  });
});

// Keep the ServerMessage import honest: outbox messages are part of the union.
const _typecheck: ServerMessage['type'][] = ['outbox.updated', 'outbox.deleted', 'capture.forwarded'];
void _typecheck;
