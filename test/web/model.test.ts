/**
 * The inspector's model over an in-memory API: catching up after a blip,
 * pages and live captures racing, the verdict filter, details.
 */
import { describe, expect, it } from 'vitest';
import {
  createModel,
} from '../../web/src/state/model.js';
import { bin, cap, fakeApi, ids, newestFirst } from '../support/web-fixtures.js';

describe('model catch-up', () => {
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => cap(to - i));

  it('loads the first page, then older pages on demand', async () => {
    const { api } = fakeApi(range(1, 450));
    const m = createModel(api);
    await m.resync();
    expect(m.selectedBinId.value).toBe('bin1');
    expect(m.list.value.items).toHaveLength(200);
    expect(m.list.value.next).not.toBeNull();
    await m.loadOlder();
    await m.loadOlder();
    expect(m.list.value.items).toHaveLength(450);
    expect(m.list.value.next).toBeNull();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 450)));
  });

  it('after a blip, fetches every capture it missed, even more than a page, and keeps the older pages', async () => {
    const fake = fakeApi(range(1, 300));
    const m = createModel(fake.api);
    await m.resync();
    await m.loadOlder();
    expect(m.list.value.items).toHaveLength(300);
    // Offline: 450 captures arrive that no live event announced.
    for (let n = 301; n <= 750; n++) fake.add(cap(n));
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 750)));
    expect(m.list.value.next).toBeNull();
  });

  it('merges live events that race a resync without losing or doubling any', async () => {
    const fake = fakeApi(range(1, 10));
    const m = createModel(fake.api);
    await m.resync();
    fake.add(cap(11));
    // While the page is on its way: the live event for a capture the page also
    // carries, and one committed after the page was read.
    fake.hooks.duringList = () => {
      m.apply({ type: 'capture.created', capture: cap(11), pruned: 0 });
      fake.add(cap(12));
      m.apply({ type: 'capture.created', capture: cap(12), pruned: 0 });
    };
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 12)));
    expect(m.bins.value[0]!.captureCount).toBe(12);
    // Announced before the resync began: the server has it, so the page carries it too.
    fake.add(cap(13));
    m.apply({ type: 'capture.created', capture: cap(13), pruned: 0 });
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 13)));
  });

  it('drops captures deleted while away once the whole bin was read, and never resurrects tombstones', async () => {
    const fake = fakeApi(range(1, 5));
    const m = createModel(fake.api);
    await m.resync();
    fake.server.captures = fake.server.captures.filter((c) => c.id !== cap(3).id);
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(newestFirst(5, 4, 2, 1));
    m.selectCapture(cap(5).id);
    await m.deleteCapture(cap(5).id);
    expect(m.selectedCaptureId.value).toBeNull();
    expect(ids(m.list.value.items)).toEqual(newestFirst(4, 2, 1));
  });

  it('starts over on a server that lost everything (e.g. --memory restart)', async () => {
    const fake = fakeApi(range(1, 5));
    const m = createModel(fake.api);
    await m.resync();
    fake.server.captures = [cap(100)];
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(newestFirst(100));
  });

  it('flags a missing token instead of failing silently', async () => {
    const fake = fakeApi([]);
    const { ApiRequestError } = await import('../../web/src/api/http.js');
    fake.api.listBins = async () => {
      throw new ApiRequestError(401, 'unauthorized', 'a token is required');
    };
    const m = createModel(fake.api);
    await m.resync();
    expect(m.authRequired.value).toBe(true);
    expect(m.error.value).toBeNull();
  });

  it('leaves a server that cannot be reached to the status badge: no toast, and an old one goes when it is back', async () => {
    const fake = fakeApi(range(1, 3));
    const { ApiRequestError, UNREACHABLE_MESSAGE } = await import('../../web/src/api/http.js');
    const listBins = fake.api.listBins;
    fake.api.listBins = async () => {
      throw new ApiRequestError(0, 'unreachable', UNREACHABLE_MESSAGE);
    };
    const m = createModel(fake.api);
    await m.resync();
    expect(m.error.value).toBeNull();
    // A user action that failed while hookbin was down did say so …
    m.error.value = UNREACHABLE_MESSAGE;
    fake.api.listBins = listBins;
    await m.resync();
    // … until hookbin answered again.
    expect(m.error.value).toBeNull();
    expect(m.list.value.items).toHaveLength(3);
    // Other failures still speak up.
    fake.api.listBins = async () => {
      throw new ApiRequestError(500, 'internal', 'database is locked');
    };
    await m.resync();
    expect(m.error.value).toBe('database is locked');
  });

  it('filters by verdict on the server: pages of matches only, reset on a bin switch', async () => {
    const all = range(1, 450).map((c, i) => ({ ...c, verdict: i % 3 === 0 ? ('valid' as const) : null }));
    const fake = fakeApi(all);
    const m = createModel(fake.api);
    await m.resync();
    await m.setVerdictFilter('valid');
    expect(fake.calls.at(-1)).toBe('list - valid');
    expect(m.list.value.items).toHaveLength(150);
    expect(m.list.value.items.every((c) => c.verdict === 'valid')).toBe(true);
    expect(m.list.value.next).toBeNull();
    // The count is the bin's, not the filtered list's length.
    expect(m.bins.value[0]!.captureCount).toBe(450);
    await m.setVerdictFilter('unsigned');
    expect(m.list.value.items).toHaveLength(200);
    expect(m.list.value.next).not.toBeNull();
    await m.loadOlder();
    expect(m.list.value.items).toHaveLength(300);
    expect(m.list.value.items.every((c) => c.verdict === null)).toBe(true);
    expect(fake.calls.at(-1)).toMatch(/^list \d+ unsigned$/);
    await m.setVerdictFilter(null);
    expect(m.list.value.verdict).toBeNull();
    expect(m.list.value.items).toHaveLength(200);
  });

  it('keeps an open capture selected when the verdict filter hides it', async () => {
    const fake = fakeApi([cap(2, { verdict: 'valid' }), cap(1)]);
    const m = createModel(fake.api);
    await m.resync();
    m.selectCapture(cap(1).id);
    await m.setVerdictFilter('valid');
    expect(ids(m.list.value.items)).toEqual(newestFirst(2));
    expect(m.selectedCaptureId.value).toBe(cap(1).id);
  });

  it('on captures.reverified refetches the list and the open capture in place, keeping captures that arrived meanwhile', async () => {
    const fake = fakeApi(range(1, 300).map((c) => ({ ...c, verdict: 'no-secret' as const })));
    const m = createModel(fake.api);
    await m.resync();
    await m.loadOlder();
    m.selectCapture(cap(5).id);
    await Promise.resolve();
    await Promise.resolve();
    expect(m.selectedDetail.value).toMatchObject({ state: 'ok', capture: { verdict: 'no-secret' } });
    // A secret was added: the server re-judged everything.
    fake.server.captures = fake.server.captures.map((c) => ({ ...c, verdict: 'valid' as const }));
    // A capture that arrives live while the refetch reads its pages.
    fake.hooks.duringList = () => {
      fake.add(cap(301, { verdict: 'valid' }));
      m.apply({ type: 'capture.created', capture: cap(301, { verdict: 'valid' }), pruned: 0 });
    };
    const shown: string[] = [];
    const stop = m.selectedDetail.subscribe((d) => shown.push(d?.state ?? 'none'));
    m.apply({ type: 'captures.reverified', binId: 'bin1' });
    await m.refreshVerdicts('bin1');
    stop();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 301)));
    expect(m.list.value.items.every((c) => c.verdict === 'valid')).toBe(true);
    expect(m.selectedDetail.value).toMatchObject({ state: 'ok', capture: { verdict: 'valid' } });
    // Swapped in place: no "Loading…" in between.
    expect(shown).not.toContain('loading');
  });

  it('after a re-judge drops captures that no longer match the verdict filter', async () => {
    const fake = fakeApi([cap(3, { verdict: 'no-secret' }), cap(2, { verdict: 'no-secret' }), cap(1)]);
    const m = createModel(fake.api);
    await m.resync();
    await m.setVerdictFilter('no-secret');
    expect(ids(m.list.value.items)).toEqual(newestFirst(3, 2));
    fake.server.captures = fake.server.captures.map((c) => (c.id === cap(3).id ? { ...c, verdict: 'valid' as const } : c));
    m.apply({ type: 'captures.reverified', binId: null });
    await m.refreshVerdicts(null);
    expect(ids(m.list.value.items)).toEqual(newestFirst(2));
  });

  it('ignores captures.reverified of another bin, but forgets its cached details', async () => {
    const fake = fakeApi([cap(1)], [bin('bin1'), bin('bin2')]);
    const m = createModel(fake.api);
    await m.resync();
    const before = fake.calls.length;
    m.apply({ type: 'captures.reverified', binId: 'bin2' });
    await Promise.resolve();
    expect(fake.calls.length).toBe(before);
  });

  it('saves secrets, then refreshes the verdicts; an error comes back as a sentence', async () => {
    const fake = fakeApi([cap(1, { verdict: 'no-secret' })]);
    let patched: unknown = null;
    fake.api.updateBin = async (id, patch) => {
      patched = patch;
      fake.server.captures = fake.server.captures.map((c) => ({ ...c, verdict: 'valid' as const }));
      return { ...bin(id), secrets: [{ name: 'gh', value: '…cret', scheme: 'github' }] };
    };
    const m = createModel(fake.api);
    await m.resync();
    expect(await m.saveSecrets('bin1', [{ name: 'gh', value: 'the-secret', scheme: 'github' }])).toBeNull();
    expect(patched).toEqual({ secrets: [{ name: 'gh', value: 'the-secret', scheme: 'github' }] });
    expect(m.bins.value[0]!.secrets).toEqual([{ name: 'gh', value: '…cret', scheme: 'github' }]);
    await m.refreshVerdicts('bin1');
    expect(m.list.value.items[0]!.verdict).toBe('valid');
    const { ApiRequestError } = await import('../../web/src/api/http.js');
    fake.api.updateBin = async () => {
      throw new ApiRequestError(400, 'invalid_secrets', 'secret names must be unique');
    };
    expect(await m.saveSecrets('bin1', [])).toBe('secret names must be unique');
  });

  it('reads the global secrets (masked) on every resync', async () => {
    const fake = fakeApi([]);
    let n = 0;
    fake.api.getInfo = async () => ({ version: 't', globalSecrets: [{ name: `g${++n}`, value: '…', scheme: null }] });
    const m = createModel(fake.api);
    await m.resync();
    await Promise.resolve();
    expect(m.info.value?.globalSecrets.map((s) => s.name)).toEqual(['g1']);
    await m.resync();
    await Promise.resolve();
    expect(m.info.value?.globalSecrets.map((s) => s.name)).toEqual(['g2']);
  });

  it('keyboard steps through the filtered list', async () => {
    const fake = fakeApi([cap(3, { method: 'GET' }), cap(2), cap(1, { method: 'GET' })]);
    const m = createModel(fake.api);
    await m.resync();
    m.filter.value = { text: '', method: 'GET' };
    m.step(1);
    expect(m.selectedCaptureId.value).toBe(cap(3).id);
    m.step(1);
    expect(m.selectedCaptureId.value).toBe(cap(1).id);
    m.step(1);
    expect(m.selectedCaptureId.value).toBe(cap(1).id);
    m.step(-1);
    expect(m.selectedCaptureId.value).toBe(cap(3).id);
  });
});
