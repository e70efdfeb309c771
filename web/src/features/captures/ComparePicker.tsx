import { useState } from 'preact/hooks';
import type { CaptureSummary } from '../../../../server/common/types.js';
import { formatTimestampZoned, pathWithQuery } from '../../ui/format.js';

/** "Compare with…": another capture of the list, picked from a select (keyboard-usable as it is). */
export function ComparePicker(props: { self: string; choices: readonly CaptureSummary[]; onCompare: (id: string) => void }) {
  const choices = props.choices.filter((c) => c.id !== props.self);
  const [id, setId] = useState(choices[0]?.id);
  return (
    <form
      class="actions"
      data-testid="compare-picker"
      onSubmit={(e) => {
        e.preventDefault();
        if (id) props.onCompare(id);
      }}
    >
      <select class="input" data-testid="compare-select" aria-label="Capture to compare with" value={id} onChange={(e) => setId(e.currentTarget.value)} autoFocus>
        {choices.map((c) => (
          <option key={c.id} value={c.id}>
            {`attempt ${c.event.attempt} · ${c.method} ${pathWithQuery(c.path, c.query)} · ${formatTimestampZoned(c.receivedAt)}`}
          </option>
        ))}
      </select>
      <button class="btn primary" data-testid="compare-go">
        Compare
      </button>
    </form>
  );
}
