/** What a capture's row says, in words: the pure part of CaptureList's rows. */
import { formatDuration } from '../../../../server/common/duration.js';
import type { CaptureSummary } from '../../../../server/common/types.js';
import { statusClass } from '../../ui/format.js';
import { attemptLabel } from '../events/timeline.js';

/** What hookbin answered, as a row shows it. */
export interface AnswerWords {
  /** `500`, `reset`, `hang`, `delay 2 s then 500`, `delay 1.5 s then reset`. */
  text: string;
  /** The same as a sentence, for the tooltip. */
  title: string;
  /** The status class the color follows (`none` for a fault). */
  tone: string;
}

/**
 * What hookbin answered a capture, in words rather than a bare dash for a
 * fault: the status, or the fault's name (`reset`, `hang`, or whatever a
 * newer hookbin calls another), led by the delay when there was one.
 */
export function answerWords(c: Pick<CaptureSummary, 'status' | 'fault' | 'delayMs'>): AnswerWords {
  const fault = c.fault ?? null;
  // The same word the events timeline puts on an attempt's dot.
  const outcome = attemptLabel({ status: c.status, fault });
  const sentence =
    fault === 'reset'
      ? 'hookbin reset the connection without a reply'
      : fault === 'hang'
        ? 'hookbin held the connection without a reply until the client gave up'
        : fault !== null
          ? `hookbin answered with a "${fault}" fault`
          : c.status !== null
            ? `hookbin answered ${c.status}`
            : 'hookbin sent no reply';
  const delayMs = Number.isFinite(c.delayMs) && c.delayMs > 0 ? c.delayMs : 0;
  const delay = delayMs > 0 ? formatDuration(delayMs) : null;
  return {
    text: delay === null ? outcome : `delay ${delay} then ${outcome}`,
    title: delay === null ? sentence : `after ${delay}, ${sentence}`,
    tone: fault !== null ? 'none' : statusClass(c.status),
  };
}

/** The attempt as the row names it, and the tooltip that says which event it belongs to. */
export function attemptWords(event: CaptureSummary['event']): { text: string; title: string } {
  return {
    text: `attempt ${event.attempt}`,
    title: event.attempt > 1 ? `retry ${event.attempt - 1} of event ${event.key}` : `first delivery of event ${event.key}`,
  };
}

/** The tooltip on a capture's provider: what the name is based on, and that it proves nothing. */
export const PROVIDER_TITLE = 'The provider its headers or User-Agent name. Anyone can send those: the signature, not this, says who sent it.';
