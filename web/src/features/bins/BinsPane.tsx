import { useEffect, useRef, useState } from 'preact/hooks';
import type { Bin } from '../../../../server/common/types.js';
import { ConfirmButton, CopyButton } from '../../ui/common.js';

function CreateBinForm(props: { onCreate: (input: { id?: string }) => Promise<string | null> }) {
  const [id, setId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const v = id.trim();
    const err = await props.onCreate(v === '' ? {} : { id: v });
    setBusy(false);
    setError(err);
    if (err === null) setId('');
  };
  return (
    <form class="create-bin" data-testid="create-bin-form" onSubmit={submit}>
      <input
        class="input mono"
        data-testid="create-bin-id"
        placeholder="id (optional)"
        aria-label="Custom bin id (optional)"
        value={id}
        maxLength={64}
        title="1–64 of a-z, 0-9, _ and -"
        onInput={(e) => setId(e.currentTarget.value)}
      />
      <button type="submit" class="btn primary" data-testid="create-bin-submit" disabled={busy}>
        New bin
      </button>
      {error && (
        <p class="error small" data-testid="create-bin-error">
          {error}
        </p>
      )}
    </form>
  );
}

function RenameForm(props: { bin: Bin; onRename: (name: string) => Promise<string | null>; onDone: () => void }) {
  const [name, setName] = useState(props.bin.name);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const err = await props.onRename(name.trim());
    if (err === null) props.onDone();
    else setError(err);
  };
  return (
    <form class="rename" data-testid="rename-bin-form" onSubmit={submit} onClick={(e) => e.stopPropagation()}>
      <input
        class="input"
        data-testid="rename-bin-input"
        aria-label="Bin name"
        value={name}
        maxLength={200}
        ref={input}
        onInput={(e) => setName(e.currentTarget.value)}
        onKeyDown={(e) => e.key === 'Escape' && props.onDone()}
      />
      <button type="submit" class="btn small primary">
        Save
      </button>
      <button type="button" class="btn small" onClick={props.onDone}>
        Cancel
      </button>
      {error && <p class="error small">{error}</p>}
    </form>
  );
}

export interface BinsPaneProps {
  bins: Bin[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  onCreate: (input: { id?: string }) => Promise<string | null>;
  onRename: (id: string, name: string) => Promise<string | null>;
  onDelete: (id: string) => void;
}

/** The bins: pick one, make one, rename, delete, copy its URL. */
export function BinsPane(props: BinsPaneProps) {
  const [renaming, setRenaming] = useState<string | null>(null);
  return (
    <div class="bins">
      <CreateBinForm onCreate={props.onCreate} />
      <ul class="bin-list" data-testid="bin-list">
        {props.bins.map((b) => {
          const selected = b.id === props.selectedId;
          return (
            <li
              key={b.id}
              class="bin"
              aria-current={selected ? 'true' : undefined}
              data-testid="bin-item"
              data-bin-id={b.id}
              onClick={() => props.onSelect(b.id)}
            >
              {renaming === b.id ? (
                <RenameForm bin={b} onRename={(name) => props.onRename(b.id, name)} onDone={() => setRenaming(null)} />
              ) : (
                <button type="button" class="bin-name" title={b.name} data-testid="bin-select">
                  {b.name}
                </button>
              )}
              <div class="bin-meta small">
                <span class="mono muted bin-id" title={b.url}>
                  {b.id}
                </span>
                <span class="bin-count" data-testid="bin-count" title="captures kept">
                  {b.captureCount.toLocaleString()}
                </span>
                {b.prunedCount > 0 && (
                  <span class="bin-pruned" data-testid="bin-pruned" title="older captures removed by retention">
                    {b.prunedCount.toLocaleString()} pruned
                  </span>
                )}
              </div>
              {selected && renaming !== b.id && (
                <div class="bin-actions" onClick={(e) => e.stopPropagation()}>
                  <CopyButton class="small" label="Copy URL" testid="copy-bin-url" text={() => b.url} title={b.url} />
                  <button type="button" class="btn small" data-testid="rename-bin" onClick={() => setRenaming(b.id)}>
                    Rename
                  </button>
                  <ConfirmButton class="small danger-quiet" label="Delete" confirm="Delete bin and its captures?" testid="delete-bin" onConfirm={() => props.onDelete(b.id)} />
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {props.bins.length === 0 && <p class="muted small pad">No bins yet. Make one above.</p>}
    </div>
  );
}
