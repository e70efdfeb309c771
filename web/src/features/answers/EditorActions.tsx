import type { ComponentChildren } from 'preact';

/** What an editor's action row needs. */
export interface EditorActionsProps {
  /** The editor's name in test ids: `${id}-save`, `${id}-discard`, `${id}-error`. */
  id: string;
  saveLabel: string;
  dirty: boolean;
  busy: boolean;
  error: string | null;
  /** Called by Save; omit in a form, whose Save submits it. */
  onSave?: () => void;
  onDiscard: () => void;
  /** Buttons before Save (the rule editor's "Add rule"). */
  children?: ComponentChildren;
}

/**
 * The row under an Answers editor: Save (enabled only with unsaved
 * changes), Discard changes and "Not saved yet." while there are any, and
 * the error of the last save below it, announced to screen readers.
 */
export function EditorActions(p: EditorActionsProps) {
  return (
    <>
      <div class="rules-actions">
        {p.children}
        <button
          type={p.onSave ? 'button' : 'submit'}
          class="btn primary"
          data-testid={`${p.id}-save`}
          disabled={!p.dirty || p.busy}
          onClick={p.onSave}
        >
          {p.saveLabel}
        </button>
        {p.dirty && (
          <button type="button" class="btn" data-testid={`${p.id}-discard`} onClick={p.onDiscard}>
            Discard changes
          </button>
        )}
        {p.dirty && !p.error && <span class="muted small">Not saved yet.</span>}
      </div>
      {p.error && (
        <p class="error small" data-testid={`${p.id}-error`} role="alert">
          {p.error}
        </p>
      )}
    </>
  );
}
