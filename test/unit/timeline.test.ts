import { describe, expect, it } from 'vitest';
import {
  ESTIMATED_TOLERANCE_RATIO,
  PRESETS,
  presetById,
  type RetryPreset,
} from '../../server/retries/presets.js';
import {
  DEFAULT_TOLERANCE_MS,
  DEFAULT_TOLERANCE_RATIO,
  FLAG_PENALTY,
  MAX_GAP_ERROR,
  PAST_SCHEDULE_GAP_ERROR,
  bestPreset,
  compareTimeline,
  formatDuration,
  outcomeOf,
  toleranceFor,
  type ObservedAttempt,
} from '../../server/retries/timeline.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
/** A fixed clock: 2026-01-01T00:00:00Z. */
const T0 = 1_767_225_600_000;

function preset(id: string): RetryPreset {
  const p = presetById(id);
  if (!p) throw new Error(`no preset ${id}`);
  return p;
}

/** Attempts at T0, then after each gap; statuses per attempt (the last repeats). */
function attempts(gaps: number[], statuses: (number | null)[] = [500], extra: Partial<ObservedAttempt>[] = []): ObservedAttempt[] {
  const out: ObservedAttempt[] = [];
  let at = T0;
  for (let i = 0; i <= gaps.length; i++) {
    if (i > 0) at += gaps[i - 1]!;
    out.push({ captureId: `cap_${i + 1}`, receivedAt: at, status: statuses[Math.min(i, statuses.length - 1)]!, ...extra[i] });
  }
  return out;
}

/** A clock long after everything, so stopped-early is decided. */
const LATER = T0 + 48 * H;

describe('compareTimeline: gaps', () => {
  it('matches seed 001 exactly: every gap expected, zero delta, within, score 0', () => {
    const c = compareTimeline(attempts([30 * S, 5 * MIN, 30 * MIN, 2 * H], [500, 500, 500, 500, 200]), preset('generic-api'), { now: LATER });
    expect(c.presetId).toBe('generic-api');
    expect(c.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(c.attempts.map((a) => a.gapMs)).toEqual([null, 30 * S, 5 * MIN, 30 * MIN, 2 * H]);
    expect(c.attempts.map((a) => a.expectedGapMs)).toEqual([null, 30 * S, 5 * MIN, 30 * MIN, 2 * H]);
    expect(c.attempts.map((a) => a.deltaMs)).toEqual([null, 0, 0, 0, 0]);
    expect(c.attempts.map((a) => a.withinTolerance)).toEqual([null, true, true, true, true]);
    expect(c.attempts.map((a) => a.status)).toEqual([500, 500, 500, 500, 200]);
    expect(c.attempts.map((a) => a.outcome)).toEqual(['failure', 'failure', 'failure', 'failure', 'success']);
    expect(c.attempts.map((a) => a.captureId)).toEqual(['cap_1', 'cap_2', 'cap_3', 'cap_4', 'cap_5']);
    expect(c.attempts[0]).toMatchObject({ receivedAt: T0, gapMs: null, expectedGapMs: null, deltaMs: null, withinTolerance: null, toleranceMs: null });
    expect(c.flags).toEqual([]);
    expect(c.score).toBe(0);
    expect(c.nextDueAt).toBeNull();
    expect(c.schedule).toEqual(preset('generic-api').delays);
  });

  it('delta is observed minus expected: positive when late, negative when early', () => {
    const c = compareTimeline(attempts([33 * S, 4 * MIN]), preset('generic-api'), { now: T0 });
    expect(c.attempts[1]!.deltaMs).toBe(3 * S);
    expect(c.attempts[2]!.deltaMs).toBe(-MIN);
  });

  it('tolerance is max(2 s, 20% of the expected gap), inclusive at the edge', () => {
    expect(toleranceFor(30 * S)).toBe(6 * S);
    expect(toleranceFor(5 * S)).toBe(DEFAULT_TOLERANCE_MS);
    expect(toleranceFor(0)).toBe(DEFAULT_TOLERANCE_MS);
    expect(toleranceFor(5 * MIN)).toBe(DEFAULT_TOLERANCE_RATIO * 5 * MIN);
    const within = (gap: number, id = 'generic-api', options = {}) =>
      compareTimeline(attempts([gap]), preset(id), { now: T0, ...options }).attempts[1]!.withinTolerance;
    expect(within(36_000)).toBe(true);
    expect(within(36_001)).toBe(false);
    expect(within(24_000)).toBe(true);
    expect(within(23_999)).toBe(false);
    expect(within(7_000, 'standard-webhooks')).toBe(true);
    expect(within(7_001, 'standard-webhooks')).toBe(false);
    expect(within(2_000, 'slack')).toBe(true);
    expect(within(2_001, 'slack')).toBe(false);
    expect(compareTimeline(attempts([36 * S]), preset('generic-api'), { now: T0 }).attempts[1]!.toleranceMs).toBe(6 * S);
  });

  it('toleranceRatio and toleranceMs options replace the defaults', () => {
    const c = (gap: number) => compareTimeline(attempts([gap]), preset('generic-api'), { now: T0, toleranceRatio: 0, toleranceMs: 100 }).attempts[1]!;
    expect(c(30_100).withinTolerance).toBe(true);
    expect(c(30_101).withinTolerance).toBe(false);
    expect(c(30_000).toleranceMs).toBe(100);
    const loose = compareTimeline(attempts([44 * S]), preset('generic-api'), { now: T0, toleranceRatio: 0.5 });
    expect(loose.attempts[1]!.withinTolerance).toBe(true);
  });

  it('estimated presets get a 50% tolerance unless the caller sets one', () => {
    expect(ESTIMATED_TOLERANCE_RATIO).toBe(0.5);
    const p = preset('makeplans'); // first delay 1 min
    expect(compareTimeline(attempts([90 * S]), p, { now: T0 }).attempts[1]!.withinTolerance).toBe(true);
    expect(compareTimeline(attempts([90_001]), p, { now: T0 }).attempts[1]!.withinTolerance).toBe(false);
    expect(compareTimeline(attempts([90 * S]), p, { now: T0, toleranceRatio: 0.2 }).attempts[1]!.withinTolerance).toBe(false);
  });

  it('orders attempts by their attempt number (arrival), not by time', () => {
    const inOrder = attempts([30 * S, 5 * MIN], [500], [{ attempt: 1 }, { attempt: 2 }, { attempt: 3 }]);
    const c = compareTimeline([inOrder[2]!, inOrder[0]!, inOrder[1]!], preset('generic-api'), { now: T0 });
    expect(c.attempts.map((a) => a.captureId)).toEqual(['cap_1', 'cap_2', 'cap_3']);
    expect(c.attempts.map((a) => a.gapMs)).toEqual([null, 30 * S, 5 * MIN]);
  });

  it('a single attempt has no gap and scores 0', () => {
    const c = compareTimeline(attempts([], [200]), preset('generic-api'), { now: LATER });
    expect(c.attempts).toHaveLength(1);
    expect(c.score).toBe(0);
    expect(c.flags).toEqual([]);
  });
});

describe('compareTimeline: what the provider waited for', () => {
  it('a 200 held past the preset timeout is a timeout: the retry is expected after timeout + delay, and is no retry-after-success', () => {
    const p = preset('makeplans'); // 10 s timeout, first delay 1 min
    const c = compareTimeline(attempts([70 * S], [200], [{ delayMs: 12 * S }]), p, { now: T0 + 70 * S });
    expect(c.attempts[0]!.outcome).toBe('timeout');
    expect(c.attempts[1]!.expectedGapMs).toBe(70 * S);
    expect(c.attempts[1]!.deltaMs).toBe(0);
    expect(c.flags).toEqual([]);
  });

  it('a 200 held less than the timeout is a success, so another attempt is flagged; its delay still shifts the clock', () => {
    const c = compareTimeline(attempts([64 * S], [200], [{ delayMs: 4 * S }]), preset('makeplans'), { now: T0 + 64 * S });
    expect(c.attempts[0]!.outcome).toBe('success');
    expect(c.attempts[1]!.expectedGapMs).toBe(64 * S);
    expect(c.flags.map((f) => f.flag)).toEqual(['retried-after-success']);
  });

  it('a hang is a timeout: Slack retries 3 s after, without waiting for an answer', () => {
    const hang = compareTimeline(attempts([3 * S], [null, 200], [{ fault: 'hang' }]), preset('slack'), { now: T0 + 3 * S });
    expect(hang.attempts[0]!.outcome).toBe('timeout');
    expect(hang.attempts[1]!).toMatchObject({ expectedGapMs: 3 * S, deltaMs: 0, withinTolerance: true });
  });

  it('a reset (or a null status without a fault) fails at once', () => {
    for (const extra of [{ fault: 'reset' as const }, {}]) {
      const c = compareTimeline(attempts([3 * S], [null, 200], [extra]), preset('slack'), { now: T0 + 3 * S });
      expect(c.attempts[0]!.outcome).toBe('fault');
      expect(c.attempts[1]!).toMatchObject({ expectedGapMs: 0, deltaMs: 3 * S, withinTolerance: false });
    }
  });

  it('a hang with no documented timeout adds nothing (unknown)', () => {
    const c = compareTimeline(attempts([30 * S], [null, 200], [{ fault: 'hang' }]), preset('generic-api'), { now: T0 });
    expect(c.attempts[1]!.expectedGapMs).toBe(30 * S);
  });

  it('outcomeOf: 2xx success, other statuses failure, null fault, held past timeout timeout', () => {
    const p = preset('shopify');
    const a = (status: number | null, more: Partial<ObservedAttempt> = {}): ObservedAttempt => ({ captureId: 'c', receivedAt: T0, status, ...more });
    expect(outcomeOf(a(200), p)).toBe('success');
    expect(outcomeOf(a(204), p)).toBe('success');
    expect(outcomeOf(a(299), p)).toBe('success');
    expect(outcomeOf(a(300), p)).toBe('failure');
    expect(outcomeOf(a(199), p)).toBe('failure');
    expect(outcomeOf(a(429), p)).toBe('failure');
    expect(outcomeOf(a(null), p)).toBe('fault');
    expect(outcomeOf(a(null, { fault: 'hang' }), p)).toBe('timeout');
    expect(outcomeOf(a(200, { delayMs: 5 * S }), p)).toBe('timeout');
    expect(outcomeOf(a(200, { delayMs: 4_999 }), p)).toBe('success');
    expect(outcomeOf(a(200, { delayMs: 60 * S }), preset('generic-api'))).toBe('success'); // no documented timeout
  });
});

describe('compareTimeline: flags', () => {
  it('retried-after-success: each attempt that follows a 2xx, with one sentence', () => {
    const c = compareTimeline(attempts([30 * S, 5 * MIN, 30 * MIN], [500, 200, 200, 201]), preset('generic-api'), { now: LATER });
    expect(c.flags.map((f) => [f.flag, f.attempt])).toEqual([
      ['retried-after-success', 3],
      ['retried-after-success', 4],
    ]);
    expect(c.flags[0]!.message).toBe('Attempt 3 arrived 5 min after attempt 2, which was answered 200 in time.');
  });

  it('retried-after-success costs the same penalty whatever the count', () => {
    const clean = compareTimeline(attempts([30 * S, 5 * MIN], [500, 500, 200]), preset('generic-api'), { now: LATER });
    const after = compareTimeline(attempts([30 * S, 5 * MIN], [500, 200, 200]), preset('generic-api'), { now: LATER });
    expect(after.score - clean.score).toBe(FLAG_PENALTY);
  });

  it('stopped-early: the last attempt failed, more were allowed, and now is past due + tolerance', () => {
    const two = attempts([30 * S], [500]);
    const p = preset('generic-api'); // next due 5 min after attempt 2, tolerance 60 s
    const dueAt = T0 + 30 * S + 5 * MIN;
    const waiting = compareTimeline(two, p, { now: dueAt + MIN });
    expect(waiting.flags).toEqual([]);
    expect(waiting.nextDueAt).toBe(dueAt);
    const stopped = compareTimeline(two, p, { now: dueAt + MIN + 1 });
    expect(stopped.flags).toEqual([
      {
        flag: 'stopped-early',
        attempt: 2,
        message: 'Attempt 2 failed and no retry followed, though Generic API makes 3 more and the next was due 5 min after it.',
      },
    ]);
    expect(stopped.nextDueAt).toBeNull();
    expect(stopped.score - waiting.score).toBe(FLAG_PENALTY);
  });

  it('stopped-early counts a fault and a timeout as failed, and a success as done', () => {
    expect(compareTimeline(attempts([30 * S], [500, null]), preset('generic-api'), { now: LATER }).flags.map((f) => f.flag)).toEqual(['stopped-early']);
    expect(compareTimeline(attempts([30 * S], [500, 200], [{}, { delayMs: 11 * S }]), preset('makeplans'), { now: LATER }).flags.map((f) => f.flag)).toEqual(['stopped-early']);
    const done = compareTimeline(attempts([30 * S], [500, 200]), preset('generic-api'), { now: LATER });
    expect(done.flags).toEqual([]);
    expect(done.nextDueAt).toBeNull();
  });

  it('stopped-early waits for a timed-out attempt\'s timeout before the delay', () => {
    const a = attempts([], [null], [{ fault: 'hang' }]);
    const p = preset('standard-webhooks'); // 15 s timeout + 5 s delay = 20 s, tolerance 4 s
    expect(compareTimeline(a, p, { now: T0 + 24 * S }).nextDueAt).toBe(T0 + 20 * S);
    expect(compareTimeline(a, p, { now: T0 + 24 * S + 1 }).flags.map((f) => f.flag)).toEqual(['stopped-early']);
  });

  it('no stopped-early once the schedule is used up', () => {
    const c = compareTimeline(attempts([30 * S, 5 * MIN, 30 * MIN, 2 * H]), preset('generic-api'), { now: LATER });
    expect(c.flags).toEqual([]);
    expect(c.nextDueAt).toBeNull();
  });

  it('now defaults to the clock', () => {
    const past = attempts([30 * S]).map((a) => ({ ...a, receivedAt: a.receivedAt - T0 + Date.now() - 24 * H }));
    expect(compareTimeline(past, preset('generic-api')).flags.map((f) => f.flag)).toEqual(['stopped-early']);
    const fresh = attempts([30 * S]).map((a) => ({ ...a, receivedAt: a.receivedAt - T0 + Date.now() - 30 * S }));
    expect(compareTimeline(fresh, preset('generic-api')).flags).toEqual([]);
  });

  it('past-schedule: once, at the first attempt beyond 1 + delays; later gaps expect nothing', () => {
    const c = compareTimeline(attempts([30 * S, 5 * MIN, 30 * MIN, 2 * H, 3 * H, 3 * H]), preset('generic-api'), { now: LATER });
    expect(c.flags).toEqual([
      { flag: 'past-schedule', attempt: 6, message: 'Attempt 6 arrived after the 4 retries that Generic API makes.' },
    ]);
    expect(c.attempts.slice(5).map((a) => [a.expectedGapMs, a.deltaMs, a.withinTolerance, a.toleranceMs])).toEqual([
      [null, null, null, null],
      [null, null, null, null],
    ]);
    expect(c.score).toBeCloseTo((2 * PAST_SCHEDULE_GAP_ERROR) / 6, 10);
  });

  it('past-schedule for a provider that never retries', () => {
    const c = compareTimeline(attempts([MIN], [500, 200]), preset('github'), { now: LATER });
    expect(c.flags).toEqual([{ flag: 'past-schedule', attempt: 2, message: 'Attempt 2 is a redelivery: GitHub does not retry by itself, so it was sent again by hand or through its API.' }]);
    expect(c.score).toBe(PAST_SCHEDULE_GAP_ERROR);
  });

  it('uses the event type\'s retry count (Webhooks API v2.4)', () => {
    const p = preset('webhooks-api-v2.4');
    const three = attempts([MIN, 2 * MIN], [500]);
    const trial = compareTimeline(three, p, { now: LATER, eventType: 'trial.ending' });
    expect(trial.schedule).toEqual([MIN]);
    expect(trial.flags).toEqual([
      { flag: 'past-schedule', attempt: 3, message: 'Attempt 3 arrived after the 1 retry that Webhooks API v2.4 makes for trial.ending.' },
    ]);
    const paid = compareTimeline(three, p, { now: LATER, eventType: 'invoice.paid' });
    expect(paid.flags.map((f) => f.flag)).toEqual(['stopped-early']);
    expect(paid.flags[0]!.message).toContain('makes 3 more');
    const trialTwo = compareTimeline(attempts([MIN], [500]), p, { now: LATER, eventType: 'trial.ending' });
    expect(trialTwo.flags).toEqual([]);
  });

  it('every message is one plain sentence', () => {
    const all = [
      compareTimeline(attempts([30 * S, 5 * MIN], [500, 200, 500]), preset('generic-api'), { now: LATER }),
      compareTimeline(attempts([5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H, H]), preset('standard-webhooks'), { now: LATER }),
      compareTimeline(attempts([MIN], [500]), preset('github'), { now: LATER }),
    ].flatMap((c) => c.flags);
    expect(new Set(all.map((f) => f.flag))).toEqual(new Set(['retried-after-success', 'stopped-early', 'past-schedule']));
    for (const f of all) expect(f.message).toMatch(/^[A-Z][^\n]*[^.]\.$/);
  });
});

describe('compareTimeline: score', () => {
  it('is the mean of |ln((gap + 2 s) / (expected + 2 s))| over gaps', () => {
    const c = compareTimeline(attempts([60 * S, 5 * MIN]), preset('generic-api'), { now: T0 + 6 * MIN });
    expect(c.score).toBeCloseTo(Math.log(62 / 32) / 2, 10);
  });

  it('is symmetric in ratio and capped per gap', () => {
    const late = compareTimeline(attempts([2 * 30 * S + 2 * S]), preset('generic-api'), { now: T0 }).score;
    const early = compareTimeline(attempts([15 * S]), preset('generic-api'), { now: T0 }).score;
    expect(late).toBeCloseTo(Math.log(64 / 32), 10);
    expect(early).toBeCloseTo(Math.log(32 / 17), 10);
    const absurd = compareTimeline(attempts([100 * H]), preset('generic-api'), { now: T0 + 100 * H }).score;
    expect(absurd).toBe(MAX_GAP_ERROR);
    expect(PAST_SCHEDULE_GAP_ERROR).toBeGreaterThan(MAX_GAP_ERROR);
  });
});

describe('bestPreset', () => {
  it('is null with fewer than 2 attempts or no presets', () => {
    expect(bestPreset([])).toBeNull();
    expect(bestPreset(attempts([]))).toBeNull();
    expect(bestPreset(attempts([30 * S]), [])).toBeNull();
  });

  it('fail the first 2 with 500 under Standard Webhooks timing: 500, 500, 200 at 5 s and 5 min', () => {
    const best = bestPreset(attempts([5_400, 5 * MIN + 800], [500, 500, 200]), PRESETS, { now: LATER });
    expect(best?.presetId).toBe('standard-webhooks');
    expect(best?.flags).toEqual([]);
    expect(best?.attempts.map((a) => a.withinTolerance)).toEqual([null, true, true]);
  });

  it('recognises seed 001, Slack and Shopify by their gaps', () => {
    expect(bestPreset(attempts([31 * S, 5 * MIN - 4 * S], [500, 500, 200]), PRESETS, { now: LATER })?.presetId).toBe('generic-api');
    expect(bestPreset(attempts([700, MIN + 2 * S, 5 * MIN], [500, 500, 500, 200]), PRESETS, { now: LATER })?.presetId).toBe('slack');
    expect(bestPreset(attempts([MIN, 2 * MIN, 4 * MIN, 8 * MIN, 15 * MIN, 30 * MIN], [503, 503, 503, 503, 503, 503, 200]), PRESETS, { now: LATER })?.presetId).toBe('shopify');
  });

  it('never picks a provider that does not retry while another explains the retries', () => {
    const a = attempts([30 * S], [500, 200]);
    expect(bestPreset(a, [preset('github'), preset('generic-api')], { now: LATER })?.presetId).toBe('generic-api');
    expect(bestPreset(a, [preset('github')], { now: LATER })?.presetId).toBe('github');
  });

  it('breaks ties by preset order', () => {
    const a = attempts([MIN, 2 * MIN], [500, 500, 200]); // Makeplans and seed 004 assume the same spacing
    const ordered = [preset('makeplans'), preset('webhooks-api-v2.4')];
    expect(bestPreset(a, ordered, { now: LATER })?.presetId).toBe('makeplans');
    expect(bestPreset(a, [...ordered].reverse(), { now: LATER })?.presetId).toBe('webhooks-api-v2.4');
    expect(bestPreset(a, PRESETS, { now: LATER })?.presetId).toBe('makeplans');
  });

  it('passes the event type on, so a type\'s retry count can rule a preset out', () => {
    const a = attempts([MIN, 2 * MIN], [500, 500, 200]);
    const ordered = [preset('webhooks-api-v2.4'), preset('makeplans')];
    expect(bestPreset(a, ordered, { now: LATER })?.presetId).toBe('webhooks-api-v2.4');
    expect(bestPreset(a, ordered, { now: LATER, eventType: 'trial.ending' })?.presetId).toBe('makeplans');
  });

  it('a provider that stopped early fits a shorter schedule better', () => {
    // Two failures 5 s apart, then silence for a day: Svix would have retried after 5 min.
    const a = attempts([5 * S], [500]);
    const svixLike: RetryPreset = { id: 'short', name: 'Short', source: 'test', delays: [5 * S], retriesOn: 'test' };
    const best = bestPreset(a, [preset('standard-webhooks'), svixLike], { now: T0 + 24 * H });
    expect(best?.presetId).toBe('short');
    expect(bestPreset(a, [preset('standard-webhooks'), svixLike], { now: T0 + 10 * S })?.presetId).toBe('standard-webhooks');
  });
});

describe('formatDuration', () => {
  it('reads like a person would write it', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(450)).toBe('450 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(5000)).toBe('5 s');
    expect(formatDuration(30 * S)).toBe('30 s');
    expect(formatDuration(59_600)).toBe('1 min');
    expect(formatDuration(5 * MIN)).toBe('5 min');
    expect(formatDuration(5 * MIN + 30 * S)).toBe('5 min 30 s');
    expect(formatDuration(2 * H)).toBe('2 h');
    expect(formatDuration(H + 30 * MIN)).toBe('1 h 30 min');
    expect(formatDuration(-30 * S)).toBe('-30 s');
  });
});

describe('compareTimeline: the clock set back between attempts', () => {
  /** Attempt 1 at T0 answered 500; the clock goes back a day; attempt 2 arrives (30 s later in truth) and gets 200. */
  const stepped = (): ObservedAttempt[] => [
    { captureId: 'cap_1', receivedAt: T0, status: 500, attempt: 1 },
    { captureId: 'cap_2', receivedAt: T0 - 24 * H + 30 * S, status: 200, attempt: 2 },
  ];

  it('keeps arrival order: the success is attempt 2, so nothing "retried after success"', () => {
    const c = compareTimeline(stepped(), preset('generic-api'), { now: T0 - 24 * H + MIN });
    expect(c.attempts.map((a) => a.captureId)).toEqual(['cap_1', 'cap_2']);
    expect(c.flags.map((f) => f.flag)).not.toContain('retried-after-success');
  });

  it('does not judge the negative gap: no delta, no tolerance verdict, no score, one clock-changed flag', () => {
    const c = compareTimeline(stepped(), preset('generic-api'), { now: T0 - 24 * H + MIN });
    const second = c.attempts[1]!;
    expect(second).toMatchObject({ gapMs: -(24 * H - 30 * S), clockChanged: true, deltaMs: null, withinTolerance: null, toleranceMs: null });
    expect(c.score).toBe(0);
    expect(c.flags).toEqual([{ flag: 'clock-changed', attempt: 2, message: expect.stringMatching(/^The clock changed between attempt 1 and attempt 2 \(attempt 2 is stamped 24 h before attempt 1\)/) }]);
    expect(c.flags[0]!.message).not.toMatch(/-\d/);
  });

  it('still says a genuine retry after a success, without quoting the negative gap as a delay', () => {
    const events = stepped();
    events[0]!.status = 200;
    const c = compareTimeline(events, preset('generic-api'), { now: T0 - 24 * H + MIN });
    const retried = c.flags.find((f) => f.flag === 'retried-after-success')!;
    expect(retried.message).toBe('Attempt 2 arrived after attempt 1, which was answered 200 in time.');
    for (const f of c.flags) expect(f.message).not.toMatch(/-\d/);
  });

  it('gaps after the step are compared as usual', () => {
    const events = [...stepped(), { captureId: 'cap_3', receivedAt: T0 - 24 * H + 30 * S + 5 * MIN, status: 500, attempt: 3 }];
    events[1]!.status = 500;
    const c = compareTimeline(events, preset('generic-api'), { now: T0 - 24 * H + 6 * MIN });
    expect(c.attempts[2]).toMatchObject({ gapMs: 5 * MIN, deltaMs: 0, withinTolerance: true });
    expect(c.attempts[2]!.clockChanged).toBeUndefined();
  });

  it('an attempt past the schedule still costs its error across a clock step: a preset that never retries does not tie with one that does', () => {
    const never = preset('github');
    const c = compareTimeline(stepped(), never, { now: T0 - 24 * H + MIN });
    expect(c.score).toBe(PAST_SCHEDULE_GAP_ERROR);
    expect(c.flags.map((f) => f.flag)).toEqual(['clock-changed', 'past-schedule']);
    // Listed first, so a tie would pick it.
    const best = bestPreset(stepped(), [never, preset('generic-api')], { now: T0 - 24 * H + MIN });
    expect(best!.presetId).toBe('generic-api');
  });

  it('bestPreset is not swayed by the negative gap (every preset scores the same on it)', () => {
    const best = bestPreset(stepped(), PRESETS, { now: T0 - 24 * H + MIN });
    expect(best!.score).toBe(0);
    expect(best!.flags.map((f) => f.flag)).toEqual(['clock-changed']);
  });
});
