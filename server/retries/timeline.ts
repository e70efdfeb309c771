/**
 * Compares one event's observed attempts with a provider's retry preset:
 * expected against observed gap per attempt, within a tolerance, flags for
 * what the provider did that its schedule does not explain, and a score to
 * pick the best-matching preset. Pure: the only input from outside is `now`,
 * which callers (and every test) can pass.
 */
import { ESTIMATED_TOLERANCE_RATIO, PRESETS, scheduleFor } from './presets.js';
import { formatDuration } from '../common/duration.js';
import type { AttemptComparison as AttemptComparisonJson, AttemptOutcome, RetryPreset, TimelineComparison as TimelineComparisonJson, TimelineFlag } from '../common/types.js';

export type { AttemptOutcome, TimelineFlag };

/** One attempt compared with the schedule, its time in Unix ms (the API writes it as ISO-8601). */
export type AttemptComparison = Omit<AttemptComparisonJson, 'receivedAt'> & { receivedAt: number };

/** The comparison of one event's attempts with one preset, times in Unix ms (the API writes them as ISO-8601). */
export type TimelineComparison = Omit<TimelineComparisonJson, 'attempts' | 'nextDueAt'> & {
  attempts: AttemptComparison[];
  /** When the next attempt is due, Unix ms: the last attempt failed, more are allowed and `now` has not passed it (plus tolerance). Else null. */
  nextDueAt?: number | null;
};

export { formatDuration };

/** One delivery attempt of an event as hookbin recorded it. */
export interface ObservedAttempt {
  captureId: string;
  /** Unix ms, by the server's clock then (which may have been set back since an earlier attempt). */
  receivedAt: number;
  /**
   * The attempt's number in order of arrival (the store's sequence). Attempts
   * are ordered by it when given, else taken in the order passed; never by
   * `receivedAt`, which a clock set back would reorder.
   */
  attempt?: number;
  /** The status hookbin answered; null = transport fault (reset/hang). */
  status: number | null;
  /**
   * The fault hookbin answered with, when known: `hang` means the provider
   * waited for its own timeout before giving up (a null status without it is
   * taken as an immediate failure, like `reset`).
   */
  fault?: 'reset' | 'hang' | null;
  /**
   * How long hookbin held its answer (the bin's `delayMs`). The provider's
   * retry clock starts when it has the answer, or at its timeout if that comes
   * first, in which case the attempt failed whatever hookbin answered.
   */
  delayMs?: number | null;
}

/** Options of {@link compareTimeline} and {@link bestPreset}. */
export interface CompareOptions {
  /** The clock for `stopped-early`, Unix ms; default Date.now(). */
  now?: number;
  /** Relative tolerance; default {@link DEFAULT_TOLERANCE_RATIO}, or {@link ESTIMATED_TOLERANCE_RATIO} for presets whose spacing is estimated. */
  toleranceRatio?: number;
  /** Absolute tolerance floor, ms; default {@link DEFAULT_TOLERANCE_MS}. */
  toleranceMs?: number;
  /** The event's type, for presets whose retry count depends on it. */
  eventType?: string | null;
}

/** The absolute tolerance floor: network latency and queueing make a few seconds of slack normal. */
export const DEFAULT_TOLERANCE_MS = 2000;
/**
 * The floor a compressed schedule keeps, in real ms: dividing 2 s by 3600
 * leaves half a millisecond, less than one attempt's own overhead (connect,
 * sign, write: 20–50 ms), which would flag good deliveries.
 */
export const MIN_SCALED_TOLERANCE_MS = 100;
/** The relative tolerance for documented schedules: providers' schedulers drift and add jitter. */
export const DEFAULT_TOLERANCE_RATIO = 0.2;
/** The largest error one gap adds to the score: a gap off by a factor of e³ ≈ 20 or more is simply wrong. */
export const MAX_GAP_ERROR = 3;
/** The error of a gap the schedule does not allow at all: worse than any wrong gap. */
export const PAST_SCHEDULE_GAP_ERROR = 4;
/** Added to the score once when the provider stopped early, and once when it retried after a success. */
export const FLAG_PENALTY = 1;

/** The tolerance for an expected gap: max(toleranceMs, toleranceRatio × expected). */
export function toleranceFor(expectedGapMs: number, toleranceRatio = DEFAULT_TOLERANCE_RATIO, toleranceMs = DEFAULT_TOLERANCE_MS): number {
  return Math.max(toleranceMs, toleranceRatio * expectedGapMs);
}

/**
 * Compares an event's attempts (in order of arrival: sorted stably by
 * `attempt` when given, never by time) with a preset.
 *
 * - Expected gap before attempt n+1 = the preset's n-th delay + the time the
 *   provider waited on attempt n (its `delayMs`, capped at the preset's
 *   `timeoutMs`; the whole `timeoutMs` for a `hang`, 0 when unknown).
 * - Tolerance: max(`toleranceMs` (2000), `toleranceRatio` (0.2; 0.5 for
 *   estimated presets) × expected); `withinTolerance` is |observed − expected|
 *   ≤ tolerance.
 * - Flags: `retried-after-success` for every attempt that follows a 2xx
 *   answered within the preset's timeout; `past-schedule` once, at the first
 *   attempt beyond `1 + delays`; `stopped-early` at the last attempt when it
 *   failed, the schedule allows more, and `now` is past its due time plus
 *   tolerance; `clock-changed` at each negative gap.
 * - A negative gap (the clock was set back) is not judged and adds nothing to
 *   the score; no flag's sentence quotes it as a delay.
 * - Score: the mean over gaps of |ln((observed + c) / (expected + c))| with
 *   c = `toleranceMs` (so gaps off by the same factor cost the same at any
 *   scale, and near-zero gaps do not explode), capped at {@link MAX_GAP_ERROR};
 *   a gap beyond the schedule costs {@link PAST_SCHEDULE_GAP_ERROR}; plus
 *   {@link FLAG_PENALTY} each for stopped-early and retried-after-success.
 *   One attempt scores 0.
 */
export function compareTimeline(attempts: readonly ObservedAttempt[], preset: RetryPreset, options: CompareOptions = {}): TimelineComparison {
  const now = options.now ?? Date.now();
  const floorMs = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
  const ratio = options.toleranceRatio ?? (preset.estimated ? ESTIMATED_TOLERANCE_RATIO : DEFAULT_TOLERANCE_RATIO);
  const schedule = scheduleFor(preset, options.eventType);
  const sorted = attempts.every((a) => a.attempt !== undefined) ? [...attempts].sort((a, b) => a.attempt! - b.attempt!) : attempts;

  const outcomes = sorted.map((a) => outcomeOf(a, preset));
  const result: AttemptComparison[] = [];
  const flags: TimelineComparison['flags'] = [];
  const errors: number[] = [];
  let retriedAfterSuccess = false;

  sorted.forEach((a, i) => {
    const outcome = outcomes[i]!;
    if (i === 0) {
      result.push({ attempt: 1, captureId: a.captureId, receivedAt: a.receivedAt, gapMs: null, expectedGapMs: null, deltaMs: null, withinTolerance: null, status: a.status, toleranceMs: null, outcome });
      return;
    }
    const prev = sorted[i - 1]!;
    const gapMs = a.receivedAt - prev.receivedAt;
    const clockChanged = gapMs < 0;
    const delay = schedule[i - 1];
    const expectedGapMs = delay === undefined ? null : delay + waitedOn(prev, outcomes[i - 1]!, preset);
    let deltaMs: number | null = null;
    let withinTolerance: boolean | null = null;
    let tol: number | null = null;
    // An attempt past the schedule costs the same whatever the clock did; a gap the clock broke is not judged.
    if (expectedGapMs === null) {
      errors.push(PAST_SCHEDULE_GAP_ERROR);
    } else if (!clockChanged) {
      deltaMs = gapMs - expectedGapMs;
      tol = toleranceFor(expectedGapMs, ratio, floorMs);
      withinTolerance = Math.abs(deltaMs) <= tol;
      errors.push(Math.min(MAX_GAP_ERROR, Math.abs(Math.log((gapMs + floorMs) / (expectedGapMs + floorMs)))));
    }
    result.push({
      attempt: i + 1,
      captureId: a.captureId,
      receivedAt: a.receivedAt,
      gapMs,
      expectedGapMs,
      deltaMs,
      withinTolerance,
      status: a.status,
      toleranceMs: tol,
      outcome,
      ...(clockChanged ? { clockChanged } : {}),
    });
    const raised = attemptFlags(i, gapMs, prev, outcomes[i - 1]!, schedule.length, preset, options.eventType);
    if (raised.some((f) => f.flag === 'retried-after-success')) retriedAfterSuccess = true;
    flags.push(...raised);
  });

  let nextDueAt: number | null = null;
  let stoppedEarly = false;
  const n = sorted.length;
  const last = sorted[n - 1];
  if (last && outcomes[n - 1] !== 'success' && n < schedule.length + 1) {
    const expected = schedule[n - 1]! + waitedOn(last, outcomes[n - 1]!, preset);
    const dueAt = last.receivedAt + expected;
    if (now > dueAt + toleranceFor(expected, ratio, floorMs)) {
      stoppedEarly = true;
      const remaining = schedule.length + 1 - n;
      flags.push({
        flag: 'stopped-early',
        attempt: n,
        message: `Attempt ${n} failed and no retry followed, though ${preset.name} makes ${remaining} more and the next was due ${formatDuration(expected)} after it.`,
      });
    } else {
      nextDueAt = dueAt;
    }
  }

  const mean = errors.length === 0 ? 0 : errors.reduce((s, e) => s + e, 0) / errors.length;
  const score = mean + (stoppedEarly ? FLAG_PENALTY : 0) + (retriedAfterSuccess ? FLAG_PENALTY : 0);
  return { presetId: preset.id, attempts: result, flags, score, schedule, nextDueAt };
}

/**
 * The flags attempt `i + 1` (i ≥ 1, 0-based `i`) raises by itself, in this
 * order: `clock-changed` (its gap is negative), `retried-after-success` (the
 * attempt before it was a success), `past-schedule` (it is the first beyond
 * `1 + retries`). No sentence quotes a negative gap as a delay.
 */
function attemptFlags(
  i: number,
  gapMs: number,
  prev: ObservedAttempt,
  prevOutcome: AttemptOutcome,
  retries: number,
  preset: RetryPreset,
  eventType: string | null | undefined,
): TimelineComparison['flags'] {
  const flags: TimelineComparison['flags'] = [];
  const clockChanged = gapMs < 0;
  if (clockChanged) {
    flags.push({
      flag: 'clock-changed',
      attempt: i + 1,
      message: `The clock changed between attempt ${i} and attempt ${i + 1} (attempt ${i + 1} is stamped ${formatDuration(-gapMs)} before attempt ${i}), so that gap is not compared.`,
    });
  }
  // Arrival order, not the clock, says an attempt followed a success; only the sentence's delay needs the clock.
  if (prevOutcome === 'success') {
    flags.push({
      flag: 'retried-after-success',
      attempt: i + 1,
      message: `Attempt ${i + 1} arrived ${clockChanged ? 'after' : `${formatDuration(gapMs)} after`} attempt ${i}, which was answered ${prev.status} in time.`,
    });
  }
  if (i === retries + 1) {
    const forType = typeClause(preset, eventType);
    flags.push({
      flag: 'past-schedule',
      attempt: i + 1,
      message:
        preset.delays.length === 0
          ? // A provider that never retries (GitHub) only redelivers when someone asks it to: not a late retry.
            `Attempt ${i + 1} is a redelivery: ${preset.name} does not retry by itself, so it was sent again by hand or through its API.`
          : retries === 0
          ? `Attempt ${i + 1} arrived, but ${preset.name} does not retry${forType}.`
          : `Attempt ${i + 1} arrived after the ${plural(retries, 'retry', 'retries')} that ${preset.name} makes${forType}.`,
    });
  }
  return flags;
}

/**
 * The preset whose schedule best explains the attempts: the lowest
 * {@link compareTimeline} score, ties going to the earlier preset in
 * `presets` (default {@link PRESETS}). Null with fewer than 2 attempts (no gap
 * to compare) or no presets.
 */
export function bestPreset(attempts: readonly ObservedAttempt[], presets: readonly RetryPreset[] = PRESETS, options: CompareOptions = {}): TimelineComparison | null {
  if (attempts.length < 2) return null;
  // One clock for every preset, so they are judged on the same facts.
  const opts = { ...options, now: options.now ?? Date.now() };
  let best: TimelineComparison | null = null;
  for (const preset of presets) {
    const c = compareTimeline(attempts, preset, opts);
    if (best === null || c.score < best.score) best = c;
  }
  return best;
}

/** How the provider most likely saw an attempt, given the preset's timeout. */
export function outcomeOf(a: ObservedAttempt, preset: RetryPreset): AttemptOutcome {
  if (a.status === null) return a.fault === 'hang' ? 'timeout' : 'fault';
  if (preset.timeoutMs !== undefined && a.delayMs != null && a.delayMs >= preset.timeoutMs) return 'timeout';
  return a.status >= 200 && a.status <= 299 ? 'success' : 'failure';
}

/**
 * How long after an attempt arrived the provider had its result, so its retry
 * clock started: the answer's delay, or the preset's timeout when that came
 * first. A hang with no documented timeout is unknown and counts as 0.
 */
function waitedOn(a: ObservedAttempt, outcome: AttemptOutcome, preset: RetryPreset): number {
  if (outcome === 'timeout') return preset.timeoutMs ?? a.delayMs ?? 0;
  if (a.status === null) return 0;
  return Math.max(0, a.delayMs ?? 0);
}

/** " for <type>" when the preset's count depends on a type it lists, else "". */
function typeClause(preset: RetryPreset, eventType: string | null | undefined): string {
  return eventType != null && preset.byEventType && Object.hasOwn(preset.byEventType, eventType) ? ` for ${eventType}` : '';
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

