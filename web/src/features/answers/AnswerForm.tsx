import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Bin } from '../../../../server/common/types.js';
import { MAX_DELAY_MS, MAX_RETRY_AFTER_S } from '../../../../server/common/limits.js';
import { EditorActions } from './EditorActions.js';
import { type AnswerDraft, type AnswerPatch, bodyTypeNote, draftFromBin, draftMatchesBin, patchFromDraft } from './answer-form.js';

type FormBin = Pick<Bin, 'id' | 'respond' | 'eventKey' | 'cors'>;

function Field(props: { label: string; hint?: string; children: ComponentChildren; class?: string }) {
  return (
    <label class={`field ${props.class ?? ''}`} title={props.hint}>
      <span class="field-label">{props.label}</span>
      {props.children}
    </label>
  );
}

/** Makes the input handler of one field of the draft. */
type Setter = (k: keyof AnswerDraft) => (e: Event) => void;
type SectionProps = { draft: AnswerDraft; set: Setter };

/** A text input bound to one field of the draft. */
function text(p: SectionProps, k: keyof AnswerDraft, testid: string, extra: Record<string, string> = {}) {
  return <input class="input mono" data-testid={testid} value={p.draft[k] as string} onInput={p.set(k)} {...extra} />;
}

/** The reply itself: status or fault, delay, body (with the type it goes out as) and headers. */
function AnswerSection(p: SectionProps) {
  const { draft, set } = p;
  // The body may be 1 MiB: parsed again only when what the note depends on changes, not on every keystroke elsewhere.
  const note = useMemo(() => bodyTypeNote(draft), [draft.status, draft.fault, draft.headers, draft.body]);
  return (
    <>
      <h3 class="sub-head">The answer</h3>
      <div class="rule-line">
        <Field label="Status">{text(p, 'status', 'answer-status-code', { inputMode: 'numeric', class: 'input num' })}</Field>
        <Field label="Reply" hint="A reply, or a transport fault instead of one">
          <select class="input" data-testid="answer-fault" value={draft.fault} onChange={set('fault')}>
            <option value="">a status</option>
            <option value="reset">reset (no reply)</option>
            <option value="hang">hang (never reply)</option>
          </select>
        </Field>
        <Field label="Delay ms" hint={`Wait before every answer, 0–${MAX_DELAY_MS} (the capture is stored first)`}>
          {text(p, 'delayMs', 'answer-delay', { inputMode: 'numeric', class: 'input num wide' })}
        </Field>
      </div>
      <div class="answer-grid">
        <Field label="Body">
          <textarea class="input mono composer-body" data-testid="answer-body" rows={4} value={draft.body} onInput={set('body')} />
          <span class="muted small" data-testid="answer-type-note">
            {note}
          </span>
        </Field>
        <Field label="Headers" hint="One Name: value a line; they add to hookbin’s and win over them">
          <textarea class="input mono composer-body" data-testid="answer-headers" rows={4} placeholder="X-Request-Id: demo" value={draft.headers} onInput={set('headers')} />
        </Field>
      </div>
    </>
  );
}

/** failFirst, sequence, random and Retry-After: each off while empty. */
function FailureSection(p: SectionProps) {
  return (
    <>
      <h3 class="sub-head">Failing on purpose</h3>
      <p class="muted small">Each is off while empty. Fail first wins for an event’s first attempts, then the sequence, then the random share; rules below win over all.</p>
      <div class="rule-line">
        <Field label="Fail first (attempts)" hint="The first N attempts of each event get the answer beside it">
          {text(p, 'failFirstCount', 'answer-fail-count', { inputMode: 'numeric', class: 'input num', placeholder: 'off' })}
        </Field>
        <Field label="with" hint="A status 200–599, reset or hang">
          {text(p, 'failFirstStatus', 'answer-fail-status', { class: 'input num wide' })}
        </Field>
        <Field label="Sequence" hint="Attempt n of each event gets the n-th; the last repeats. Statuses, reset or hang, separated by commas" class="grow">
          {text(p, 'sequence', 'answer-sequence', { placeholder: '500, 503, 200' })}
        </Field>
      </div>
      <div class="rule-line">
        <Field label="Random share %" hint="Fail this share of requests, 0–100">
          {text(p, 'randomRate', 'answer-random-rate', { inputMode: 'decimal', class: 'input num', placeholder: 'off' })}
        </Field>
        <Field label="with" hint="A status 200–599, reset or hang">
          {text(p, 'randomStatus', 'answer-random-status', { class: 'input num wide' })}
        </Field>
        <Field label="Pattern #" hint="A number makes the same attempts fail on every run; empty: a fresh draw on every request">
          {text(p, 'randomPattern', 'answer-random-pattern', { inputMode: 'numeric', class: 'input num wide', placeholder: 'none' })}
        </Field>
        <Field label="Retry-After s" hint={`Seconds for a Retry-After header on 429 and 503 answers, 0–${MAX_RETRY_AFTER_S}`}>
          {text(p, 'retryAfter', 'answer-retry-after', { inputMode: 'numeric', class: 'input num wide', placeholder: 'none' })}
        </Field>
      </div>
    </>
  );
}

/** The event key and the CORS switch. */
function EventSection(p: SectionProps) {
  const { draft, set } = p;
  return (
    <>
      <h3 class="sub-head">Events and browsers</h3>
      <div class="rule-line">
        <Field label="Event key header" hint="A header naming each event (tried before the providers’ own ids), e.g. X-Order" class="grow">
          {text(p, 'keyHeader', 'answer-key-header', { placeholder: 'X-Order' })}
        </Field>
        <Field label="or JSON pointer" hint="A field of the JSON body naming each event, e.g. /data/object/id" class="grow">
          {text(p, 'keyPointer', 'answer-key-pointer', { placeholder: '/data/object/id' })}
        </Field>
      </div>
      <label class="check">
        <input type="checkbox" data-testid="answer-cors" checked={draft.cors} onChange={set('cors')} />
        <span>
          CORS: answer browsers’ preflights (204, not captured) and let web pages read this bin’s answers
        </span>
      </label>
    </>
  );
}

/**
 * Everything the bin answers besides its rules, its event key and its CORS
 * switch, as one form: edits stay a draft until saved; a change from
 * elsewhere (a quick toggle, another tab) replaces the draft only when it
 * has none.
 */
export function AnswerForm(props: { bin: FormBin; onSave: (patch: AnswerPatch) => Promise<string | null> }) {
  const b = props.bin;
  const [draft, setDraft] = useState<AnswerDraft>(() => draftFromBin(b));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = !draftMatchesBin(draft, b);

  const shown = useRef(b);
  useEffect(() => {
    const prev = shown.current;
    if (prev.id !== b.id || draftMatchesBin(draft, prev)) {
      setDraft(draftFromBin(b));
      if (prev.id !== b.id) setError(null);
    }
    shown.current = b;
  }, [b.id, b.respond, b.eventKey, b.cors]);

  const set: Setter = (k) => (e) => {
    const el = e.currentTarget as HTMLInputElement;
    setDraft({ ...draft, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };

  const save = async () => {
    const patch = patchFromDraft(draft);
    if (typeof patch === 'string') return setError(patch);
    setBusy(true);
    const err = await props.onSave(patch);
    setBusy(false);
    setError(err);
    // Saved: show it as the server keeps it (trimmed header lines, numbers as numbers), so the form is not dirty.
    if (err === null) setDraft(draftFromBin({ respond: { ...patch.respond, rules: [] }, eventKey: patch.eventKey, cors: patch.cors }));
  };

  return (
    <form
      class="answer-form"
      data-testid="answer-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <AnswerSection draft={draft} set={set} />
      <FailureSection draft={draft} set={set} />
      <EventSection draft={draft} set={set} />
      <EditorActions
        id="answer"
        saveLabel="Save answer"
        dirty={dirty}
        busy={busy}
        error={error}
        onDiscard={() => {
          setDraft(draftFromBin(b));
          setError(null);
        }}
      />
    </form>
  );
}
