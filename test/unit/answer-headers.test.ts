/**
 * The headers of a bin's answers: a relayed app's reply keeps what can be
 * sent on (hop-by-hop and hookbin's own headers left out, the rest dropped
 * with a reason), and the note that lists what was dropped.
 */
import { describe, expect, it } from 'vitest';
import { BIN_ANSWER_HEADERS, droppedNote, relayHeaders, securedAnswer, withBinAnswerHeaders } from '../../server/capture/answer-headers.js';
import type { CaptureResponse, HeaderPair } from '../../server/common/types.js';

describe('relayHeaders', () => {
  it('leaves out hop-by-hop headers and those the Connection header names, in any case and spacing', () => {
    const r = relayHeaders([
      ['Connection', 'close, X-Private ,X-Other'],
      ['connection', 'x-third'],
      ['Keep-Alive', 'timeout=5'],
      ['Transfer-Encoding', 'chunked'],
      ['X-PRIVATE', 'secret'],
      ['x-other', '1'],
      ['X-Third', '3'],
      ['X-Kept', 'yes'],
    ]);
    expect(r).toEqual({ headers: [['X-Kept', 'yes']], dropped: [] });
  });

  it('leaves out what hookbin sets itself: framing, the capture id, the sandbox', () => {
    const r = relayHeaders([
      ['Content-Length', '12'],
      ['X-Hookbin-Capture-Id', 'forged'],
      ['Content-Security-Policy', 'default-src *'],
      ['X-Content-Type-Options', 'sniff'],
      ['Content-Type', 'application/json'],
    ]);
    expect(r).toEqual({ headers: [['Content-Type', 'application/json']], dropped: [] });
  });

  it('drops, with a reason each, headers acting on hookbin\'s origin, odd names and control characters', () => {
    const longName = `X Bad${'y'.repeat(100)}`;
    const r = relayHeaders([
      ['Set-Cookie', 'a=1'],
      ['CLEAR-SITE-DATA', '"*"'],
      ['X Bad', '1'],
      [longName, '1'],
      ['X-Ctl', 'a\u0000b'],
      ['X-Lf', 'a\nb'],
      ['X-Ok', '  padded\t'],
    ]);
    expect(r.headers).toEqual([['X-Ok', 'padded']]);
    expect(r.dropped).toEqual([
      "Set-Cookie (it would act on hookbin's own origin)",
      "CLEAR-SITE-DATA (it would act on hookbin's own origin)",
      '"X Bad" (not a header name)',
      `${JSON.stringify(longName.slice(0, 64))} (not a header name)`,
      'X-Ctl (control characters in its value)',
      'X-Lf (control characters in its value)',
    ]);
  });

  it('keeps Latin-1 and tabs inside a value, and repeated names in order', () => {
    const r = relayHeaders([
      ['X-A', 'caf\u00e9\tok'],
      ['Vary', 'a'],
      ['Vary', 'b'],
    ]);
    expect(r.headers).toEqual([
      ['X-A', 'caf\u00e9\tok'],
      ['Vary', 'a'],
      ['Vary', 'b'],
    ]);
  });
});

describe('droppedNote', () => {
  const reasons = (n: number) => Array.from({ length: n }, (_, i) => `h${i} (why)`);

  it('is empty when nothing was dropped', () => expect(droppedNote([])).toBe(''));
  it('names one header in the singular', () => expect(droppedNote(reasons(1))).toBe('dropped 1 header that cannot be sent: h0 (why)'));
  it('lists up to five', () =>
    expect(droppedNote(reasons(5))).toBe('dropped 5 headers that cannot be sent: h0 (why), h1 (why), h2 (why), h3 (why), h4 (why)'));
  it('counts the rest past five', () =>
    expect(droppedNote(reasons(7))).toBe('dropped 7 headers that cannot be sent: h0 (why), h1 (why), h2 (why), h3 (why), h4 (why) and 2 more'));
});

describe('an answer\'s record', () => {
  const reply = (headers: HeaderPair[], status: number | null = 200): CaptureResponse => ({ status, headers, body: '', delayMs: 0, fault: status === null ? 'reset' : null, reason: 'default' });

  it('says hookbin\'s headers were sent, over any of the same name, and never an origin-acting one', () => {
    const pairs: HeaderPair[] = [['X-A', '1'], ['content-security-policy', 'none'], ['Set-Cookie', 'a=1'], ['X-Content-Type-Options', 'x']];
    expect(withBinAnswerHeaders(pairs)).toEqual([['X-A', '1'], ...BIN_ANSWER_HEADERS]);
    expect(securedAnswer(reply(pairs)).headers).toEqual([['X-A', '1'], ...BIN_ANSWER_HEADERS]);
  });

  it('of a fault is left as it is (a fault sends no headers)', () => {
    const fault = reply([['X-A', '1']], null);
    expect(securedAnswer(fault)).toBe(fault);
  });
});
