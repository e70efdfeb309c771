/**
 * What the state slices share: the signals every slice reads (the bins, the
 * selected bin and capture, the list, the page layout) and how a failure is
 * told. `createModel` makes one and hands it to each slice.
 */
import type { Signal } from '@preact/signals';
import type { Bin, Capture } from '../../../server/common/types.js';
import type { Api } from '../api/http.js';
import type { ListState } from './captures.js';

export type ConnStatus = 'connecting' | 'live' | 'reconnecting';
/** Which pane a narrow window shows. */
export type Pane = 'bins' | 'list' | 'detail';

export type DetailState = { state: 'loading' } | { state: 'ok'; capture: Capture } | { state: 'error'; message: string; gone: boolean };

/** What the bin's main area shows: its captures (list and detail), its events, what it answers, its secrets, or the sender (composer, outbox, forward). */
export type View = 'captures' | 'events' | 'answers' | 'secrets' | 'send';
export const VIEWS: readonly View[] = ['captures', 'events', 'answers', 'secrets', 'send'];

/** The shared signals and the transport, for the slices. */
export interface Core {
  api: Api;
  bins: Signal<Bin[]>;
  selectedBinId: Signal<string | null>;
  list: Signal<ListState>;
  selectedCaptureId: Signal<string | null>;
  pane: Signal<Pane>;
  view: Signal<View>;
  authRequired: Signal<boolean>;
  /** The last failure worth telling the user, or null. */
  error: Signal<string | null>;
  /** Tells a failure: a refused token asks for one, anything else becomes `error`. */
  fail(err: unknown): void;
  /**
   * Runs `fn` as an automatic change of place (a default bin, a selection
   * whose capture or bin is gone, keyboard steps): the address it leads to
   * replaces the current history entry, so Back skips it. Anything else the
   * user does adds an entry.
   */
  replacing<T>(fn: () => T): T;
}
