/**
 * Events that hookbin's own sender delivered into one of its bins are judged
 * by default at the preset and time scale the outbox sent them with (the
 * outbox records the capture each attempt made); query parameters still win,
 * and the response says which basis it used. A target that is not this
 * hookbin cannot link its reply to another event's capture.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { EventPage, WebhookEvent } from '../../server/common/types.js';
import { cleanupTempDirs, expectJson as json, useServer } from '../support/helpers.js';
import { senderHelpers } from '../support/sender.js';
import { useTargets } from '../support/target.js';

afterAll(cleanupTempDirs);

const server = useServer();
const { bin, post, send, settled } = senderHelpers(server);
const target = useTargets();

const eventsOf = async (binId: string, query = '') => (await json<EventPage>(server().api(`/api/bins/${binId}/events${query}`))).events;

describe('events sent by hookbin itself', () => {
  it('a makeplans run at 60x into a bin failing the first 2 is compared with makeplans at 60x, every gap within tolerance', async () => {
    const b = await bin({ respond: { failFirst: { count: 2, status: 500 } } });
    const id = await send({ url: b.url, template: 'makeplans', retry: { preset: 'makeplans', timeScale: 60 } });
    const d = await settled(id);
    expect(d.state).toBe('delivered');
    expect(d.attempts.map((a) => a.status)).toEqual([500, 500, 200]);

    const [ev] = await eventsOf(b.id);
    expect(ev!.attempts).toHaveLength(3);
    expect(ev!.basis).toMatchObject({ basis: 'outbox', presetFrom: 'outbox', timeScale: 60, timeScaleFrom: 'outbox', deliveryId: id });
    const c = ev!.comparison!;
    expect(c.presetId).toBe('makeplans');
    // Makeplans waits 1 min, then 2 min; at 60x, 1 s and 2 s.
    expect(c.attempts.map((a) => a.expectedGapMs)).toEqual([null, 1000, 2000]);
    expect(c.attempts.slice(1).map((a) => a.withinTolerance)).toEqual([true, true]);
    expect(c.flags).toEqual([]);
    // The single event route says the same.
    const one = await json<WebhookEvent>(server().api(`/api/bins/${b.id}/events/${encodeURIComponent(ev!.key)}`));
    expect(one.basis.basis).toBe('outbox');
    expect(one.comparison!.presetId).toBe('makeplans');

    // Each query parameter wins over the outbox for its own part.
    const [real] = await eventsOf(b.id, '?timeScale=1');
    expect(real!.basis).toMatchObject({ basis: 'query', presetFrom: 'outbox', timeScale: 1, timeScaleFrom: 'query', deliveryId: id });
    expect(real!.comparison!.presetId).toBe('makeplans');
    expect(real!.comparison!.attempts.slice(1).map((a) => a.withinTolerance)).toEqual([false, false]);
    const [slack] = await eventsOf(b.id, '?preset=slack');
    expect(slack!.basis).toMatchObject({ basis: 'query', presetFrom: 'query', timeScale: 60, timeScaleFrom: 'outbox' });
    expect(slack!.comparison!.presetId).toBe('slack');
  });

  it('an explicit schedule lends its time scale, not a preset; a capture from elsewhere keeps the default', async () => {
    const b = await bin({ respond: { failFirst: { count: 1, status: 503 } } });
    const id = await send({ url: b.url, body: '{"id":"evt_own"}', retry: { schedule: [0, 30_000], timeScale: 100 } });
    expect((await settled(id)).state).toBe('delivered');
    const stranger = await fetch(b.url, { method: 'POST', body: '{"id":"evt_stranger"}' });
    expect(stranger.status).toBe(503);

    const events = await eventsOf(b.id);
    const own = events.find((e) => e.key === 'evt_own')!;
    expect(own.basis).toMatchObject({ basis: 'outbox', presetFrom: 'best-match', timeScale: 100, timeScaleFrom: 'outbox', deliveryId: id });
    expect(own.comparison!.attempts[1]!.expectedGapMs).toBe(own.comparison!.schedule![0]);
    const other = events.find((e) => e.key === 'evt_stranger')!;
    expect(other.basis).toMatchObject({ basis: 'default', presetFrom: 'best-match', timeScale: 1, timeScaleFrom: 'real-time', deliveryId: null });
  });

  it('a target that names another event’s capture in x-hookbin-capture-id does not change how that event is judged', async () => {
    const b = await bin();
    const posted = await fetch(b.url, { method: 'POST', body: '{"id":"evt_victim"}' });
    const victimCapture = posted.headers.get('x-hookbin-capture-id')!;
    expect(victimCapture).toMatch(/^[0-9a-z]{22}$/);
    // Later than the slack the store allows between an attempt and the capture it made.
    await new Promise((r) => setTimeout(r, 1100));
    const liar = await target(() => ({ status: 200, headers: { 'x-hookbin-capture-id': victimCapture } }));
    const id = await send({ url: liar.origin, body: '{}', retry: { preset: 'slack', timeScale: 3600 } });
    const d = await settled(id);
    expect(d.state).toBe('delivered');

    const [victim] = await eventsOf(b.id);
    expect(victim!.key).toBe('evt_victim');
    expect(victim!.basis).toMatchObject({ basis: 'default', presetFrom: 'best-match', timeScale: 1, timeScaleFrom: 'real-time', deliveryId: null });
  });

  it('a sender that names the capture before each retry (X-Hookbin-Retry, as hookbin send does) is judged at its word; a stranger who cannot name it is not', async () => {
    const b = await bin({ respond: { failFirst: { count: 1, status: 500 } } });
    const post = (body: string, headers: Record<string, string> = {}) => fetch(b.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    // The honest sender: its retry names the capture its first attempt made, which only it was told.
    const first = await post('{"id":"evt_cli"}');
    const made = first.headers.get('x-hookbin-capture-id')!;
    await post('{"id":"evt_cli"}', { 'X-Hookbin-Retry': `after=${made}; preset=slack; time-scale=60` });
    // A stranger adds attempts to another's event: it never saw that event's capture ids, so it names its own or makes one up.
    const victim = await post('{"id":"evt_victim"}');
    expect(victim.status).toBe(500);
    const own = (await post('{"id":"evt_stranger"}')).headers.get('x-hookbin-capture-id')!;
    await post('{"id":"evt_victim"}', { 'X-Hookbin-Retry': `after=${own}; preset=github; time-scale=3600` });
    await post('{"id":"evt_victim"}', { 'X-Hookbin-Retry': 'after=0000000000000000000000; preset=github; time-scale=3600' });

    const events = await eventsOf(b.id);
    const cli = events.find((e) => e.key === 'evt_cli')!;
    expect(cli.basis).toMatchObject({ basis: 'outbox', presetFrom: 'outbox', timeScale: 60, timeScaleFrom: 'outbox', deliveryId: null });
    expect(cli.comparison!.presetId).toBe('slack');
    const hit = events.find((e) => e.key === 'evt_victim')!;
    expect(hit.attempts).toHaveLength(3);
    expect(hit.basis).toMatchObject({ basis: 'default', presetFrom: 'best-match', timeScale: 1, timeScaleFrom: 'real-time', deliveryId: null });
  });

  it('hookbin\'s own sender names the capture before each retry into a bin, and nothing for another target', async () => {
    const b = await bin({ respond: { failFirst: { count: 2, status: 500 } } });
    const id = await send({ url: b.url, body: '{"id":"evt_claims"}', retry: { schedule: [0, 10, 10], timeScale: 1 } });
    const d = await settled(id);
    const made = d.attempts.map((a) => a.response!.headers.find(([n]) => n === 'x-hookbin-capture-id')![1]);
    const claims = d.attempts.map((a) => a.request.headers.find(([n]) => n.toLowerCase() === 'x-hookbin-retry')?.[1] ?? null);
    expect(claims).toEqual([null, `after=${made[0]}; time-scale=1`, `after=${made[1]}; time-scale=1`]);

    const app = await target((_req, n) => ({ status: n < 2 ? 500 : 200 }));
    const other = await settled(await send({ url: app.origin, body: '{}', retry: { preset: 'slack', timeScale: 3600 } }));
    expect(other.attempts).toHaveLength(2);
    expect(app.requests.every((r) => !r.headers.some(([n]) => n.toLowerCase() === 'x-hookbin-retry'))).toBe(true);
  });

  it('a resend of a capture that carried X-Hookbin-Retry sends its own claim, not the one captured', async () => {
    const b = await bin({ respond: { failFirst: { count: 1, status: 500 } } });
    const first = await fetch(b.url, { method: 'POST', body: '{"id":"evt_run"}' });
    const retry = await fetch(b.url, {
      method: 'POST',
      headers: { 'X-Hookbin-Retry': `after=${first.headers.get('x-hookbin-capture-id')}; preset=slack; time-scale=60` },
      body: '{"id":"evt_run"}',
    });
    const captured = retry.headers.get('x-hookbin-capture-id')!;

    const into = await bin({ respond: { failFirst: { count: 1, status: 500 } } });
    const res = await post(server(), `/api/captures/${captured}/resend`, { url: into.url, retry: { schedule: [0, 10], timeScale: 1 } });
    expect(res.status).toBe(202);
    const d = await settled(((await res.json()) as { id: string }).id);
    expect(d.state).toBe('delivered');
    const claims = d.attempts.map((a) => a.request.headers.filter(([n]) => n.toLowerCase() === 'x-hookbin-retry').map(([, v]) => v));
    const made = d.attempts[0]!.response!.headers.find(([n]) => n === 'x-hookbin-capture-id')![1];
    expect(claims).toEqual([[], [`after=${made}; time-scale=1`]]);
  });
});
