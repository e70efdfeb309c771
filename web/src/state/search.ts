/**
 * The search box: what is typed goes to hookbin as `?q=` (common/search.ts's
 * syntax) a moment after typing stops, and while a search is shown, captures
 * arriving live make the list ask hookbin again, which alone decides whether
 * they match. `searchStep` is the pure rule; `createSearchBox` wires it to
 * the list slice with its timers.
 */
import { signal } from '@preact/signals';
import { parseSearch } from '../../../server/common/search.js';
import type { Core } from './core.js';

/** How long typing must pause before the text is searched. */
export const SEARCH_DEBOUNCE_MS = 250;
/** How long after a capture arrives during a search the list asks again (captures in a burst share one ask). */
export const SEARCH_REFRESH_MS = 300;

/** What the box's text does: the search to show ('' for none), or null to leave the list as it is, and a hint to show. */
export interface SearchStep {
  search: string | null;
  hint: string | null;
}

/**
 * The search `text` asks for: its words as typed, trimmed ('' shows every
 * capture); none while a word is too short or the text too long, with the
 * reason as the hint (the list stays as it was meanwhile).
 */
export function searchStep(text: string): SearchStep {
  const parsed = parseSearch(text);
  if (!parsed.ok) return { search: null, hint: parsed.message.charAt(0).toUpperCase() + parsed.message.slice(1) + '.' };
  return { search: parsed.terms.length === 0 ? '' : text.trim(), hint: null };
}

/** What the box needs of the list slice. */
export interface SearchTarget {
  setSearch(search: string): Promise<void>;
  catchUp(): Promise<void>;
}

/** The search box over `core`'s list, searching through `target`. */
export function createSearchBox(core: Core, target: SearchTarget) {
  const { list, selectedBinId, fail } = core;
  const hint = signal<string | null>(null);
  let typing: ReturnType<typeof setTimeout> | undefined;
  let refreshing: ReturnType<typeof setTimeout> | undefined;

  /** Applies `text` now (Enter, Escape, or when typing paused). */
  function searchNow(text: string): void {
    clearTimeout(typing);
    const step = searchStep(text);
    hint.value = step.hint;
    if (step.search !== null) void target.setSearch(step.search);
  }

  /** The user typed `text`: searched once typing pauses for SEARCH_DEBOUNCE_MS. */
  function typed(text: string): void {
    clearTimeout(typing);
    typing = setTimeout(() => searchNow(text), SEARCH_DEBOUNCE_MS);
  }

  /** A capture of `binId` arrived live: while a search is shown there, ask hookbin again shortly. */
  function captured(binId: string): void {
    if (list.value.search === '' || binId !== selectedBinId.value || refreshing !== undefined) return;
    refreshing = setTimeout(() => {
      refreshing = undefined;
      target.catchUp().catch(fail);
    }, SEARCH_REFRESH_MS);
  }

  /** Forgets pending work (another bin was opened). */
  function reset(): void {
    clearTimeout(typing);
    hint.value = null;
  }

  return { hint, typed, searchNow, captured, reset };
}
