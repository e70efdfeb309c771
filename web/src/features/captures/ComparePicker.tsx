import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaptureSummary } from '../../../../server/common/types.js';
import { formatTimestampZoned, pathWithQuery } from '../../ui/format.js';

/**
 * "Compare with…": another capture of the list, picked from a select
 * (keyboard-usable as it is; Escape closes it through `onClose`). With no
 * other capture loaded it says so instead of offering an empty list.
 */
export function ComparePicker(props: { self: string; choices: readonly CaptureSummary[]; onCompare: (id: string) => void; onClose: () => void }) {
  const choices = props.choices.filter((c) => c.id !== props.self);
  const [id, setId] = useState(choices[0]?.id);
  // The `autofocus` attribute works once per page in Chromium, so the list takes the focus itself when it opens.
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => select.current?.focus(), []);
  // The select is a form field, so the page's own Escape (which ends a comparison) does not see this one.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      props.onClose();
    }
  };
  if (choices.length === 0) {
    return (
      <p class="muted small" data-testid="compare-none" role="status">
        No other capture is in the list to compare with. Clear the search or filters, or send another request.
      </p>
    );
  }
  return (
    <form
      class="actions"
      data-testid="compare-picker"
      onKeyDown={onKeyDown}
      onSubmit={(e) => {
        e.preventDefault();
        if (id) props.onCompare(id);
      }}
    >
      <select ref={select} class="input" data-testid="compare-select" aria-label="Capture to compare with" value={id} onChange={(e) => setId(e.currentTarget.value)}>
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
