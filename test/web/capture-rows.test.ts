/** A capture row's words in Node: what hookbin answered (a fault named, a delay first) and the attempt. */
import { describe, expect, it } from 'vitest';
import { answerWords, attemptWords } from '../../web/src/features/captures/row.js';

describe('answerWords', () => {
  it('names the status, a fault or a delay instead of a dash', () => {
    const words = (status: number | null, fault: 'reset' | 'hang' | null, delayMs = 0) => answerWords({ status, fault, delayMs }).text;
    expect(words(200, null)).toBe('200');
    expect(words(null, 'reset')).toBe('reset');
    expect(words(null, 'hang')).toBe('hang');
    expect(words(500, null, 2000)).toBe('delay 2 s then 500');
    expect(words(null, 'reset', 1500)).toBe('delay 1.5 s then reset');
    expect(words(null, 'hang', 250)).toBe('delay 250 ms then hang');
    expect(words(null, null)).toBe('no reply');
  });

  it('colors a fault as a failure and a status by its class, and says it in a sentence', () => {
    expect(answerWords({ status: null, fault: 'reset', delayMs: 0 })).toEqual({ text: 'reset', title: 'hookbin reset the connection without a reply', tone: 'none' });
    expect(answerWords({ status: 503, fault: null, delayMs: 60_000 })).toEqual({ text: 'delay 1 min then 503', title: 'after 1 min, hookbin answered 503', tone: '5xx' });
    expect(answerWords({ status: 204, fault: null, delayMs: 0 }).tone).toBe('2xx');
  });

  it('names a fault it does not know by its own name, and ignores a delay that is no number', () => {
    expect(answerWords({ status: null, fault: 'closed' as never, delayMs: 0 })).toMatchObject({ text: 'closed', title: 'hookbin answered with a "closed" fault', tone: 'none' });
    expect(answerWords({ status: 200, fault: null, delayMs: Number.NaN }).text).toBe('200');
  });
});

describe('attemptWords', () => {
  it('numbers every attempt and says which event a retry repeats', () => {
    expect(attemptWords({ key: 'evt_1', type: null, attempt: 1 })).toEqual({ text: 'attempt 1', title: 'first delivery of event evt_1' });
    expect(attemptWords({ key: 'evt_1', type: 'push', attempt: 3 })).toEqual({ text: 'attempt 3', title: 'retry 2 of event evt_1' });
  });
});
