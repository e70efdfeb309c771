/**
 * What a capture's row is made of, through the real server: the summary on
 * the list API and on the live feed carries what hookbin answered (a status,
 * or the fault, and the delay before it), the event's type and the attempt,
 * the same as the capture's detail, for a reset, a hang, a delayed failure
 * and a provider's retried event; a hostile type stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TYPE_LENGTH } from '../../server/capture/event-identity.js';
import type { Capture, CapturePage, CaptureSummary } from '../../server/common/types.js';
import { connectLive, expectJson, useServer, waitFor } from '../support/helpers.js';

const server = useServer();

async function bin(id: string, settings: Record<string, unknown>): Promise<string> {
  await expectJson(server().api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) }), 201);
  await expectJson(server().api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(settings) }));
  return `${server().origin}/b/${id}`;
}

/** The parts of a summary a row shows. */
const row = (c: CaptureSummary) => ({ path: c.path, status: c.status, fault: c.fault, delayMs: c.delayMs, type: c.event.type, attempt: c.event.attempt });

describe('capture summaries', () => {
  it('carry the fault, the delay, the event type and the attempt, on the list, the live feed and the detail alike', async () => {
    const url = await bin('rows', {
      respond: {
        rules: [
          { match: { path: '/reset' }, respond: { fault: 'reset' } },
          { match: { path: '/hang' }, respond: { fault: 'hang', delayMs: 50 } },
          { match: { path: '/slow' }, respond: { status: 500, delayMs: 120 } },
        ],
      },
    });
    const live = await connectLive(server());
    live.ws.send(JSON.stringify({ type: 'subscribe', bins: ['rows'] }));
    await waitFor(() => live.of('subscribed').length > 0, 5000, 'subscribed');

    await expect(fetch(`${url}/reset`, { method: 'POST', body: '{"type":"invoice.paid","id":"evt_r"}' })).rejects.toThrow();
    // A hang never answers: the client gives up once the capture is on the feed.
    const giveUp = new AbortController();
    const hung = fetch(`${url}/hang`, { method: 'POST', body: 'hang', signal: giveUp.signal }).catch(() => 'gave up');
    await waitFor(() => live.of('capture.created').some((m) => m.capture.path === '/hang'), 5000, 'the hang on the feed');
    giveUp.abort();
    expect(await hung).toBe('gave up');
    expect((await fetch(`${url}/slow`, { method: 'POST', body: 'slow' })).status).toBe(500);
    const github = (delivery: string) => ({ 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': delivery, 'content-type': 'application/json' });
    for (const delivery of ['d-1', 'd-1', 'd-2']) expect((await fetch(`${url}/gh`, { method: 'POST', headers: github(delivery), body: '{}' })).status).toBe(200);

    const expected = [
      { path: '/gh', status: 200, fault: null, delayMs: 0, type: 'push', attempt: 1 },
      { path: '/gh', status: 200, fault: null, delayMs: 0, type: 'push', attempt: 2 },
      { path: '/gh', status: 200, fault: null, delayMs: 0, type: 'push', attempt: 1 },
      { path: '/slow', status: 500, fault: null, delayMs: 120, type: null, attempt: 1 },
      { path: '/hang', status: null, fault: 'hang', delayMs: 50, type: null, attempt: 1 },
      { path: '/reset', status: null, fault: 'reset', delayMs: 0, type: 'invoice.paid', attempt: 1 },
    ];
    const page = await expectJson<CapturePage>(server().api('/api/bins/rows/captures'));
    expect(page.captures.map(row)).toEqual(expected);
    await waitFor(() => live.of('capture.created').length === 6, 5000, 'six captures on the feed');
    expect(live.of('capture.created').map((m) => row(m.capture)).reverse()).toEqual(expected);
    for (const summary of page.captures) {
      const detail = await expectJson<Capture>(server().api(`/api/captures/${summary.id}`));
      expect(row(detail)).toEqual(row(summary));
      expect([detail.response.fault, detail.response.delayMs]).toEqual([summary.fault, summary.delayMs]);
    }
    live.ws.close();
  });

  it('keep a long or odd event type bounded, as text', async () => {
    const url = await bin('odd-type', {});
    const odd = `<img src=x onerror=alert(1)>${'é'.repeat(300)}`;
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: odd }) })).status).toBe(200);
    const [c] = (await expectJson<CapturePage>(server().api('/api/bins/odd-type/captures'))).captures;
    expect(c!.event.type).toBe(odd.slice(0, MAX_TYPE_LENGTH));
  });
});
