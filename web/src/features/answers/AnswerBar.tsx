import { useEffect, useState } from 'preact/hooks';
import type { RespondSettings } from '../../../../server/common/types.js';
import {
  answerMode,
  answerOkPatch,
  delayPatch,
  describeRespond,
  failFirstPatch,
  faultPatch,
  MAX_DELAY_MS,
  MAX_FAIL_FIRST,
  parseIntIn,
  type RespondPatch,
} from './answers.js';
import { parseOutcome } from './fields.js';

/** What the bin answers now, in one sentence; the tone colors it, the words say it. */
export function AnswerStatus(props: { respond: RespondSettings; onClick?: () => void; compact?: boolean }) {
  const d = describeRespond(props.respond);
  const body = (
    <>
      <span class="answer-label">{props.compact ? 'This bin:' : 'Now:'}</span> <span data-testid="answer-text">{d.text}</span>
    </>
  );
  if (props.onClick) {
    return (
      <button type="button" class="answer-status" data-tone={d.tone} data-testid="answer-status" title={`${d.text}. Click to change.`} onClick={props.onClick}>
        {body}
      </button>
    );
  }
  return (
    <p class="answer-status" data-tone={d.tone} data-testid="answer-status" role="status">
      {body}
    </p>
  );
}

export interface QuickTogglesProps {
  respond: RespondSettings;
  /** Sends the patch; resolves to an error sentence or null. */
  onPatch: (patch: RespondPatch | null) => Promise<string | null>;
}

/** "Fail first N × status": the toggle and its two fields, which follow a failFirst set elsewhere. */
function FailFirstToggle(props: { respond: RespondSettings; pressed: boolean; busy: boolean; send: (patch: RespondPatch) => void }) {
  const r = props.respond;
  const [count, setCount] = useState(String(r.failFirst?.count ?? 2));
  const [failWith, setFailWith] = useState(String(r.failFirst?.status ?? 500));
  // A failFirst set elsewhere (the answer form, another tab) shows in the fields beside its toggle.
  useEffect(() => {
    if (r.failFirst) {
      setCount(String(r.failFirst.count));
      setFailWith(String(r.failFirst.status));
    }
  }, [r.failFirst?.count, r.failFirst?.status]);
  const n = parseIntIn(count, 1, MAX_FAIL_FIRST);
  const outcome = parseOutcome(failWith);
  return (
    <span class="toggle-with-input">
      <button
        type="button"
        class="btn toggle"
        data-testid="toggle-fail-first"
        aria-pressed={props.pressed}
        disabled={props.busy || n === null || outcome === null}
        title={
          n === null
            ? `1–${MAX_FAIL_FIRST} attempts`
            : outcome === null
              ? 'Answer with a status 200–599, reset or hang'
              : `Answer ${outcome} to attempts 1–${n} of each event, then the bin’s own answer`
        }
        onClick={() => n !== null && outcome !== null && props.send(failFirstPatch(n, outcome))}
      >
        Fail first
      </button>
      <input
        class="input num"
        type="number"
        min={1}
        max={MAX_FAIL_FIRST}
        data-testid="fail-first-count"
        aria-label="How many attempts of each event fail"
        value={count}
        onInput={(e) => setCount(e.currentTarget.value)}
      />
      <span class="muted small">×</span>
      <input
        class="input num wide"
        data-testid="fail-first-status"
        aria-label="What the failing attempts get: a status 200–599, reset or hang"
        title="A status 200–599, reset or hang"
        value={failWith}
        onInput={(e) => setFailWith(e.currentTarget.value)}
      />
    </span>
  );
}

/**
 * One click each: fail the first N attempts of each event with a status (500 unless changed), answer
 * 200 (the default), reset the connection, hang, and a delay. The pressed
 * button is the mode the bin is in; the sentence above says it in full.
 */
export function QuickToggles(props: QuickTogglesProps) {
  const r = props.respond;
  const mode = answerMode(r);
  const [delay, setDelay] = useState(String(r.delayMs > 0 ? r.delayMs : 2000));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const send = async (patch: RespondPatch | null) => {
    setBusy(true);
    const err = await props.onPatch(patch);
    setBusy(false);
    setError(err);
  };
  const ms = parseIntIn(delay, 1, MAX_DELAY_MS);

  return (
    <div class="toggles" data-testid="quick-toggles">
      <div class="toggle-group" role="group" aria-label="What the bin answers">
        <button type="button" class="btn toggle" data-testid="toggle-ok" aria-pressed={mode === 'ok'} disabled={busy} onClick={() => void send(answerOkPatch(r))}>
          Answer 200
        </button>
        <FailFirstToggle respond={r} pressed={mode === 'failFirst'} busy={busy} send={(patch) => void send(patch)} />
        <button
          type="button"
          class="btn toggle"
          data-testid="toggle-reset"
          aria-pressed={mode === 'reset'}
          disabled={busy}
          title="Close the connection without a reply"
          onClick={() => void send(faultPatch('reset'))}
        >
          Reset
        </button>
        <button
          type="button"
          class="btn toggle"
          data-testid="toggle-hang"
          aria-pressed={mode === 'hang'}
          disabled={busy}
          title="Never reply: the client waits until its own timeout"
          onClick={() => void send(faultPatch('hang'))}
        >
          Hang
        </button>
      </div>
      <span class="toggle-with-input" role="group" aria-label="Delay">
        <button
          type="button"
          class="btn toggle"
          data-testid="toggle-delay"
          aria-pressed={r.delayMs > 0}
          disabled={busy || (r.delayMs === 0 && ms === null)}
          title={r.delayMs > 0 ? 'Answer without waiting' : 'Wait this long before every answer (the capture is stored first)'}
          onClick={() => {
            if (r.delayMs > 0 && (ms === null || ms === r.delayMs)) void send(delayPatch(0));
            else if (ms !== null) void send(delayPatch(ms));
          }}
        >
          {r.delayMs > 0 && (ms === null || ms === r.delayMs) ? 'No delay' : 'Delay'}
        </button>
        <input
          class="input num wide"
          type="number"
          min={1}
          max={MAX_DELAY_MS}
          step={100}
          data-testid="delay-ms"
          aria-label="Delay in milliseconds"
          value={delay}
          onInput={(e) => setDelay(e.currentTarget.value)}
        />
        <span class="muted small">ms</span>
      </span>
      {error && (
        <p class="error small toggles-error" data-testid="toggles-error">
          {error}
        </p>
      )}
    </div>
  );
}
