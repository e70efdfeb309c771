/**
 * The outbound engine below the routes: the helpers that shape a request
 * (secrets by name, Content-Type, signing with ids and Svix names, Slack's
 * retry headers) and the engine's life over a real in-memory SQLite outbox
 * and real local HTTP targets: what counts as delivered, cancel, settled,
 * forget, close, a failing listener, the pending caps.
 */
import { describe, expect, it, vi } from 'vitest';
import { createSender, OutboxFullError, resolveSecret, SendInputError, signHeaders, stopsRetries, withContentType, withProviderRetryHeaders, type DeliveryRequest } from '../../server/outbound/sender.js';
import { openStore, type DeliveryRecord, type RetrySpec } from '../../server/store/index.js';
import type { HeaderPair, SendErrorKind } from '../../server/common/types.js';
import { useTargets, closedPort } from '../support/target.js';

const BODY = Buffer.from('{"id":"evt_1","type":"ping"}');
const ONCE: RetrySpec = { preset: null, schedule: [0], timeScale: 1, timeoutMs: 5000 };

describe('resolveSecret', () => {
  const candidates = [
    { name: 'shop', value: 'shop-value' },
    { name: 'shop', value: 'second-shop-value' },
    { name: 'other', value: 'other-value' },
  ];
  it('a configured name gives its value (the first of that name)', () =>
    expect(resolveSecret('github', 'shop', candidates)).toEqual({ scheme: 'github', secret: 'shop-value', secretName: 'shop' }));
  it('anything else is the value itself', () => expect(resolveSecret('github', 'literal', candidates)).toEqual({ scheme: 'github', secret: 'literal', secretName: null }));
});

describe('withContentType', () => {
  it('labels an unlabelled JSON body', () => expect(withContentType([['X-A', '1']], BODY)).toEqual([['X-A', '1'], ['Content-Type', 'application/json']]));
  it('leaves a labelled body (any case), an empty body and a non-JSON body as they are', () => {
    const labelled: HeaderPair[] = [['X-A', '1'], ['content-TYPE', 'text/plain']];
    expect(withContentType(labelled, BODY)).toBe(labelled);
    const none: HeaderPair[] = [['X-A', '1']];
    expect(withContentType(none, new Uint8Array())).toBe(none);
    expect(withContentType(none, Buffer.from('a=1&b=2'))).toBe(none);
  });
});

describe('signHeaders', () => {
  const ID = '0b6e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
  const sign = (scheme: string, base: HeaderPair[] = [], secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') =>
    signHeaders(base, [{ scheme: scheme as never, secret, secretName: null }], BODY, 1_767_225_600, ID);
  const value = (headers: HeaderPair[], name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];

  it('leaves its base untouched', () => {
    const base: HeaderPair[] = [['X-A', '1']];
    sign('github', base, 'gh-secret');
    expect(base).toEqual([['X-A', '1']]);
  });

  it('ids in each scheme\'s style: msg_<hex> for Standard Webhooks, bare hex for Webconnex', () => {
    expect(value(sign('standard-webhooks'), 'webhook-id')).toBe(`msg_${ID.replace(/-/g, '')}`);
    expect(value(sign('webconnex', [], 'wc-secret'), 'x-webconnex-delivery')).toBe(ID.replace(/-/g, ''));
    expect(value(sign('github', [], 'gh-secret'), 'x-github-delivery')).toBe(ID);
  });

  it('an unknown scheme is a SendInputError naming it', () => {
    expect(() => sign('nope')).toThrow(new SendInputError('unknown scheme "nope"'));
  });

  it('Standard Webhooks keeps Svix\'s names when the base uses svix-id or svix-signature, and signs with that id', () => {
    for (const base of [[['svix-id', 'msg_given']], [['Svix-Signature', 'v1,old']]] as HeaderPair[][]) {
      const out = sign('standard-webhooks', base);
      expect(out.some(([n]) => n.toLowerCase() === 'webhook-signature')).toBe(false);
      expect(value(out, 'svix-signature')).toMatch(/^v1,/);
      expect(value(out, 'svix-timestamp')).toBe('1767225600');
    }
    expect(value(sign('standard-webhooks', [['svix-id', 'msg_given']]), 'svix-id')).toBe('msg_given');
    // With webhook-signature already there, the standard names stay.
    const standard = sign('standard-webhooks', [['svix-id', 'msg_given'], ['webhook-signature', 'v1,old']]);
    expect(value(standard, 'webhook-signature')).toMatch(/^v1,/);
    expect(value(standard, 'svix-signature')).toBeUndefined();
    // Another scheme never renames.
    expect(value(sign('github', [['svix-id', 'x']], 'gh'), 'x-hub-signature-256')).toMatch(/^sha256=/);
  });

  it('an id already in the base is signed with', () => {
    expect(value(sign('standard-webhooks', [['webhook-id', 'msg_mine']]), 'webhook-id')).toBe('msg_mine');
  });
});

describe('withProviderRetryHeaders (Slack)', () => {
  const slack = (attemptCount: number, lastStatus: number | null, lastError: SendErrorKind | null, headers: HeaderPair[] = []) =>
    withProviderRetryHeaders(headers, { retry: { preset: 'slack', schedule: [0, 0], timeScale: 1, timeoutMs: 1000 }, attemptCount, lastStatus, lastError });

  it.each<[number | null, SendErrorKind | null, string]>([
    [500, null, 'http_error'],
    [null, 'timeout', 'http_timeout'],
    [null, 'refused', 'connection_failed'],
    [null, 'reset', 'connection_failed'],
    [null, 'dns', 'connection_failed'],
    [null, 'tls', 'ssl_error'],
    [null, 'other', 'unknown_error'],
    [null, null, 'unknown_error'],
  ])('after %s / %s the reason is %s', (status, error, reason) => {
    expect(slack(2, status, error)).toEqual([
      ['X-Slack-Retry-Num', '2'],
      ['X-Slack-Retry-Reason', reason],
    ]);
  });

  it('the first attempt has none, nor another preset; headers the user set win, in any case', () => {
    expect(slack(0, null, null)).toEqual([]);
    expect(withProviderRetryHeaders([], { retry: { preset: 'github', schedule: [0, 0], timeScale: 1, timeoutMs: 1000 }, attemptCount: 3, lastStatus: 500, lastError: null })).toEqual([]);
    expect(slack(1, 500, null, [['x-slack-retry-num', '9']])).toEqual([
      ['x-slack-retry-num', '9'],
      ['X-Slack-Retry-Reason', 'http_error'],
    ]);
    expect(slack(1, 500, null, [['X-SLACK-RETRY-REASON', 'mine']])).toEqual([
      ['X-SLACK-RETRY-REASON', 'mine'],
      ['X-Slack-Retry-Num', '1'],
    ]);
  });
});

describe('stopsRetries (Slack)', () => {
  const reply = (headers: HeaderPair[]) => ({ headers });
  it('X-Slack-No-Retry: 1 (any case, spaces around) stops a Slack delivery\'s retries; nothing else does', () => {
    expect(stopsRetries({ preset: 'slack' }, reply([['X-Slack-No-Retry', '1']]))).toBe(true);
    expect(stopsRetries({ preset: 'slack' }, reply([['x-slack-no-retry', ' 1 ']]))).toBe(true);
    expect(stopsRetries({ preset: 'slack' }, reply([['X-Slack-No-Retry', '0']]))).toBe(false);
    expect(stopsRetries({ preset: 'slack' }, reply([['X-Other', '1']]))).toBe(false);
    expect(stopsRetries({ preset: 'slack' }, null)).toBe(false);
    expect(stopsRetries({ preset: 'github' }, reply([['X-Slack-No-Retry', '1']]))).toBe(false);
  });
});

describe('the engine over a real outbox', () => {
  const target = useTargets();
  const request = (url: string, retry: RetrySpec = ONCE, over: Partial<DeliveryRequest> = {}): DeliveryRequest => ({
    kind: 'send',
    sourceCaptureId: null,
    method: 'POST',
    url,
    headers: [['Content-Type', 'application/json']],
    body: BODY,
    sign: [],
    retry,
    ...over,
  });
  const engine = (options: Partial<Parameters<typeof createSender>[0]> = {}) => {
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    const updates: Array<[string, number | null]> = [];
    const sender = createSender({ store, onUpdate: (d, a) => updates.push([d.state, a?.n ?? null]), ...options });
    return { store, sender, updates, done: async () => { await sender.close(); store.close(); } };
  };

  it('2xx is delivered; 199, 300 and 404 are failures to retry', async () => {
    for (const [status, state] of [[200, 'delivered'], [299, 'delivered'], [300, 'failed'], [404, 'failed'], [199, 'failed']] as const) {
      const t = await target(() => ({ status, body: 'x' }));
      const e = engine();
      const d = e.sender.enqueue(request(t.origin, { ...ONCE, schedule: [0, 10] }));
      const end = await e.sender.settled(d.id);
      expect(end?.state, String(status)).toBe(state);
      expect(t.requests.length, String(status)).toBe(state === 'delivered' ? 1 : 2);
      await e.done();
    }
  });

  it('a 200 whose body is cut off is no delivery: the attempt records the status and the error, and it is retried', async () => {
    const { createServer } = await import('node:net');
    const cut = createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b');
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
    });
    await new Promise<void>((resolve) => cut.listen(0, '127.0.0.1', resolve));
    const e = engine();
    try {
      const port = (cut.address() as { port: number }).port;
      const d = e.sender.enqueue(request(`http://127.0.0.1:${port}/`, { ...ONCE, schedule: [0, 10] }));
      const end = await e.sender.settled(d.id);
      expect(end?.state).toBe('failed');
      const attempts = e.store.listAttempts(d.id);
      expect(attempts).toHaveLength(2);
      expect(attempts[0]).toMatchObject({ status: 200 });
      expect(attempts[0]!.error).not.toBeNull();
    } finally {
      await e.done();
      await new Promise((resolve) => cut.close(resolve));
    }
  });

  it('the first attempt waits its scheduled time; signatures are dated in seconds', async () => {
    const t = await target();
    let clock = 1_767_225_600_000;
    const e = engine({ now: () => clock });
    const d = e.sender.enqueue(request(t.origin, { ...ONCE, schedule: [60_000] }, { sign: [{ scheme: 'stripe', secret: 'sk', secretName: null }] }));
    expect(d.nextAt).toBe(clock + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.requests).toHaveLength(0);
    clock += 60_000;
    e.sender.resume();
    const end = await e.sender.settled(d.id);
    expect(end?.state).toBe('delivered');
    const sig = t.requests[0]!.headers.find(([n]) => n.toLowerCase() === 'stripe-signature')![1];
    expect(sig).toMatch(/^t=1767225660,/);
    await e.done();
  });

  it('cancel: a pending delivery is never attempted and is reported cancelled; a finished one is returned as it is; a missing one is undefined', async () => {
    const t = await target();
    const e = engine();
    const d = e.sender.enqueue(request(t.origin, { ...ONCE, schedule: [200] }));
    const cancelled = e.sender.cancel(d.id);
    expect(cancelled?.state).toBe('cancelled');
    expect(e.updates.at(-1)).toEqual(['cancelled', null]);
    expect(await e.sender.settled(d.id)).toMatchObject({ state: 'cancelled' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.requests).toHaveLength(0);
    const n = e.updates.length;
    expect(e.sender.cancel(d.id)?.state).toBe('cancelled');
    expect(e.updates.length).toBe(n);
    expect(e.sender.cancel('nope')).toBeUndefined();
    await e.done();
  });

  it('settled resolves at once for a finished or missing delivery, and when a pending one finishes', async () => {
    const t = await target();
    const e = engine();
    expect(await e.sender.settled('nope')).toBeUndefined();
    const d = e.sender.enqueue(request(t.origin));
    const waiting = e.sender.settled(d.id);
    const end = await waiting;
    expect(end?.state).toBe('delivered');
    expect((await e.sender.settled(d.id))?.state).toBe('delivered');
    await e.done();
  });

  it('forget stops a delivery\'s timer and lets its waiters go with undefined', async () => {
    const t = await target();
    const e = engine();
    const d = e.sender.enqueue(request(t.origin, { ...ONCE, schedule: [150] }));
    const waiting = e.sender.settled(d.id);
    e.sender.forget(d.id);
    expect(await waiting).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(t.requests).toHaveLength(0);
    await e.done();
  });

  it('close drops an attempt in flight unrecorded and waits for it; nothing is attempted after', async () => {
    const t = await target(() => 'hang');
    const e = engine();
    const d = e.sender.enqueue(request(t.origin, { ...ONCE, schedule: [0, 0] }));
    await vi.waitFor(() => expect(t.requests).toHaveLength(1));
    const later = e.sender.enqueue(request(t.origin, { ...ONCE, schedule: [100] }));
    await e.sender.close();
    expect(e.store.getDelivery(d.id)).toMatchObject({ state: 'pending', attemptCount: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.requests).toHaveLength(1);
    expect(e.store.getDelivery(later.id)?.state).toBe('pending');
    expect(() => e.sender.enqueue(request(t.origin))).toThrow(SendInputError);
    e.store.close();
  });

  it('a cancel while an attempt is out drops it unrecorded; a resume while it is out does not send it twice', async () => {
    const t = await target(() => 'hang');
    const e = engine();
    const d = e.sender.enqueue(request(t.origin, { ...ONCE, schedule: [0, 0] }));
    await vi.waitFor(() => expect(t.requests).toHaveLength(1));
    e.sender.resume();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.requests).toHaveLength(1);
    expect(e.sender.cancel(d.id)?.state).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(e.store.listAttempts(d.id)).toEqual([]);
    expect(e.store.getDelivery(d.id)).toMatchObject({ state: 'cancelled', attemptCount: 0 });
    await e.done();
  });

  it('without a listener nothing is logged; a close with an attempt out logs nothing either', async () => {
    const t = await target(() => 'hang');
    const logged = vi.spyOn(console, 'error');
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    const sender = createSender({ store });
    try {
      sender.enqueue(request(t.origin));
      await vi.waitFor(() => expect(t.requests).toHaveLength(1));
      await sender.close();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
      store.close();
    }
  });

  it('resume schedules only pending deliveries', async () => {
    const t = await target();
    const e = engine();
    const d = e.sender.enqueue(request(t.origin));
    await e.sender.settled(d.id);
    expect(e.sender.resume()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.requests).toHaveLength(1);
    await e.done();
  });

  it('a listener that throws is logged and the delivery goes on', async () => {
    const t = await target();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const e = engine({ onUpdate: () => { throw new Error('listener bug'); } });
    try {
      const d = e.sender.enqueue(request(t.origin));
      expect((await e.sender.settled(d.id))?.state).toBe('delivered');
      expect(logged.mock.calls.some((c) => String(c[0]).includes('an outbox listener failed'))).toBe(true);
    } finally {
      logged.mockRestore();
      await e.done();
    }
  });

  it('the pending caps: exactly the byte cap is allowed, a byte more is refused saying how many MiB', async () => {
    const port = await closedPort();
    const e = engine({ maxPendingBytes: 2 * 1024 * 1024 });
    const url = `http://127.0.0.1:${port}`;
    e.sender.enqueue(request(url, { ...ONCE, schedule: [60_000] }, { body: Buffer.alloc(1024 * 1024) }));
    e.sender.enqueue(request(url, { ...ONCE, schedule: [60_000] }, { body: Buffer.alloc(1024 * 1024) }));
    expect(() => e.sender.enqueue(request(url, { ...ONCE, schedule: [60_000] }, { body: Buffer.alloc(1) }))).toThrow(
      new OutboxFullError('pending deliveries would hold more than 2 MiB of bodies; wait for some to finish or cancel them'),
    );
    await e.done();
  });

  it('a delivery that can no longer be signed fails its attempt saying why, instead of staying pending', async () => {
    const t = await target();
    const e = engine();
    const d = e.sender.enqueue(request(t.origin, ONCE, { sign: [{ scheme: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', secretName: null }] }));
    // The stored secret turns unusable (as a changed scheme would make it) before the attempt.
    e.sender.forget(d.id);
    const broken: DeliveryRecord = { ...e.store.getDelivery(d.id)!, sign: [{ scheme: 'standard-webhooks', secret: 'whsec_!!', secretName: null }] };
    const store2 = { ...e.store, getDelivery: (id: string) => (id === d.id ? broken : e.store.getDelivery(id)) };
    const s2 = createSender({ store: store2 as typeof e.store });
    s2.resume();
    const end = await s2.settled(d.id);
    expect(end?.state).toBe('failed');
    const [attempt] = e.store.listAttempts(d.id);
    expect(attempt).toMatchObject({ error: 'other', status: null });
    expect(attempt!.errorMessage).toMatch(/^hookbin could not sign this attempt: /);
    expect(attempt!.request).toMatchObject({ method: 'POST', url: `${t.origin}/` });
    expect(t.requests).toHaveLength(0);
    await s2.close();
    await e.done();
  });
});
