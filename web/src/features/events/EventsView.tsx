import type { RetryPreset, WebhookEvent } from '../../../../server/common/types.js';
import { TIME_SCALES } from '../../state/sender.js';
import { EventCard, EventRow } from './EventCard.js';
import { formatGap } from './timeline.js';

/** The empty view: why there is nothing (no capture yet, or none retried under the filter) and what to do. */
function NoEvents(props: { retriedOnly: boolean }) {
  if (props.retriedOnly) {
    return (
      <div class="empty" data-testid="events-empty">
        <h3>No retried events</h3>
        <p class="muted">
          No event of this bin has been retried yet. Untick “Retried only” to see the events delivered once, or make the bin fail with the toggles above and let the
          provider retry.
        </p>
      </div>
    );
  }
  return (
    <div class="empty" data-testid="events-empty">
      <h3>No events yet</h3>
      <p class="muted">
        Every capture belongs to an event (a delivery id header, the body’s id, or its hash); retries of the same event line up here with their gaps. Make the bin fail
        with the toggles above and let the provider retry.
      </p>
    </div>
  );
}

/** What the events view shows (one bin's events, as the events slice loaded them) and the choices it hands back. */
export interface EventsViewProps {
  events: WebhookEvent[];
  loaded: boolean;
  error: string | null;
  hasMore: boolean;
  loadingMore: boolean;
  presets: RetryPreset[];
  /** The chosen preset's id, or null: the one hookbin's own sender used, else each event's best match. */
  preset: string | null;
  onPreset: (id: string | null) => void;
  /** The time scale the deliveries were sent at: the schedule is divided by it (1: real time); null: as hookbin sent them, else real time. */
  timeScale: number | null;
  onTimeScale: (scale: number | null) => void;
  /** Only events with more than one attempt. */
  retriedOnly: boolean;
  onRetriedOnly: (on: boolean) => void;
  onMore: () => void;
  onRefresh: () => void;
  onOpen: (captureId: string) => void;
}

/** The view's controls: the preset and pace to compare with, the "Retried only" filter, a refresh, and the legend. */
function EventsToolbar(props: Pick<EventsViewProps, 'presets' | 'preset' | 'onPreset' | 'timeScale' | 'onTimeScale' | 'retriedOnly' | 'onRetriedOnly' | 'onRefresh'>) {
  return (
    <div class="events-toolbar">
      <label class="preset-pick">
        <span class="small muted">Compare with</span>
        <select
          class="input"
          data-testid="preset-picker"
          value={props.preset ?? ''}
          onChange={(e) => props.onPreset(e.currentTarget.value === '' ? null : e.currentTarget.value)}
        >
          <option value="">As sent by hookbin, else the provider’s own, else the best match</option>
          {props.presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
              {p.delays.length === 0 ? ' (no retries)' : ` (${p.delays.length} ${p.delays.length === 1 ? 'retry' : 'retries'}: ${p.delays.map(formatGap).join(', ')})`}
            </option>
          ))}
        </select>
      </label>
      <label
        class="preset-pick"
        title="Deliveries sent at a compressed time scale (the composer's time scale) compare with the schedule divided by it; those hookbin sent itself are compared at their own pace unless you pick one"
      >
        <span class="small muted">Sent at</span>
        <select
          class="input"
          data-testid="time-scale-picker"
          value={props.timeScale === null ? '' : String(props.timeScale)}
          onChange={(e) => props.onTimeScale(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
        >
          <option value="">as sent (else real time)</option>
          {(props.timeScale === null || TIME_SCALES.includes(props.timeScale) ? TIME_SCALES : [...TIME_SCALES, props.timeScale]).map((s) => (
            <option key={s} value={String(s)}>
              {s === 1 ? 'real time' : `${s}× speed`}
            </option>
          ))}
        </select>
      </label>
      <label class="retried-only small" title="Hide events delivered only once">
        <input type="checkbox" data-testid="retried-only" checked={props.retriedOnly} onChange={(e) => props.onRetriedOnly(e.currentTarget.checked)} />
        Retried only
      </label>
      <button type="button" class="btn" data-testid="events-refresh" onClick={props.onRefresh}>
        Refresh
      </button>
      <span class="legend small" aria-label="Legend">
        <span class="legend-item" data-cls="ok">
          <span class="tl-dot-mark" /> 2xx
        </span>
        <span class="legend-item" data-cls="error">
          <span class="tl-dot-mark" /> 3xx–5xx
        </span>
        <span class="legend-item" data-cls="fault">
          <span class="tl-dot-mark" /> reset / hang
        </span>
        <span class="legend-item">
          <span class="tl-ghost static" /> expected
        </span>
      </span>
    </div>
  );
}

/** What the chosen preset is (its source) and what the chosen pace does to its waits; nothing when neither is chosen. */
function ScheduleInfo(props: { preset: RetryPreset | null; timeScale: number | null }) {
  const chosen = props.preset;
  return (
    <>
      {chosen && (
        <p class="preset-info small muted" data-testid="preset-info">
          {chosen.name} retries on {chosen.retriesOn}.{chosen.estimated ? ' The spacing is hookbin’s estimate (judged with a wider tolerance).' : ''}
          {chosen.note ? ` ${chosen.note}` : ''} Source:{' '}
          {/^https:\/\//.test(chosen.source) ? (
            <a href={chosen.source} target="_blank" rel="noreferrer noopener">
              {chosen.source}
            </a>
          ) : (
            <span class="mono">{chosen.source}</span>
          )}
        </p>
      )}
      {props.timeScale !== null && props.timeScale !== 1 && (
        <p class="preset-info small muted" data-testid="time-scale-info">
          Sent at {props.timeScale}× speed: every wait of a schedule is divided by {props.timeScale} before it is compared (1 min becomes{' '}
          {formatGap(60_000 / props.timeScale)}).
        </p>
      )}
    </>
  );
}

/**
 * A bin's events, the latest delivered first: each one's attempts on a time
 * axis, colored (and labelled) by what hookbin answered, compared with a
 * provider's retry schedule.
 */
export function EventsView(props: EventsViewProps) {
  const chosen = props.preset === null ? null : (props.presets.find((p) => p.id === props.preset) ?? null);
  return (
    <div class="events-view" data-testid="events-view">
      <EventsToolbar {...props} />
      <ScheduleInfo preset={chosen} timeScale={props.timeScale} />
      {props.error && (
        <p class="error small" data-testid="events-error">
          Could not load the events: {props.error}
        </p>
      )}
      {!props.loaded ? (
        <p class="muted pad">Loading events…</p>
      ) : props.events.length === 0 ? (
        <NoEvents retriedOnly={props.retriedOnly} />
      ) : (
        <div class="event-list" data-testid="event-list">
          {props.events.map((e) =>
            e.attempts.length > 1 ? (
              <EventCard key={e.key} event={e} presets={props.presets} onOpen={props.onOpen} />
            ) : (
              <EventRow key={e.key} event={e} onOpen={props.onOpen} />
            ),
          )}
          {props.hasMore && (
            <button type="button" class="btn" data-testid="events-more" disabled={props.loadingMore} onClick={props.onMore}>
              {props.loadingMore ? 'Loading…' : 'Load older events'}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
