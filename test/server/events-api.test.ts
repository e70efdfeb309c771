/**
 * Events and retry timelines through the real server, with the clock
 * injected so gaps are exact: attempts grouped by event key, gaps, the
 * preset comparison, a bin's own key, pagination and validation.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { EventPage, RetryPreset, WebhookEvent } from '../../server/common/types.js';
import { cleanupTempDirs, startServer, type TestServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const S = 1000;
const MIN = 60 * S;

let server: TestServer;
let clock = T0;
afterEach(() => server.close());

async function serve(): Promise<void> {
  clock = T0;
  server = await startServer({}, () => clock);
}

async function json<T>(res: Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (!r.ok) throw new Error(`${r.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function bin(id: string, patch: Record<string, unknown> = {}): Promise<string> {
  await json(server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) }));
  if (Object.keys(patch).length) await json(server.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(patch) }));
  return `${server.origin}/b/${id}`;
}

/** Sends at the given offset from T0, as Standard Webhooks does: a fresh signature and timestamp each attempt, same id. */
async function at(offsetMs: number, url: string, headers: Record<string, string>, body: string): Promise<number> {
  clock = T0 + offsetMs;
  const sig = `v1,${Buffer.from(String(Math.random())).toString('base64')}`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-timestamp': String(clock / 1000), 'webhook-signature': sig, ...headers }, body });
  return res.status;
}

describe('GET /api/bins/{id}/events', () => {
  it('says which attempts were answered with a fault, read from the stored answer', async () => {
    await serve();
    const url = await bin('faulty', { respond: { fault: 'reset' } });
    const body = '{"id":"evt_fault"}';
    await expect(fetch(url, { method: 'POST', body })).rejects.toThrow();
    await json(server.api('/api/bins/faulty', { method: 'PATCH', body: JSON.stringify({ respond: null }) }));
    clock = T0 + 2 * S;
    expect((await fetch(url, { method: 'POST', body })).status).toBe(200);
    const page = await json<EventPage>(server.api('/api/bins/faulty/events'));
    expect(page.events[0]!.attempts.map((a) => [a.attempt, a.status, a.fault])).toEqual([
      [1, null, 'reset'],
      [2, 200, null],
    ]);
  });

  it('groups attempts by event, with gaps, what was answered, and the best-matching schedule', async () => {
    await serve();
    const url = await bin('sw', { respond: { failFirst: { count: 3, status: 500 } } });
    const a = { 'webhook-id': 'msg_a' };
    const b = { 'webhook-id': 'msg_b' };
    const bodyA = '{"type":"invoice.paid","data":{}}';
    // Standard Webhooks: immediately, then 5 s, then 5 min (each within tolerance).
    expect(await at(0, url, a, bodyA)).toBe(500);
    expect(await at(1 * S, url, b, '{"type":"user.created"}')).toBe(500);
    expect(await at(5.5 * S, url, a, bodyA)).toBe(500);
    expect(await at(5 * MIN + 6 * S, url, a, bodyA)).toBe(500);
    expect(await at(35 * MIN + 8 * S, url, a, bodyA)).toBe(200);

    const page = await json<EventPage>(server.api('/api/bins/sw/events'));
    expect(page.next).toBeNull();
    expect(page.events.map((e) => e.key)).toEqual(['msg_a', 'msg_b']);
    const ev = page.events[0]!;
    expect(ev.type).toBe('invoice.paid');
    expect(ev.attempts.map((x) => [x.attempt, x.status, x.gapMs])).toEqual([
      [1, 500, null],
      [2, 500, 5.5 * S],
      [3, 500, 5 * MIN + 0.5 * S],
      [4, 200, 30 * MIN + 2 * S],
    ]);
    expect(ev.attempts[0]!.receivedAt).toBe('2026-11-23T10:00:00.000Z');
    expect(ev.comparison?.presetId).toBe('standard-webhooks');
    expect(ev.comparison?.attempts.slice(1).every((x) => x.withinTolerance)).toBe(true);
    expect(ev.comparison?.flags).toEqual([]);
    expect(ev.basis).toMatchObject({ presetFrom: 'provider', provider: { id: 'svix', name: 'Standard Webhooks / Svix' } });
    // One attempt: no gap to judge, but a recognised provider's schedule says a retry was due (Svix retries a 500 after 5 s).
    expect(page.events[1]!.attempts).toHaveLength(1);
    expect(page.events[1]!.comparison?.presetId).toBe('standard-webhooks');
    expect(page.events[1]!.comparison?.flags.map((f) => f.flag)).toEqual(['stopped-early']);
  });

  it('compares with a chosen preset and flags a retry after a 2xx and retries past the schedule', async () => {
    await serve();
    const url = await bin('gh');
    const h = { 'X-GitHub-Delivery': 'd-1', 'X-GitHub-Event': 'push' };
    await at(0, url, h, '{}');
    await at(10 * S, url, h, '{}');
    const ev = await json<WebhookEvent>(server.api('/api/bins/gh/events/d-1?preset=github'));
    expect(ev.type).toBe('push');
    expect(ev.comparison?.presetId).toBe('github');
    const flags = ev.comparison!.flags.map((f) => f.flag);
    expect(flags).toContain('retried-after-success');
    expect(flags).toContain('past-schedule');
    for (const f of ev.comparison!.flags) expect(f.message).toMatch(/\.$/);
  });

  it('compares deliveries sent at a compressed pace with the schedule divided by timeScale', async () => {
    await serve();
    const url = await bin('fast', { respond: { failFirst: { count: 2, status: 500 } } });
    const h = { 'webhook-id': 'msg_fast' };
    // Standard Webhooks at 60x: 5 s becomes 83 ms, 5 min becomes 5 s.
    await at(0, url, h, '{}');
    await at(90, url, h, '{}');
    await at(90 + 5100, url, h, '{}');
    const scaled = await json<WebhookEvent>(server.api('/api/bins/fast/events/msg_fast?preset=standard-webhooks&timeScale=60'));
    expect(scaled.comparison!.attempts.slice(1).map((a) => [a.expectedGapMs, a.withinTolerance])).toEqual([
      [5000 / 60, true],
      [300_000 / 60, true],
    ]);
    const unscaled = await json<WebhookEvent>(server.api('/api/bins/fast/events/msg_fast?preset=standard-webhooks'));
    expect(unscaled.comparison!.attempts.slice(1).every((a) => a.withinTolerance === false)).toBe(true);
    for (const bad of ['0', '10001', 'x', '-5']) {
      expect((await server.api(`/api/bins/fast/events?timeScale=${bad}`)).status, bad).toBe(400);
    }
  });

  it('writes every time as ISO-8601, the comparison\'s attempts and next due time too', async () => {
    await serve();
    const url = await bin('times', { respond: { status: 500 } });
    const h = { 'webhook-id': 'msg_times' };
    await at(0, url, h, '{}');
    await at(5 * S, url, h, '{}');
    clock = T0 + 6 * S;
    const ev = await json<WebhookEvent>(server.api('/api/bins/times/events/msg_times?preset=standard-webhooks'));
    const c = ev.comparison!;
    expect(c.attempts.map((a) => a.receivedAt)).toEqual(ev.attempts.map((a) => a.receivedAt));
    expect(ev.attempts.map((a) => a.receivedAt)).toEqual([new Date(T0).toISOString(), new Date(T0 + 5 * S).toISOString()]);
    expect(c.nextDueAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(c.nextDueAt!)).toBeGreaterThan(T0 + 5 * S);
    // Every `…At` anywhere in the answer.
    const times: unknown[] = [];
    JSON.stringify(ev, (key, value: unknown) => {
      if (key.endsWith('At') && value !== null) times.push(value);
      return value;
    });
    expect(times.length).toBeGreaterThanOrEqual(5);
    for (const t of times) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('at 3600x keeps 100 ms of real slack: an attempt 40 ms late (a sender\'s own overhead) is within the schedule', async () => {
    await serve();
    const url = await bin('faster', { respond: { failFirst: { count: 2, status: 500 } } });
    const h = { 'webhook-id': 'msg_faster' };
    // Standard Webhooks at 3600x: 5 s becomes 1.4 ms, 5 min becomes 83 ms; each attempt arrives 40 ms late.
    await at(0, url, h, '{}');
    await at(41, url, h, '{}');
    await at(41 + 123, url, h, '{}');
    const ev = await json<WebhookEvent>(server.api('/api/bins/faster/events/msg_faster?preset=standard-webhooks&timeScale=3600'));
    expect(ev.comparison!.attempts.slice(1).map((a) => a.withinTolerance)).toEqual([true, true]);
    expect(ev.comparison!.attempts[1]!.toleranceMs).toBe(100);
    // 200 ms late is still outside.
    await at(41 + 123 + 283, url, h, '{}');
    const late = await json<WebhookEvent>(server.api('/api/bins/faster/events/msg_faster?preset=standard-webhooks&timeScale=3600'));
    expect(late.comparison!.attempts[3]!.withinTolerance).toBe(false);
  });

  it('flags a provider that stopped early, judged by the server clock', async () => {
    await serve();
    const url = await bin('stop', { respond: { status: 500 } });
    const h = { 'webhook-id': 'msg_stop' };
    await at(0, url, h, '{}');
    await at(5 * S, url, h, '{}');
    clock = T0 + 3 * 60 * MIN;
    const ev = await json<WebhookEvent>(server.api('/api/bins/stop/events/msg_stop?preset=standard-webhooks'));
    expect(ev.comparison!.flags.map((f) => f.flag)).toEqual(['stopped-early']);
  });

  it('uses a bin\'s own key header or JSON pointer before the built-in keys', async () => {
    await serve();
    const url = await bin('own', { eventKey: { pointer: '/data/object/id' } });
    const body = (n: number) => JSON.stringify({ id: `evt_${n}`, data: { object: { id: 'ord_7' } } });
    await at(0, url, {}, body(1));
    await at(30 * S, url, {}, body(2));
    let page = await json<EventPage>(server.api('/api/bins/own/events'));
    expect(page.events.map((e) => [e.key, e.attempts.length])).toEqual([['ord_7', 2]]);

    await json(server.api('/api/bins/own', { method: 'PATCH', body: JSON.stringify({ eventKey: { header: 'X-Order' } }) }));
    await at(60 * S, url, { 'X-Order': 'ord_7' }, body(3));
    page = await json<EventPage>(server.api('/api/bins/own/events'));
    expect(page.events.map((e) => [e.key, e.attempts.map((x) => x.attempt)])).toEqual([['ord_7', [1, 2, 3]]]);

    for (const eventKey of [{ pointer: 'data/id' }, { header: 'bad header' }, { nope: 1 }]) {
      const res = await server.api('/api/bins/own', { method: 'PATCH', body: JSON.stringify({ eventKey }) });
      expect(res.status, JSON.stringify(eventKey)).toBe(400);
    }
    const cleared = await json<{ eventKey: unknown }>(server.api('/api/bins/own', { method: 'PATCH', body: '{"eventKey":null}' }));
    expect(cleared.eventKey).toBeNull();
  });

  it('pages through events without gaps or repeats, and validates its query', async () => {
    await serve();
    const url = await bin('many');
    for (let i = 0; i < 7; i++) await at(i * S, url, { 'webhook-id': `m${i}` }, '{}');
    const seen: string[] = [];
    let before: string | null = '';
    while (before !== null) {
      const page: EventPage = await json<EventPage>(server.api(`/api/bins/many/events?limit=3${before ? `&before=${before}` : ''}`));
      seen.push(...page.events.map((e) => e.key));
      before = page.next;
    }
    expect(seen).toEqual(['m6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0']);
    expect((await server.api('/api/bins/many/events?preset=nope')).status).toBe(400);
    expect((await server.api('/api/bins/many/events?limit=0')).status).toBe(400);
    expect((await server.api('/api/bins/nobin/events')).status).toBe(404);
    const missing = await server.api('/api/bins/many/events/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('event_not_found');
  });

  it('lists only retried events with ?retried=true, paging among them alone', async () => {
    await serve();
    const url = await bin('noisy');
    // Five events delivered once, two of them retried between the others.
    for (let i = 0; i < 5; i++) await at(i * S, url, { 'webhook-id': `once${i}` }, '{}');
    await at(10 * S, url, { 'webhook-id': 'twice_a' }, '{}');
    await at(11 * S, url, { 'webhook-id': 'twice_b' }, '{}');
    await at(12 * S, url, { 'webhook-id': 'once5' }, '{}');
    await at(15 * S, url, { 'webhook-id': 'twice_a' }, '{}');
    await at(16 * S, url, { 'webhook-id': 'twice_b' }, '{}');
    const all = await json<EventPage>(server.api('/api/bins/noisy/events'));
    expect(all.events).toHaveLength(8);
    const first = await json<EventPage>(server.api('/api/bins/noisy/events?retried=true&limit=1'));
    expect(first.events.map((e) => [e.key, e.attempts.length])).toEqual([['twice_b', 2]]);
    const second = await json<EventPage>(server.api(`/api/bins/noisy/events?retried=true&limit=1&before=${first.next}`));
    expect(second.events.map((e) => e.key)).toEqual(['twice_a']);
    expect(second.next).toBeNull();
    expect((await json<EventPage>(server.api('/api/bins/noisy/events?retried=false'))).events).toHaveLength(8);
    const bad = await server.api('/api/bins/noisy/events?retried=yes');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('retried is true or false');
  });

  it('reads an event whose key has URL-special characters', async () => {
    await serve();
    const url = await bin('odd');
    await at(0, url, { 'webhook-id': 'a/b?c#d %e' }, '{}');
    const ev = await json<WebhookEvent>(server.api(`/api/bins/odd/events/${encodeURIComponent('a/b?c#d %e')}`));
    expect(ev.key).toBe('a/b?c#d %e');
  });

  it('lists the presets, each naming its source', async () => {
    await serve();
    const { presets } = await json<{ presets: RetryPreset[] }>(server.api('/api/presets'));
    expect(presets.map((p) => p.id)).toEqual(expect.arrayContaining(['standard-webhooks', 'github', 'slack', 'shopify']));
    for (const p of presets) expect(p.source.length).toBeGreaterThan(5);
  });
});

describe('the clock set back a day between two attempts', () => {
  it('keeps the attempts in arrival order, shows the negative gap as a clock change and derives no flag from it', async () => {
    await serve();
    const url = await bin('stepped', { respond: { failFirst: { count: 1, status: 500 } } });
    const body = '{"id":"evt_clock","type":"invoice.paid"}';
    expect(await at(0, url, { 'webhook-id': 'msg_clock' }, body)).toBe(500);
    // The system clock steps back a day; the provider retries 30 s later.
    expect(await at(-24 * 60 * MIN + 30 * S, url, { 'webhook-id': 'msg_clock' }, body)).toBe(200);
    clock = T0 - 24 * 60 * MIN + MIN;
    for (const query of ['', '?preset=standard-webhooks']) {
      const page = await json<EventPage>(server.api(`/api/bins/stepped/events${query}`));
      const e = page.events[0]!;
      expect(e.attempts.map((a) => [a.attempt, a.status])).toEqual([
        [1, 500],
        [2, 200],
      ]);
      expect(e.attempts[1]!.gapMs).toBe(-(24 * 60 * MIN - 30 * S));
      const c = e.comparison!;
      expect(c.attempts.map((a) => a.attempt)).toEqual([1, 2]);
      expect(c.attempts[1]).toMatchObject({ clockChanged: true, deltaMs: null, withinTolerance: null });
      expect(c.flags.map((f) => f.flag)).toEqual(['clock-changed']);
      expect(c.flags[0]!.message).toMatch(/^The clock changed between attempt 1 and attempt 2/);
    }
  });
});
