import { useMemo, useState } from 'preact/hooks';
import { lossyUtf8 } from '../../../../server/common/text.js';
import { TEXT_PREVIEW_CHARS } from './body.js';

/** Replacement markers highlighted one by one up to this many; past it the text shows them plain. */
const MAX_MARKED = 2000;

/**
 * Text, the first {@link TEXT_PREVIEW_CHARS} characters until "Show all".
 * With `marked`, each U+FFFD (a byte that was not UTF-8) is highlighted, so a
 * lossy text says where it lost something.
 */
export function TextView(props: { text: string; marked?: boolean; testid?: string }) {
  const [all, setAll] = useState(false);
  const long = props.text.length > TEXT_PREVIEW_CHARS;
  const shown = long && !all ? props.text.slice(0, TEXT_PREVIEW_CHARS) : props.text;
  const content = useMemo(() => (props.marked ? markReplacements(shown) : shown), [shown, props.marked]);
  return (
    <div>
      <pre class="text-view mono" data-testid={props.testid ?? 'text-view'}>
        {content}
      </pre>
      {long && !all && (
        <button type="button" class="btn small" onClick={() => setAll(true)}>
          Show all {props.text.length.toLocaleString()} characters
        </button>
      )}
    </div>
  );
}

/** The text with its first MAX_MARKED U+FFFD wrapped in a highlight: text nodes and `<mark>`s, never markup parsed. */
function markReplacements(text: string) {
  const pieces = text.split('\uFFFD');
  if (pieces.length === 1) return text;
  const out = [];
  for (let i = 0; i < pieces.length; i++) {
    if (i > MAX_MARKED) {
      out.push(pieces.slice(i).join('\uFFFD'));
      break;
    }
    if (i > 0) {
      out.push(
        <mark class="bad-byte" key={i} title="bytes that are not UTF-8">
          {'\uFFFD'}
        </mark>,
      );
    }
    out.push(pieces[i]);
  }
  return out;
}

/** Any bytes as text: UTF-8, each invalid sequence as a highlighted U+FFFD, with a line that says so. */
export function LossyTextView(props: { bytes: Uint8Array }) {
  const text = useMemo(() => lossyUtf8(props.bytes), [props.bytes]);
  const bad = useMemo(() => {
    let n = 0;
    for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) n++;
    return n;
  }, [text]);
  return (
    <div>
      <p class="muted small" data-testid="lossy-note">
        Not valid UTF-8: shown as text with {bad.toLocaleString()} {bad === 1 ? 'place' : 'places'} that did not decode marked <mark class="bad-byte">{'\uFFFD'}</mark>.
        The Hex tab has the exact bytes.
      </p>
      <TextView text={text} marked />
    </div>
  );
}
