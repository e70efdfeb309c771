/** The `X-Hookbin-Retry` header: its syntax, and the chain of attempts the events view believes. */
import { describe, expect, it } from 'vitest';
import { formatRetryClaim, parseRetryClaim } from '../../server/common/retry-claim.js';
import { claimedSender } from '../../server/store/events.js';

const A = '01m840zhj959zhkaaz9tha';
const B = '01m840zhj959zhkaaz9thb';
const C = '01m840zhj959zhkaaz9thc';

describe('X-Hookbin-Retry', () => {
  it('writes and reads a claim, with or without a preset', () => {
    const claim = { after: A, preset: 'makeplans', timeScale: 60 };
    expect(formatRetryClaim(claim)).toBe(`after=${A}; preset=makeplans; time-scale=60`);
    expect(parseRetryClaim(formatRetryClaim(claim))).toEqual(claim);
    expect(parseRetryClaim(formatRetryClaim({ after: A, preset: null, timeScale: 0.5 }))).toEqual({ after: A, preset: null, timeScale: 0.5 });
    expect(parseRetryClaim(` TIME-SCALE=3600 ;after=${A}; other=x`)).toEqual({ after: A, preset: null, timeScale: 3600 });
  });

  it('reads nothing from a value that is not a claim', () => {
    for (const bad of [
      null,
      undefined,
      '',
      `after=${A}`,
      `after=${A}; time-scale=0`,
      `after=${A}; time-scale=2000000`,
      `after=${A}; time-scale=1e3`,
      `after=${A}; time-scale=60; preset=<b>`,
      `after=short; time-scale=60`,
      `after=${A.toUpperCase()}; time-scale=60`,
      `after=${A}; time-scale=60; pad=${'x'.repeat(200)}`,
    ]) {
      expect(parseRetryClaim(bad), String(bad)).toBeNull();
    }
  });

  it('believes an event only when every retry names an earlier attempt of it, all alike', () => {
    const claim = (after: string, preset = 'slack', scale = 60) => formatRetryClaim({ after, preset, timeScale: scale });
    expect(claimedSender([{ id: A, claim: null }, { id: B, claim: claim(A) }, { id: C, claim: claim(B) }])).toEqual({ deliveryId: null, retry: { preset: 'slack', timeScale: 60 } });
    // One attempt proves nothing; a retry without a claim, naming another capture, or saying another pace breaks the chain.
    expect(claimedSender([{ id: A, claim: claim(C) }])).toBeNull();
    expect(claimedSender([{ id: A, claim: null }, { id: B, claim: claim(A) }, { id: C, claim: null }])).toBeNull();
    expect(claimedSender([{ id: A, claim: null }, { id: B, claim: claim(A) }, { id: C, claim: claim(C) }])).toBeNull();
    expect(claimedSender([{ id: A, claim: null }, { id: B, claim: claim(A) }, { id: C, claim: claim('01m840zhj959zhkaaz9thz') }])).toBeNull();
    expect(claimedSender([{ id: A, claim: null }, { id: B, claim: claim(A) }, { id: C, claim: claim(B, 'slack', 600) }])).toBeNull();
    expect(claimedSender([{ id: A, claim: null }, { id: B, claim: claim(A) }, { id: C, claim: claim(B, 'github') }])).toBeNull();
  });

  it('believes a run whose attempt got no answer: the retry after a reset names the attempt before it', () => {
    // B was reset, so its sender never learned B's id: C names A, the latest capture it knew.
    const claim = (after: string) => formatRetryClaim({ after, preset: 'makeplans', timeScale: 600 });
    expect(claimedSender([{ id: A, claim: null }, { id: B, claim: claim(A) }, { id: C, claim: claim(A) }])).toEqual({
      deliveryId: null,
      retry: { preset: 'makeplans', timeScale: 600 },
    });
    // A stranger's attempt still breaks it: without a claim, or naming a capture that is not an earlier attempt of the event.
    expect(claimedSender([{ id: A, claim: null }, { id: B, claim: null }, { id: C, claim: claim(A) }])).toBeNull();
    expect(claimedSender([{ id: A, claim: null }, { id: B, claim: claim(C) }, { id: C, claim: claim(A) }])).toBeNull();
  });
});
