/**
 * The inspector's logic for failing answers, pure, in Node: the sentence for
 * what a bin answers, the quick toggles' PATCHes and the rule editor's drafts.
 */
import { describe, expect, it } from 'vitest';
import type { RespondSettings } from '../../server/common/types.js';
import { defaultRespond } from '../../server/capture/settings.js';
import {
  answerMode,
  answerOkPatch,
  delayPatch,
  describeRespond,
  describeRule,
  draftFromRule,
  draftsEqual,
  emptyDraft,
  failFirstPatch,
  faultPatch,
  moveItem,
  parseIntIn,
  ruleFromDraft,
  rulesFromDrafts,
} from '../../web/src/features/answers/answers.js';

const respond = (over: Partial<RespondSettings> = {}): RespondSettings => ({ ...defaultRespond(), ...over });

describe('what a bin answers, in words', () => {
  it('says the default, failures, faults, delay, Retry-After and rules', () => {
    expect(describeRespond(respond())).toEqual({ text: 'Answers 200', tone: 'ok' });
    expect(describeRespond(respond({ failFirst: { count: 2, status: 500 } }))).toEqual({
      text: 'Fails attempts 1–2 of each event with 500, then answers 200',
      tone: 'fail',
    });
    expect(describeRespond(respond({ failFirst: { count: 1, status: 'hang' } })).text).toBe('Fails attempt 1 of each event with no reply (hang), then answers 200');
    expect(describeRespond(respond({ fault: 'reset' }))).toEqual({ text: 'Resets the connection (no reply)', tone: 'fault' });
    expect(describeRespond(respond({ fault: 'hang' })).text).toBe('Never replies (hangs until the client gives up, at most 10 min, then resets)');
    expect(describeRespond(respond({ sequence: [500, 503, 200] })).text).toBe('Answers attempt n of each event with the n-th of 500, 503, 200 (the last repeats)');
    expect(describeRespond(respond({ random: { rate: 0.25, status: 503, seed: 7 } })).text).toBe('Fails 25 % at random with 503 (repeatable, pattern 7), otherwise answers 200');
    expect(describeRespond(respond({ delayMs: 2500, retryAfter: 30, status: 202 }))).toEqual({ text: 'Answers 202 · after 2.5 s · Retry-After 30 on 429/503', tone: 'custom' });
    expect(describeRespond(respond({ status: 503 })).tone).toBe('fail');
    const rules = [{ match: { method: 'GET' }, respond: { status: 204 } }];
    expect(describeRespond(respond({ rules })).text).toBe('Answers 200 · 1 rule takes precedence');
    expect(describeRespond(respond({ rules: [...rules, ...rules] })).tone).toBe('custom');
  });

  it('names the quick toggle that is on, and none for settings no toggle makes', () => {
    expect(answerMode(respond())).toBe('ok');
    expect(answerMode(respond({ delayMs: 1000 }))).toBe('ok');
    expect(answerMode(respond({ failFirst: { count: 3, status: 500 } }))).toBe('failFirst');
    expect(answerMode(respond({ failFirst: { count: 3, status: 503 } }))).toBe('failFirst');
    expect(answerMode(respond({ fault: 'reset' }))).toBe('reset');
    expect(answerMode(respond({ fault: 'hang' }))).toBe('hang');
    expect(answerMode(respond({ sequence: [500, 200] }))).toBe('custom');
    expect(answerMode(respond({ status: 418 }))).toBe('custom');
  });
});

describe('quick toggles', () => {
  it('"Answer 200" resets to the default, keeping the rules the user wrote', () => {
    expect(answerOkPatch(respond({ fault: 'hang', delayMs: 5 }))).toBeNull();
    const patch = answerOkPatch(respond({ fault: 'hang', rules: [{ match: {}, respond: { status: 500 } }] }));
    expect(patch).not.toHaveProperty('rules');
    // Everything else is the default again.
    const { rules: _rules, ...rest } = defaultRespond();
    expect(patch).toEqual(rest);
  });

  it('each failure mode clears the others, so the bin does what the button says; the delay is its own', () => {
    const off = { fault: null, sequence: null, random: null };
    expect(failFirstPatch(2)).toEqual({ ...off, failFirst: { count: 2, status: 500 } });
    expect(failFirstPatch(3, 'reset')).toEqual({ ...off, failFirst: { count: 3, status: 'reset' } });
    expect(faultPatch('reset')).toEqual({ ...off, failFirst: null, fault: 'reset' });
    expect(faultPatch('hang')).toEqual({ ...off, failFirst: null, fault: 'hang' });
    expect(delayPatch(300)).toEqual({ delayMs: 300 });
  });

  it('reads whole numbers in range only', () => {
    expect(parseIntIn(' 3 ', 1, 100)).toBe(3);
    expect(parseIntIn('0', 1, 100)).toBeNull();
    expect(parseIntIn('101', 1, 100)).toBeNull();
    expect(parseIntIn('2.5', 1, 100)).toBeNull();
    expect(parseIntIn('', 1, 100)).toBeNull();
    expect(parseIntIn('1e3', 0, 5000)).toBeNull();
  });
});

describe('rule drafts', () => {
  const rule = { match: { method: 'POST', path: '/hooks/**', eventType: 'invoice.*', header: { name: 'X-Env', value: 'prod*' } }, respond: { status: 503, delayMs: 1500, body: 'busy', headers: { 'retry-after': '5' } } };

  it('round-trips a rule through the editor, response headers kept', () => {
    expect(ruleFromDraft(draftFromRule(rule), 0)).toEqual(rule);
    expect(draftsEqual([draftFromRule(rule)], [rule])).toBe(true);
    expect(describeRule(rule)).toBe('POST · /hooks/** · type invoice.* · X-Env: prod* → 503 after 1.5 s');
  });

  it('leaves out what is empty, and says what to fix with the rule’s number', () => {
    const d = { ...emptyDraft(), status: '' };
    expect(ruleFromDraft(d, 0)).toEqual({ match: {}, respond: {} });
    expect(ruleFromDraft({ ...d, fault: 'hang', method: 'get' }, 0)).toEqual({ match: { method: 'GET' }, respond: { fault: 'hang' } });
    // A fault hides the status and body: a status typed before does not come along.
    expect(ruleFromDraft({ ...emptyDraft(), fault: 'reset', body: 'x' }, 0)).toEqual({ match: {}, respond: { fault: 'reset' } });
    expect(ruleFromDraft({ ...d, status: '99' }, 1)).toBe('Rule 2: a status is 200–599.');
    expect(ruleFromDraft({ ...d, delayMs: '600001' }, 0)).toBe('Rule 1: a delay is 0–600000 ms.');
    expect(ruleFromDraft({ ...d, method: 'GE T' }, 0)).toBe('Rule 1: a method is letters only.');
    expect(ruleFromDraft({ ...d, headerValue: 'x' }, 0)).toBe('Rule 1: name the header whose value should match.');
    expect(ruleFromDraft({ ...d, headerName: 'X Bad' }, 0)).toBe('Rule 1: "X Bad" is not a header name.');
    expect(rulesFromDrafts([d, { ...d, status: 'abc' }])).toBe('Rule 2: a status is 200–599.');
  });

  it('sees an edit as a change, and an untouched list as none', () => {
    const drafts = [draftFromRule(rule)];
    expect(draftsEqual(drafts, [rule])).toBe(true);
    expect(draftsEqual([{ ...drafts[0]!, status: '500' }], [rule])).toBe(false);
    expect(draftsEqual([...drafts, emptyDraft()], [rule])).toBe(false);
    expect(draftsEqual([], [])).toBe(true);
  });

  it('moves a rule up or down, clamped', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    const same = ['a', 'b'];
    expect(moveItem(same, 0, -1)).toBe(same);
    expect(moveItem(same, 1, 1)).toBe(same);
  });
});

// ------------------------------------------------------------------ timeline
