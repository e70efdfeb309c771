/**
 * The sender through the real server: `POST /api/send`, resends of captures,
 * the outbox, retries on a compressed schedule, error kinds, cancel and a
 * restart with pending deliveries. Targets are real HTTP servers: a hookbin
 * bin (to verify signatures on the receiving side) or a local node:http app.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capture, CaptureSummary, EventPage, OutboxDelivery, OutboxPage, ServerMessage, WebhookTemplate } from '../../server/common/types.js';
import { SCHEMES, type SchemeId } from '../../server/verify/index.js';
import { cleanupTempDirs, connectLive, rawExchange, startServer, tempDir, waitFor, expectJson, type TestServer } from '../support/helpers.js';
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

function post(s: TestServer, path: string, body: unknown): Promise<Response> {
  return s.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

let binSeq = 0;
/** A fresh bin with these settings; returns its id and URL. */
async function bin(settings: Record<string, unknown> = {}, s: TestServer = server): Promise<{ id: string; url: string }> {
  const id = `s${++binSeq}-${randomBytes(3).toString('hex')}`;
  await json(post(s, '/api/bins', { id }), 201);
  if (Object.keys(settings).length > 0) {
    await json(s.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(settings) }));
  }
  return { id, url: `${s.origin}/b/${id}` };
}

async function send(body: unknown, s: TestServer = server): Promise<string> {
  const accepted = await json<{ id: string; state: string }>(post(s, '/api/send', body), 202);
  expect(accepted.state).toBe('pending');
  return accepted.id;
}

/** Waits until the delivery is no longer pending and returns it whole. */
async function settled(id: string, s: TestServer = server, timeoutMs = 10_000): Promise<OutboxDelivery> {
  return waitFor(
    async () => {
      const d = await json<OutboxDelivery>(s.api(`/api/outbox/${id}`));
      return d.state === 'pending' ? null : d;
    },
    timeoutMs,
    `delivery ${id} to finish`,
  );
}

async function captures(binId: string, s: TestServer = server): Promise<CaptureSummary[]> {
  return (await json<{ captures: CaptureSummary[] }>(s.api(`/api/bins/${binId}/captures`))).captures;
}

async function capture(id: string, s: TestServer = server): Promise<Capture> {
  return json<Capture>(s.api(`/api/captures/${id}`));
}

/** A secret each scheme can key with (Standard Webhooks needs whsec_<base64>). */
function secretFor(scheme: SchemeId): string {
  return scheme === 'standard-webhooks' ? `whsec_${randomBytes(24).toString('base64')}` : `${scheme}-secret-${randomBytes(8).toString('hex')}`;
}

describe('signing: a round trip through a hookbin bin holding the same secret', () => {
  it.each(SCHEMES.map((s) => s.id))('%s is verified valid there, and a wrong secret is not', async (scheme) => {
    const secret = secretFor(scheme);
    const b = await bin({ secrets: [{ name: 'shared', value: secret, scheme }] });
    const body = JSON.stringify({ id: `evt_${scheme}`, type: 'invoice.paid', amount: 4900 });
    const good = await settled(await send({ url: b.url, headers: [['Content-Type', 'application/json']], body, sign: { scheme, secret } }));
    expect(good.state).toBe('delivered');
    const wrong = await settled(await send({ url: `${b.url}/wrong`, body, sign: { scheme, secret: secretFor(scheme) } }));
    expect(wrong.state).toBe('delivered');

    const [wrongCap, goodCap] = await captures(b.id);
    const verdict = (await capture(goodCap!.id)).signatures.find((v) => v.scheme === scheme);
    expect(verdict).toMatchObject({ status: 'valid', secret: 'shared' });
    expect((await capture(goodCap!.id)).body).toBe(body);
    expect((await capture(wrongCap!.id)).signatures.find((v) => v.scheme === scheme)?.status).toBe('invalid');
  });

  it('takes a secret by name from a bin (or --secret) and never shows its value', async () => {
    const secret = secretFor('github');
    const b = await bin({ secrets: [{ name: 'gh', value: secret }] });
    const id = await send({ url: b.url, body: '{"zen":"Design for failure."}', sign: { scheme: 'github', secret: 'gh', bin: b.id } });
    const d = await settled(id);
    expect(d.sign).toEqual([{ scheme: 'github', secretName: 'gh', secret: '…' + secret.slice(-4) }]);
    const [c] = await captures(b.id);
    expect((await capture(c!.id)).signatures[0]).toMatchObject({ scheme: 'github', status: 'valid', secret: 'gh' });

    const literal = await settled(await send({ url: b.url, body: '{}', sign: { scheme: 'shopify', secret } }));
    expect(literal.sign[0]!.secretName).toBeNull();
    for (const path of [`/api/outbox/${id}`, `/api/outbox/${literal.id}`, '/api/outbox']) {
      expect(await (await server.api(path)).text()).not.toContain(secret);
    }
    // A bin named for lookup must exist.
    const res = await post(server, '/api/send', { url: b.url, sign: { scheme: 'github', secret: 'gh', bin: 'no-such-bin' } });
    expect(res.status).toBe(404);
  });

  it.each(['movemint', 'generic-api', 'makeplans', 'webconnex', 'webhooks-api-v2.4', 'github', 'stripe', 'standard-webhooks', 'shopify', 'slack'])(
    'template %s arrives signed in its own scheme, valid, with its event type',
    async (templateId) => {
      const { templates } = await json<{ templates: WebhookTemplate[] }>(server.api('/api/templates'));
      const t = templates.find((x) => x.id === templateId)!;
      const secret = secretFor(t.scheme);
      const b = await bin({ secrets: [{ name: 'provider', value: secret }] });
      const d = await settled(await send({ url: b.url, template: templateId, sign: { scheme: t.scheme, secret } }));
      expect(d.state).toBe('delivered');
      const [c] = await captures(b.id);
      const full = await capture(c!.id);
      expect(full.signatures.map((v) => [v.scheme, v.status])).toContainEqual([t.scheme, 'valid']);
      const expectedType = templateId === 'slack' ? 'event_callback' : t.event;
      expect(full.event.type).toBe(expectedType);
      // The provider's own headers came along, in order, beside the signature.
      const sent = full.headers.map(([n]) => n.toLowerCase());
      for (const [n] of t.headers) expect(sent).toContain(n.toLowerCase());
    },
  );
});

describe('retries', () => {
  it('a bin failing the first 2 attempts gets 3 attempts, on the compressed schedule, with the right statuses', async () => {
    const secret = secretFor('stripe');
    const b = await bin({ respond: { failFirst: { count: 2, status: 500 } }, secrets: [{ name: 'st', value: secret }] });
    // 30 s and 60 s at 100×: 300 ms and 600 ms.
    const id = await send({
      url: b.url,
      body: JSON.stringify({ id: 'evt_retry_1', type: 'invoice.paid' }),
      sign: { scheme: 'stripe', secret },
      retry: { schedule: [0, 30_000, 60_000, 60_000], timeScale: 100 },
    });
    const d = await settled(id);
    expect(d.state).toBe('delivered');
    expect(d.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(d.attempts.map((a) => a.error)).toEqual([null, null, null]);
    expect(d.attemptCount).toBe(3);
    expect(d.maxAttempts).toBe(4);
    const expected = [300, 600];
    for (let i = 1; i < d.attempts.length; i++) {
      const prev = d.attempts[i - 1]!;
      const gap = Date.parse(d.attempts[i]!.at) - (Date.parse(prev.at) + prev.durationMs);
      expect(gap, `wait before attempt ${i + 1}`).toBeGreaterThanOrEqual(expected[i - 1]! - 5);
      // Compressed, not the 30 s or 60 s as typed; how late a loaded machine runs a timer is not the question (+250 ms failed under load).
      expect(gap, `wait before attempt ${i + 1}`).toBeLessThan(expected[i - 1]! + 10_000);
    }
    // The bin saw one event with three attempts, each re-signed and valid.
    const events = await json<EventPage>(server.api(`/api/bins/${b.id}/events`));
    expect(events.events).toHaveLength(1);
    const attempts = events.events[0]!.attempts;
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(attempts[1]!.gapMs).toBeGreaterThanOrEqual(295);
    expect(attempts[2]!.gapMs).toBeGreaterThanOrEqual(595);
    for (const c of await captures(b.id)) expect(c.verdict).toBe('valid');
    // Each attempt records the exact request, signature included.
    for (const a of d.attempts) expect(a.request.headers.find(([n]) => n === 'Stripe-Signature')?.[1]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it("a preset's schedule applies, scaled, and stops at the first 2xx", async () => {
    const b = await bin({ respond: { sequence: [503, 500, 201] } });
    const d = await settled(await send({ url: b.url, body: '{"type":"user.created"}', retry: { preset: 'makeplans', timeScale: 60_000 } }));
    expect(d.retry).toEqual({ preset: 'makeplans', schedule: [0, 60_000, 120_000, 240_000, 480_000, 960_000], timeScale: 60_000, timeoutMs: 10_000 });
    expect(d.attempts.map((a) => a.status)).toEqual([503, 500, 201]);
    expect(d.state).toBe('delivered');
    // Per event type: v2.4's user.created gets 3 retries.
    const v24 = await settled(await send({ url: `${b.url}/v24`, body: '{"type":"user.created"}', retry: { preset: 'webhooks-api-v2.4', timeScale: 1e6 } }));
    expect(v24.maxAttempts).toBe(4);
  });

  it('on the Slack preset, retries say their number and reason as Slack’s do, and X-Slack-No-Retry: 1 stops them', async () => {
    const t = await target((_req, n) => (n === 1 ? { status: 500 } : n === 2 ? 'hang' : { status: 200 }));
    const d = await settled(await send({ url: `${t.origin}/slack`, body: '{"type":"event_callback"}', retry: { preset: 'slack', timeScale: 1e6, timeoutMs: 300 } }));
    expect(d.attempts.map((a) => [a.status, a.error])).toEqual([
      [500, null],
      [null, 'timeout'],
      [200, null],
    ]);
    const slack = (i: number) => t.requests[i]!.headers.filter(([n]) => n.toLowerCase().startsWith('x-slack-retry-'));
    expect(slack(0)).toEqual([]);
    expect(slack(1)).toEqual([
      ['X-Slack-Retry-Num', '1'],
      ['X-Slack-Retry-Reason', 'http_error'],
    ]);
    expect(slack(2)).toEqual([
      ['X-Slack-Retry-Num', '2'],
      ['X-Slack-Retry-Reason', 'http_timeout'],
    ]);
    // The exact request recorded for the attempt carries them too.
    expect(d.attempts[1]!.request.headers).toContainEqual(['X-Slack-Retry-Num', '1']);

    const stop = await target(() => ({ status: 503, headers: { 'X-Slack-No-Retry': '1' } }));
    const stopped = await settled(await send({ url: stop.origin, body: '{}', retry: { preset: 'slack', timeScale: 1e6 } }));
    expect(stopped.state).toBe('failed');
    expect(stopped.attempts).toHaveLength(1);
    expect(stop.requests).toHaveLength(1);
    // Other presets neither add them nor stop on it.
    const other = await target((_req, n) => (n === 1 ? { status: 503, headers: { 'X-Slack-No-Retry': '1' } } : { status: 200 }));
    const plain = await settled(await send({ url: other.origin, body: '{}', retry: { schedule: [0, 10] } }));
    expect(plain.attempts.map((a) => a.status)).toEqual([503, 200]);
    expect(other.requests[1]!.headers.some(([n]) => n.toLowerCase().startsWith('x-slack'))).toBe(false);
  });

  it('gives up after the last attempt', async () => {
    const b = await bin({ respond: { status: 500 } });
    const d = await settled(await send({ url: b.url, body: 'x', retry: { schedule: [0, 10, 10] } }));
    expect(d.state).toBe('failed');
    expect(d.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
    expect(d.nextAttemptAt).toBeNull();
    expect((await captures(b.id)).length).toBe(3);
  });

  it('a refused connection is recorded as refused and retried', async () => {
    const port = await closedPort();
    const d = await settled(await send({ url: `http://127.0.0.1:${port}/hook`, body: '{}', retry: { schedule: [0, 50, 50] } }));
    expect(d.state).toBe('failed');
    expect(d.attempts).toHaveLength(3);
    for (const a of d.attempts) {
      expect(a).toMatchObject({ status: null, error: 'refused', response: null });
      expect(a.errorMessage).toMatch(/ECONNREFUSED/);
    }
    expect(d.lastError).toBe('refused');
  });

  it('a timeout is recorded as timeout and retried, and the next attempt can succeed', async () => {
    const t = await target((_req, n) => (n === 1 ? 'hang' : { status: 204 }));
    const started = Date.now();
    const d = await settled(await send({ url: `${t.origin}/slow`, body: '{}', retry: { schedule: [0, 50], timeoutMs: 300 } }));
    expect(d.attempts.map((a) => [a.status, a.error])).toEqual([
      [null, 'timeout'],
      [204, null],
    ]);
    expect(d.attempts[0]!.durationMs).toBeGreaterThanOrEqual(295);
    expect(d.attempts[0]!.durationMs).toBeLessThan(2000);
    expect(d.attempts[0]!.errorMessage).toBe('no complete reply within 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(t.requests).toHaveLength(2);
  });

  it('a reset connection and an unknown host are named too', async () => {
    const t = await target(() => 'reset');
    const reset = await settled(await send({ url: t.origin, body: '{}' }));
    expect(reset.attempts[0]).toMatchObject({ status: null, error: 'reset' });
    const dns = await settled(await send({ url: 'http://no-such-host.invalid/hook', body: '{}' }));
    expect(dns.attempts[0]).toMatchObject({ status: null, error: 'dns' });
  });
});

describe('an https app with a self-signed certificate', () => {
  it('fails as tls unless the delivery says insecure; then it goes through, and the outbox says the certificate was not verified', async () => {
    const t = await target(() => ({ status: 200, body: 'ok' }), { tls: true });
    const strict = await settled(await send({ url: `${t.origin}/hook`, body: '{}' }));
    expect(strict.state).toBe('failed');
    expect(strict.attempts[0]).toMatchObject({ status: null, error: 'tls' });
    expect(strict.attempts[0]!.errorMessage).toMatch(/self[- ]signed/i);
    expect(strict.insecure).toBe(false);
    expect(t.requests).toHaveLength(0);

    const loose = await settled(await send({ url: `${t.origin}/hook`, body: '{"a":1}', insecure: true }));
    expect(loose).toMatchObject({ state: 'delivered', insecure: true });
    expect(t.requests.map((r) => r.body.toString())).toEqual(['{"a":1}']);
    const page = await json<OutboxPage>(server.api('/api/outbox?limit=1'));
    expect(page.deliveries[0]).toMatchObject({ id: loose.id, insecure: true });
    await json(post(server, '/api/send', { url: t.origin, body: '{}', insecure: 'yes' }), 400);
  });

  it('a resend to the forward target trusts its certificate as the forward does; a URL given checks it unless told', async () => {
    const t = await target(() => ({ status: 204 }), { tls: true });
    const b = await bin({ forwardTo: `${t.origin}/app`, forward: { insecure: true } });
    const sent = await fetch(`${b.url}/x`, { method: 'POST', body: 'payload' });
    const id = sent.headers.get('x-hookbin-capture-id')!;
    await waitFor(() => t.requests.length === 1 || null, 5000, 'the live forward');
    const toForward = await settled((await json<{ id: string }>(post(server, `/api/captures/${id}/resend`, {}), 202)).id);
    expect(toForward).toMatchObject({ state: 'delivered', insecure: true });
    const toUrl = await settled((await json<{ id: string }>(post(server, `/api/captures/${id}/resend`, { url: `${t.origin}/other` }), 202)).id);
    expect(toUrl).toMatchObject({ state: 'failed', insecure: false });
    expect(toUrl.attempts[0]!.error).toBe('tls');
  });
});

describe('the exact request and the reply', () => {
  it('records exactly what the target received, and stores the reply as text capped at 1 MiB', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const t = await target((req): Answer =>
      req.url === '/big' ? { status: 200, headers: { 'content-type': 'text/html' }, body: big } : { status: 409, headers: { 'X-App': 'says-no' }, body: '<b>conflict</b>' },
    );
    const d = await settled(
      await send({
        url: `${t.origin}/hook?a=1`,
        method: 'PUT',
        headers: [
          ['X-One', '1'],
          ['x-dup', 'a'],
          ['X-Dup', 'b'],
          ['Connection', 'keep-alive, X-One'],
        ],
        bodyBase64: Buffer.from([0, 1, 2, 255]).toString('base64'),
      }),
    );
    const [received] = t.requests;
    expect(received!.method).toBe('PUT');
    expect(received!.url).toBe('/hook?a=1');
    expect(received!.body).toEqual(Buffer.from([0, 1, 2, 255]));
    const a = d.attempts[0]!;
    // Hop-by-hop headers (and those Connection names) are dropped; the rest is exact.
    expect(a.request.headers).toEqual(received!.headers);
    expect(received!.headers).toEqual([
      ['Host', `127.0.0.1:${t.port}`],
      ['x-dup', 'a'],
      ['X-Dup', 'b'],
      ['Content-Length', '4'],
      ['Connection', 'close'],
    ]);
    expect(a.request).toMatchObject({ method: 'PUT', url: `${t.origin}/hook?a=1` });
    expect(a.status).toBe(409);
    expect(a.response!.body).toBe('<b>conflict</b>');
    expect(a.response!.headers).toContainEqual(['X-App', 'says-no']);
    expect(d.state).toBe('failed');

    const bigD = await settled(await send({ url: `${t.origin}/big`, body: '' }));
    const reply = bigD.attempts[0]!.response!;
    expect(bigD.state).toBe('delivered');
    expect(reply.body.length).toBe(1024 * 1024);
    expect(reply.truncated).toBe(true);
    // Sent chunked: hookbin knows it got more than it kept, not how much more was coming.
    expect(reply.size).toBeGreaterThan(1024 * 1024);
    // Served as JSON, never as the target's content type.
    const res = await server.api(`/api/outbox/${bigD.id}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('keeps a Host header the sender was given, and adds a JSON Content-Type only when none is given', async () => {
    const t = await target();
    await settled(await send({ url: t.origin, headers: { Host: 'app.example.test' }, body: '{"a":1}' }));
    expect(t.requests[0]!.headers).toEqual([
      ['Host', 'app.example.test'],
      ['Content-Type', 'application/json'],
      ['Content-Length', '7'],
      ['Connection', 'close'],
    ]);
    await settled(await send({ url: t.origin, headers: { 'content-type': 'text/plain' }, body: '{"a":1}' }));
    expect(t.requests[1]!.headers.filter(([n]) => n.toLowerCase() === 'content-type')).toEqual([['content-type', 'text/plain']]);
  });
});

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
