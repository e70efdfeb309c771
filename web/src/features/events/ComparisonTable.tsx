import type { WebhookEvent } from '../../../../server/common/types.js';
import { formatTimestamp } from '../../ui/format.js';
import { formatGap } from './timeline.js';

/**
 * Each column's heading, also written on every cell (`data-label`): in a
 * narrow card (styles/events.css, `@container event`) the table stacks, each row a
 * block of "Heading value" pairs, so no column is cut off or hidden.
 */
const COLUMNS = ['Attempt', 'Received', 'Answered', 'Gap', 'Expected', 'Difference', 'Tolerance'] as const;

/** An event's attempts, expected against observed gaps with the tolerance, one row per attempt. */
export function ComparisonTable(props: { event: WebhookEvent }) {
  const c = props.event.comparison;
  const rows = props.event.attempts.map((a) => ({ a, cmp: c?.attempts.find((x) => x.captureId === a.captureId) ?? null }));
  const [attempt, received, answered, gap, expected, difference, tolerance] = COLUMNS;
  return (
    <table class="cmp-table" data-testid="comparison-table">
      <thead>
        <tr>
          {COLUMNS.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(({ a, cmp }) => (
          <tr key={a.captureId} data-testid="comparison-row" data-attempt={a.attempt} data-within={cmp?.withinTolerance == null ? undefined : String(cmp.withinTolerance)}>
            <td data-label={attempt}>{a.attempt}</td>
            <td class="mono" data-label={received}>
              {formatTimestamp(a.receivedAt).slice(11)}
            </td>
            <td class="mono" data-label={answered}>
              {a.status ?? a.fault ?? '—'}
            </td>
            <td class="mono" data-label={gap} data-testid="cmp-observed">
              {a.gapMs === null ? '—' : formatGap(a.gapMs)}
            </td>
            <td class="mono" data-label={expected} data-testid="cmp-expected">
              {cmp?.expectedGapMs == null ? (a.attempt > 1 && c ? 'past schedule' : '—') : formatGap(cmp.expectedGapMs)}
            </td>
            <td class="mono" data-label={difference} data-testid="cmp-delta">
              {cmp?.deltaMs == null ? '—' : `${cmp.deltaMs >= 0 ? '+' : ''}${formatGap(cmp.deltaMs)}`}
            </td>
            <td data-label={tolerance} data-testid="cmp-within">
              {cmp?.withinTolerance == null ? (
                '—'
              ) : (
                <span class="within" data-ok={String(cmp.withinTolerance)}>
                  {cmp.withinTolerance ? '✓ within' : '✗ outside'}
                  {cmp.toleranceMs != null ? ` ±${formatGap(cmp.toleranceMs)}` : ''}
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
