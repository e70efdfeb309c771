import type { RetryPreset, WebhookEvent } from '../../../../server/common/types.js';
import type { ComponentChildren } from 'preact';
import { now } from '../../state/clock.js';
import { formatTimestamp } from '../../ui/format.js';
import { ComparisonTable } from './ComparisonTable.js';
import { Timeline } from './Timeline.js';
import { attemptClass, attemptLabel, basisWords, comparisonSummary, dueText, layoutTimeline } from './timeline.js';

/** When a due attempt is expected; only this reads the clock, so the card around it does not re-render each second. */
function DueIn(props: { at: number }) {
  return <>{dueText(props.at, now.value)}</>;
}

function EventHead(props: { event: WebhookEvent; children?: ComponentChildren }) {
  const e = props.event;
  return (
    <header class="event-head">
      <span class="event-key mono" data-testid="event-key" title={e.key}>
        {e.key}
      </span>
      {e.type !== null && (
        <span class="event-type mono" data-testid="event-type">
          {e.type}
        </span>
      )}
      {props.children}
    </header>
  );
}

function Flags(props: { event: WebhookEvent }) {
  const c = props.event.comparison;
  if (!c || c.flags.length === 0) return null;
  return (
    <ul class="flags">
      {c.flags.map((f, i) => (
        <li key={i} class="flag" data-testid="event-flag" data-flag={f.flag}>
          <span class="flag-mark" aria-hidden="true">
            !
          </span>
          {f.message}
        </li>
      ))}
    </ul>
  );
}

/** Why the preset was chosen, as the server words it (an older server gives no reason). */
function Reason(props: { event: WebhookEvent }) {
  const reason = props.event.basis?.reason;
  if (!reason) return null;
  return (
    <p class="cmp-reason muted small" data-testid="comparison-reason" data-preset-from={props.event.basis.presetFrom}>
      {reason}
    </p>
  );
}

function NextDue(props: { event: WebhookEvent }) {
  const due = props.event.comparison?.nextDueAt ?? null;
  if (due === null) return null;
  return (
    <span class="muted" data-testid="next-due">
      {' '}
      · next attempt due <DueIn at={Date.parse(due)} />
    </span>
  );
}

/** An event with more than one attempt: its timeline, the comparison's verdict and basis, flags and the gap table. */
export function EventCard(props: { event: WebhookEvent; presets: RetryPreset[]; onOpen: (captureId: string) => void }) {
  const e = props.event;
  const c = e.comparison;
  const preset = c ? props.presets.find((p) => p.id === c.presetId) : undefined;
  const words = basisWords(e.basis);
  return (
    <article class="event-card" data-testid="event" data-key={e.key}>
      <EventHead event={e}>
        <span class="muted small">
          {e.attempts.length} {e.attempts.length === 1 ? 'attempt' : 'attempts'}
        </span>
      </EventHead>
      <Timeline layout={layoutTimeline(e)} onOpen={props.onOpen} />
      <p class="cmp-summary small" data-testid="comparison-summary">
        {c && (
          <span
            data-testid="comparison-basis"
            data-basis={e.basis?.basis}
            title={e.basis?.deliveryId ? `Sent by hookbin's sender: delivery ${e.basis.deliveryId} in the outbox` : undefined}
          >
            <span class="muted">{words.lead}</span>
            <strong data-testid="comparison-preset" data-preset={c.presetId}>
              {preset?.name ?? c.presetId}
            </strong>
            {words.pace && (
              <span class="muted" data-testid="comparison-pace">
                {words.pace}
              </span>
            )}
            <span class="muted"> · </span>
          </span>
        )}
        {comparisonSummary(e)}
        <NextDue event={e} />
      </p>
      <Reason event={e} />
      <Flags event={e} />
      <ComparisonTable event={e} />
    </article>
  );
}

/**
 * An event delivered once: one compact line (what was answered, when, and a
 * retry due if the chosen preset expects one), not a card with a timeline and
 * a table that have nothing to compare.
 */
export function EventRow(props: { event: WebhookEvent; onOpen: (captureId: string) => void }) {
  const e = props.event;
  const a = e.attempts[e.attempts.length - 1];
  if (!a) return null;
  return (
    <article class="event-row" data-testid="event" data-key={e.key} data-compact="true">
      <EventHead event={e}>
        <button
          type="button"
          class="event-row-open"
          data-testid="event-dot"
          data-cls={attemptClass(a)}
          data-attempt={a.attempt}
          data-label={attemptLabel(a)}
          title={`Attempt ${a.attempt}: ${attemptLabel(a)} at ${formatTimestamp(a.receivedAt)}. Open this capture.`}
          onClick={() => props.onOpen(a.captureId)}
        >
          <span class="tl-dot-mark" aria-hidden="true" />
          <span class="mono">{attemptLabel(a)}</span>
        </button>
        <span class="muted small mono">{formatTimestamp(a.receivedAt).slice(11)}</span>
        <span class="muted small">
          {a.attempt === 1 ? 'one attempt' : `attempt ${a.attempt} (the earlier ones are no longer kept)`}
          <NextDue event={e} />
        </span>
      </EventHead>
      <Flags event={e} />
    </article>
  );
}
