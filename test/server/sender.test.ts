/**
 * The outbound engine and its pure parts without the server: signing per
 * attempt with an injected clock, header merging, hop-by-hop handling,
 * resolution of retry options, and the templates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventIdentity } from '../../server/capture/event-identity.js';
import { outboundHeaders, targetOf } from '../../server/outbound/exchange.js';
import { createSender, resolveRetry, scaledWait, signHeaders, type Sender } from '../../server/outbound/sender.js';
import { openStore, type Store } from '../../server/store/index.js';
import { renderTemplate, renderTemplates, TEMPLATE_IDS } from '../../server/outbound/templates.js';
import type { HeaderPair } from '../../server/common/types.js';
import { schemeById } from '../../server/verify/index.js';
import { startTarget, type TestTarget } from '../support/target.js';

const open: { store: Store; sender: Sender }[] = [];
const targets: TestTarget[] = [];

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.sender.close();
    o.store.close();
  }
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

function engine(now: () => number = Date.now) {
  const store = openStore({ file: null, maxCapturesPerBin: 10 });
  const sender = createSender({ store, now });
  open.push({ store, sender });
  return { store, sender };
}

const header = (headers: HeaderPair[], name: string) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

describe('signing per attempt', () => {
  it('timed schemes get a fresh timestamp and signature on every attempt; untimed ones keep theirs; ids stay the same', async () => {
    // A clock that jumps 100 s at every request, as if the retries were spread out.
    let offset = 0;
    const t = await startTarget((_req, n) => {
      offset += 100_000;
      return { status: n < 3 ? 500 : 200 };
    });
    targets.push(t);
    const { sender } = engine(() => Date.now() + offset);
    const body = Buffer.from('{"id":"evt_fresh","type":"invoice.paid"}');
    const stripeSecret = 'whsec_stripe_test_secret';
    const swSecret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const d = sender.enqueue({
      kind: 'send',
      sourceCaptureId: null,
      method: 'POST',
      url: t.origin,
      headers: [['Content-Type', 'application/json']],
      body,
      sign: [
        { scheme: 'stripe', secret: stripeSecret, secretName: null },
        { scheme: 'standard-webhooks', secret: swSecret, secretName: null },
        { scheme: 'slack', secret: 'slack-secret', secretName: null },
        { scheme: 'github', secret: 'gh-secret', secretName: null },
        { scheme: 'webconnex', secret: 'wc-secret', secretName: null },
      ],
      retry: { preset: null, schedule: [0, 0, 0], timeScale: 1, timeoutMs: 5000 },
    });
    const done = await sender.settled(d.id);
    expect(done?.state).toBe('delivered');
    expect(t.requests).toHaveLength(3);

    const stripeTs = t.requests.map((r) => /t=(\d+)/.exec(header(r.headers, 'Stripe-Signature')!)![1]);
    expect(new Set(stripeTs).size).toBe(3);
    expect(new Set(t.requests.map((r) => header(r.headers, 'webhook-timestamp'))).size).toBe(3);
    expect(new Set(t.requests.map((r) => header(r.headers, 'X-Slack-Request-Timestamp'))).size).toBe(3);
    // Each attempt verifies at its own time.
    for (const [i, r] of t.requests.entries()) {
      const at = Number(stripeTs[i]);
      expect(schemeById('stripe')!.verify({ headers: r.headers, body, now: at }, stripeSecret).status).toBe('valid');
      expect(schemeById('standard-webhooks')!.verify({ headers: r.headers, body, now: at }, swSecret).status).toBe('valid');
      expect(schemeById('slack')!.verify({ headers: r.headers, body, now: at }, 'slack-secret').status).toBe('valid');
    }
    // Untimed: the same signature every time, as Webconnex says of its resends.
    expect(new Set(t.requests.map((r) => header(r.headers, 'X-Hub-Signature-256'))).size).toBe(1);
    expect(new Set(t.requests.map((r) => header(r.headers, 'X-Webconnex-Signature'))).size).toBe(1);
    // One delivery id for all attempts, in each scheme's style.
    expect(new Set(t.requests.map((r) => header(r.headers, 'webhook-id'))).size).toBe(1);
    expect(header(t.requests[0]!.headers, 'webhook-id')).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(new Set(t.requests.map((r) => header(r.headers, 'X-GitHub-Delivery'))).size).toBe(1);
    expect(header(t.requests[0]!.headers, 'X-Webconnex-Delivery')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('signs with a delivery id already in the headers and replaces an old signature in place', () => {
    const body = Buffer.from('{}');
    const base: HeaderPair[] = [
      ['webhook-id', 'msg_given'],
      ['X-Hub-Signature-256', 'sha256=old'],
      ['x-hub-signature-256', 'sha256=older'],
      ['X-GitHub-Delivery', 'given-delivery'],
      ['Content-Type', 'application/json'],
    ];
    const out = signHeaders(base, [
      { scheme: 'standard-webhooks', secret: `whsec_${Buffer.from('k'.repeat(24)).toString('base64')}`, secretName: null },
      { scheme: 'github', secret: 's', secretName: null },
    ], body, 1_700_000_000, 'ffffffff-0000-0000-0000-000000000000');
    expect(out.map(([n]) => n)).toEqual(['webhook-id', 'X-Hub-Signature-256', 'X-GitHub-Delivery', 'Content-Type', 'webhook-timestamp', 'webhook-signature', 'X-Hub-Signature']);
    expect(header(out, 'webhook-id')).toBe('msg_given');
    expect(header(out, 'X-GitHub-Delivery')).toBe('given-delivery');
    expect(header(out, 'X-Hub-Signature-256')).not.toBe('sha256=old');
    expect(schemeById('standard-webhooks')!.verify({ headers: out, body, now: 1_700_000_000 }, `whsec_${Buffer.from('k'.repeat(24)).toString('base64')}`).status).toBe('valid');
  });

  it("keeps Svix's svix- header names when the request uses them", () => {
    const secret = `whsec_${Buffer.from('s'.repeat(24)).toString('base64')}`;
    const out = signHeaders([['svix-id', 'msg_svix'], ['svix-timestamp', '1'], ['svix-signature', 'v1,old']], [{ scheme: 'standard-webhooks', secret, secretName: null }], Buffer.from('x'), 1_700_000_000, 'id');
    expect(out.map(([n]) => n)).toEqual(['svix-id', 'svix-timestamp', 'svix-signature']);
    expect(schemeById('standard-webhooks')!.verify({ headers: out, body: Buffer.from('x'), now: 1_700_000_000 }, secret).status).toBe('valid');
  });
});

describe('outbound headers', () => {
  const target = targetOf('http://user:p%40ss@app.test:3000/hooks?k=1', { path: '/sub', query: 'q=2' });

  it('joins the captured path and query to the target', () => {
    expect(target).toMatchObject({ hostname: 'app.test', port: 3000, path: '/hooks/sub?k=1&q=2', host: 'app.test:3000', url: 'http://app.test:3000/hooks/sub?k=1&q=2', auth: 'user:p@ss' });
    expect(targetOf('https://app.test/').path).toBe('/');
    expect(targetOf('https://app.test', { path: '/a/../b', query: '' }).path).toBe('/a/../b');
  });

  it('drops hop-by-hop headers and those Connection names, sets Host and Content-Length in place, adds Basic auth and Connection: close', () => {
    const out = outboundHeaders(
      [
        ['X-First', '1'],
        ['Host', 'hookbin.local:7777'],
        ['Transfer-Encoding', 'chunked'],
        ['Connection', 'keep-alive, X-Private'],
        ['X-Private', 'secret'],
        ['TE', 'trailers'],
        ['Upgrade', 'h2c'],
        ['content-length', '999'],
        ['Content-Length', '999'],
        ['X-Last', '2'],
      ],
      target,
      'POST',
      5,
    );
    expect(out).toEqual([
      ['X-First', '1'],
      ['Host', 'app.test:3000'],
      ['content-length', '5'],
      ['X-Last', '2'],
      ['Authorization', `Basic ${Buffer.from('user:p@ss').toString('base64')}`],
      ['Connection', 'close'],
    ]);
  });

  it('adds Content-Length only where Node would otherwise chunk or the body is non-empty', () => {
    const t = targetOf('http://a.test/');
    expect(outboundHeaders([], t, 'GET', 0)).toEqual([['Host', 'a.test'], ['Connection', 'close']]);
    expect(outboundHeaders([], t, 'POST', 0)).toEqual([['Host', 'a.test'], ['Content-Length', '0'], ['Connection', 'close']]);
    expect(outboundHeaders([], t, 'GET', 3)).toEqual([['Host', 'a.test'], ['Content-Length', '3'], ['Connection', 'close']]);
    expect(outboundHeaders([['Host', 'kept.test']], t, 'GET', 0, { keepHost: true })[0]).toEqual(['Host', 'kept.test']);
  });
});

describe('retry options', () => {
  const msg = { headers: [] as HeaderPair[], body: Buffer.from('{"type":"trial.ending"}') };

  it('a preset gives [0, ...delays] for the event type found in the body, and its timeout', () => {
    expect(resolveRetry({ preset: 'webhooks-api-v2.4' }, msg)).toEqual({ preset: 'webhooks-api-v2.4', schedule: [0, 60_000], timeScale: 1, timeoutMs: 10_000 });
    expect(resolveRetry({ preset: 'webhooks-api-v2.4', eventType: 'invoice.paid' }, msg).schedule).toHaveLength(6);
    expect(resolveRetry({ preset: 'slack', timeScale: 60 }, msg)).toEqual({ preset: 'slack', schedule: [0, 0, 60_000, 300_000], timeScale: 60, timeoutMs: 3000 });
    expect(resolveRetry({ preset: 'github' }, msg).schedule).toEqual([0]);
    expect(resolveRetry(undefined, msg)).toEqual({ preset: null, schedule: [0], timeScale: 1, timeoutMs: 10_000 });
    expect(() => resolveRetry({ preset: 'nope' }, msg)).toThrow(/no retry preset/);
  });

  it('scales waits: 30 s become 0.5 s at 60×', () => {
    expect(scaledWait({ preset: null, schedule: [0, 30_000], timeScale: 60, timeoutMs: 1 }, 1)).toBe(500);
  });
});

describe('the engine', () => {
  it('refuses more pending deliveries than allowed, and anything after close', async () => {
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    const sender = createSender({ store, maxPending: 1 });
    open.push({ store, sender });
    const request = { kind: 'send' as const, sourceCaptureId: null, method: 'POST', url: 'http://127.0.0.1:9/', headers: [], body: Buffer.alloc(0), sign: [], retry: { preset: null, schedule: [60_000], timeScale: 1, timeoutMs: 100 } };
    sender.enqueue(request);
    expect(() => sender.enqueue(request)).toThrow(/already pending/);
    await sender.close();
    expect(() => sender.enqueue(request)).toThrow(/shut down/);
  });

  it('keeps only the newest finished deliveries', async () => {
    const t = await startTarget();
    targets.push(t);
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    const sender = createSender({ store, keepFinished: 2 });
    open.push({ store, sender });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = sender.enqueue({ kind: 'send', sourceCaptureId: null, method: 'POST', url: t.origin, headers: [], body: Buffer.from(String(i)), sign: [], retry: { preset: null, schedule: [0], timeScale: 1, timeoutMs: 5000 } });
      await sender.settled(d.id);
      ids.push(d.id);
    }
    expect(store.listDeliveries({ limit: 10 }).deliveries.map((d) => d.id)).toEqual([ids[3], ids[2]]);
  });

  it('keeps finished deliveries within a byte budget (bodies and stored replies), and bounds pending bytes', async () => {
    const t = await startTarget(() => ({ status: 200, body: 'ok' }));
    targets.push(t);
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    // Each delivery holds a 4-byte body and a 2-byte reply: two fit in 12 bytes, a third does not.
    const sender = createSender({ store, keepFinishedBytes: 12, maxPendingBytes: 8 });
    open.push({ store, sender });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = sender.enqueue({ kind: 'send', sourceCaptureId: null, method: 'POST', url: t.origin, headers: [], body: Buffer.from('abcd'), sign: [], retry: { preset: null, schedule: [0], timeScale: 1, timeoutMs: 5000 } });
      await sender.settled(d.id);
      ids.push(d.id);
    }
    expect(store.listDeliveries({ limit: 10 }).deliveries.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    const big = { kind: 'send' as const, sourceCaptureId: null, method: 'POST', url: 'http://127.0.0.1:9/', headers: [], body: Buffer.alloc(9), sign: [], retry: { preset: null, schedule: [60_000], timeScale: 1, timeoutMs: 100 } };
    expect(() => sender.enqueue(big)).toThrow(/more than .* MiB of bodies/);
  });
});

describe('templates', () => {
  it('one per provider hookbin started from and per major provider, each valid JSON of its event, in its header style', () => {
    expect(TEMPLATE_IDS).toEqual([
      ...['movemint', 'generic-api', 'makeplans', 'webconnex', 'webhooks-api-v2.4', 'github', 'stripe', 'standard-webhooks', 'shopify', 'slack'],
      ...['paddle', 'zoom', 'linear', 'typeform', 'calendly', 'vercel', 'bitbucket'],
      ...['twilio', 'mailgun'],
      ...['square', 'hubspot', 'sendgrid', 'discord'],
    ]);
    const events = Object.fromEntries(renderTemplates().map((t) => [t.id, t.event]));
    expect(events).toMatchObject({
      movemint: 'event.participant.created',
      'generic-api': 'user.created',
      makeplans: 'booking.created',
      webconnex: 'registration',
      'webhooks-api-v2.4': 'invoice.paid',
    });
    for (const t of renderTemplates()) {
      // Twilio posts a form; every other template is JSON (HubSpot and SendGrid arrays of events).
      const body = t.id === 'twilio' ? Object.fromEntries(new URLSearchParams(t.body)) : (JSON.parse(t.body) as Record<string, unknown>);
      expect(body, t.id).toBeTypeOf('object');
      const identity = eventIdentity(t.headers, Buffer.from(t.body));
      expect(identity.type, t.id).toBe(t.event);
      // Every template groups by a real event id, never by a hash of its body; Zoom sends
      // no event id, and its retries carry the same body, so the hash is what groups them.
      if (t.id !== 'zoom') expect(identity.keySource, t.id).not.toBe('body-hash');
      expect(schemeById(t.scheme), t.id).toBeDefined();
      // Its documentation by URL or by name: never a path on the machine that built hookbin.
      expect(t.source, t.id).toMatch(/^(https:\/\/\S+|[A-Z][^/]*)$/);
    }
    expect(renderTemplate('webconnex')!.headers).toEqual(expect.arrayContaining([['User-Agent', 'Webconnex-Divvy'], ['X-Webconnex-Event', 'registration']]));
    expect(renderTemplate('github')!.headers).toEqual(expect.arrayContaining([['X-GitHub-Event', 'push']]));
    expect(renderTemplate('shopify')!.headers).toEqual(expect.arrayContaining([['X-Shopify-Topic', 'orders/create']]));
    expect(renderTemplate('nope')).toBeUndefined();
  });

  it('fresh ids and timestamps on every render', () => {
    const a = renderTemplates(Date.parse('2026-01-01T00:00:00Z'));
    const b = renderTemplates(Date.parse('2026-06-01T00:00:00Z'));
    for (const [i, t] of a.entries()) {
      const u = b[i]!;
      expect(eventIdentity(t.headers, Buffer.from(t.body)).key, t.id).not.toBe(eventIdentity(u.headers, Buffer.from(u.body)).key);
      expect(t.body, t.id).not.toBe(u.body);
    }
    expect(a.find((t) => t.id === 'generic-api')!.body).toContain('"created_at":"2026-01-01T00:00:00Z"');
    expect(JSON.parse(a.find((t) => t.id === 'makeplans')!.body)).toMatchObject({ event: 'booking.created', data: { object: 'booking' }, object: 'booking' });
  });
});
