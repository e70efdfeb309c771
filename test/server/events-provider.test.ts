/**
 * Provider-aware timelines through the real server: each capture names the
 * provider its headers name, and an event is compared with that provider's
 * own preset before any best-match guess; `?preset=` still wins.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Capture, CapturePage, EventPage, WebhookEvent } from '../../server/common/types.js';
import { schedulesFor } from '../../server/http/routes/events.js';
import { cleanupTempDirs, startServer, type TestServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;

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

/** POSTs at `offsetMs` after T0 with exactly these headers (and a JSON Content-Type). */
async function at(offsetMs: number, url: string, headers: Record<string, string>, body: string): Promise<number> {
  clock = T0 + offsetMs;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  await res.arrayBuffer();
  return res.status;
}

const github = { 'User-Agent': 'GitHub-Hookshot/044aadd', 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': 'gh-1', 'X-Hub-Signature-256': 'sha256=00' };

describe('provider-aware timelines', () => {
  it('a GitHub delivery and its redelivery are judged by GitHub’s policy (no automatic retries), not as late Slack retries', async () => {
    await serve();
    const url = await bin('gh');
    // GitHub's redelivery keeps the X-GitHub-Delivery id; here it came 1 minute 2 s later, as Slack's second retry would.
    expect(await at(0, url, github, '{"ref":"refs/heads/main"}')).toBe(200);
    expect(await at(2 * S, url, github, '{"ref":"refs/heads/main"}')).toBe(200);
    expect(await at(62 * S, url, github, '{"ref":"refs/heads/main"}')).toBe(200);

    const captures = await json<CapturePage>(server.api('/api/bins/gh/captures'));
    expect(captures.captures.map((c) => c.provider)).toEqual([0, 1, 2].map(() => ({ id: 'github', name: 'GitHub' })));
    const detail = await json<Capture>(server.api(`/api/captures/${captures.captures[0]!.id}`));
    expect(detail.provider).toEqual({ id: 'github', name: 'GitHub' });

    const ev = await json<WebhookEvent>(server.api('/api/bins/gh/events/gh-1'));
    expect(ev.comparison?.presetId).toBe('github');
    expect(ev.basis).toEqual({
      basis: 'provider',
      presetFrom: 'provider',
      timeScale: 1,
      timeScaleFrom: 'real-time',
      deliveryId: null,
      provider: { id: 'github', name: 'GitHub' },
      reason: "GitHub's policy: no automatic retries; this was a redelivery.",
    });
    const pastSchedule = ev.comparison!.flags.find((f) => f.flag === 'past-schedule')!;
    expect(pastSchedule.message).toBe('Attempt 2 is a redelivery: GitHub does not retry by itself, so it was sent again by hand or through its API.');
    // The list says the same as the event.
    const page = await json<EventPage>(server.api('/api/bins/gh/events'));
    expect(page.events[0]!.basis.presetFrom).toBe('provider');
    expect(page.events[0]!.comparison?.presetId).toBe('github');
  });

  it('a Stripe event with 3 attempts is compared with the stripe preset, every gap within tolerance', async () => {
    await serve();
    const url = await bin('st', { respond: { failFirst: { count: 2, status: 500 } } });
    const body = '{"id":"evt_1","type":"invoice.paid","object":"event"}';
    // Stripe re-signs each attempt: the signature changes, the event id in the body does not.
    const stripe = (t: number) => ({ 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'Stripe-Signature': `t=${t},v1=00` });
    expect(await at(0, url, stripe(1), body)).toBe(500);
    expect(await at(1 * HOUR + 3 * MIN, url, stripe(2), body)).toBe(500);
    expect(await at(3 * HOUR + 10 * MIN, url, stripe(3), body)).toBe(200);

    const ev = await json<WebhookEvent>(server.api('/api/bins/st/events/evt_1'));
    expect(ev.attempts).toHaveLength(3);
    expect(ev.basis).toMatchObject({ basis: 'provider', presetFrom: 'provider', provider: { id: 'stripe', name: 'Stripe' } });
    expect(ev.basis.reason).toBe("Stripe's own schedule (its spacing estimated): the headers say Stripe sent this event.");
    expect(ev.comparison?.presetId).toBe('stripe');
    expect(ev.comparison?.attempts.slice(1).map((a) => [a.expectedGapMs, a.withinTolerance])).toEqual([
      [1 * HOUR, true],
      [2 * HOUR, true],
    ]);
    expect(ev.comparison?.flags).toEqual([]);
    const presets = await json<{ presets: { id: string; estimated?: boolean; source: string }[] }>(server.api('/api/presets'));
    expect(presets.presets.find((p) => p.id === 'stripe')).toMatchObject({ estimated: true, source: 'https://docs.stripe.com/webhooks#retries' });
  });

  it('an event from no recognised provider is still best-matched, and says so', async () => {
    await serve();
    const url = await bin('anon', { respond: { failFirst: { count: 3, status: 500 } } });
    const body = '{"event_id":"e-1"}';
    // Slack's timing (immediately, 1 min, 5 min) from a sender with no provider headers.
    await at(0, url, {}, body);
    await at(1 * S, url, {}, body);
    await at(1 * MIN + 2 * S, url, {}, body);
    await at(6 * MIN + 3 * S, url, {}, body);
    const ev = await json<WebhookEvent>(server.api('/api/bins/anon/events/e-1'));
    const captures = await json<CapturePage>(server.api('/api/bins/anon/captures'));
    expect(captures.captures.every((c) => c.provider === null)).toBe(true);
    expect(ev.basis).toMatchObject({ basis: 'default', presetFrom: 'best-match', provider: null });
    expect(ev.basis.reason).toMatch(/^Best match: no provider recognised/);
    expect(ev.comparison?.presetId).toBe('slack');
  });

  it('a recognised provider without a known schedule is best-matched, and the reason names it', async () => {
    await serve();
    const url = await bin('wc');
    const headers = { 'User-Agent': 'Webconnex-Divvy', 'X-Webconnex-Delivery': 'wd-1', 'X-Webconnex-Event': 'registration' };
    await at(0, url, headers, '{}');
    await at(5 * S, url, headers, '{}');
    const ev = await json<WebhookEvent>(server.api('/api/bins/wc/events/wd-1'));
    expect(ev.basis).toMatchObject({ basis: 'default', presetFrom: 'best-match', provider: { id: 'webconnex', name: 'Webconnex' } });
    expect(ev.basis.reason).toBe('Best match: the headers say Webconnex sent this event, but hookbin knows no retry schedule of theirs.');
  });

  it('?preset= still wins over the provider’s own preset', async () => {
    await serve();
    const url = await bin('gh2');
    await at(0, url, github, '{}');
    await at(2 * S, url, github, '{}');
    const ev = await json<WebhookEvent>(server.api('/api/bins/gh2/events/gh-1?preset=slack'));
    expect(ev.comparison?.presetId).toBe('slack');
    expect(ev.basis).toMatchObject({ basis: 'query', presetFrom: 'query', provider: { id: 'github', name: 'GitHub' } });
    expect(ev.basis.reason).toBe('Slack Events API, as asked for (?preset=slack).');
    const list = await json<EventPage>(server.api('/api/bins/gh2/events?preset=slack'));
    expect(list.events[0]!.comparison?.presetId).toBe('slack');
  });

  it('an event hookbin sent on a schedule of the user’s own keeps the best match, whatever provider its template’s headers name', () => {
    const attempts = [
      { captureId: 'c1', receivedAt: T0, attempt: 1, status: 500, fault: null, delayMs: 0 },
      { captureId: 'c2', receivedAt: T0 + S, attempt: 2, status: 200, fault: null, delayMs: 0 },
    ];
    const own = schedulesFor({}, { attempts, provider: 'github', sentBy: { deliveryId: 'd1', retry: { preset: null, timeScale: 100 } } });
    expect(own.preset).toBeUndefined();
    expect(own.basis).toMatchObject({ basis: 'outbox', presetFrom: 'best-match', timeScale: 100, provider: { id: 'github', name: 'GitHub' } });
    expect(own.basis.reason).toMatch(/^Best match: hookbin's own sender delivered this event on a schedule of your own/);
    // Not sent by hookbin: the same headers pick GitHub's policy.
    const theirs = schedulesFor({}, { attempts, provider: 'github', sentBy: null });
    expect(theirs.preset?.id).toBe('github');
    expect(theirs.basis.presetFrom).toBe('provider');
  });
});
