import { useState } from 'preact/hooks';
import type { JsonNode } from './json.js';

/** Children shown per container before a "show more" button. */
const CHUNK = 200;
/** Containers open by default down to this depth. */
const OPEN_DEPTH = 3;

function summary(node: JsonNode): string {
  if (node.t === 'obj') return `${node.entries.length} ${node.entries.length === 1 ? 'key' : 'keys'}`;
  if (node.t === 'arr') return `${node.items.length} ${node.items.length === 1 ? 'item' : 'items'}`;
  return '';
}

/** A scalar as JSON text (strings quoted and escaped): always a text node. */
function Scalar(props: { node: JsonNode }) {
  const n = props.node;
  switch (n.t) {
    case 'str':
      return <span class="j-str">{JSON.stringify(n.v)}</span>;
    case 'num':
      return <span class="j-num">{n.raw}</span>;
    case 'bool':
      return <span class="j-bool">{String(n.v)}</span>;
    case 'null':
      return <span class="j-null">null</span>;
    default:
      return null;
  }
}

function Node(props: { name: string | number | null; node: JsonNode; depth: number; last: boolean }) {
  const { name, node, depth, last } = props;
  const container = node.t === 'obj' || node.t === 'arr';
  const size = node.t === 'obj' ? node.entries.length : node.t === 'arr' ? node.items.length : 0;
  const [open, setOpen] = useState(depth < OPEN_DEPTH || size <= 1);
  const [shown, setShown] = useState(CHUNK);
  const label =
    name === null ? null : typeof name === 'number' ? (
      <span class="j-idx">{name}: </span>
    ) : (
      <span class="j-key">
        {JSON.stringify(name)}
        <span class="j-punct">: </span>
      </span>
    );
  const comma = last ? null : <span class="j-punct">,</span>;
  if (!container) {
    return (
      <div class="j-row">
        {label}
        <Scalar node={node} />
        {comma}
      </div>
    );
  }
  const [l, r] = node.t === 'obj' ? ['{', '}'] : ['[', ']'];
  if (size === 0) {
    return (
      <div class="j-row">
        {label}
        <span class="j-punct">
          {l}
          {r}
        </span>
        {comma}
      </div>
    );
  }
  const children =
    node.t === 'obj'
      ? node.entries.slice(0, shown).map(([k, v], i) => <Node key={i} name={k} node={v} depth={depth + 1} last={i === size - 1} />)
      : node.items.slice(0, shown).map((v, i) => <Node key={i} name={i} node={v} depth={depth + 1} last={i === size - 1} />);
  return (
    <div class="j-node" data-open={open ? 'true' : 'false'}>
      <div class="j-row">
        <button type="button" class="j-toggle" aria-expanded={open} title={open ? 'Collapse' : 'Expand'} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'}
        </button>
        {label}
        <span class="j-punct">{l}</span>
        {!open && (
          <button type="button" class="j-more" onClick={() => setOpen(true)}>
            {summary(node)}
          </button>
        )}
        {!open && (
          <span class="j-punct">
            {r}
            {comma}
          </span>
        )}
      </div>
      {open && (
        <div class="j-children">
          {children}
          {size > shown && (
            <button type="button" class="btn small j-showmore" onClick={() => setShown(shown + CHUNK * 5)}>
              Show {Math.min(CHUNK * 5, size - shown)} more of {size - shown}
            </button>
          )}
        </div>
      )}
      {open && (
        <div class="j-row">
          <span class="j-punct">
            {r}
            {comma}
          </span>
        </div>
      )}
    </div>
  );
}

/** A collapsible JSON tree: text nodes only, literals as sent. */
export function JsonTree(props: { root: JsonNode }) {
  return (
    <div class="json-tree mono" data-testid="json-tree">
      <Node name={null} node={props.root} depth={0} last />
    </div>
  );
}
