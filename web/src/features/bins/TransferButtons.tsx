import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { TransferModel } from '../../state/transfer.js';

/**
 * The bin header's Export menu (NDJSON, HAR) and Import button (a file
 * picker); what they did is said by `TransferNoticeLine` below the header.
 */
export function TransferButtons(props: { binId: string; captureCount: number; transfer: TransferModel }) {
  const t = props.transfer;
  const busy = t.busy.value;
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const wrap = useRef<HTMLSpanElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  // A layout effect: listening from the render that opened the menu, not from after the next
  // frame, so an Escape pressed at once is not missed.
  useLayoutEffect(() => {
    if (!open) return;
    // A click anywhere else, or Escape, closes the menu; Escape from inside it gives the focus back to Export.
    const close = (e: Event) => {
      if (!(e instanceof KeyboardEvent)) {
        if (!wrap.current?.contains(e.target as Node)) setOpen(false);
      } else if (e.key === 'Escape') {
        if (wrap.current?.contains(document.activeElement)) button.current?.focus();
        setOpen(false);
      }
    };
    document.addEventListener('click', close, true);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('click', close, true);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  const pick = (format: 'ndjson' | 'har') => {
    setOpen(false);
    void t.exportBin(props.binId, format, props.captureCount);
  };
  return (
    <span class="transfer" ref={wrap}>
      <button
        ref={button}
        type="button"
        class="btn small"
        data-testid="export-bin"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={busy !== null}
        title="Download this bin's captures"
        onClick={() => setOpen(!open)}
      >
        {busy === 'export' ? 'Exporting…' : 'Export ▾'}
      </button>
      {open && (
        <span class="transfer-menu" role="menu">
          <button type="button" role="menuitem" data-testid="export-ndjson" onClick={() => pick('ndjson')}>
            NDJSON <span class="muted small">every byte, imports back</span>
          </button>
          <button type="button" role="menuitem" data-testid="export-har" onClick={() => pick('har')}>
            HAR 1.2 <span class="muted small">for other tools</span>
          </button>
        </span>
      )}
      <button
        type="button"
        class="btn small"
        data-testid="import-bin"
        disabled={busy !== null}
        title="Add the captures of an NDJSON export or a HAR file to this bin"
        onClick={() => {
          setOpen(false);
          input.current?.click();
        }}
      >
        {busy === 'import' ? 'Importing…' : 'Import'}
      </button>
      <input
        ref={input}
        type="file"
        hidden
        accept=".ndjson,.jsonl,.har,.json,application/x-ndjson,application/json"
        data-testid="import-file"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          // The same file picked again is a new import.
          e.currentTarget.value = '';
          if (file) void t.importFile(props.binId, file);
        }}
      />
    </span>
  );
}

/** What the last export or import did, under the header of the bin it was about (`binId`), until dismissed. */
export function TransferNoticeLine(props: { binId: string; transfer: TransferModel }) {
  const n = props.transfer.notice.value;
  if (!n || n.binId !== props.binId) return null;
  return (
    <div class="transfer-notice" data-tone={n.tone} role={n.tone === 'error' ? 'alert' : 'status'} data-testid="transfer-notice">
      <span data-testid="transfer-notice-text">{n.text}</span>
      <button type="button" class="btn small" aria-label="Dismiss" onClick={props.transfer.dismiss}>
        ×
      </button>
    </div>
  );
}
