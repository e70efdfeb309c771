import { useEffect, useMemo, useState } from 'preact/hooks';
import type { BodyBytes } from '../api.js';
import { errorMessage } from '../api.js';
import { type BodyTab, bodyTabs, MAX_TREE_CHARS, tabLabel, TEXT_PREVIEW_CHARS } from '../body.js';
import { formatBytes, parseQuery, utf8OrNull } from '../format.js';
import { looksLikeJson, tryParseJson } from '../json.js';
import { PairsTable } from './common.js';
import { HexView } from './HexView.js';
import { JsonTree } from './JsonTree.js';

function TextView(props: { text: string }) {
  const [all, setAll] = useState(false);
  const long = props.text.length > TEXT_PREVIEW_CHARS;
  return (
    <div>
      <pre class="text-view mono" data-testid="text-view">
        {long && !all ? props.text.slice(0, TEXT_PREVIEW_CHARS) : props.text}
      </pre>
      {long && !all && (
        <button type="button" class="btn small" onClick={() => setAll(true)}>
          Show all {props.text.length.toLocaleString()} characters
        </button>
      )}
    </div>
  );
}

type Decoded = { state: 'loading' } | { state: 'ok'; body: BodyBytes } | { state: 'error'; message: string };

function DecodedView(props: { id: string; load: (id: string) => Promise<BodyBytes>; contentType: string | null }) {
  const [d, setD] = useState<Decoded>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setD({ state: 'loading' });
    props.load(props.id).then(
      (body) => live && setD({ state: 'ok', body }),
      (err: unknown) => live && setD({ state: 'error', message: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [props.id]);
  if (d.state === 'loading') return <p class="muted small">Decoding…</p>;
  if (d.state === 'error') return <p class="error small" data-testid="decoded-error">Could not decode: {d.message}</p>;
  return (
    <div data-testid="decoded-view">
      <p class="muted small">
        {formatBytes(d.body.bytes.length)} after undoing {d.body.decoded ?? 'the encoding'}
        {d.body.truncated ? ' (stopped at the size cap: the rest is not shown)' : ''}
      </p>
      <BodyView bytes={d.body.bytes} text={utf8OrNull(d.body.bytes)} contentType={props.contentType} encodings={[]} nested />
    </div>
  );
}

export interface BodyViewProps {
  bytes: Uint8Array;
  text: string | null;
  contentType: string | null;
  encodings: readonly string[];
  /** The capture, for the decoded view. */
  id?: string;
  loadDecoded?: (id: string) => Promise<BodyBytes>;
  nested?: boolean;
}

/** The body with one tab per way to read it. Everything renders as text. */
export function BodyView(props: BodyViewProps) {
  const { bytes, text, contentType, encodings } = props;
  const tree = useMemo(() => {
    if (text === null || text.length > MAX_TREE_CHARS || !looksLikeJson(contentType, text)) return null;
    return tryParseJson(text);
  }, [text, contentType]);
  const tabs = bodyTabs({ size: bytes.length, text, contentType, encodings, json: tree !== null });
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
            {tabLabel(t, tabs, encodings)}
          </button>
        ))}
      </div>
      <div class="tab-panel" role="tabpanel">
        {tab === 'json' && tree && <JsonTree root={tree} />}
        {tab === 'form' && text !== null && <PairsTable pairs={parseQuery(text)} testid="form-table" empty="No fields." />}
        {tab === 'text' && text !== null && <TextView text={text} />}
        {tab === 'hex' && <HexView bytes={bytes} />}
        {tab === 'decoded' && props.id && props.loadDecoded && <DecodedView id={props.id} load={props.loadDecoded} contentType={contentType} />}
      </div>
    </div>
  );
}
