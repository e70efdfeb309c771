import { useMemo, useState } from 'preact/hooks';
import { saveBlob } from '../../api/download.js';
import { PairsTable } from '../../ui/common.js';
import { formatBytes, revealInvisible, utf8OrNull } from '../../ui/format.js';
import { HexView } from './HexView.js';
import { type MultipartPart, multipartBoundary, parseMultipart, partFileName, sniffBoundary } from './multipart.js';
import { TextView } from './TextView.js';

/** Parts rendered before "Show all N parts": each brings its own headers and content view. */
const PARTS_SHOWN = 50;

/** What the Parts view needs: the bytes at hand and how to name what it saves. */
export interface PartsViewProps {
  /** The body bytes at hand. */
  bytes: Uint8Array;
  contentType: string | null;
  /** The capture, for the names of saved parts. */
  captureId?: string;
  /** True when `bytes` are only the first part of the body. */
  partial: boolean;
}

/** The boundary to split at, and what was odd about finding it: the Content-Type's, else the body's first line. */
function findBoundary(contentType: string | null, bytes: Uint8Array): { boundary: string | null; notes: string[] } {
  const named = multipartBoundary(contentType);
  if (named.boundary !== null) return named;
  const sniffed = sniffBoundary(bytes);
  if (sniffed === null) return named;
  return { boundary: sniffed, notes: [...named.notes, `read the boundary from the body's first line instead (--${sniffed})`] };
}

/** One part: what the sender called it, its size, its headers, its content as text or hex, and a download. */
function Part(props: { part: MultipartPart; captureId?: string; partial: boolean }) {
  const { part } = props;
  const text = useMemo(() => utf8OrNull(part.bytes), [part.bytes]);
  // Names and header lines are the sender's: a bidi override in them would disguise what they say.
  const headers = useMemo(() => part.headers.map(([n, v]): [string, string] => [revealInvisible(n), revealInvisible(v)]), [part.headers]);
  const fallback = `capture-${props.captureId ?? 'body'}-part-${part.index}.bin`;
  const download = () => {
    saveBlob(new Blob([part.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), partFileName(part.filename, fallback));
  };
  return (
    <section class="part" data-testid="part" data-index={part.index}>
      <div class="part-head">
        <span class="part-index mono">#{part.index}</span>
        {part.name !== null && (
          <span class="mono" data-testid="part-name" title="its name (Content-Disposition)">
            {revealInvisible(part.name)}
          </span>
        )}
        {part.filename !== null && (
          <span class="mono part-filename" data-testid="part-filename" title="its file name">
            {revealInvisible(part.filename)}
          </span>
        )}
        <span class="muted small" data-testid="part-size">
          {formatBytes(part.bytes.length)}
          {part.contentType !== null ? ` · ${part.contentType}` : ''}
          {part.incomplete ? ` · cut short${props.partial ? ' (load the whole body for the rest)' : ''}` : ''}
        </span>
        <button type="button" class="btn small" data-testid="part-download" title="Save this part's exact bytes as a file" onClick={download}>
          Download
        </button>
      </div>
      <PairsTable pairs={headers} testid="part-headers" empty="No headers." />
      {part.bytes.length === 0 ? (
        <p class="muted small">Empty.</p>
      ) : text !== null ? (
        <TextView text={text} testid="part-text" />
      ) : (
        <HexView bytes={part.bytes} />
      )}
    </section>
  );
}

/**
 * A multipart body as its parts (each part's headers, name, filename, size,
 * content as text or a hex dump, and a download of its exact bytes), with
 * what the parser found odd. Everything shows as text.
 */
export function PartsView(props: PartsViewProps) {
  const { bytes, contentType } = props;
  const found = useMemo(() => findBoundary(contentType, bytes), [contentType, bytes]);
  const parsed = useMemo(() => (found.boundary === null ? { parts: [], notes: [] } : parseMultipart(bytes, found.boundary)), [found, bytes]);
  const [all, setAll] = useState(false);
  const notes = [...found.notes, ...parsed.notes];
  const shown = all ? parsed.parts : parsed.parts.slice(0, PARTS_SHOWN);
  return (
    <div class="parts" data-testid="parts-view" data-count={parsed.parts.length}>
      <p class="muted small" data-testid="parts-summary">
        {parsed.parts.length === 0 ? 'No parts found' : `${parsed.parts.length} ${parsed.parts.length === 1 ? 'part' : 'parts'}`}
        {found.boundary !== null ? ` · boundary ${found.boundary}` : ''}
        {props.partial ? ' · of the part of the body at hand' : ''}
      </p>
      {notes.length > 0 && (
        <ul class="warn small parts-notes" data-testid="parts-notes">
          {notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      {shown.map((p) => (
        <Part key={p.index} part={p} captureId={props.captureId} partial={props.partial} />
      ))}
      {shown.length < parsed.parts.length && (
        <button type="button" class="btn small" data-testid="parts-show-all" onClick={() => setAll(true)}>
          Show all {parsed.parts.length} parts
        </button>
      )}
    </div>
  );
}
