/**
 * The inspector's logic for retry timelines, pure, in Node: the timeline
 * layout and the model's events state (answers-words.test.ts has the
 * sentence for what a bin answers, the quick toggles and the rule drafts).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Bin, WebhookEvent } from '../../server/common/types.js';
import { formatDuration } from '../../server/retries/timeline.js';
import { iso } from '../../server/common/text.js';
import { defaultRespond } from '../../server/capture/settings.js';
import type { Api } from '../../web/src/api/http.js';
import { failFirstPatch } from '../../web/src/features/answers/answers.js';
import { createModel, EVENTS_REFRESH_DELAY_MS, mergeEvents, readRetriedOnly, RETRIED_ONLY_KEY, writeRetriedOnly } from '../../web/src/state/model.js';
import { attemptClass, attemptLabel, basisWords, comparisonSummary, dueText, formatGap, gapLabel, gapUnits, layoutTimeline } from '../../web/src/features/events/timeline.js';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function event(gaps: number[], statuses: (number | null)[], over: Partial<WebhookEvent> = {}): WebhookEvent {
  let t = 0;
  return {
    key: 'evt_1',
    type: 'invoice.paid',
    attempts: statuses.map((status, i) => {
      if (i > 0) t += gaps[i - 1]!;
      return { captureId: `c${i + 1}`, receivedAt: at(t), attempt: i + 1, gapMs: i === 0 ? null : gaps[i - 1]!, status, fault: status === null ? 'reset' : null };
    }),
    comparison: null,
    basis: { basis: 'default', presetFrom: 'best-match', timeScale: 1, timeScaleFrom: 'real-time', deliveryId: null, provider: null, reason: 'Best match.' },
    ...over,
  };
}

describe('timeline', () => {
  it('says which preset and pace an event was judged at, and where they came from', () => {
    const basis = (over: Partial<WebhookEvent['basis']>): WebhookEvent['basis'] => ({
      basis: 'default',
      presetFrom: 'best-match',
      timeScale: 1,
      timeScaleFrom: 'real-time',
      deliveryId: null,
      provider: null,
      reason: 'Best match.',
      ...over,
    });
    expect(basisWords(basis({}))).toEqual({ lead: 'Best match: ', pace: '' });
    expect(basisWords(basis({ basis: 'provider', presetFrom: 'provider', provider: { id: 'github', name: 'GitHub' } }))).toEqual({ lead: "Provider's schedule: ", pace: '' });
    expect(basisWords(basis({ basis: 'outbox', presetFrom: 'outbox', timeScale: 60, timeScaleFrom: 'outbox', deliveryId: 'd1' }))).toEqual({
      lead: 'As sent by hookbin: ',
      pace: ' at 60×',
    });
    expect(basisWords(basis({ basis: 'query', presetFrom: 'outbox', timeScaleFrom: 'query' }))).toEqual({ lead: 'As sent by hookbin: ', pace: ' at real time' });
    expect(basisWords(basis({ basis: 'query', presetFrom: 'query', timeScale: 600, timeScaleFrom: 'outbox' }))).toEqual({
      lead: 'Compared with ',
      pace: ' at 600×, the pace hookbin sent it at',
    });
    expect(basisWords(basis({ basis: 'outbox', timeScale: 100, timeScaleFrom: 'outbox' }))).toEqual({ lead: 'Best match: ', pace: ' at 100×, the pace hookbin sent it at' });
    expect(basisWords(basis({ basis: 'query', presetFrom: 'query', timeScale: 60, timeScaleFrom: 'query' }))).toEqual({ lead: 'Compared with ', pace: ' at 60×' });
    // An older server's events carry no basis.
    expect(basisWords(undefined)).toEqual({ lead: 'Best match: ', pace: '' });
  });

  it('labels gaps in the words of the server’s flag messages (one shared function)', () => {
    expect(formatGap).toBe(formatDuration);
    expect([450, 1500, 5000, 300_000, 330_000, 5_400_000, -25_000].map(formatGap)).toEqual(['450 ms', '1.5 s', '5 s', '5 min', '5 min 30 s', '1 h 30 min', '-25 s']);
  });

  it('says what an attempt was answered, by class and in a word', () => {
    expect([200, 204, 301, 404, 500].map((status) => attemptClass({ status, fault: null }))).toEqual(['ok', 'ok', 'error', 'error', 'error']);
    expect(attemptClass({ status: null, fault: 'hang' })).toBe('fault');
    expect(attemptLabel({ status: 503, fault: null })).toBe('503');
    expect(attemptLabel({ status: null, fault: 'reset' })).toBe('reset');
    expect(attemptLabel({ status: null, fault: null })).toBe('no reply');
  });

  it('lays attempts out in order on a compressed axis, from 0 to 1, each gap labelled', () => {
    const e = event([5_000, 300_000], [500, 500, 200]);
    const l = layoutTimeline(e);
    expect(l.dots.map((d) => d.x)).toEqual([0, gapUnits(5_000) / (gapUnits(5_000) + gapUnits(300_000)), 1]);
    expect(l.dots.map((d) => [d.label, d.cls])).toEqual([
      ['500', 'error'],
      ['500', 'error'],
      ['200', 'ok'],
    ]);
    expect(l.gaps.map((g) => [g.attempt, g.label, g.from, g.to])).toEqual([
      [2, '5 s', 0, l.dots[1]!.x],
      [3, '5 min', l.dots[1]!.x, 1],
    ]);
    // 5 min is 60× 5 s, but not 60× as wide: both stay readable.
    expect(l.gaps[1]!.to - l.gaps[1]!.from).toBeLessThan(3 * (l.gaps[0]!.to - l.gaps[0]!.from));
    expect(l.ghosts).toEqual([]);
  });

  it('marks where the preset expected each retry, with within/outside and the difference', () => {
    const e = event([5_200, 60_000], [500, 500, 200]);
    e.comparison = {
      presetId: 'standard-webhooks',
      attempts: [
        { attempt: 1, captureId: 'c1', receivedAt: iso(T0), gapMs: null, expectedGapMs: null, deltaMs: null, withinTolerance: null, status: 500 },
        { attempt: 2, captureId: 'c2', receivedAt: iso(T0 + 5_200), gapMs: 5_200, expectedGapMs: 5_000, deltaMs: 200, withinTolerance: true, status: 500 },
        { attempt: 3, captureId: 'c3', receivedAt: iso(T0 + 65_200), gapMs: 60_000, expectedGapMs: 300_000, deltaMs: -240_000, withinTolerance: false, status: 200 },
      ],
      flags: [],
      score: 1,
    };
    const l = layoutTimeline(e);
    expect(l.gaps.map((g) => [g.expectedLabel, g.within, g.deltaLabel])).toEqual([
      ['5 s', true, '+200 ms'],
      ['5 min', false, '-4 min'],
    ]);
    // The expected third attempt lies beyond the observed one, so the axis reaches it.
    expect(l.ghosts.map((g) => g.attempt)).toEqual([2, 3]);
    expect(l.ghosts[1]!.x).toBe(1);
    expect(l.dots[2]!.x).toBeLessThan(1);
    expect(comparisonSummary(e)).toBe('1 of 2 gaps within tolerance');
  });

  it('labels a negative gap as a clock change, never as a negative delay, and never judges it', () => {
    const day = 24 * 3_600_000;
    expect(gapLabel(-day)).toBe('clock changed (−24 h)');
    expect(gapLabel(5_000)).toBe('5 s');
    // Attempt 2 is stamped a day before attempt 1: the clock was set back; attempt 3 follows 30 s later.
    const e = event([-day, 30_000], [500, 500, 200]);
    e.comparison = {
      presetId: 'standard-webhooks',
      attempts: [
        { attempt: 1, captureId: 'c1', receivedAt: iso(T0), gapMs: null, expectedGapMs: null, deltaMs: null, withinTolerance: null, status: 500 },
        // As a server before the fix judged it: the inspector must not show a verdict on it.
        { attempt: 2, captureId: 'c2', receivedAt: iso(T0 - day), gapMs: -day, expectedGapMs: 5_000, deltaMs: -day - 5_000, withinTolerance: false, status: 500 },
        { attempt: 3, captureId: 'c3', receivedAt: iso(T0 - day + 30_000), gapMs: 30_000, expectedGapMs: 300_000, deltaMs: -270_000, withinTolerance: false, status: 200 },
      ],
      flags: [],
      score: 1,
    };
    const l = layoutTimeline(e);
    expect(l.gaps.map((g) => [g.label, g.clockChanged, g.within, g.deltaLabel])).toEqual([
      ['clock changed (−24 h)', true, null, null],
      ['30 s', false, false, '-4 min 30 s'],
    ]);
    for (const g of l.gaps) expect(g.label).not.toMatch(/^-/);
    // Drawn in order, the clock change as the shortest gap: no dot goes backwards.
    expect(l.dots.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(l.dots[1]!.x).toBeGreaterThan(l.dots[0]!.x);
    expect(l.dots[2]!.x).toBeGreaterThan(l.dots[1]!.x);
  });

  it('shows a single attempt at the start, and the next one due as a mark of its own', () => {
    const one = event([], [503]);
    expect(layoutTimeline(one)).toEqual({ dots: [expect.objectContaining({ x: 0, label: '503' })], gaps: [], ghosts: [] });
    expect(comparisonSummary(one)).toBe('One attempt: no gap to compare yet.');
    one.comparison = { presetId: 'slack', attempts: [], flags: [{ flag: 'stopped-early', attempt: 1, message: 'x' }], score: 1, nextDueAt: iso(T0 + 60_000) };
    const l = layoutTimeline(one);
    expect(l.ghosts).toEqual([{ attempt: 2, x: 1, next: true }]);
    expect(comparisonSummary(one)).toBe('no gap the schedule expects · 1 flag');
    expect(dueText(T0 + 60_000, T0 + 15_000)).toBe('in 45 s');
    expect(dueText(T0 + 60_000, T0 + 62_000)).toBe('2 s ago');
  });
});

// --------------------------------------------------------------- the model

function fakeEventsApi() {
  const calls: string[] = [];
  let events: WebhookEvent[] = [event([1000], [500, 200])];
  const bin: Bin = {
    id: 'bin1',
    name: 'bin1',
    url: 'http://127.0.0.1:7777/b/bin1',
    createdAt: '2026-11-23T09:00:00.000Z',
    captureCount: 0,
    prunedCount: 0,
    respond: defaultRespond(),
    secrets: [],
    eventKey: null,
    forwardTo: null,
    forward: { relay: false, timeoutMs: 10_000, insecure: false },
    cors: false,
    schemes: [],
  };
  const api: Api = {
    listBins: async () => [bin],
    createBin: async () => bin,
    updateBin: async (_id, patch) => {
      calls.push(`patch ${JSON.stringify(patch)}`);
      return { ...bin, respond: patch.respond === null ? defaultRespond() : { ...bin.respond, ...patch.respond } };
    },
    deleteBin: async () => undefined,
    listCaptures: async () => ({ captures: [], next: null }),
    getCapture: async () => {
      throw new Error('not used');
    },
    deleteCapture: async () => undefined,
    clearBin: async () => undefined,
    getBody: async () => ({ bytes: new Uint8Array(), decoded: null, truncated: false }),
    getInfo: async () => ({ version: 't', globalSecrets: [] }),
    listPresets: async () => [{ id: 'slack', name: 'Slack Events API', source: 's', delays: [0, 60_000, 300_000], retriesOn: 'x' }],
    listEvents: async (binId, { limit, before, preset, timeScale, retriedOnly }) => {
      calls.push(`events ${binId} limit=${limit} before=${before ?? '-'} preset=${preset ?? '-'}${timeScale == null ? '' : ` timeScale=${timeScale}`}${retriedOnly ? ' retried' : ''}`);
      const snapshot = events.map((e) => ({ ...e, comparison: preset ? ({ presetId: preset } as WebhookEvent['comparison']) : null }));
      return { events: snapshot, next: null };
    },
  };
  return {
    api,
    calls,
    setEvents: (e: WebhookEvent[]) => (events = e),
  };
}

describe('model: events and answers', () => {
  it('loads the events when the view opens, with the chosen preset, and the presets once', async () => {
    const fake = fakeEventsApi();
    const m = createModel(fake.api);
    await m.resync();
    m.setView('events');
    await vi.waitFor(() => expect(m.events.value.loaded).toBe(true));
    expect(fake.calls).toEqual(['events bin1 limit=50 before=- preset=-']);
    await vi.waitFor(() => expect(m.presets.value.map((p) => p.id)).toEqual(['slack']));
    m.setEventsPreset('slack');
    expect(m.events.value.loaded).toBe(false);
    await vi.waitFor(() => expect(m.events.value).toMatchObject({ loaded: true, preset: 'slack' }));
    expect(m.events.value.items[0]!.comparison?.presetId).toBe('slack');
    expect(fake.calls.at(-1)).toBe('events bin1 limit=50 before=- preset=slack');
  });

  it('compares with the schedule divided by the chosen time scale, keeps it for older pages, and ignores a scale out of range', async () => {
    const fake = fakeEventsApi();
    const m = createModel(fake.api);
    await m.resync();
    m.setView('events');
    await vi.waitFor(() => expect(m.events.value.loaded).toBe(true));
    m.setEventsTimeScale(60);
    expect(m.events.value).toMatchObject({ loaded: false, timeScale: 60 });
    await vi.waitFor(() => expect(m.events.value).toMatchObject({ loaded: true, timeScale: 60 }));
    expect(fake.calls.at(-1)).toBe('events bin1 limit=50 before=- preset=- timeScale=60');
    m.setEventsPreset('slack');
    await vi.waitFor(() => expect(m.events.value).toMatchObject({ loaded: true, preset: 'slack' }));
    expect(fake.calls.at(-1)).toBe('events bin1 limit=50 before=- preset=slack timeScale=60');
    const calls = fake.calls.length;
    for (const bad of [0, -5, 1.5, 10_001, Number.NaN]) m.setEventsTimeScale(bad);
    m.setEventsTimeScale(60);
    await new Promise((r) => setTimeout(r, 5));
    expect(fake.calls.length).toBe(calls);
    expect(m.eventsTimeScale.value).toBe(60);
    // Real time is a choice too: it overrides the pace hookbin's own sender used, so it is sent.
    m.setEventsTimeScale(1);
    await vi.waitFor(() => expect(m.events.value).toMatchObject({ loaded: true, timeScale: 1 }));
    expect(fake.calls.at(-1)).toBe('events bin1 limit=50 before=- preset=slack timeScale=1');
    // Back to "as sent": no scale asked for, the server takes the outbox's or real time.
    m.setEventsTimeScale(null);
    await vi.waitFor(() => expect(m.events.value).toMatchObject({ loaded: true, timeScale: null }));
    expect(fake.calls.at(-1)).toBe('events bin1 limit=50 before=- preset=slack');
  });

  it('asks for retried events only when the filter is on, and keeps the filter in storage', async () => {
    const fake = fakeEventsApi();
    const m = createModel(fake.api);
    await m.resync();
    m.setView('events');
    await vi.waitFor(() => expect(m.events.value.loaded).toBe(true));
    expect(m.eventsRetriedOnly.value).toBe(false);
    m.setEventsRetriedOnly(true);
    await vi.waitFor(() => expect(m.events.value).toMatchObject({ loaded: true, retriedOnly: true }));
    expect(fake.calls.at(-1)).toBe('events bin1 limit=50 before=- preset=- retried');
    m.setEventsRetriedOnly(false);
    await vi.waitFor(() => expect(m.events.value).toMatchObject({ loaded: true, retriedOnly: false }));
    expect(fake.calls.at(-1)).toBe('events bin1 limit=50 before=- preset=-');

    const kept = new Map<string, string>();
    const store = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) };
    expect(readRetriedOnly(store)).toBe(false);
    writeRetriedOnly(store, true);
    expect(kept.get(RETRIED_ONLY_KEY)).toBe('1');
    expect(readRetriedOnly(store)).toBe(true);
    writeRetriedOnly(store, false);
    expect(readRetriedOnly(store)).toBe(false);
    const blocked = { getItem: () => { throw new Error('blocked'); }, setItem: () => { throw new Error('blocked'); } };
    expect(readRetriedOnly(blocked)).toBe(false);
    expect(() => writeRetriedOnly(blocked, true)).not.toThrow();
    expect(readRetriedOnly(null)).toBe(false);
  });

  it('drops an answer that a newer request overtook', async () => {
    const fake = fakeEventsApi();
    const slow: ((v: unknown) => void)[] = [];
    const list = fake.api.listEvents;
    fake.api.listEvents = async (...args) => {
      const page = await list(...args);
      if (args[1].preset === null) await new Promise((r) => slow.push(r));
      return page;
    };
    const m = createModel(fake.api);
    await m.resync();
    m.setView('events');
    await Promise.resolve();
    m.setEventsPreset('slack');
    await vi.waitFor(() => expect(m.events.value).toMatchObject({ loaded: true, preset: 'slack' }));
    slow.forEach((r) => r(undefined));
    await new Promise((r) => setTimeout(r, 5));
    expect(m.events.value.preset).toBe('slack');
    expect(m.events.value.items[0]!.comparison?.presetId).toBe('slack');
  });

  it('refreshes the events once for a burst of live captures of the bin, only while the view is open', async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeEventsApi();
      const m = createModel(fake.api);
      await m.resync();
      const capture = (n: number, binId = 'bin1') => ({
        type: 'capture.created' as const,
        pruned: 0,
        capture: {
          id: `x${n}`,
          binId,
          receivedAt: at(n),
          method: 'POST',
          path: '',
          query: '',
          contentType: null,
          bodySize: 0,
          truncated: false,
          remoteAddress: null,
          status: 500,
          fault: null,
          delayMs: 0,
          verdict: null,
          event: { key: 'evt_1', type: null, attempt: n },
          provider: null,
        },
      });
      m.apply(capture(1));
      await vi.advanceTimersByTimeAsync(EVENTS_REFRESH_DELAY_MS * 2);
      expect(fake.calls.filter((c) => c.startsWith('events'))).toEqual([]);
      m.setView('events');
      await vi.advanceTimersByTimeAsync(1);
      const before = fake.calls.length;
      m.apply(capture(2));
      m.apply(capture(3));
      m.apply(capture(4, 'other-bin'));
      m.apply({ type: 'capture.deleted', binId: 'bin1', id: 'x2' });
      await vi.advanceTimersByTimeAsync(EVENTS_REFRESH_DELAY_MS + 10);
      expect(fake.calls.slice(before)).toEqual(['events bin1 limit=50 before=- preset=-']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('changes what the bin answers and shows it at once', async () => {
    const fake = fakeEventsApi();
    const m = createModel(fake.api);
    await m.resync();
    expect(await m.updateRespond('bin1', failFirstPatch(2))).toBeNull();
    expect(m.bins.value[0]!.respond.failFirst).toEqual({ count: 2, status: 500 });
    expect(await m.updateRespond('bin1', null)).toBeNull();
    expect(m.bins.value[0]!.respond).toEqual(defaultRespond());
    expect(fake.calls.filter((c) => c.startsWith('patch')).map((c) => JSON.parse(c.slice(6)))).toEqual([
      { respond: { fault: null, failFirst: { count: 2, status: 500 }, sequence: null, random: null } },
      { respond: null },
    ]);
  });

  it('opens an attempt’s capture from the timeline in the captures view', async () => {
    const fake = fakeEventsApi();
    fake.api.getCapture = async (id) => ({ id }) as never;
    const m = createModel(fake.api);
    await m.resync();
    m.setView('events');
    m.openCapture('c2');
    expect(m.view.value).toBe('captures');
    expect(m.selectedCaptureId.value).toBe('c2');
    expect(m.pane.value).toBe('detail');
  });

  it('merges event pages by key, the newer copy first', () => {
    const a = event([1], [500, 200], { key: 'a' });
    const b = event([], [500], { key: 'b' });
    expect(mergeEvents([a], [{ ...a, type: 'old' }, b]).map((e) => [e.key, e.type])).toEqual([
      ['a', 'invoice.paid'],
      ['b', 'invoice.paid'],
    ]);
  });
});
