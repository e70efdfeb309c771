import { useEffect, useState } from 'preact/hooks';
import type { BodyRange } from '../../api/http.js';
import { errorMessage } from '../../api/http.js';
import { formatBytes } from '../../ui/format.js';
import { hexLines, hexPageCount, pageRange } from './hex.js';

export interface HexViewProps {
  /** The bytes at hand: the whole body, or its first part. */
  bytes: Uint8Array;
  /** The whole body's size; more than `bytes.length` when only its first part is at hand. */
  size?: number;
  /** Reads a range of the body from hookbin (a `Range` request): for pages past `bytes`; `signal` aborts the read. */
  readRange?: (range: BodyRange, signal?: AbortSignal) => Promise<Uint8Array>;
}

type Page = { page: number; state: 'loading' } | { page: number; state: 'ok'; bytes: Uint8Array } | { page: number; state: 'error'; message: string };

/** `offset | hex | ascii`, a 4 KiB page at a time; a page past the bytes at hand is read from hookbin by range. */
export function HexView(props: HexViewProps) {
  const { bytes } = props;
  const size = Math.max(props.size ?? bytes.length, bytes.length);
  const pages = hexPageCount(size);
  const [page, setPage] = useState(0);
  const p = Math.min(page, pages - 1);
  const { start, end } = pageRange(p, size);
  const local = end <= bytes.length;
  const [remote, setRemote] = useState<Page | null>(null);
  useEffect(() => {
    if (local || !props.readRange) return;
    // Paging on (or leaving) aborts the read of a page no longer shown.
    const ctl = new AbortController();
    setRemote({ page: p, state: 'loading' });
    props.readRange({ start, end }, ctl.signal).then(
      (got) => !ctl.signal.aborted && setRemote({ page: p, state: 'ok', bytes: got }),
      (err: unknown) => !ctl.signal.aborted && setRemote({ page: p, state: 'error', message: errorMessage(err) }),
    );
    return () => ctl.abort();
  }, [p, local]);
  const fetched = !local && remote?.page === p ? remote : null;
  // A fetched page begins at `start` of the body.
  const lines = local ? hexLines(bytes, start, end) : fetched?.state === 'ok' ? hexLines(fetched.bytes, 0, fetched.bytes.length, start) : [];
  return (
    <div class="hex-view" data-testid="hex-view">
      {pages > 1 && (
        <div class="pager" data-testid="hex-pager">
          <button type="button" class="btn small" disabled={p === 0} onClick={() => setPage(0)}>
            First
          </button>
          <button type="button" class="btn small" disabled={p === 0} onClick={() => setPage(p - 1)} data-testid="hex-prev">
            Prev
          </button>
          <span class="muted small" data-testid="hex-page-info">
            bytes {start.toLocaleString()}–{(end - 1).toLocaleString()} of {formatBytes(size)} · page {p + 1}/{pages}
          </span>
          <button type="button" class="btn small" disabled={p >= pages - 1} onClick={() => setPage(p + 1)} data-testid="hex-next">
            Next
          </button>
          <button type="button" class="btn small" disabled={p >= pages - 1} onClick={() => setPage(pages - 1)} data-testid="hex-last">
            Last
          </button>
        </div>
      )}
      {!local && !props.readRange && <p class="muted small">This page is not loaded.</p>}
      {!local && props.readRange && (fetched === null || fetched.state === 'loading') && <p class="muted small">Loading bytes…</p>}
      {fetched?.state === 'error' && (
        <p class="error small" data-testid="hex-error">
          Could not read these bytes: {fetched.message}
        </p>
      )}
      <div class="hex mono">
        {lines.map((l) => (
          <div class="hex-line" key={l.offset}>
            <span class="hex-off">{l.offset}</span>
            <span class="hex-bytes">{l.hex}</span>
            <span class="hex-ascii">{l.ascii}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
