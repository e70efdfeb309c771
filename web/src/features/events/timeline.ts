/**
 * An event's attempts on a time axis, pure: where each dot goes, what each
 * gap is labelled, and where the chosen preset expected each attempt. The
 * axis is compressed: a gap of g ms takes 1 + log10(1 + g/1000) units, so 5 s
 * and 2 h sit on one line and both stay readable; the labels carry the real
 * durations.
 */
import type { ComparisonBasis, EventAttempt, WebhookEvent } from '../../../../server/common/types.js';

import { formatDuration, formatGapWords } from '../../../../server/common/duration.js';

/** A duration for labels, in the same words as the server's messages. */
export const formatGap = formatDuration;
/** A gap's label: its duration, or `clock changed (−24 h)` when negative (the clock was set back between the attempts). */
export const gapLabel = formatGapWords;

/** How an attempt was answered, for the dot's color and shape: 2xx, an error status (3xx–5xx), or a transport fault. */
export type AttemptClass = 'ok' | 'error' | 'fault';

export function attemptClass(a: Pick<EventAttempt, 'status' | 'fault'>): AttemptClass {
  if (a.status === null) return 'fault';
  return a.status >= 200 && a.status <= 299 ? 'ok' : 'error';
}

/** What an attempt was answered, in a word: `200`, `500`, `reset`, `hang`. */
export function attemptLabel(a: Pick<EventAttempt, 'status' | 'fault'>): string {
  if (a.status !== null) return String(a.status);
  return a.fault ?? 'no reply';
}

/** The axis length of a gap (see the module comment); a negative gap (a clock change) takes the length of none. */
export function gapUnits(ms: number): number {
  return 1 + Math.log10(1 + Math.max(0, ms) / 1000);
}

export interface TimelineDot {
  attempt: number;
  captureId: string;
  receivedAt: string;
  /** 0–1 along the axis. */
  x: number;
  cls: AttemptClass;
  label: string;
}

export interface TimelineGap {
  /** The attempt this gap leads to (2 for the gap between attempts 1 and 2). */
  attempt: number;
  /** 0–1: where the gap starts and ends. */
  from: number;
  to: number;
  /** Negative when the clock was set back between the two attempts. */
  gapMs: number;
  /** The duration, or `clock changed (−24 h)`. */
  label: string;
  /** True when the gap is negative: it measures a clock change, not the provider, and is not judged. */
  clockChanged: boolean;
  /** What the preset expected, when it expects anything. */
  expectedMs: number | null;
  expectedLabel: string | null;
  /** Whether the observed gap is within the preset's tolerance; null when nothing was expected. */
  within: boolean | null;
  /** Observed minus expected, signed words (`+4 s`, `-25 s`); null when nothing was expected. */
  deltaLabel: string | null;
}

/** Where the preset expected an attempt (a hollow mark on the axis). */
export interface TimelineGhost {
  attempt: number;
  x: number;
  /** True for the next attempt the preset still expects (not yet arrived). */
  next: boolean;
}

export interface TimelineLayout {
  dots: TimelineDot[];
  gaps: TimelineGap[];
  ghosts: TimelineGhost[];
}

function signed(ms: number): string {
  return ms >= 0 ? `+${formatGap(ms)}` : formatGap(ms);
}

/**
 * Lays an event out on the axis: its attempts (oldest first), the gaps with
 * the comparison's expectations, and hollow marks where the preset expected
 * each retry, measured from the attempt before it (plus the next one due,
 * when the comparison gives `nextDueAt`).
 */
export function layoutTimeline(event: WebhookEvent): TimelineLayout {
  const attempts = event.attempts;
  const byId = new Map((event.comparison?.attempts ?? []).map((c) => [c.captureId, c]));
  const xs: number[] = [];
  const ghostsRaw: { attempt: number; x: number; next: boolean }[] = [];
  let x = 0;
  attempts.forEach((a, i) => {
    if (i > 0) {
      const gap = a.gapMs ?? Date.parse(a.receivedAt) - Date.parse(attempts[i - 1]!.receivedAt);
      const expected = byId.get(a.captureId)?.expectedGapMs ?? null;
      if (expected !== null) ghostsRaw.push({ attempt: a.attempt, x: xs[i - 1]! + gapUnits(expected), next: false });
      x += gapUnits(gap);
    }
    xs.push(x);
  });
  const last = attempts[attempts.length - 1];
  const nextDueAt = event.comparison?.nextDueAt ?? null;
  if (last && nextDueAt !== null) {
    ghostsRaw.push({ attempt: last.attempt + 1, x: xs[xs.length - 1]! + gapUnits(Date.parse(nextDueAt) - Date.parse(last.receivedAt)), next: true });
  }
  const total = Math.max(x, ...ghostsRaw.map((g) => g.x));
  const at = (v: number) => (total === 0 ? 0 : v / total);

  const dots: TimelineDot[] = attempts.map((a, i) => ({
    attempt: a.attempt,
    captureId: a.captureId,
    receivedAt: a.receivedAt,
    x: at(xs[i]!),
    cls: attemptClass(a),
    label: attemptLabel(a),
  }));
  const gaps: TimelineGap[] = [];
  for (let i = 1; i < attempts.length; i++) {
    const a = attempts[i]!;
    const gapMs = a.gapMs ?? Date.parse(a.receivedAt) - Date.parse(attempts[i - 1]!.receivedAt);
    const c = byId.get(a.captureId);
    const expectedMs = c?.expectedGapMs ?? null;
    gaps.push({
      attempt: a.attempt,
      from: at(xs[i - 1]!),
      to: at(xs[i]!),
      gapMs,
      label: gapLabel(gapMs),
      clockChanged: gapMs < 0,
      expectedMs,
      expectedLabel: expectedMs === null ? null : formatGap(expectedMs),
      // A clock change is never judged, whatever an older server said.
      within: gapMs < 0 ? null : (c?.withinTolerance ?? null),
      deltaLabel: gapMs < 0 || c?.deltaMs == null ? null : signed(c.deltaMs),
    });
  }
  return { dots, gaps, ghosts: ghostsRaw.map((g) => ({ ...g, x: at(g.x) })) };
}

/** A one-line verdict of the comparison: "2 of 2 gaps within tolerance", or why there is nothing to compare. */
export function comparisonSummary(event: WebhookEvent): string {
  const c = event.comparison;
  if (!c) return event.attempts.length < 2 ? 'One attempt: no gap to compare yet.' : 'No comparison.';
  const judged = c.attempts.filter((a) => a.withinTolerance !== null);
  const ok = judged.filter((a) => a.withinTolerance).length;
  const gaps = judged.length === 0 ? 'no gap the schedule expects' : `${ok} of ${judged.length} ${judged.length === 1 ? 'gap' : 'gaps'} within tolerance`;
  const flags = c.flags.length === 0 ? '' : ` · ${c.flags.length} ${c.flags.length === 1 ? 'flag' : 'flags'}`;
  return gaps + flags;
}

/** When the next attempt is due, against `now`: "in 4 min 30 s", or "2 s ago" once passed. */
export function dueText(dueAt: number, now: number): string {
  const d = dueAt - now;
  return d >= 0 ? `in ${formatGap(d)}` : `${formatGap(-d)} ago`;
}

/**
 * Which preset and pace an event was judged at, in words around the preset's
 * name: `lead` before it ("Best match: ", "Compared with ", "As sent by
 * hookbin: ", "Provider's schedule: "), `pace` after it (" at 60×", " at real time", and where the
 * pace came from when hookbin's own sender set it but not the preset).
 */
export function basisWords(basis: ComparisonBasis | undefined): { lead: string; pace: string } {
  if (!basis) return { lead: 'Best match: ', pace: '' };
  const lead =
    basis.presetFrom === 'outbox'
      ? 'As sent by hookbin: '
      : basis.presetFrom === 'query'
        ? 'Compared with '
        : basis.presetFrom === 'provider'
          ? "Provider's schedule: "
          : 'Best match: ';
  const scale = basis.timeScale === 1 ? 'real time' : `${basis.timeScale}×`;
  // Real time needs saying only when it overrides the pace hookbin sent at.
  if (basis.timeScale === 1 && basis.timeScaleFrom !== 'query') return { lead, pace: '' };
  const from = basis.timeScaleFrom === 'outbox' && basis.presetFrom !== 'outbox' ? ', the pace hookbin sent it at' : '';
  return { lead, pace: ` at ${scale}${from}` };
}
