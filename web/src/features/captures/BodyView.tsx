import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { INLINE_BODY_BYTES, inlineEnd } from '../../../../server/common/body-inline.js';
import type { BodyBytes, BodyRange } from '../../api/http.js';
import { errorMessage } from '../../api/http.js';
import { type BodyTab, bodyTabs, loadsWholeAtOnce, MAX_TREE_CHARS, tabLabel } from './body.js';
import { formatBytes, parseQuery, utf8OrNull } from '../../ui/format.js';
import { looksLikeJson, tryParseJson } from './json.js';
import { PairsTable } from '../../ui/common.js';
import { HexView } from './HexView.js';
import { JsonTree } from './JsonTree.js';
import { isMultipart } from './multipart.js';
import { PartsView } from './PartsView.js';
import { LossyTextView, TextView } from './TextView.js';

/** Reads the decoded body (a range of it when given); `signal` aborts the read. */
type LoadDecoded = (id: string, range?: BodyRange, signal?: AbortSignal) => Promise<BodyBytes>;

type Decoded = { state: 'loading' } | { state: 'ok'; body: BodyBytes; partial: boolean } | { state: 'error'; message: string };

/**
 * The decoded body: its first {@link INLINE_BODY_BYTES} (decoded only that
 * far by hookbin), and all of it (up to hookbin's cap) on demand.
 */
function DecodedView(props: { id: string; load: LoadDecoded; contentType: string | null }) {
  const [d, setD] = useState<Decoded>({ state: 'loading' });
  const [all, setAll] = useState(false);
  useEffect(() => {
    // Aborted when the view goes away or asks for all of it: a 16 MiB decode nobody waits for is not read.
    const ctl = new AbortController();
    setD({ state: 'loading' });
    // One byte past the first part says whether more follows, and where a UTF-8 character ends.
    props.load(props.id, all ? undefined : { start: 0, end: INLINE_BODY_BYTES + 1 }, ctl.signal).then(
      (body) => {
        if (ctl.signal.aborted) return;
        if (all || body.bytes.length <= INLINE_BODY_BYTES) return setD({ state: 'ok', body, partial: false });
        setD({ state: 'ok', body: { ...body, bytes: body.bytes.subarray(0, inlineEnd(body.bytes, INLINE_BODY_BYTES)) }, partial: true });
      },
      (err: unknown) => !ctl.signal.aborted && setD({ state: 'error', message: errorMessage(err) }),
    );
    return () => ctl.abort();
  }, [props.id, all]);
  if (d.state === 'loading') return <p class="muted small">Decoding…</p>;
  if (d.state === 'error') return <p class="error small" data-testid="decoded-error">Could not decode: {d.message}</p>;
  return (
    <div data-testid="decoded-view">
      <p class="muted small">
        {d.partial ? `The first ${formatBytes(d.body.bytes.length)}` : formatBytes(d.body.bytes.length)} after undoing {d.body.decoded ?? 'the encoding'}
        {d.body.truncated ? ' (stopped at the size cap: the rest is not shown)' : ''}
        {d.partial && (
          <>
            {' '}
            <button type="button" class="btn small" data-testid="load-whole-decoded" onClick={() => setAll(true)}>
              Decode all of it
            </button>
          </>
        )}
      </p>
      <BodyView bytes={d.body.bytes} text={utf8OrNull(d.body.bytes)} contentType={props.contentType} encodings={[]} id={props.id} nested />
    </div>
  );
}

export interface BodyViewProps {
  /** The body, or its first part when `size` is larger. */
  bytes: Uint8Array;
  /** `bytes` as text when they are UTF-8, else null. */
  text: string | null;
  /**
   * Given only when `bytes` are just the first part of the body (the capture
   * JSON inlines a bounded part): the whole body's size.
   */
  size?: number;
  /** Reads the body from hookbin: the whole of it, or a range (the hex view's pages); `signal` aborts the read. */
  readBody?: (range?: BodyRange, signal?: AbortSignal) => Promise<Uint8Array>;
  contentType: string | null;
  encodings: readonly string[];
  /** The capture, for the decoded view. */
  id?: string;
  loadDecoded?: LoadDecoded;
  nested?: boolean;
}

type Whole = { state: 'idle' | 'loading' } | { state: 'ok'; bytes: Uint8Array; text: string | null } | { state: 'error'; message: string };

/** What is shown of a body only partly at hand, and the button that loads the rest. */
function PartialNote(props: { shown: number; size: number; whole: Whole; onLoad: () => void }) {
  return (
    <div class="muted small" data-testid="body-partial">
      Showing the first {formatBytes(props.shown)} of {formatBytes(props.size)}.{' '}
      {props.whole.state === 'loading' ? (
        <span data-testid="body-loading">Loading the whole body…</span>
      ) : (
        <button type="button" class="btn small" data-testid="load-whole-body" onClick={props.onLoad}>
          Load the whole body ({formatBytes(props.size)})
        </button>
      )}
      {props.whole.state === 'error' && (
        <span class="error" data-testid="body-load-error">
          {' '}
          Could not load it: {props.whole.message}
        </span>
      )}
    </div>
  );
}

/**
 * The body with one tab per way to read it. Everything renders as text. A
 * body only partly at hand (`size` given) shows that part with "Load the
 * whole body" on every tab but the decoded one (loaded at once when small),
 * and its hex view reads further pages by range. A load still running when
 * the view goes away is aborted.
 */
export function BodyView(props: BodyViewProps) {
  const { contentType, encodings } = props;
  const size = Math.max(props.size ?? props.bytes.length, props.bytes.length);
  const [whole, setWhole] = useState<Whole>({ state: 'idle' });
  const partial = props.size !== undefined && whole.state !== 'ok';
  const bytes = whole.state === 'ok' ? whole.bytes : props.bytes;
  const text = whole.state === 'ok' ? whole.text : props.text;
  // Aborted on unmount: then nothing is read any further, nor set on a view that is gone.
  const loading = useRef<AbortController | null>(null);
  useEffect(() => () => loading.current?.abort(), []);
  const loadWhole = () => {
    if (!props.readBody || loading.current) return;
    const ctl = new AbortController();
    loading.current = ctl;
    setWhole({ state: 'loading' });
    props.readBody(undefined, ctl.signal).then(
      (got) => !ctl.signal.aborted && setWhole({ state: 'ok', bytes: got, text: utf8OrNull(got) }),
      (err: unknown) => !ctl.signal.aborted && setWhole({ state: 'error', message: errorMessage(err) }),
    ).finally(() => {
      if (loading.current === ctl) loading.current = null;
    });
  };
  useEffect(() => {
    if (partial && loadsWholeAtOnce(size)) loadWhole();
  }, []);
  const tree = useMemo(() => {
    // A part of a JSON document does not parse: the tree waits for the whole.
    if (partial || text === null || text.length > MAX_TREE_CHARS || !looksLikeJson(contentType, text)) return null;
    return tryParseJson(text);
  }, [text, contentType, partial]);
  const tabs = bodyTabs({ size, text, contentType, encodings, json: tree !== null, multipart: isMultipart(contentType) });
  const [picked, setPicked] = useState<BodyTab | null>(null);
  const tab = picked !== null && tabs.includes(picked) ? picked : (tabs[0] ?? null);
  if (tab === null) return <p class="muted small" data-testid={props.nested ? undefined : 'body-empty'}>No body.</p>;
  return (
    <div class="body-view">
      <div class="tabs" role="tablist" data-testid={props.nested ? 'decoded-tabs' : 'body-tabs'}>
        {tabs.map((t) => (
          <button
            type="button"
            role="tab"
            key={t}
            class="tab"
            aria-selected={t === tab}
            data-tab={t}
            data-testid={`${props.nested ? 'decoded-' : ''}tab-${t}`}
            onClick={() => setPicked(t)}
          >
            {tabLabel(t, encodings)}
          </button>
        ))}
      </div>
      <div class="tab-panel" role="tabpanel">
        {/* Every body view but the decoded one (it reads on its own) shows the part it has: a binary body's hex view too. */}
        {partial && props.readBody && tab !== 'decoded' && (
          <PartialNote shown={bytes.length} size={size} whole={whole} onLoad={loadWhole} />
        )}
        {tab === 'json' && tree && <JsonTree root={tree} />}
        {tab === 'form' && text !== null && <PairsTable pairs={parseQuery(text)} testid="form-table" empty="No fields." />}
        {tab === 'parts' && <PartsView bytes={bytes} contentType={contentType} captureId={props.id} partial={partial} />}
        {tab === 'text' && (text !== null ? <TextView text={text} /> : <LossyTextView bytes={bytes} />)}
        {tab === 'hex' && <HexView bytes={bytes} size={size} readRange={props.readBody} />}
        {tab === 'decoded' && props.id && props.loadDecoded && <DecodedView id={props.id} load={props.loadDecoded} contentType={contentType} />}
      </div>
    </div>
  );
}
