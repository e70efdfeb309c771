/**
 * Which two captures are compared: the selected capture and another one.
 * The pair is made on the selected capture and ends when any other capture
 * is selected (a click, j/k, the address, a deletion), coming back to it
 * included.
 */
import { batch, computed, effect, signal } from '@preact/signals';
import type { Capture } from '../../../server/common/types.js';
import type { Core } from './core.js';

/** A comparison: `a` is the selected capture, `b` the one it is compared with. */
export interface ComparePair {
  a: string;
  b: string;
}

/** The capture `selected` is compared with, or null: a pair made on another capture no longer counts. */
export function comparedWith(pair: ComparePair | null, selected: string | null): string | null {
  return pair !== null && pair.a === selected ? pair.b : null;
}

/** The first attempt's capture id among an event's attempts, or null when it is not stored (pruned, deleted) or is `self`. */
export function firstAttemptId(attempts: readonly { captureId: string; attempt: number }[], self: string): string | null {
  const first = attempts.find((a) => a.attempt === 1);
  return first && first.captureId !== self ? first.captureId : null;
}

/**
 * The comparison slice over `core`. `loadDetail` reads the other capture;
 * `findEvent` reads an event's attempts (for "Diff with attempt 1").
 */
export function createCompare(
  core: Core,
  loadDetail: (id: string) => Promise<void>,
  findEvent: (binId: string, key: string) => Promise<{ attempts: { captureId: string; attempt: number }[] }>,
) {
  const pair = signal<ComparePair | null>(null);
  const other = computed(() => comparedWith(pair.value, core.selectedCaptureId.value));
  // Whatever moves the selection away ends the comparison: coming back to the capture does not reopen it.
  effect(() => {
    if (other.value === null && pair.peek() !== null) pair.value = null;
  });

  /** Compares the selected capture with `b`; null (or the capture itself) ends the comparison. */
  function compareWith(b: string | null) {
    const a = core.selectedCaptureId.value;
    if (a === null || b === null || b === a) {
      pair.value = null;
      return;
    }
    batch(() => {
      pair.value = { a, b };
      core.pane.value = 'detail';
    });
    void loadDetail(b);
  }

  /** Compares a retry with the first attempt of its event, found through the bin's events. */
  async function compareWithFirst(c: Capture) {
    try {
      const first = firstAttemptId((await findEvent(c.binId, c.event.key)).attempts, c.id);
      if (first === null) core.error.value = 'Attempt 1 is no longer stored.';
      else if (core.selectedCaptureId.value === c.id) compareWith(first);
    } catch (err) {
      core.fail(err);
    }
  }

  /** A capture was deleted: when it is the one compared with, the comparison ends and the page says why. */
  function deleted(id: string) {
    if (other.peek() !== id) return;
    pair.value = null;
    core.error.value = 'The capture it was compared with was deleted.';
  }

  return { comparedWith: other, compareWith, compareWithFirst, deleted };
}
