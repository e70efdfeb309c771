import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { HeaderPair, Verdict } from '../../../server/common/types.js';
import { now } from '../state/clock.js';
import { relativeTime, statusClass, timeTitle } from './format.js';
import { verdictGlyph, verdictLabel, verdictTitle } from '../features/secrets/secrets.js';

/** Copies text: the async clipboard where allowed, else a hidden textarea. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the old way
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.className = 'offscreen';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/** A button that copies `text()` and says so for a moment. */
export function CopyButton(props: { text: () => string; label: string; testid?: string; title?: string; class?: string }) {
  const [state, setState] = useState<'idle' | 'ok' | 'fail'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const onClick = async (e: Event) => {
    e.stopPropagation();
    const ok = await copyText(props.text());
    setState(ok ? 'ok' : 'fail');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), 1500);
  };
  return (
    <button type="button" class={`btn ${props.class ?? ''}`} data-testid={props.testid} title={props.title} data-copied={state} onClick={onClick}>
      {state === 'ok' ? 'Copied' : state === 'fail' ? 'Copy failed' : props.label}
    </button>
  );
}

/** A destructive button that asks once more, inline (no `window.confirm`). */
export function ConfirmButton(props: { label: string; confirm: string; onConfirm: () => void; testid?: string; class?: string; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class={`btn ${props.class ?? ''}`} data-testid={props.testid} disabled={props.disabled} onClick={(e) => (e.stopPropagation(), setAsking(true))}>
        {props.label}
      </button>
    );
  }
  return (
    <span class="confirm" data-testid={props.testid ? `${props.testid}-confirm` : undefined} onClick={(e) => e.stopPropagation()}>
      <span class="confirm-q">{props.confirm}</span>
      <button
        type="button"
        class="btn danger"
        data-testid={props.testid ? `${props.testid}-yes` : undefined}
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        Yes
      </button>
      <button type="button" class="btn" data-testid={props.testid ? `${props.testid}-no` : undefined} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** "12s ago", kept fresh by the clock; the exact time, with its offset and zone, on hover. */
export function RelTime(props: { iso: string }) {
  return (
    <time dateTime={props.iso} title={timeTitle(props.iso)}>
      {relativeTime(props.iso, now.value)}
    </time>
  );
}

const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function MethodBadge(props: { method: string }) {
  const m = props.method.toUpperCase();
  return (
    <span class="method" data-method={KNOWN_METHODS.has(m) ? m : 'OTHER'} title={props.method}>
      {props.method}
    </span>
  );
}

export function StatusBadge(props: { status: number | null }) {
  return (
    <span class="status" data-class={statusClass(props.status)} title={props.status === null ? 'no reply (fault)' : `hookbin answered ${props.status}`}>
      {props.status === null ? '—' : props.status}
    </span>
  );
}

/**
 * A signature verdict as a word (with ✓ / ✗ / ? for a glance), never color
 * alone: `✓ valid`, `✗ invalid`, `✗ expired`, `✗ malformed`, `? no secret`, `unsigned`.
 * `label` replaces the word (the signature panel's "ahead by N s").
 */
export function VerdictBadge(props: { verdict: Verdict | null; testid?: string; label?: string }) {
  const v = props.verdict ?? 'unsigned';
  const glyph = verdictGlyph(props.verdict);
  return (
    <span class="verdict" data-verdict={v} data-testid={props.testid ?? 'verdict-badge'} title={verdictTitle(props.verdict)}>
      {glyph && (
        <span class="verdict-glyph" aria-hidden="true">
          {glyph}
        </span>
      )}
      {props.label ?? verdictLabel(props.verdict)}
    </span>
  );
}

/** Names longer than this wrap in a bounded column instead of staying on one line (styles/detail.css `th.long`). */
const LONG_NAME = 40;

/** Pairs in order, duplicates visible: a repeated name is marked ×N on each of its rows. Names and values render as text only. */
export function PairsTable(props: { pairs: readonly HeaderPair[]; testid?: string; nameLabel?: string; empty?: string }) {
  const counts = new Map<string, number>();
  for (const [n] of props.pairs) counts.set(n.toLowerCase(), (counts.get(n.toLowerCase()) ?? 0) + 1);
  if (props.pairs.length === 0) return <p class="muted small" data-testid={props.testid}>{props.empty ?? 'None'}</p>;
  return (
    <table class="pairs" data-testid={props.testid}>
      <tbody>
        {props.pairs.map(([name, value], i) => {
          const n = counts.get(name.toLowerCase()) ?? 0;
          return (
            <tr key={i} data-name={name.toLowerCase()}>
              <th scope="row" class={[n > 1 && 'dup', name.length > LONG_NAME && 'long'].filter(Boolean).join(' ') || undefined} data-count={n > 1 ? n : undefined} title={n > 1 ? `this name arrived ${n} times` : undefined}>
                {name}
              </th>
              <td>{value === '' ? <span class="muted">(empty)</span> : value}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A titled block of the detail pane. */
export function Section(props: { title: ComponentChildren; testid?: string; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="section" data-testid={props.testid}>
      <header class="section-head">
        <h3>{props.title}</h3>
        {props.actions && <div class="section-actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}
