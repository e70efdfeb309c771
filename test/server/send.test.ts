/**
 * The sender through the real server: `POST /api/send` signed for every
 * scheme, retries on a compressed schedule, error kinds, an https app, and
 * the exact request and reply (resends, the outbox and restarts are in
 * send-outbox.test.ts). Targets are real HTTP servers: a hookbin bin (to
 * verify signatures on the receiving side) or a local node:http app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPage, OutboxPage, WebhookTemplate } from '../../server/common/types.js';
import { SCHEMES } from '../../server/verify/index.js';
import { cleanupTempDirs, startServer, waitFor, expectJson, type TestServer } from '../support/helpers.js';
import { closedPort, useTargets, type Answer } from '../support/target.js';
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

describe('signing: a round trip through a hookbin bin holding the same secret', () => {
  // Twilio signs a JSON body only through the URL's bodySHA256: its round trip is the form of its template below.
  it.each(SCHEMES.map((s) => s.id).filter((id) => id !== 'twilio'))('%s is verified valid there, and a wrong secret is not', async (scheme) => {
    const secret = secretFor(scheme);
    const b = await bin({ secrets: [{ name: 'shared', value: secret, scheme }] });
    // Linear's timestamp travels in the body it signs, and a body without one is refused as Linear's SDK refuses it.
    const body = JSON.stringify({ id: `evt_${scheme}`, type: 'invoice.paid', amount: 4900, ...(scheme === 'linear' ? { webhookTimestamp: Date.now() } : {}) });
    const good = await settled(await send({ url: b.url, headers: [['Content-Type', 'application/json']], body, sign: { scheme, secret } }));
    expect(good.state).toBe('delivered');
    const wrong = await settled(await send({ url: `${b.url}/wrong`, body, sign: { scheme, secret: secretFor(scheme) } }));
    expect(wrong.state).toBe('delivered');

    const [wrongCap, goodCap] = await captures(b.id);
    const verdict = (await capture(goodCap!.id)).signatures.find((v) => v.scheme === scheme);
    expect(verdict).toMatchObject({ status: 'valid', secret: 'shared' });
    // Mailgun's signature travels in the body: the sender wrote it in beside the fields sent.
    if (scheme === 'mailgun') expect(JSON.parse((await capture(goodCap!.id)).body!)).toMatchObject({ ...JSON.parse(body), signature: { signature: expect.any(String) } });
    else expect((await capture(goodCap!.id)).body).toBe(body);
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

  it.each(['movemint', 'generic-api', 'makeplans', 'webconnex', 'webhooks-api-v2.4', 'github', 'stripe', 'standard-webhooks', 'shopify', 'slack', 'twilio', 'mailgun', 'square', 'hubspot', 'sendgrid', 'discord'])(
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
      // Slack's too: its event_callback envelope is named by the inner event's type.
      expect(full.event.type).toBe(t.event);
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
