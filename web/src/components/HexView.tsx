import { useState } from 'preact/hooks';
import { formatBytes } from '../format.js';
import { HEX_PAGE_BYTES, hexLines, hexPageCount } from '../hex.js';

/** `offset | hex | ascii`, a 4 KiB page at a time. */
export function HexView(props: { bytes: Uint8Array }) {
  const { bytes } = props;
  const pages = hexPageCount(bytes.length);
  const [page, setPage] = useState(0);
  const p = Math.min(page, pages - 1);
  const start = p * HEX_PAGE_BYTES;
  const end = Math.min(bytes.length, start + HEX_PAGE_BYTES);
  const lines = hexLines(bytes, start, end);
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
          <span class="muted small">
            bytes {start.toLocaleString()}–{(end - 1).toLocaleString()} of {formatBytes(bytes.length)} · page {p + 1}/{pages}
          </span>
          <button type="button" class="btn small" disabled={p >= pages - 1} onClick={() => setPage(p + 1)} data-testid="hex-next">
            Next
          </button>
          <button type="button" class="btn small" disabled={p >= pages - 1} onClick={() => setPage(pages - 1)}>
            Last
          </button>
        </div>
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
