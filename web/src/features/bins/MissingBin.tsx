import { useState } from 'preact/hooks';
import { BIN_ID_PATTERN, BIN_ID_RULE } from '../../../../server/common/limits.js';
import type { Model } from '../../state/model.js';

/** The longest piece of an address's bin id shown: a hostile link may carry thousands of characters. */
const SHOWN_ID_CHARS = 80;

/**
 * In place of a bin's list when the address names something no bin can be
 * called (a typo, a pasted URL, a hostile link): what an id may hold, and no
 * offer to make it, which the API would refuse.
 */
function NoSuchId(props: { id: string }) {
  const shown = props.id.length > SHOWN_ID_CHARS ? `${props.id.slice(0, SHOWN_ID_CHARS)}…` : props.id;
  return (
    <div class="empty" data-testid="missing-bin" data-bin-id={props.id} data-valid="false">
      <h3>
        No bin can be called <code class="mono">{shown}</code>
      </h3>
      <p class="muted">The address names no bin: {BIN_ID_RULE}. Pick a bin, or make one.</p>
    </div>
  );
}

/**
 * In place of a bin's list when the address names a bin hookbin does not
 * have: a link to a deleted bin, or to one not made yet. It can be made here
 * with that id; one made elsewhere (the API, another tab) opens by itself.
 */
export function MissingBin(props: { id: string; onCreate: (input: { id: string }) => Promise<string | null> }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!BIN_ID_PATTERN.test(props.id)) return <NoSuchId id={props.id} />;
  const create = async () => {
    setBusy(true);
    setError(await props.onCreate({ id: props.id }));
    setBusy(false);
  };
  return (
    <div class="empty" data-testid="missing-bin" data-bin-id={props.id}>
      <h3>
        No bin <code class="mono">{props.id}</code> here
      </h3>
      <p class="muted">The address names a bin this hookbin does not have: it was deleted, or is not made yet. It opens here as soon as it exists.</p>
      <p>
        <button type="button" class="btn primary" data-testid="missing-bin-create" disabled={busy} onClick={() => void create()}>
          Create this bin
        </button>
      </p>
      {error && (
        <p class="error small" data-testid="missing-bin-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** Where a bin's views would be when no bin is shown: loading, none picked yet, or the address names one hookbin lacks. */
export function NoBin(props: { model: Model }) {
  const m = props.model;
  const id = m.selectedBinId.value;
  if (!m.binsLoaded.value) return <div class="placeholder muted">Loading…</div>;
  if (id !== null) return <MissingBin id={id} onCreate={(input) => m.createBin(input)} />;
  return <div class="placeholder muted">Pick or create a bin.</div>;
}
