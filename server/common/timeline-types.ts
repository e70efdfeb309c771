/**
 * The public JSON of retries: a provider's retry preset, and an event (a
 * provider's attempts at one delivery) compared with one. Part of the
 * control API's types (types.ts re-exports them); no runtime code.
 */

/** A transport fault: `reset` closes the socket without a reply, `hang` never replies. */
export type Fault = 'reset' | 'hang';

/** One provider's documented retry behaviour. */
export interface RetryPreset {
  /** Stable id, as `retry.preset` and the preset picker use it. */
  id: string;
  /** The provider's name, as the picker shows it. */
  name: string;
  /** Where the schedule comes from: the provider's documentation, by URL where it has a public one, else by name. */
  source: string;
  /** Waits before each retry, ms: delays[0] is the gap between attempt 1 and attempt 2. */
  delays: number[];
  /** Ms the provider waits for an answer, when documented. */
  timeoutMs?: number;
  /** Which answers trigger a retry, in words. */
  retriesOn: string;
  /** What the source leaves open and what hookbin assumed instead. */
  note?: string;
  /**
   * For presets whose retry count depends on the event type: type → number of
   * retries, which takes the first that many of `delays`. A type not listed
   * gets all of `delays`.
   */
  byEventType?: Record<string, number>;
  /**
   * True when the provider documents how many retries it makes but not when:
   * `delays` is then hookbin's estimate (see `note`), and the timeline judges
   * the gaps with a wider tolerance ({@link ESTIMATED_TOLERANCE_RATIO}).
   */
  estimated?: boolean;
}

/**
 * How the provider most likely saw an attempt: `success` (2xx in time),
 * `failure` (another status), `fault` (connection reset or closed), `timeout`
 * (hookbin hung, or held its answer past the preset's `timeoutMs`).
 */
export type AttemptOutcome = 'success' | 'failure' | 'fault' | 'timeout';

/** One attempt, compared with the schedule. */
export interface AttemptComparison {
  /** 1-based: attempt 1 is the original delivery. */
  attempt: number;
  captureId: string;
  /** ISO-8601 with milliseconds. */
  receivedAt: string;
  /** Since the previous attempt; null for the first; negative when the clock was set back between the two (see `clockChanged`). */
  gapMs: number | null;
  /** The gap the preset expects (its delay, plus the time the provider waited for the previous answer); null for the first and beyond the schedule. */
  expectedGapMs: number | null;
  /** gapMs − expectedGapMs (positive: later than expected); null when either is. */
  deltaMs: number | null;
  /** Whether |deltaMs| is within the tolerance; null when nothing was expected. */
  withinTolerance: boolean | null;
  status: number | null;
  /** The tolerance applied to this gap, ms; null when nothing was expected. */
  toleranceMs?: number | null;
  /** How the provider most likely saw this attempt. */
  outcome?: AttemptOutcome;
  /**
   * True when the gap is negative: the server's clock was set back between
   * the two attempts, so the gap measures the clock, not the provider, and is
   * not judged (`deltaMs` and `withinTolerance` null, no score).
   */
  clockChanged?: boolean;
}

/**
 * `retried-after-success`: an attempt followed a 2xx answered in time;
 * `stopped-early`: the last attempt failed, the schedule allows more, and the
 * next was due (plus tolerance) before `now`; `past-schedule`: more attempts
 * than `1 + delays`; `clock-changed`: an attempt's time is before the one
 * before it (the clock was set back), so that gap is not compared.
 */
export type TimelineFlag = 'retried-after-success' | 'stopped-early' | 'past-schedule' | 'clock-changed';

/** The comparison of one event's attempts with one preset. */
export interface TimelineComparison {
  presetId: string;
  /** Oldest first. */
  attempts: AttemptComparison[];
  /** Each with the attempt it concerns (null when none) and one plain sentence. */
  flags: { flag: TimelineFlag; attempt: number | null; message: string }[];
  /** Lower is a better match; 0 is a perfect one. See {@link compareTimeline}. */
  score: number;
  /** The delays that applied (the preset's, cut to the event type's retry count). */
  schedule?: number[];
  /** When the next attempt is due (ISO-8601): the last attempt failed, more are allowed and `now` has not passed it (plus tolerance). Else null. */
  nextDueAt?: string | null;
}

/** One attempt of an event on its timeline. */
export interface EventAttempt {
  captureId: string;
  /** ISO-8601 with milliseconds. */
  receivedAt: string;
  attempt: number;
  /**
   * ms since the previous attempt; null for the first. Negative when the
   * server's clock was set back between the two (attempts are in arrival
   * order, never re-sorted by time): the comparison marks it `clockChanged`
   * and judges nothing by it.
   */
  gapMs: number | null;
  /** What hookbin answered; null for a fault. */
  status: number | null;
  fault: Fault | null;
}

/**
 * Which preset and time scale an event was compared at, and why. Query
 * parameters win; else, for an event that hookbin's own sender delivered
 * (by the outbox's record of the captures its attempts made), that
 * delivery's preset and time scale; else the preset of the provider its
 * headers name, when it documents one; else the best match at real time.
 */
export interface ComparisonBasis {
  /**
   * `query`: a parameter (`?preset=`, `?timeScale=`) chose at least one of
   * them; `outbox`: the delivery that sent the event chose them (or the one
   * no parameter chose); `provider`: the provider that sent it chose the
   * preset and nothing else chose anything; `default`: the best match at real time.
   */
  basis: 'query' | 'outbox' | 'provider' | 'default';
  /**
   * Where the preset came from: `query`, `outbox`, `provider` (the preset of
   * the provider that sent the event, see `provider`), or `best-match` (the
   * lowest score, or none with one attempt).
   */
  presetFrom: 'query' | 'outbox' | 'provider' | 'best-match';
  /** The schedule was divided by this (1: real time). */
  timeScale: number;
  /** Where the time scale came from: `query`, `outbox`, or `real-time` (1). */
  timeScaleFrom: 'query' | 'outbox' | 'real-time';
  /** The outbox delivery (`GET /api/outbox/{id}`) that sent the event's captures, when hookbin's own sender did; else null. */
  deliveryId: string | null;
  /** The provider the event's headers name (its latest attempt that names one), or null; a label, never trust. */
  provider: { id: string; name: string } | null;
  /** Why this preset, in a sentence: "GitHub's policy: no automatic retries; this was a redelivery." */
  reason: string;
}

/** A provider event: the captures sharing an event key, and how their timing compares with a retry schedule. */
export interface WebhookEvent {
  key: string;
  type: string | null;
  /** Oldest first. */
  attempts: EventAttempt[];
  /** Against the preset asked for, or the one it was sent on, or the best-matching one; null with fewer than 2 attempts and no preset chosen. */
  comparison: TimelineComparison | null;
  /** Which preset and time scale `comparison` used, and why. */
  basis: ComparisonBasis;
}

/** A page of events, the latest delivered first; pass `next` as `before` for the next page. */
export interface EventPage {
  events: WebhookEvent[];
  next: string | null;
}
