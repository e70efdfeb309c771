import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { inlineEnd } from '../../../../server/common/body-inline.js';
import { lossyUtf8 } from '../../../../server/common/text.js';
import type { Capture } from '../../../../server/common/types.js';
import type { Api, BodyBytes } from '../../api/http.js';
import { errorMessage } from '../../api/http.js';
import { contentEncodings, formatBytes, formatTimestampZoned } from '../../ui/format.js';
import { verdictLabel } from '../secrets/secrets.js';
import { answerWords } from './row.js';
import { changeSpan, diffHeaders, diffJson, diffLines, DIFF_MAX_BYTES, DIFF_MAX_EDITS, DIFF_MAX_LINES, sameBytes, sideBySide, type SideRow } from './diff.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Side-by-side rows rendered at most; the rest is counted. */
const MAX_ROWS = 2000;

/** Both bodies as compared: the first `DIFF_MAX_BYTES` of each (decoded when sent compressed), and whether either was cut. */
type Bodies = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ok'; a: Uint8Array; b: Uint8Array; cut: boolean };

/** Reads both bodies over HTTP, decoded when they have a Content-Encoding, up to the diff's bound. */
function useBodies(a: Capture, b: Capture, api: Pick<Api, 'getBody'>): Bodies {
  const [bodies, setBodies] = useState<Bodies>({ state: 'loading' });
  useEffect(() => {
    const ctl = new AbortController();
    // One byte past the bound says whether more follows.
    const read = (c: Capture) => api.getBody(c.id, contentEncodings(c.headers).length > 0, { range: { start: 0, end: DIFF_MAX_BYTES + 1 }, signal: ctl.signal });
    Promise.all([read(a), read(b)]).then(
      ([x, y]) => {
        const cut = (z: BodyBytes) => z.bytes.length > DIFF_MAX_BYTES || z.truncated;
        const keep = (z: BodyBytes) => z.bytes.subarray(0, inlineEnd(z.bytes, DIFF_MAX_BYTES));
        if (!ctl.signal.aborted) setBodies({ state: 'ok', a: keep(x), b: keep(y), cut: cut(x) || cut(y) });
      },
      (err: unknown) => !ctl.signal.aborted && setBodies({ state: 'error', message: errorMessage(err) }),
    );
    return () => ctl.abort();
  }, [a.id, b.id]);
  return bodies;
}

/** One row of a two-column comparison; `t` is the kind of change, which the stylesheet marks (~ − +) as well as colours. */
function Row(props: { t: string; name: ComponentChildren; a?: ComponentChildren; b?: ComponentChildren }) {
  return (
    <tr data-change={props.t}>
      <th scope="row">{props.name}</th>
      <td class="diff-mark" />
      <td>{props.a}</td>
      <td>{props.b}</td>
    </tr>
  );
}

/** Signature verdicts and header pairs of both, side by side. */
function Heads(props: { a: Capture; b: Capture }) {
  const { a, b } = props;
  const rows = useMemo(() => diffHeaders(a.headers, b.headers), [a, b]);
  const sig = (c: Capture) => c.signatures.map((v) => `${v.scheme} ${verdictLabel(v.status)}`).join(', ') || 'unsigned';
  // What the bin answered is what made a provider retry: 500 on attempt 1, 200 on attempt 3.
  const [ansA, ansB] = [answerWords(a).text, answerWords(b).text];
  return (
    <table class="pairs diff-table" data-testid="diff-headers">
      <tbody>
        <Row t="head" name="" a={`attempt ${a.event.attempt} · ${a.id}`} b={`attempt ${b.event.attempt} · ${b.id}`} />
        <Row t={sig(a) === sig(b) ? 'same' : 'changed'} name="Signature" a={sig(a)} b={sig(b)} />
        <Row t="same" name="Received" a={formatTimestampZoned(a.receivedAt)} b={formatTimestampZoned(b.receivedAt)} />
        <Row t={ansA === ansB ? 'same' : 'changed'} name="Answered" a={ansA} b={ansB} />
        <Row t="title" name={`Headers (${rows.filter((r) => r.t !== 'same').length} differ)`} />
        {rows.map((r, i) => (
          <Row key={i} t={r.t} name={r.name} a={r.a} b={r.b} />
        ))}
      </tbody>
    </table>
  );
}

/** A changed line with the part that differs marked: text nodes and `<mark>`s, never markup parsed. */
function Marked(props: { text: string; other: string }) {
  const { head, tail } = changeSpan(props.text, props.other);
  const t = props.text;
  return (
    <>
      {t.slice(0, head)}
      <mark>{t.slice(head, t.length - tail)}</mark>
      {t.slice(t.length - tail)}
    </>
  );
}

function LineRow(props: { r: SideRow }) {
  const { r } = props;
  if (r.t === 'fold') {
    return (
      <tr data-change="fold">
        <td colSpan={5}>… {r.n.toLocaleString()} unchanged lines</td>
      </tr>
    );
  }
  const a = 'a' in r ? r : null;
  const b = 'b' in r ? r : null;
  return (
    <tr data-change={r.t}>
      <td class="ln">{a?.an}</td>
      <td>{a && (r.t === 'changed' ? <Marked text={r.a} other={r.b} /> : a.a)}</td>
      <td class="diff-mark" />
      <td class="ln">{b?.bn}</td>
      <td>{b && (r.t === 'changed' ? <Marked text={r.b} other={r.a} /> : b.b)}</td>
    </tr>
  );
}

/** The bodies as text lines side by side, and as JSON paths when both are JSON. */
function BodyDiff(props: { a: Uint8Array; b: Uint8Array; cut: boolean }) {
  const { a, b, cut } = props;
  const { json, lines, rows } = useMemo(() => {
    const [ta, tb] = [lossyUtf8(a), lossyUtf8(b)];
    const lines = diffLines(ta, tb);
    return { json: diffJson(ta, tb), lines, rows: sideBySide(lines.ops) };
  }, [a, b]);
  const paths = json ? json.changes.length + json.more : 0;
  const verdict = !cut && sameBytes(a, b) ? 'identical' : json && paths === 0 ? 'same-json' : 'different';
  return (
    <section class="section" data-testid="diff-body">
      <h3>Body</h3>
      <p data-testid="diff-body-verdict" data-verdict={verdict}>
        {verdict === 'identical'
          ? 'Identical bytes.'
          : verdict === 'same-json'
            ? 'Same JSON, different bytes (formatting or key order).'
            : `Changed: ${json ? `${plural(paths, 'JSON path')}, ` : ''}${plural(rows.filter((r) => r.t !== 'same' && r.t !== 'fold').length, 'line')}.`}
        {(cut || lines.capped) && ` Compared the first ${formatBytes(DIFF_MAX_BYTES)} and ${DIFF_MAX_LINES} lines of each.`}
        {lines.tooDifferent && ` Over ${DIFF_MAX_EDITS} lines differ: shown as removed, then added.`}
      </p>
      {json && paths > 0 && (
        <ul class="diff-json mono" data-testid="diff-json">
          {json.changes.map((c, i) => (
            <li key={i} data-change={c.t}>
              {c.path}: {c.t === 'changed' ? `${c.a} → ${c.b}` : (c.a ?? c.b)}
            </li>
          ))}
          {json.more > 0 && <li>… {json.more} more</li>}
        </ul>
      )}
      {verdict !== 'identical' && (
        <table class="diff-lines mono" data-testid="diff-lines">
          <tbody>
            {rows.slice(0, MAX_ROWS).map((r, i) => (
              <LineRow key={i} r={r} />
            ))}
          </tbody>
        </table>
      )}
      {rows.length > MAX_ROWS && <p class="muted">… {rows.length - MAX_ROWS} more rows</p>}
    </section>
  );
}

/**
 * Two captures compared: verdicts, answers, header pairs, and bodies (read
 * over HTTP, bounded) as lines and as JSON. Everything captured renders as text.
 */
export function DiffView(props: { a: Capture; b: Capture; api: Pick<Api, 'getBody'>; onClose: () => void }) {
  const { a, b } = props;
  const bodies = useBodies(a, b, props.api);
  // Focus moves into the comparison (`autofocus` works only once per page in Chromium), so Tab and Enter go on from here.
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <article class="detail" data-testid="diff-view" data-a={a.id} data-b={b.id}>
      <div class="actions">
        <h2 class="diff-title">Compare</h2>
        <button ref={close} type="button" class="btn" data-testid="diff-close" onClick={props.onClose}>
          Close
        </button>
      </div>
      <Heads a={a} b={b} />
      {bodies.state === 'ok' ? <BodyDiff {...bodies} /> : <p class="muted">{bodies.state === 'error' ? `Could not load the capture: ${bodies.message}` : 'Loading…'}</p>}
    </article>
  );
}
