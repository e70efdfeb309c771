/**
 * The address bar and the history kept in step with the model, in Node over
 * the in-memory API and a window whose history is a list of entries: which
 * moves add a step Back goes to, which replace the current one, and what an
 * address naming a missing bin or capture keeps.
 */
import { describe, expect, it } from 'vitest';
import { bindAddress, type AddressWindow } from '../../web/src/state/address.js';
import { createModel } from '../../web/src/state/model.js';
import { bin, cap, fakeApi } from '../support/web-fixtures.js';

/** A window with a history of hashes: `entries[at]` is the address bar. */
function historyWindow(hash = '') {
  const entries = [hash];
  let at = 0;
  const listeners = new Map<string, Set<() => void>>();
  const fire = (type: string) => listeners.get(type)?.forEach((f) => f());
  const hashOf = (url: string) => (url.startsWith('#') ? url : '');
  const w: AddressWindow & { entries: string[]; back(): void; forward(): void; type(hash: string): void } = {
    entries,
    location: {
      get hash() {
        return entries[at]!;
      },
      pathname: '/',
      search: '',
    },
    history: {
      pushState: (_d, _u, url) => {
        entries.splice(at + 1, Infinity, hashOf(url));
        at++;
      },
      replaceState: (_d, _u, url) => void (entries[at] = hashOf(url)),
    },
    addEventListener: (type, f) => void (listeners.get(type) ?? listeners.set(type, new Set()).get(type)!).add(f),
    removeEventListener: (type, f) => void listeners.get(type)?.delete(f),
    back() {
      at--;
      fire('popstate');
      fire('hashchange');
    },
    forward() {
      at++;
      fire('popstate');
      fire('hashchange');
    },
    /** The user types an address: the browser adds an entry and says so. */
    type(h: string) {
      entries.splice(at + 1, Infinity, h);
      at++;
      fire('popstate');
      fire('hashchange');
    },
  };
  return w;
}

const twoBins = () => fakeApi([cap(1), cap(2), cap(3), cap(4, { binId: 'bin2' })], [bin('bin1'), bin('bin2')]);

describe('the address and the history', () => {
  it('the first bin shown by default fills the address in without a step; each bin and capture the user opens adds one', async () => {
    const m = createModel(twoBins().api);
    const w = historyWindow();
    bindAddress(m, w);
    await m.resync();
    expect(w.entries).toEqual(['#/bin1']);
    await m.selectBin('bin2');
    m.selectCapture(cap(4).id, { open: true });
    m.setView('events');
    expect(w.entries).toEqual(['#/bin1', '#/bin2', `#/bin2/${cap(4).id}`, '#/bin2/!events']);

    w.back();
    expect([m.selectedBinId.value, m.selectedCaptureId.value, m.view.value, m.pane.value]).toEqual(['bin2', cap(4).id, 'captures', 'detail']);
    w.back();
    w.back();
    expect([m.selectedBinId.value, m.selectedCaptureId.value, m.pane.value]).toEqual(['bin1', null, 'list']);
    w.forward();
    expect(m.selectedBinId.value).toBe('bin2');
    // Following the history never writes it.
    expect(w.entries).toEqual(['#/bin1', '#/bin2', `#/bin2/${cap(4).id}`, '#/bin2/!events']);
  });

  it('keyboard steps, a capture deleted and a bin deleted replace the step; a typed address opens its place', async () => {
    const m = createModel(twoBins().api);
    const w = historyWindow('#/bin1');
    bindAddress(m, w);
    await m.resync();
    m.selectCapture(cap(3).id, { open: true });
    m.step(1);
    m.step(1);
    expect(w.entries).toEqual(['#/bin1', `#/bin1/${cap(1).id}`]);
    m.apply({ type: 'capture.deleted', binId: 'bin1', id: cap(1).id });
    expect(w.entries).toEqual(['#/bin1', '#/bin1']);

    w.type('#/bin2/!secrets');
    expect([m.selectedBinId.value, m.view.value]).toEqual(['bin2', 'secrets']);
    m.apply({ type: 'bin.deleted', binId: 'bin2' });
    expect(m.selectedBinId.value).toBe('bin1');
    expect(w.entries).toEqual(['#/bin1', '#/bin1', '#/bin1/!secrets']);
  });

  it('an address naming a bin hookbin lacks keeps it selected (no default bin in its place) until it is made', async () => {
    const fake = twoBins();
    const m = createModel(fake.api);
    const w = historyWindow('#/later');
    bindAddress(m, w);
    await m.resync();
    expect(m.selectedBinId.value).toBe('later');
    expect(m.selectedBin.value).toBeNull();
    expect(w.entries).toEqual(['#/later']);
    fake.server.bins.push(bin('later'));
    fake.add(cap(9, { binId: 'later' }));
    m.apply({ type: 'bin.created', bin: bin('later') });
    await new Promise((r) => setTimeout(r, 0));
    expect(m.list.value.loaded).toBe(true);
    expect(m.list.value.items.map((c) => c.id)).toEqual([cap(9).id]);
  });

  it('an address naming a capture the list never held keeps it open (its detail says it is gone)', async () => {
    const m = createModel(twoBins().api);
    const w = historyWindow('#/bin1/c-deleted');
    bindAddress(m, w);
    await m.resync();
    expect(m.selectedCaptureId.value).toBe('c-deleted');
    expect(w.entries).toEqual(['#/bin1/c-deleted']);
  });

  it('an address that names nothing (an empty or undecodable hash) is rewritten to the place shown', async () => {
    const m = createModel(twoBins().api);
    const w = historyWindow('#/bin2');
    bindAddress(m, w);
    await m.resync();
    w.type('#/%zz');
    expect(m.selectedBinId.value).toBe('bin2');
    expect(w.entries).toEqual(['#/bin2', '#/bin2']);
  });
});
