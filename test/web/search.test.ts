/**
 * The inspector's search box in Node: what the typed text asks of hookbin
 * (searchStep), and the model with it: the search goes to the API as `q`
 * once typing pauses, with the verdict filter and paging; a newer search
 * aborts the older one's read; live captures join a searched list only when
 * hookbin's answer to the search holds them; clearing shows every capture.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../web/src/api/http.js';
import { createModel } from '../../web/src/state/model.js';
import { SEARCH_DEBOUNCE_MS, SEARCH_REFRESH_MS, searchStep } from '../../web/src/state/search.js';
import { cap, fakeApi, ids, newestFirst } from '../support/web-fixtures.js';

afterEach(() => {
  vi.useRealTimers();
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => cap(to - i));
/** Lets every pending promise (the fake API's answers) settle. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('searchStep', () => {
  it('searches the words as typed, shows everything for no words, and waits (with a hint) on a short word', () => {
    expect(searchStep('  cus_9f8a7  ')).toEqual({ search: 'cus_9f8a7', hint: null });
    expect(searchStep('   ')).toEqual({ search: '', hint: null });
    expect(searchStep('"id 42" paid')).toEqual({ search: '"id 42" paid', hint: null });
    const short = searchStep('cus 42');
    expect(short.search).toBeNull();
    expect(short.hint).toMatch(/^Each word searched needs at least 3 characters \("42" is shorter\)/);
  });
});

describe('the model with a search', () => {
  it('sends the text as q once typing pauses, pages the results, and shows everything again when cleared', async () => {
    vi.useFakeTimers();
    const fake = fakeApi(range(1, 450));
    const m = createModel(fake.api);
    await m.resync();
    fake.calls.length = 0;
    m.typeSearch('hook/');
    m.typeSearch('hook/1');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 1);
    expect(fake.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    // One request, for what was typed last: hook/1, hook/10…19, hook/100…199.
    expect(fake.calls).toEqual(['list - q=hook/1']);
    expect(m.list.value.search).toBe('hook/1');
    expect(m.list.value.items).toHaveLength(111);
    expect(m.list.value.next).toBeNull();

    m.typeSearch('hook/44');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(ids(m.list.value.items)).toEqual(newestFirst(449, 448, 447, 446, 445, 444, 443, 442, 441, 440, 44));

    m.searchNow('');
    await vi.advanceTimersByTimeAsync(0);
    expect(m.list.value.search).toBe('');
    expect(m.list.value.items).toHaveLength(200);
    expect(m.list.value.next).not.toBeNull();
  });

  it('keeps the verdict filter with a search, and a short word leaves the list as it was with a hint', async () => {
    const fake = fakeApi([cap(3, { verdict: 'valid' }), cap(2, { verdict: 'invalid' }), cap(1, { verdict: 'valid' })]);
    const m = createModel(fake.api);
    await m.resync();
    await m.setVerdictFilter('valid');
    m.searchNow('hook/');
    await settle();
    expect(fake.calls.at(-1)).toBe('list - valid q=hook/');
    expect(ids(m.list.value.items)).toEqual(newestFirst(3, 1));
    m.searchNow('ho');
    await settle();
    expect(m.searchHint.value).toContain('at least 3 characters');
    expect(m.list.value.search).toBe('hook/');
    m.searchNow('hook/3');
    await settle();
    expect(m.searchHint.value).toBeNull();
    expect(ids(m.list.value.items)).toEqual(newestFirst(3));
  });

  it('aborts the read of a search a newer one replaced', async () => {
    const fake = fakeApi(range(1, 5));
    const signals: AbortSignal[] = [];
    const api: Api = { ...fake.api, listCaptures: (binId, opts) => (opts.signal && signals.push(opts.signal), fake.api.listCaptures(binId, opts)) };
    const m = createModel(api);
    await m.resync();
    m.searchNow('hook/1');
    m.searchNow('hook/2');
    await settle();
    expect(signals.at(-2)!.aborted).toBe(true);
    expect(signals.at(-1)!.aborted).toBe(false);
    expect(ids(m.list.value.items)).toEqual(newestFirst(2));
  });

  it('asks hookbin again when captures arrive during a search: only what it finds joins the list', async () => {
    vi.useFakeTimers();
    const fake = fakeApi(range(1, 5));
    const m = createModel(fake.api);
    await m.resync();
    m.searchNow('hook/');
    await vi.advanceTimersByTimeAsync(0);
    m.searchNow('special');
    await vi.advanceTimersByTimeAsync(0);
    expect(m.list.value.items).toEqual([]);
    const match = cap(6, { path: '/special/6' });
    const other = cap(7);
    fake.add(match);
    fake.add(other);
    m.apply({ type: 'capture.created', capture: match, pruned: 0 });
    m.apply({ type: 'capture.created', capture: other, pruned: 0 });
    // Not added as it arrived: hookbin decides.
    expect(m.list.value.items).toEqual([]);
    await vi.advanceTimersByTimeAsync(SEARCH_REFRESH_MS);
    expect(ids(m.list.value.items)).toEqual([match.id]);
    expect(fake.calls.filter((c) => c === 'list - q=special')).toHaveLength(2);
  });
});
