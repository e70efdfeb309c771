/**
 * Which two captures are compared (web/src/state/compare.ts), in Node over
 * the in-memory API: the pair lives with the capture it was made on.
 */
import { describe, expect, it } from 'vitest';
import { comparedWith, firstAttemptId } from '../../web/src/state/compare.js';
import { createModel } from '../../web/src/state/model.js';
import { cap, fakeApi } from '../support/web-fixtures.js';

describe('comparing two captures', () => {
  it('counts a pair only while its first capture is the selected one', () => {
    expect(comparedWith(null, 'a')).toBeNull();
    expect(comparedWith({ a: 'a', b: 'b' }, 'a')).toBe('b');
    expect(comparedWith({ a: 'a', b: 'b' }, 'c')).toBeNull();
    expect(comparedWith({ a: 'a', b: 'b' }, null)).toBeNull();
  });

  it('finds the first attempt of an event, unless it is gone or is the capture itself', () => {
    const attempts = [
      { captureId: 'c2', attempt: 2 },
      { captureId: 'c1', attempt: 1 },
    ];
    expect(firstAttemptId(attempts, 'c2')).toBe('c1');
    expect(firstAttemptId(attempts, 'c1')).toBeNull();
    expect(firstAttemptId([{ captureId: 'c3', attempt: 3 }], 'c3')).toBeNull();
  });

  it('compares the selected capture with another, loads it, and ends when another capture is selected', async () => {
    const fake = fakeApi([cap(1), cap(2), cap(3)]);
    const m = createModel(fake.api);
    await m.resync();
    // Nothing selected: nothing to compare.
    m.compareWith(cap(1).id);
    expect(m.comparedWith.value).toBeNull();

    m.selectCapture(cap(3).id);
    m.compareWith(cap(1).id);
    expect(m.comparedWith.value).toBe(cap(1).id);
    expect(m.pane.value).toBe('detail');
    await expect.poll(() => m.details.value.get(cap(1).id)?.state).toBe('ok');
    // With itself, or null: no comparison.
    m.compareWith(cap(3).id);
    expect(m.comparedWith.value).toBeNull();
    m.compareWith(cap(2).id);
    m.selectCapture(cap(1).id);
    expect(m.comparedWith.value).toBeNull();
    // Back on the capture, the old pair does not come back.
    m.selectCapture(cap(3).id);
    expect(m.comparedWith.value).toBeNull();
    // Keyboard steps end it too.
    m.compareWith(cap(2).id);
    m.step(1);
    m.step(-1);
    expect(m.selectedCaptureId.value).toBe(cap(3).id);
    expect(m.comparedWith.value).toBeNull();
  });
});
