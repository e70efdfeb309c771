/**
 * The sender's model, in Node without a DOM: a draft turned into the API's
 * request (and refused when it is wrong), templates and captures prefilled
 * into the composer, outbox updates merged newest first without going back
 * in time, and the store over a fake API (live updates refetch an open
 * delivery, resends of a capture stay its own).
 */
import { describe, expect, it } from 'vitest';
import type { Capture, OutboxDelivery, OutboxSummary, WebhookTemplate } from '../../server/common/types.js';
import type { SenderApi } from '../../web/src/api/http.js';
import {
  applyTemplate,
  buildRequest,
  createSenderModel,
  CUSTOM_SCHEDULE,
  MAX_ATTEMPTS,
  MAX_WAIT_MS,
  parseSchedule,
  deliveryStateText,
  draftFromCapture,
  emptyDraft,
  mergeDeliveries,
  nextAttemptText,
  scheduleText,
} from '../../web/src/state/sender.js';
import { forwardTarget } from '../../web/src/features/send/CaptureSend.js';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');

function summary(n: number, over: Partial<OutboxSummary> = {}): OutboxSummary {
  const at = new Date(T0 + n * 1000).toISOString();
  return {
    id: `d${String(n).padStart(4, '0')}`,
    kind: 'send',
    sourceCaptureId: null,
    state: 'pending',
    createdAt: at,
    updatedAt: at,
    method: 'POST',
    url: 'http://localhost:3000/webhook',
    attemptCount: 0,
    maxAttempts: 6,
    lastStatus: null,
    lastError: null,
    nextAttemptAt: at,
    insecure: false,
    ...over,
  };
}

const template: WebhookTemplate = {
  id: 'makeplans',
  provider: 'Makeplans',
  event: 'booking.created',
  scheme: 'makeplans',
  preset: 'makeplans',
  source: 'seed',
  method: 'POST',
  headers: [['Content-Type', 'application/json']],
  body: '{"event":"booking.created"}',
};

function capture(over: Partial<Capture> = {}): Capture {
  return {
    id: 'cap1',
    binId: 'bin1',
    receivedAt: new Date(T0).toISOString(),
    method: 'PUT',
    path: '/hooks',
    query: 'a=1',
    headers: [
      ['Host', '127.0.0.1:7777'],
      ['Content-Type', 'application/json'],
      ['Content-Length', '7'],
      ['Connection', 'keep-alive'],
      ['Proxy-Authorization', 'x'],
      ['X-MakePlans-Signature', 'sha256=abc'],
    ],
    body: '{"a":1}',
    bodyBase64: '',
    signatures: [
      { scheme: 'github', header: 'X-Hub-Signature-256', status: 'invalid', secret: null, diagnosis: null },
      { scheme: 'makeplans', header: 'X-MakePlans-Signature', status: 'valid', secret: 'mp', diagnosis: null },
    ],
    ...over,
  } as unknown as Capture;
}

describe('buildRequest', () => {
  const base = { ...emptyDraft('bin1', 'http://localhost:3000/webhook'), body: '{}' };

  it('sends a signed draft with its preset at its time scale, secret looked up in the bin', () => {
    const b = buildRequest({ ...base, headers: [{ name: 'X-A', value: '1' }, { name: '', value: '' }], scheme: 'makeplans', secret: ' mp ', preset: 'makeplans', timeScale: 60 });
    expect(b).toEqual({
      ok: true,
      route: 'send',
      captureId: null,
      body: {
        url: 'http://localhost:3000/webhook',
        method: 'POST',
        headers: [['X-A', '1']],
        body: '{}',
        sign: { scheme: 'makeplans', secret: 'mp', bin: 'bin1' },
        retry: { preset: 'makeplans', timeScale: 60 },
      },
    });
  });

  it('without a preset sends one attempt (no retry), with only the timeout when one is typed', () => {
    const one = buildRequest(base);
    expect(one.ok && one.body.retry).toBeUndefined();
    expect(one.ok && one.body.sign).toBeUndefined();
    const t = buildRequest({ ...base, timeoutMs: '2500' });
    expect(t.ok && t.body.retry).toEqual({ timeoutMs: 2500 });
  });

  it('sends your own waits as a schedule at the time scale, read as `hookbin send --schedule` reads them', () => {
    const b = buildRequest({ ...base, preset: CUSTOM_SCHEDULE, schedule: ' 0, 1000 ,5000', timeScale: 600 });
    expect(b.ok && b.body.retry).toEqual({ schedule: [0, 1000, 5000], timeScale: 600 });
    const bad = buildRequest({ ...base, preset: CUSTOM_SCHEDULE, schedule: '0,1s' });
    expect(bad).toEqual({ ok: false, error: 'Schedule entry 2 ("1s") is not a whole number of ms from 0 to 604800000 (7 days).' });
  });

  it('parses a schedule within the server’s limits, saying what is wrong', () => {
    expect(parseSchedule('0')).toEqual({ ok: true, schedule: [0] });
    expect(parseSchedule(`${MAX_WAIT_MS}`)).toEqual({ ok: true, schedule: [MAX_WAIT_MS] });
    expect(parseSchedule(Array(MAX_ATTEMPTS).fill('1').join(','))).toMatchObject({ ok: true });
    const error = (text: string) => {
      const r = parseSchedule(text);
      return r.ok ? null : r.error;
    };
    expect(error('')).toMatch(/at least one wait/);
    expect(error(' ')).toMatch(/at least one wait/);
    expect(error(Array(MAX_ATTEMPTS + 1).fill('1').join(','))).toMatch(/at most 50 attempts/);
    expect(error(`0,${MAX_WAIT_MS + 1}`)).toMatch(/entry 2/);
    for (const bad of ['-1', '1.5', '1e3', '0x10', '0,,1', '0,']) expect(error(bad), bad).toMatch(/Schedule entry/);
  });

  it('asks for an unverified certificate only for an https target', () => {
    const https = buildRequest({ ...base, url: 'https://localhost:8443/hook', insecure: true });
    expect(https.ok && https.body.insecure).toBe(true);
    const http = buildRequest({ ...base, insecure: true });
    expect(http.ok && 'insecure' in http.body).toBe(false);
    const off = buildRequest({ ...base, url: 'https://localhost:8443/hook' });
    expect(off.ok && 'insecure' in off.body).toBe(false);
  });

  it('an edited capture goes to /resend, re-signed, or explicitly not', () => {
    const d = { ...base, captureId: 'cap1', scheme: 'stripe' as const, secret: 'whsec_x' };
    const b = buildRequest(d);
    expect(b.ok && b.route).toBe('resend');
    expect(b.ok && b.body.resign).toEqual({ scheme: 'stripe', secret: 'whsec_x', bin: 'bin1' });
    const u = buildRequest({ ...d, scheme: '' });
    expect(u.ok && u.body.resign).toBe(false);
  });

  it('refuses what the server would: a relative URL, another scheme, a bad header name, a line break in a value, a missing secret, a bad timeout', () => {
    const err = (patch: Partial<typeof base>) => {
      const b = buildRequest({ ...base, ...patch });
      return b.ok ? null : b.error;
    };
    expect(err({ url: '/webhook' })).toMatch(/whole URL/);
    expect(err({ url: 'ftp://x/y' })).toMatch(/http/);
    expect(err({ method: 'PO ST' })).toMatch(/method/);
    expect(err({ headers: [{ name: 'Bad Name', value: 'x' }] })).toMatch(/Header 1/);
    expect(err({ headers: [{ name: 'X-A', value: 'a\r\nX-Injected: 1' }] })).toMatch(/line break/);
    expect(err({ scheme: 'github', secret: ' ' })).toMatch(/needs a secret/);
    expect(err({ timeoutMs: '1.5' })).toMatch(/timeout/);
    expect(err({ timeoutMs: '999999' })).toMatch(/timeout/);
  });
});

describe('prefilling the composer', () => {
  it('a template brings method, headers, body, scheme and preset; the target and secret stay', () => {
    const d = applyTemplate({ ...emptyDraft('bin1', 'http://app/x'), secret: 's', captureId: 'old' }, template);
    expect(d).toMatchObject({ url: 'http://app/x', secret: 's', captureId: null, template: 'makeplans', scheme: 'makeplans', preset: 'makeplans', body: template.body });
    expect(d.headers).toEqual([{ name: 'Content-Type', value: 'application/json' }]);
    expect(applyTemplate(emptyDraft(), { ...template, preset: null }).preset).toBe('');
  });

  it('a capture brings its method, body and headers less the ones the sender sets, re-signed with the scheme a named secret matched', () => {
    const d = draftFromCapture(capture(), 'http://app/hooks?a=1', emptyDraft());
    expect(d).toMatchObject({ captureId: 'cap1', binId: 'bin1', url: 'http://app/hooks?a=1', method: 'PUT', body: '{"a":1}', scheme: 'makeplans', secret: 'mp', preset: '' });
    expect(d.headers.map((h) => h.name)).toEqual(['Content-Type', 'X-MakePlans-Signature']);
    const unsigned = draftFromCapture(capture({ signatures: [] }), '', emptyDraft());
    expect(unsigned.scheme).toBe('');
    expect(draftFromCapture(capture({ body: null }), '', emptyDraft()).body).toBe('');
  });

  it('the default resend target is the forward URL with the captured sub-path and query, as the server builds it', () => {
    expect(forwardTarget('http://app:3000/webhook', { path: '/github', query: 'x=1' })).toBe('http://app:3000/webhook/github?x=1');
    expect(forwardTarget('http://app:3000/webhook/?k=v', { path: '/a', query: 'x=1' })).toBe('http://app:3000/webhook/a?k=v&x=1');
    expect(forwardTarget('http://app:3000/', { path: '', query: '' })).toBe('http://app:3000/');
  });
});

describe('the outbox list', () => {
  it('merges newest first, unique by id, and a stale copy never undoes a newer one', () => {
    const a = summary(1);
    const b = summary(2);
    const list = mergeDeliveries([], [a, b]);
    expect(list.map((d) => d.id)).toEqual([b.id, a.id]);
    const attempted = { ...a, attemptCount: 1, lastStatus: 500, updatedAt: new Date(T0 + 5000).toISOString() };
    const after = mergeDeliveries(list, [attempted]);
    expect(after.find((d) => d.id === a.id)).toBe(attempted);
    // A page fetched before the update arrives late: ignored.
    expect(mergeDeliveries(after, [a])).toBe(after);
    expect(mergeDeliveries(after, [attempted])).toBe(after);
  });

  it('says where a delivery is in words', () => {
    expect(deliveryStateText(summary(1))).toBe('pending: attempt 1 of 6');
    expect(deliveryStateText(summary(1, { attemptCount: 2, lastStatus: 500 }))).toBe('retrying: attempt 2 of 6 got 500');
    expect(deliveryStateText(summary(1, { state: 'delivered', attemptCount: 3, lastStatus: 200 }))).toBe('delivered on attempt 3 of 6');
    expect(deliveryStateText(summary(1, { state: 'failed', attemptCount: 6, lastError: 'refused' }))).toBe('failed: 6 attempts, the last refused');
    expect(deliveryStateText(summary(1, { state: 'cancelled', attemptCount: 1 }))).toBe('cancelled after 1 of 6');
    expect(nextAttemptText(summary(0, { nextAttemptAt: new Date(T0 + 4000).toISOString() }), T0)).toBe('in 4 s');
    expect(nextAttemptText(summary(0, { state: 'delivered', nextAttemptAt: null }), T0)).toBeNull();
    expect(scheduleText({ id: 'p', name: 'P', source: '', retriesOn: '', delays: [60_000, 120_000] }, 60)).toBe('3 attempts, waits 1 min, 2 min → 1 s, 2 s at 60×');
  });
});

function fakeApi(over: Partial<SenderApi> = {}) {
  const calls: string[] = [];
  const deliveries = new Map<string, OutboxDelivery>();
  const api: SenderApi = {
    listTemplates: async () => [template],
    listRetryPresets: async () => [],
    send: async (body) => (calls.push(`send ${JSON.stringify(body)}`), { id: 'd0009', state: 'pending', url: '/api/outbox/d0009' }),
    resend: async (id, body) => (calls.push(`resend ${id} ${JSON.stringify(body)}`), { id: 'd0010', state: 'pending', url: '' }),
    listOutbox: async ({ capture }) => {
      calls.push(`list ${capture ?? ''}`);
      // An old server ignores ?capture=: the model keeps only that capture's resends.
      return { deliveries: [summary(3, { kind: 'resend', sourceCaptureId: 'cap1' }), summary(2, { kind: 'resend', sourceCaptureId: 'other' }), summary(1)], next: null };
    },
    getDelivery: async (id) => {
      calls.push(`get ${id}`);
      return deliveries.get(id) ?? ({ ...summary(9, { id }), attempts: [] } as unknown as OutboxDelivery);
    },
    cancelDelivery: async (id) => ({ ...summary(9, { id, state: 'cancelled' }), attempts: [] }) as unknown as OutboxDelivery,
    setForward: async () => {
      throw new Error('unused');
    },
    ...over,
  };
  return { api, calls, deliveries };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('createSenderModel', () => {
  it('a live outbox.updated moves the list and refetches an open delivery; a closed one is not fetched', async () => {
    const { api, calls } = fakeApi();
    const s = createSenderModel(api);
    await s.loadOutbox();
    expect(s.outbox.value.items.map((d) => d.id)).toEqual(['d0003', 'd0002', 'd0001']);
    s.toggle('d0001', true);
    await tick();
    calls.length = 0;
    const updated = summary(1, { attemptCount: 1, lastStatus: 500, updatedAt: new Date(T0 + 9000).toISOString() });
    s.apply({ type: 'outbox.updated', delivery: updated });
    s.apply({ type: 'outbox.updated', delivery: { ...summary(2), attemptCount: 1, updatedAt: new Date(T0 + 9000).toISOString() } });
    await tick();
    expect(s.outbox.value.items.find((d) => d.id === 'd0001')).toBe(updated);
    expect(calls).toEqual(['get d0001']);
    expect(s.details.value.get('d0001')?.state).toBe('ok');
    s.apply({ type: 'outbox.deleted', id: 'd0001' });
    expect(s.outbox.value.items.map((d) => d.id)).toEqual(['d0003', 'd0002']);
  });

  it('keeps only a capture’s own resends beside it, live', async () => {
    const { api } = fakeApi();
    const s = createSenderModel(api);
    await s.loadResends('cap1');
    expect(s.resends.value.get('cap1')!.map((d) => d.id)).toEqual(['d0003']);
    s.apply({ type: 'outbox.updated', delivery: summary(5, { kind: 'resend', sourceCaptureId: 'cap1' }) });
    s.apply({ type: 'outbox.updated', delivery: summary(6, { kind: 'resend', sourceCaptureId: 'other' }) });
    expect(s.resends.value.get('cap1')!.map((d) => d.id)).toEqual(['d0005', 'd0003']);
  });

  it('send: a bad draft never reaches the API; a good one opens its delivery; an edited capture goes to /resend', async () => {
    const { api, calls } = fakeApi();
    const s = createSenderModel(api);
    expect(await s.send()).toBeNull();
    expect(s.sendError.value).toMatch(/Give a target URL/);
    expect(calls).toEqual([]);
    s.draft.value = { ...emptyDraft('bin1', 'http://app/x'), body: 'hi' };
    expect(await s.send()).toBe('d0009');
    expect(s.sendError.value).toBeNull();
    expect(s.lastSent.value).toBe('d0009');
    expect(s.open.value.has('d0009')).toBe(true);
    expect(calls[0]).toBe('send {"url":"http://app/x","method":"POST","headers":[],"body":"hi"}');
    s.editCapture(capture(), 'http://app/hooks');
    expect(await s.send()).toBe('d0010');
    expect(calls.find((c) => c.startsWith('resend'))).toContain('"resign":{"scheme":"makeplans","secret":"mp","bin":"bin1"}');
  });

  it('one-click resend sends no edits, so the server sends the exact capture (to the URL typed, else the forward target)', async () => {
    const { api, calls } = fakeApi();
    const s = createSenderModel(api);
    expect(await s.resendCapture('cap1')).toBeNull();
    expect(await s.resendCapture('cap1', ' http://app/y ')).toBeNull();
    expect(calls.filter((c) => c.startsWith('resend'))).toEqual(['resend cap1 {}', 'resend cap1 {"url":"http://app/y"}']);
    const failing = createSenderModel(fakeApi({ resend: async () => Promise.reject(new Error('give a url')) }).api);
    expect(await failing.resendCapture('cap1')).toBe('give a url');
  });

  it('picking a template asks hookbin again, so ids and timestamps are fresh each time', async () => {
    let n = 0;
    const { api } = fakeApi({ listTemplates: async () => [{ ...template, body: `{"n":${++n}}` }] });
    const s = createSenderModel(api);
    await s.pickTemplate('makeplans');
    expect(s.draft.value.body).toBe('{"n":1}');
    await s.pickTemplate('makeplans');
    expect(s.draft.value.body).toBe('{"n":2}');
  });
});
