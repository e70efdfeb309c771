import type { RetryPreset, WebhookEvent } from '../../../../server/common/types.js';
import { now } from '../../state/clock.js';
import { TIME_SCALES } from '../../state/sender.js';
import { formatTimestamp } from '../../ui/format.js';
import { comparisonSummary, dueText, formatGap, layoutTimeline, type TimelineLayout } from './timeline.js';

/** The narrowest a gap is drawn, so its labels never overlap (px); a timeline that needs more scrolls in its card. */
const MIN_GAP_PX = 136;
/** The track's side padding (style.css `.tl`), room for the first and last labels. */
const TRACK_PAD_PX = 80;

const pct = (x: number) => `${(x * 100).toFixed(3)}%`;

/** The attempts as dots on a compressed time axis, gaps labelled, hollow marks where the preset expected each retry. */
function Timeline(props: { layout: TimelineLayout; onOpen: (captureId: string) => void }) {
  const { dots, gaps, ghosts } = props.layout;
  const single = gaps.length === 0 && ghosts.length === 0;
  // Wide enough that the narrowest gap gets MIN_GAP_PX (capped: one tiny gap among hours must not make it endless).
  const minWidth = Math.min(6000, Math.max(...gaps.map((g) => MIN_GAP_PX / Math.max(g.to - g.from, 1e-3)), 0)) + TRACK_PAD_PX;
  return (
    <div class="tl-scroll">
      <div
        class="tl"
        data-testid="timeline"
        data-single={single ? 'true' : undefined}
        style={single ? undefined : { minWidth: `${Math.round(minWidth)}px` }}
      >
        <div class="tl-inner">
          <div class="tl-axis" aria-hidden="true" />
          {gaps.map((g) => (
            <div
              key={`g${g.attempt}`}
              class="tl-gap"
              data-testid="event-gap"
              data-attempt={g.attempt}
              data-within={g.within === null ? undefined : String(g.within)}
              data-clock-changed={g.clockChanged ? 'true' : undefined}
              style={{ left: pct(g.from), width: pct(g.to - g.from) }}
            >
              <span
                class="tl-gap-label"
                data-testid="gap-label"
                title={
                  g.clockChanged
                    ? `Attempt ${g.attempt} is stamped ${formatGap(-g.gapMs)} before attempt ${g.attempt - 1}: the clock was set back between them, so this gap is not compared.`
                    : `${g.gapMs} ms between attempt ${g.attempt - 1} and attempt ${g.attempt}`
                }
              >
                {g.label}
              </span>
              {g.expectedLabel !== null && (
                <span
                  class="tl-gap-exp"
                  data-testid="gap-expected"
                  title={g.within === null ? 'not compared' : g.within ? 'within the tolerance' : `off by ${g.deltaLabel}`}
                >
                  exp. {g.expectedLabel}
                  {g.within === null ? '' : g.within ? ' ✓' : ' ✗'}
                </span>
              )}
            </div>
          ))}
          {ghosts.map((g) => (
            <span
              key={`x${g.attempt}`}
              class="tl-ghost"
              data-next={g.next ? 'true' : undefined}
              data-testid="event-ghost"
              style={{ left: pct(g.x) }}
              title={g.next ? `attempt ${g.attempt} is due here` : `the preset expected attempt ${g.attempt} here`}
            />
          ))}
          {dots.map((d) => (
            <button
              type="button"
              key={d.captureId}
              class="tl-dot"
              data-cls={d.cls}
              data-testid="event-dot"
              data-attempt={d.attempt}
              data-label={d.label}
              style={{ left: pct(d.x) }}
              title={`Attempt ${d.attempt}: ${d.label} at ${formatTimestamp(d.receivedAt)}. Open this capture.`}
              onClick={() => props.onOpen(d.captureId)}
            >
              <span class="tl-dot-mark" aria-hidden="true" />
              <span class="tl-dot-label">{d.label}</span>
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}

function ComparisonTable(props: { event: WebhookEvent }) {
  const c = props.event.comparison;
  const rows = props.event.attempts.map((a) => ({ a, cmp: c?.attempts.find((x) => x.captureId === a.captureId) ?? null }));
  return (
    <table class="cmp-table" data-testid="comparison-table">
      <thead>
        <tr>
          <th>Attempt</th>
          <th>Received</th>
          <th>Answered</th>
          <th>Gap</th>
          <th>Expected</th>
          <th>Difference</th>
          <th>Tolerance</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ a, cmp }) => (
          <tr key={a.captureId} data-testid="comparison-row" data-attempt={a.attempt} data-within={cmp?.withinTolerance == null ? undefined : String(cmp.withinTolerance)}>
            <td>{a.attempt}</td>
            <td class="mono">{formatTimestamp(a.receivedAt).slice(11)}</td>
            <td class="mono">{a.status ?? a.fault ?? '—'}</td>
            <td class="mono" data-testid="cmp-observed">
              {a.gapMs === null ? '—' : formatGap(a.gapMs)}
            </td>
            <td class="mono" data-testid="cmp-expected">
              {cmp?.expectedGapMs == null ? (a.attempt > 1 && c ? 'past schedule' : '—') : formatGap(cmp.expectedGapMs)}
            </td>
            <td class="mono">{cmp?.deltaMs == null ? '—' : `${cmp.deltaMs >= 0 ? '+' : ''}${formatGap(cmp.deltaMs)}`}</td>
            <td data-testid="cmp-within">
              {cmp?.withinTolerance == null ? (
                '—'
              ) : cmp.withinTolerance ? (
                <span class="within" data-ok="true">
                  ✓ within{cmp.toleranceMs != null ? ` ±${formatGap(cmp.toleranceMs)}` : ''}
                </span>
              ) : (
                <span class="within" data-ok="false">
                  ✗ outside{cmp.toleranceMs != null ? ` ±${formatGap(cmp.toleranceMs)}` : ''}
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** When a due attempt is expected; only this reads the clock, so the card around it does not re-render each second. */
function DueIn(props: { at: number }) {
  return <>{dueText(props.at, now.value)}</>;
}

function EventCard(props: { event: WebhookEvent; presets: RetryPreset[]; chosen: boolean; onOpen: (captureId: string) => void }) {
  const e = props.event;
  const c = e.comparison;
  const preset = c ? props.presets.find((p) => p.id === c.presetId) : undefined;
  const layout = layoutTimeline(e);
  return (
    <article class="event-card" data-testid="event" data-key={e.key}>
      <header class="event-head">
        <span class="event-key mono" data-testid="event-key" title={e.key}>
          {e.key}
        </span>
        {e.type !== null && (
          <span class="event-type mono" data-testid="event-type">
            {e.type}
          </span>
        )}
        <span class="muted small">
          {e.attempts.length} {e.attempts.length === 1 ? 'attempt' : 'attempts'}
        </span>
      </header>
      <Timeline layout={layout} onOpen={props.onOpen} />
      <p class="cmp-summary small" data-testid="comparison-summary">
        {c && (
          <>
            <span class="muted">{props.chosen ? 'Compared with ' : 'Best match: '}</span>
            <strong data-testid="comparison-preset" data-preset={c.presetId}>
              {preset?.name ?? c.presetId}
            </strong>
            <span class="muted"> · </span>
          </>
        )}
        {comparisonSummary(e)}
        {c?.nextDueAt != null && (
          <span class="muted" data-testid="next-due">
            {' '}
            · next attempt due <DueIn at={Date.parse(c.nextDueAt)} />
          </span>
        )}
      </p>
      {c && c.flags.length > 0 && (
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
      )}
      {e.attempts.length > 1 && <ComparisonTable event={e} />}
    </article>
  );
}

export interface EventsViewProps {
  events: WebhookEvent[];
  loaded: boolean;
  error: string | null;
  hasMore: boolean;
  loadingMore: boolean;
  presets: RetryPreset[];
  /** The chosen preset's id, or null for each event's best match. */
  preset: string | null;
  onPreset: (id: string | null) => void;
  /** The time scale the deliveries were sent at: the schedule is divided by it (1: real time). */
  timeScale: number;
  onTimeScale: (scale: number) => void;
  onMore: () => void;
  onRefresh: () => void;
  onOpen: (captureId: string) => void;
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
      <div class="events-toolbar">
        <label class="preset-pick">
          <span class="small muted">Compare with</span>
          <select
            class="input"
            data-testid="preset-picker"
            value={props.preset ?? ''}
            onChange={(e) => props.onPreset(e.currentTarget.value === '' ? null : e.currentTarget.value)}
          >
            <option value="">Best match for each event</option>
            {props.presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.delays.length === 0 ? ' (no retries)' : ` (${p.delays.length} ${p.delays.length === 1 ? 'retry' : 'retries'}: ${p.delays.map(formatGap).join(', ')})`}
              </option>
            ))}
          </select>
        </label>
        <label class="preset-pick" title="Deliveries sent at a compressed time scale (hookbin send --time-scale, the composer's time scale) compare with the schedule divided by it">
          <span class="small muted">Sent at</span>
          <select
            class="input"
            data-testid="time-scale-picker"
            value={String(props.timeScale)}
            onChange={(e) => props.onTimeScale(Number(e.currentTarget.value))}
          >
            {(TIME_SCALES.includes(props.timeScale) ? TIME_SCALES : [...TIME_SCALES, props.timeScale]).map((s) => (
              <option key={s} value={String(s)}>
                {s === 1 ? 'real time' : `${s}× speed`}
              </option>
            ))}
          </select>
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
      {props.timeScale !== 1 && (
        <p class="preset-info small muted" data-testid="time-scale-info">
          Sent at {props.timeScale}× speed: every wait of a schedule is divided by {props.timeScale} before it is compared (1 min becomes{' '}
          {formatGap(60_000 / props.timeScale)}).
        </p>
      )}
      {props.error && (
        <p class="error small" data-testid="events-error">
          Could not load the events: {props.error}
        </p>
      )}
      {!props.loaded ? (
        <p class="muted pad">Loading events…</p>
      ) : props.events.length === 0 ? (
        <div class="empty" data-testid="events-empty">
          <h3>No events yet</h3>
          <p class="muted">
            Every capture belongs to an event (a delivery id header, the body’s id, or its hash); retries of the same event line up here with their gaps. Make the bin
            fail with the toggles above and let the provider retry.
          </p>
        </div>
      ) : (
        <div class="event-list" data-testid="event-list">
          {props.events.map((e) => (
            <EventCard key={e.key} event={e} presets={props.presets} chosen={props.preset !== null} onOpen={props.onOpen} />
          ))}
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
