import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RespondRule } from '../../../../server/common/types.js';
import { EditorActions } from './EditorActions.js';
import { draftFromRule, draftsEqual, emptyDraft, moveItem, rulesFromDrafts, type RespondPatch, type RuleDraft } from './answers.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function Field(props: { label: string; hint?: string; children: ComponentChildren; class?: string }) {
  return (
    <label class={`field ${props.class ?? ''}`} title={props.hint}>
      <span class="field-label">{props.label}</span>
      {props.children}
    </label>
  );
}

function RuleRow(props: {
  draft: RuleDraft;
  index: number;
  count: number;
  onChange: (d: RuleDraft) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}) {
  const d = props.draft;
  const set = (k: keyof RuleDraft) => (e: Event) => props.onChange({ ...d, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <li class="rule" data-testid="rule">
      <div class="rule-num" aria-label={`Rule ${props.index + 1}`}>
        {props.index + 1}
      </div>
      <div class="rule-body">
        <div class="rule-line">
          <span class="rule-kw">When</span>
          <Field label="Method">
            <select class="input" data-testid="rule-method" value={d.method} onChange={set('method')}>
              <option value="">any</option>
              {[...new Set([...METHODS, ...(d.method ? [d.method] : [])])].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Path" hint="Glob on the path after /b/{bin}: * within a segment, ** across, ? one character" class="grow">
            <input class="input mono" data-testid="rule-path" placeholder="/hooks/**" value={d.path} onInput={set('path')} />
          </Field>
          <Field label="Event type" hint="Glob on the event type, e.g. invoice.*" class="grow">
            <input class="input mono" data-testid="rule-event-type" placeholder="invoice.*" value={d.eventType} onInput={set('eventType')} />
          </Field>
          <Field label="Header" class="grow">
            <input class="input mono" data-testid="rule-header-name" placeholder="X-Name" value={d.headerName} onInput={set('headerName')} />
          </Field>
          <Field label="value" hint="Glob on the header's value; empty: the header is present" class="grow">
            <input class="input mono" data-testid="rule-header-value" placeholder="*" value={d.headerValue} onInput={set('headerValue')} />
          </Field>
        </div>
        <div class="rule-line">
          <span class="rule-kw">Answer</span>
          <Field label="Reply">
            <select class="input" data-testid="rule-fault" value={d.fault} onChange={set('fault')}>
              <option value="">a status</option>
              <option value="reset">reset (no reply)</option>
              <option value="hang">hang (never reply)</option>
            </select>
          </Field>
          {d.fault === '' && (
            <Field label="Status">
              <input class="input num" data-testid="rule-status" inputMode="numeric" placeholder="bin’s" value={d.status} onInput={set('status')} />
            </Field>
          )}
          <Field label="Delay ms">
            <input class="input num wide" data-testid="rule-delay" inputMode="numeric" placeholder="0" value={d.delayMs} onInput={set('delayMs')} />
          </Field>
          {d.fault === '' && (
            <Field label="Body" class="grow">
              <input class="input mono" data-testid="rule-body" placeholder="the bin’s body" value={d.body} onInput={set('body')} />
            </Field>
          )}
          {d.fault === '' && (
            <Field label="Headers" hint="One Name: value a line; they add to the bin’s headers and win over them" class="grow">
              <textarea class="input mono rule-headers" data-testid="rule-headers" rows={1} placeholder="X-Name: value" value={d.headers} onInput={set('headers')} />
            </Field>
          )}
        </div>
      </div>
      <div class="rule-actions">
        <button type="button" class="btn small" aria-label="Move up" title="Move up (checked earlier)" data-testid="rule-up" disabled={props.index === 0} onClick={() => props.onMove(-1)}>
          ↑
        </button>
        <button
          type="button"
          class="btn small"
          aria-label="Move down"
          title="Move down (checked later)"
          data-testid="rule-down"
          disabled={props.index === props.count - 1}
          onClick={() => props.onMove(1)}
        >
          ↓
        </button>
        <button type="button" class="btn small danger-quiet" aria-label="Remove rule" title="Remove" data-testid="rule-remove" onClick={props.onRemove}>
          ✕
        </button>
      </div>
    </li>
  );
}

/**
 * The bin's rules, checked in order; the first that matches decides the
 * answer and overrides the rest. Edits stay a draft until saved; a change
 * from elsewhere (another tab) replaces the draft only when it has none.
 */
export function RuleEditor(props: { binId: string; rules: RespondRule[]; onPatch: (patch: RespondPatch) => Promise<string | null> }) {
  const [drafts, setDrafts] = useState<RuleDraft[]>(() => props.rules.map(draftFromRule));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = !draftsEqual(drafts, props.rules);

  // Another bin, or new rules from the server while nothing is being edited: show them.
  const shown = useRef({ binId: props.binId, rules: props.rules });
  useEffect(() => {
    const prev = shown.current;
    if (prev.binId !== props.binId || (prev.rules !== props.rules && draftsEqual(drafts, prev.rules))) {
      setDrafts(props.rules.map(draftFromRule));
      setError(null);
    }
    shown.current = { binId: props.binId, rules: props.rules };
  }, [props.binId, props.rules]);

  const save = async () => {
    const rules = rulesFromDrafts(drafts);
    if (typeof rules === 'string') return setError(rules);
    setBusy(true);
    const err = await props.onPatch({ rules });
    setBusy(false);
    setError(err);
  };
  const update = (i: number, d: RuleDraft) => setDrafts(drafts.map((x, j) => (j === i ? d : x)));

  return (
    <div class="rules" data-testid="rule-editor">
      {drafts.length === 0 ? (
        <p class="muted small" data-testid="rules-empty">
          No rules: every request gets the answer above.
        </p>
      ) : (
        <ol class="rule-list">
          {drafts.map((d, i) => (
            <RuleRow
              key={d.key}
              draft={d}
              index={i}
              count={drafts.length}
              onChange={(nd) => update(i, nd)}
              onMove={(delta) => setDrafts(moveItem(drafts, i, delta))}
              onRemove={() => setDrafts(drafts.filter((_, j) => j !== i))}
            />
          ))}
        </ol>
      )}
      <EditorActions
        id="rules"
        saveLabel="Save rules"
        dirty={dirty}
        busy={busy}
        error={error}
        onSave={() => void save()}
        onDiscard={() => {
          setDrafts(props.rules.map(draftFromRule));
          setError(null);
        }}
      >
        <button type="button" class="btn" data-testid="rule-add" onClick={() => setDrafts([...drafts, emptyDraft()])}>
          Add rule
        </button>
      </EditorActions>
    </div>
  );
}
