import { formatTimestamp } from '../../ui/format.js';
import { formatGap, type TimelineLayout } from './timeline.js';

/** The narrowest a gap is drawn, so its labels never overlap (px); a timeline that needs more scrolls in its card. */
const MIN_GAP_PX = 136;
/** The track's side padding (styles/events.css `.tl`), room for the first and last labels. */
const TRACK_PAD_PX = 80;

const pct = (x: number) => `${(x * 100).toFixed(3)}%`;

/** The attempts as dots on a compressed time axis, gaps labelled, hollow marks where the preset expected each retry. */
export function Timeline(props: { layout: TimelineLayout; onOpen: (captureId: string) => void }) {
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

