/**
 * The address bar as the inspector's place: the bin, its view and the open
 * capture (`route.ts` reads and writes the hash). Both ways: whatever sets the
 * hash (typing or pasting it, Back/Forward, a reload, a link) opens that
 * place, and each place the user opens becomes a history entry. Automatic
 * moves (the first bin shown by default, a deleted capture or bin left,
 * keyboard steps) replace the current entry instead, so Back goes to the
 * previous place the user chose and never out of the inspector early.
 */
import { batch, effect } from '@preact/signals';
import type { Model } from './model.js';
import { formatHash, parseHash, type HashRoute } from './route.js';

/** What `bindAddress` uses of `window` (a test may pass its own). */
export interface AddressWindow {
  location: { hash: string; pathname: string; search: string };
  history: { pushState(data: unknown, unused: string, url: string): void; replaceState(data: unknown, unused: string, url: string): void };
  addEventListener(type: 'hashchange' | 'popstate', listener: () => void): void;
  removeEventListener(type: 'hashchange' | 'popstate', listener: () => void): void;
}

/** The hash of the place the model shows now. */
export function currentHash(m: Model): string {
  return formatHash(m.selectedBinId.value, m.selectedCaptureId.value, m.view.value);
}

/**
 * Opens the place `route` names, as an automatic move (it came from the
 * address, which already says it). A route without a bin (an empty or
 * undecodable hash) keeps the bin shown; the address is then rewritten to it.
 */
export function openRoute(m: Model, route: HashRoute): void {
  const view = route.view ?? 'captures';
  const capture = view === 'captures' ? route.capture : null;
  const bin = route.bin;
  if (bin === null) return;
  m.replacing(() =>
    batch(() => {
      if (view !== m.view.value) m.setView(view);
      if (bin !== m.selectedBinId.value || m.list.value.binId !== bin) void m.selectBin(bin, { captureId: capture });
      else if (capture !== m.selectedCaptureId.value) m.selectCapture(capture);
      // A narrow window shows the capture when the address names one, else the list.
      m.pane.value = capture !== null ? 'detail' : 'list';
    }),
  );
}

/**
 * Opens the place of the page's address now, then keeps the address and the
 * model in step until the returned function is called.
 */
export function bindAddress(m: Model, w: AddressWindow = window): () => void {
  const urlFor = (hash: string) => hash || w.location.pathname + w.location.search;
  const follow = () => {
    const route = parseHash(w.location.hash);
    if (formatHash(route.bin, route.capture, route.view ?? 'captures') === currentHash(m)) return;
    openRoute(m, route);
    // The address named nothing that opens (`#/%`, an empty hash): it says where we are instead.
    const hash = currentHash(m);
    if (hash !== w.location.hash) w.history.replaceState(null, '', urlFor(hash));
  };
  follow();
  const stop = effect(() => {
    const hash = currentHash(m);
    if (hash === w.location.hash || (hash === '' && w.location.hash === '')) return;
    // With no place yet in the address (the page just opened), the first place only fills it in.
    if (m.isReplacing() || w.location.hash === '') w.history.replaceState(null, '', urlFor(hash));
    else w.history.pushState(null, '', urlFor(hash));
  });
  w.addEventListener('hashchange', follow);
  w.addEventListener('popstate', follow);
  return () => {
    stop();
    w.removeEventListener('hashchange', follow);
    w.removeEventListener('popstate', follow);
  };
}
